"""The link-check spider: every link target of a run checked once, politely and honestly.

Two ways in:

* after the portal crawl (``govaudit check``, :func:`chain_link_check`): the targets are the
  run's ``links`` rows; fetches the crawl already made (home, columns, documents…) are reused
  instead of requested again;
* on its own (``govaudit links URL``, :func:`run_link_crawl`): it follows every same-site HTML
  page from URL (up to ``max_pages``), records each page as the portal crawl does, and checks
  every link found.

Per target: one GET that reads no more than settles it. Files and images: the first
``sniff_bytes`` (their first bytes, magic bytes, must match their extension). Pages and other
resources: an answer that is not HTML stops at its headers (they settle it, as a HEAD would);
an HTML answer is read up to ``sniff_bytes`` (the soft-404, deleted-page and challenge checks
read it). Each target is asked once where the earlier HEAD-then-GET policy asked most pages
twice (and servers that refuse HEAD cost a failed request). Timeouts,
connection errors and 5xx are retried with backoff; a 429 (or 503 + ``Retry-After``) is asked
again after the time the server asks for, and a host that keeps answering so is paused and
slowed down (:class:`IsolatedRetryAfterMiddleware`). A failure counts only once it is seen
again: by the retries after their pauses, by a re-check ``recheck_delay_s`` later, or by the
previous run's check of the same URL. Internal links and links that failed last time are
always checked; an external link that passed less than ``ttl_days`` ago is not requested
again. Politeness is Scrapy's per-host download slots (concurrency and delay, external hosts
included; per-site limits through ``DOWNLOAD_SLOTS``: ``--host-limit``), see
:func:`crawler.crawl.build_settings`.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler.linkcheck.page import PageRead, read_link_page
from crawler.reader import ReaderGone, SpiderReader
from crawler.linkcheck.resolver import internet_reachable
from crawler.linkcheck.classify import (FAILURES, Fingerprint, LinkConfig, Observation, Verdict,
                                        link_kind, needs_fingerprint, page_title, sniff)
from crawler.middlewares import RetryAfterMiddleware, retry_after_seconds
from crawler.profiles.extract import absolute_links
from crawler.spiders.portal import HANDLED_STATUSES, HTML_TYPES, site_key
from store import CST, Store, now_iso
from rules.links import verdict

logger = logging.getLogger(__name__)

#: tags whose targets are checked (``<link>`` rows are canonical/prefetch hints, not links)
CHECKED_TAGS = ("a", "area", "img", "iframe", "frame", "script")
#: tags a same-site page crawl follows
FOLLOWED_TAGS = ("a", "area", "iframe", "frame")


@dataclass
class Target:
    url: str
    site: str                 # the audited site the link was found on
    tag: str
    kind: str                 # file | image | page | resource (classify.link_kind)
    internal: bool            # same host as the site
    crawl: bool = False       # a same-site page whose own links are followed (`govaudit links`)
    home: bool = False
    links_done: bool = False     # a crawled page whose links were taken
    attempts: list[dict] = field(default_factory=list)
    retries: int = 0
    first: dict | None = None     # the first failure, while its re-check is pending
    first_seen: dict | None = None    # that failure's observation record (rules.links)
    prev: dict | None = None      # this URL's latest result in an earlier run


#: exception name -> error kind (Scrapy's wrapped download errors and Twisted's own)
ERROR_KINDS = {
    "CannotResolveHostError": "dns", "DNSLookupError": "dns",
    "DownloadConnectionRefusedError": "refused", "ConnectionRefusedError": "refused",
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "DownloadFailedError": "connection", "ResponseFailed": "connection", "ResponseNeverReceived": "connection",
    "ResponseDataLossError": "connection", "ConnectionLost": "connection", "ConnectionDone": "connection",
    "ConnectError": "connection",
}


def error_kind(error: str | None) -> str:
    """The kind of a failed request from its ``"<ExceptionType>: message"`` (as fetches store it)."""
    name, _, message = (error or "").partition(":")
    if name == "OutboundRefused":
        return "policy"
    if name == "IgnoreRequest":
        message = message.lower()
        return "redirect_loop" if "redirection" in message else ("robots" if "robots" in message else "other")
    if name in ERROR_KINDS:
        return ERROR_KINDS[name]
    return "tls" if any(k in name for k in ("SSL", "TLS", "Certificate")) else "other"


class IsolatedRetryAfterMiddleware(RetryAfterMiddleware):
    """Retry-After for link checks, which ask each URL once. A 429 (or 503 + Retry-After) is
    first the answer to that request alone: the spider asks it again once the time asked has
    passed, while the host goes on at its pace. When a host answers so ``RETRY_AFTER_BURST``
    times within ``RETRY_AFTER_BURST_WINDOW`` seconds it is rate limiting: it is paused and
    slowed down as for the crawl (RetryAfterMiddleware)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.burst = crawler.settings.getint("RETRY_AFTER_BURST", 5)
        self.window = crawler.settings.getfloat("RETRY_AFTER_BURST_WINDOW", 1.0)
        self.seen: dict[str, deque] = {}

    def process_response(self, request, response, spider=None):
        if response.status == 429 or (response.status == 503 and b"Retry-After" in response.headers):
            downloader = self.crawler.engine.downloader
            key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
            now, recent = time.monotonic(), self.seen.setdefault(key, deque())
            recent.append(now)
            while now - recent[0] > self.window:
                recent.popleft()
            if len(recent) < self.burst:
                return response
        return super().process_response(request, response, spider)


class LinkCheckSpider(scrapy.Spider):
    name = "linkcheck"
    custom_settings = {
        "RETRY_ENABLED": False,     # transient failures are retried here, with backoff (_judge)
        "DEPTH_LIMIT": 0,           # max_pages bounds a same-site crawl
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",   # every request is deliberate
        # 429 / 503 + Retry-After: see IsolatedRetryAfterMiddleware
        "DOWNLOADER_MIDDLEWARES": {
            **project_settings.DOWNLOADER_MIDDLEWARES,
            # nothing to authenticate or proxy; no allowed_domains (external links are checked)
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawler.middlewares.RetryAfterMiddleware": None,
            "crawler.linkcheck.checker.IsolatedRetryAfterMiddleware":
                project_settings.DOWNLOADER_MIDDLEWARES.get("crawler.middlewares.RetryAfterMiddleware", 560)},
        "CONCURRENT_ITEMS": 1,      # callbacks yield nothing: no pool of idle item workers
        # not the portal crawl: the checker writes its results through the store's methods itself
        "ITEM_PIPELINES": {},
        # requests are scheduled directly (engine.crawl): no depth, URL-length or offsite work
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                               "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None},
        # RemoteControl is not among crawler.settings.EXTENSIONS_BASE (naming it here imports it)
        "EXTENSIONS": {**project_settings.EXTENSIONS, "scrapy.extensions.memusage.MemoryUsage": None},
    }

    def __init__(self, db_path: str, run_id: int, start_urls: list[str] | None = None,
                 max_pages: int | None = None, config: LinkConfig | None = None,
                 online: bool = True, while_waiting=None, **kw):
        super().__init__(**kw)
        # called once, the first time nothing is in flight and only timed re-checks and retries
        # are pending (e.g. the caller's imports for the audit that follows)
        self.while_waiting = while_waiting
        self.store = Store(db_path)
        self.run_id = run_id
        self.start_urls = list(start_urls or [])
        self.max_pages = max_pages
        self.cfg = config or LinkConfig.load()
        self.online = online
        self.targets: dict[str, Target] = {}
        self.fingerprints: dict[str, Fingerprint | None] = {}   # netloc -> answer to a made-up URL
        self.waiting: dict[str, list] = {}                       # netloc -> judgements waiting for it
        self.timers = 0
        self.pages = 0
        self.token = uuid.uuid4().hex[:12]
        self.profile = None
        self.site_hosts: dict[str, set[str]] = {}     # site -> its hosts (the home page may redirect)
        self.history = self.store.has_link_checks_before(run_id)    # earlier runs' results (TTL, confirmation)
        self.summary: Counter = Counter()
        self.max_wait = 60.0
        self._last_commit = time.monotonic()
        # targets settled since the link rows were given the results so far (None: not yet)
        self._settled_since_copy: set[str] | None = None
        self.reading = SpiderReader()     # the page-reading process of a page crawl (crawler.reader)

    @classmethod
    def from_crawler(cls, crawler, *args, **kw):
        spider = super().from_crawler(crawler, *args, **kw)
        crawler.signals.connect(spider._on_idle, signals.spider_idle)
        crawler.signals.connect(spider._on_headers, signals.headers_received)
        crawler.signals.connect(spider._on_bytes, signals.bytes_received)
        spider.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX_WAIT", 60.0)
        return spider

    # -- targets ----------------------------------------------------------------------
    async def start(self):
        if self.start_urls:
            # the followed pages are read (checks, links, compression) in a second process while
            # this one fetches (PARSE_WORKERS 0: here): started now, it is ready by the first page
            # after the home page
            await self.reading.take(self)
            for url in self.start_urls:
                request = self._begin(self._add(url, site_key(url), "a", crawl=True, home=True))
                if request:
                    yield request
            return
        for request in self._stored_targets():
            yield request

    def _add(self, url: str, site: str, tag: str, *, crawl: bool = False, home: bool = False) -> Target:
        t = Target(url, site, tag, "page" if crawl else link_kind(url, tag),
                   self._internal(url, site), crawl=crawl, home=home)
        self.targets[url] = t
        self.pages += crawl
        return t

    def _internal(self, url: str, site: str) -> bool:
        hosts = self.site_hosts.setdefault(site, {urlsplit(site).netloc})
        return urlsplit(url).netloc in hosts

    def _stored_targets(self):
        """After the portal crawl: every link stored for the run, reusing the crawl's fetches."""
        fetched = {}
        for f in self.store.fetches(self.run_id, method="GET"):
            fetched[f["url"]] = f
        found: dict[str, tuple[str, set]] = {}
        for row in self.store.link_targets(self.run_id):
            site, tags = found.setdefault(row["url"], (row["site"], set()))
            tags.add(row["tag"])
        for url, (site, tags) in found.items():
            tag = next((t for t in CHECKED_TAGS if t in tags), None)
            if tag is None:
                continue
            if not url.startswith(("http://", "https://")):
                self._refuse(self._add(url, site, tag))
                continue
            t = self._add(url, site, tag)
            f = fetched.get(url)
            # 304: an incremental crawl's conditional request, the stored copy still current
            if f and (f["status"] in (200, 304) or (f["status"] or 0) >= 400 or f["kind"] == "error"):
                t.prev = self._previous(url)
                self._judge(t, self._observe_fetch(f), origin="crawl", at=f["fetched_at"])
                continue
            request = self._begin(t)
            if request:
                yield request

    def _discover(self, links, site: str) -> None:
        for link in links:
            url = link.url
            if url in self.targets or link.tag not in CHECKED_TAGS:
                continue
            if not url.startswith(("http://", "https://")):
                self._refuse(self._add(url, site, link.tag))
                continue
            crawl = (self._internal(url, site) and link.tag in FOLLOWED_TAGS
                     and link_kind(url, link.tag) == "page"
                     and (self.max_pages is None or self.pages < self.max_pages))
            request = self._begin(self._add(url, site, link.tag, crawl=crawl))
            if request:
                self._send(request)

    def _refuse(self, t: Target) -> None:
        """A link the outbound policy refuses without asking (not http(s)): recorded as
        ``unchecked`` with the policy's reason, never requested."""
        from crawler.outbound import REFUSED_PREFIX

        scheme = urlsplit(t.url).scheme or "(none)"
        error = f"OutboundRefused: {REFUSED_PREFIX}: scheme {scheme!r} is not http(s)"
        obs = Observation(t.url, error=error, error_kind="policy")
        seen = obs.record()
        self._finish(t, obs, verdict(seen, kind=t.kind, cfg=self.cfg.thresholds, offline=False), "fetch", None, seen)

    def _previous(self, url: str) -> dict | None:
        if not self.history:
            return None
        return self.store.previous_link_check(url, self.run_id)

    def _begin(self, t: Target) -> scrapy.Request | None:
        """The first request for a new target, or None when its result is already known."""
        t.prev = self._previous(t.url)
        prev = t.prev
        if not t.internal and prev and prev["class"] == "ok" and self._fresh(prev["checked_at"]):
            self._finish_cached(t, prev)
            return None
        try:     # one GET, read no further than settles it (_on_headers, _on_bytes)
            return self._request(t, "GET")
        except ValueError as exc:     # not a URL Scrapy can request
            self._finish(t, Observation(t.url, error=str(exc), error_kind="other"),
                         Verdict("dead", f"链接地址无效：{exc}"), "fetch", "invalid")
            return None

    def _fresh(self, checked_at: str | None) -> bool:
        try:
            age = datetime.now(CST) - datetime.fromisoformat(checked_at or "")
        except ValueError:
            return False
        return age < timedelta(days=self.cfg.ttl_days)

    # -- requests ---------------------------------------------------------------------
    def _request(self, t: Target, method: str) -> scrapy.Request:
        page = t.crawl and method == "GET" and not t.links_done
        sniffing = method == "GET" and not page
        return scrapy.Request(
            t.url, method=method, callback=self._on_page if page else self._on_response, errback=self._on_error,
            headers={"Accept-Encoding": "identity"} if sniffing else None, dont_filter=True,
            # checks before pages: a failure's re-check and a 5xx's backoff wait while the crawl goes on
            priority=0 if page else 1,
            # robots.txt governs the same-site crawl; checking one linked URL is not crawling
            meta={"target": t.url, "handle_httpstatus_list": HANDLED_STATUSES, "sniff": sniffing,
                  # a page or resource link: an answer that is not HTML is settled by its headers
                  "settle": sniffing and t.kind not in ("file", "image"),
                  "dont_obey_robotstxt": not page,
                  "page": page, "download_timeout": self.cfg.timeout_s},
        )

    def _send(self, request: scrapy.Request, delay: float = 0.0) -> None:
        if delay <= 0:
            self.crawler.engine.crawl(request)
            return
        from twisted.internet import reactor

        self.timers += 1

        def fire():
            self.timers -= 1
            if self.crawler.engine.spider is not None:
                self.crawler.engine.crawl(request)

        reactor.callLater(delay, fire)

    def _on_idle(self, spider=None) -> None:
        if self.timers or self.waiting:
            if self.timers:
                # nothing in flight: every page fetched so far has been read. What is left are
                # timed re-checks and retries; a page among them is read here. The reading
                # process ends now (unless another spider of this process still uses it),
                # before the audit's code is loaded (one process less)
                self.reading.give_back()
                if self._settled_since_copy is None:
                    # the link rows given the results so far now, not after the last re-check:
                    # closed() then updates only the rows of the targets settled meanwhile
                    self.store.copy_link_checks_to_links(self.run_id)
                    self._settled_since_copy = set()
            if self.timers and self.while_waiting is not None:
                then, self.while_waiting = self.while_waiting, None
                try:
                    then()
                except Exception as exc:       # a preparation only: the crawl goes on
                    logger.warning("while waiting: %s: %s", type(exc).__name__, exc)
            raise DontCloseSpider

    def _on_headers(self, headers, body_length, request, spider=None) -> None:
        """An answer that is not HTML: a followed "page" (a download behind a page-like URL) is
        read only up to ``sniff_bytes``; a checked page or resource link is settled by these
        headers, its body not read at all."""
        meta = request.meta
        if meta.get("page") or meta.get("settle"):
            ctype = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
            if ctype and not any(t in ctype for t in HTML_TYPES):
                if meta.get("settle"):
                    raise StopDownload(fail=False)
                meta["sniff"] = True

    def _on_bytes(self, data, request, spider=None) -> None:
        """Sniffing GETs read only the first ``sniff_bytes`` (magic bytes, error pages)."""
        if request.meta.get("sniff"):
            got = request.meta["sniffed"] = request.meta.get("sniffed", 0) + len(data)
            if got >= self.cfg.sniff_bytes:
                raise StopDownload(fail=False)

    # -- answers ----------------------------------------------------------------------
    def _observe(self, response: Response, url: str, decode: bool = True) -> Observation:
        """``decode``: with the body decoded (``text``); without it for a page read elsewhere."""
        req = response.request
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        declared = headers.get("content-length", "")
        if req.method == "HEAD" or "download_stopped" in response.flags:
            length = int(declared) if declared.isdigit() else None
        else:
            length = len(response.body)
        body = None if req.method == "HEAD" else response.body
        return Observation(
            url=url, method=req.method, status=response.status, final_url=response.url,
            redirect_urls=list(response.meta.get("redirect_urls", [])),
            redirect_reasons=list(response.meta.get("redirect_reasons", [])),
            content_type=headers.get("content-type"), length=length, body=body,
            text=self._text(response.url, body, headers.get("content-type"), response) if decode else None,
            headers=headers,
            elapsed_ms=int(1000 * response.meta["download_latency"]) if "download_latency" in response.meta else None)

    @staticmethod
    def _text(url: str, body: bytes | None, ctype: str | None, response: Response | None = None) -> str | None:
        if not body:
            return None
        if isinstance(response, TextResponse):
            try:
                return response.text
            except Exception:       # undecodable: judged on bytes
                return None
        if (ctype and "html" in ctype.lower()) or (not ctype and sniff(body) == "html"):
            try:
                return HtmlResponse(url, body=body, headers={"Content-Type": ctype or "text/html"}).text
            except Exception:
                return None
        return None

    def _observe_fetch(self, f: dict) -> Observation:
        """A fetch the portal crawl made, as an observation (no new request)."""
        hops = json.loads(f["redirects"] or "[]")
        if f["kind"] == "error":
            return Observation(f["url"], status=None, final_url=f["final_url"], redirect_urls=hops[:-1],
                               error=f["error"], error_kind=error_kind(f["error"]))
        body = self.store.body(f["body_sha"])
        return Observation(
            # a 304 (fleet.incremental) answered for the stored body: the page is there, as fetched
            f["url"], status=200 if f["status"] == 304 and body is not None else f["status"], final_url=f["final_url"], redirect_urls=hops[:-1],
            redirect_reasons=[None] * max(len(hops) - 1, 0), content_type=f["content_type"],
            length=f["size"], body=body, text=self._text(f["final_url"] or f["url"], body, f["content_type"]))

    def _on_response(self, response: Response) -> None:
        t = self.targets[response.meta["target"]]
        obs = self._observe(response, t.url)
        if response.meta.get("page"):
            self._record_page(t, response, obs)
        self._judge(t, obs)

    def _on_error(self, failure: Failure) -> None:
        request = failure.request
        if "fingerprint_of" in request.meta:
            self._set_fingerprint(request.meta["fingerprint_of"], None)
            return
        if failure.check(HttpError):      # a 3xx without a usable Location
            self._on_response(failure.value.response)
            return
        t = self.targets[request.meta["target"]]
        hops = list(request.meta.get("redirect_urls", []))
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        obs = Observation(t.url, method=request.method, final_url=request.url, redirect_urls=hops,
                          redirect_reasons=list(request.meta.get("redirect_reasons", [])),
                          error=error, error_kind=error_kind(error))
        if request.meta.get("page"):
            self.store.add_fetch(self.run_id, t.site, t.url, status=None, method=request.method,
                                 final_url=request.url, redirects=hops + [request.url] if hops else [],
                                 error=obs.error, kind="error")
        self._judge(t, obs)

    async def _on_page(self, response: Response) -> None:
        """A followed page's answer: its checks, links and stored form computed by the reading
        worker (:mod:`crawler.linkcheck.page`) while Scrapy goes on fetching, then recorded
        and judged here. The home page (its profile is detected here) and answers that are not
        text are handled in this process."""
        t = self.targets[response.meta["target"]]
        read = None
        if not t.home and isinstance(response, TextResponse):
            read = await self._read_page(t, response)
        if read is None:
            self._on_response(response)
            return
        obs = self._observe(response, t.url, decode=False)
        # what the worker computed (Observation's cached properties)
        obs.__dict__.update(blocked=read.blocked, gone=read.gone, title=read.title)
        netloc = urlsplit(obs.final_url or obs.url).netloc
        if self.fingerprints.get(netloc, False) is not None and read.decoded:
            # the soft-404 comparison with the host's not-found page reads the text: a host that
            # answers 200 to anything, or one whose answer is not known yet
            obs.text = self._text(response.url, obs.body, obs.content_type, response)
        self._record_page(t, response, obs, read)
        self._judge(t, obs)

    async def _read_page(self, t: Target, response: TextResponse) -> PageRead | None:
        """:func:`read_link_page` of a followed page, in the worker when there is one; None
        when the body cannot be handed over (then it is read as any answer)."""
        try:
            args = (None if t.home else self.profile, t.url, response.url, response.status,
                    {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                     for k, v in response.headers.items()},
                    response.body, response.encoding, list(response.meta.get("redirect_urls", [])),
                    list(response.meta.get("redirect_reasons", [])), not t.links_done)
        except Exception:          # e.g. an encoding Scrapy cannot name
            return None
        reader = await self.reading.take(self)
        if reader is not None:
            try:
                return await reader.call(read_link_page, *args)
            except ReaderGone as exc:
                self.reading.gone(reader, exc)
            except Exception as exc:     # e.g. a profile that cannot be sent: read here
                logger.warning("page %s not read by the reading process (%s: %s): read here", response.url,
                               type(exc).__name__, exc)
        return read_link_page(*args)

    def _record_page(self, t: Target, response: Response, obs: Observation, read: PageRead | None = None) -> None:
        """A page of a same-site crawl: stored like the portal crawl's fetches; its links followed.
        ``read``: what the reading worker found (checks, links, stored body), else found here."""
        blocked = obs.blocked
        gone = None if blocked else obs.gone
        self.store.add_fetch(
            self.run_id, t.site, t.url, status=obs.status, body=response.body, method="GET",
            final_url=obs.final_url, redirects=obs.redirect_urls + [obs.final_url] if obs.redirect_urls else [],
            elapsed_ms=int(1000 * response.meta.get("download_latency", 0)),
            content_type=obs.content_type, blocked=blocked, kind="home" if t.home else "page", error=gone,
            body_sha=read.body_sha if read else None, body_packed=read.body_packed if read else None)
        usable = obs.status == 200 and not blocked and not gone and (read.decoded if read else obs.text)
        if t.home:
            from crawler.profiles.registry import detect

            # http -> https, example.gov.cn -> www.example.gov.cn: the site's pages live there
            self.site_hosts.setdefault(t.site, {urlsplit(t.site).netloc}).add(urlsplit(response.url).netloc)

            self.profile = detect(response.url, obs.text) if usable else None
            self.store.upsert_site(t.site, page_title(obs.text), self.profile.family if self.profile else None,
                                   self.run_id)
        if not usable or t.links_done:
            return
        t.links_done = True
        if read is not None:
            links = read.links
            if read.links_error:
                logger.warning("link extraction failed on %s: %s", response.url, read.links_error)
                return
        else:
            try:
                links = (self.profile.links if self.profile else absolute_links)(response.url, obs.text)
            except Exception as exc:     # extraction must never kill the crawl
                logger.warning("link extraction failed on %s: %s", response.url, exc)
                return
        self.store.add_links(self.run_id, t.site, response.url, links)
        self._discover(links, t.site)
        self._maybe_commit()

    # -- judging ----------------------------------------------------------------------
    def _judge(self, t: Target, obs: Observation, origin: str = "fetch", at: str | None = None) -> None:
        """Record an answer for ``t`` and decide, once the host's soft-404 fingerprint is known
        when the answer needs it."""
        t.attempts.append({"method": obs.method, "status": obs.status, "error": obs.error,
                           "at": at or now_iso(), "source": origin})
        fp = None
        if needs_fingerprint(obs, t.kind):
            netloc = urlsplit(obs.final_url or obs.url).netloc
            if netloc not in self.fingerprints:
                self._after_fingerprint(netloc, obs.final_url or obs.url, lambda: self._decide(t, obs, origin))
                return
            fp = self.fingerprints[netloc]
        self._decide(t, obs, origin, fp)

    def _decide(self, t: Target, obs: Observation, origin: str, fp: Fingerprint | None = None) -> None:
        """Classify; then ask again (GET, retry, re-check) or record the result."""
        if fp is None and needs_fingerprint(obs, t.kind):
            fp = self.fingerprints.get(urlsplit(obs.final_url or obs.url).netloc)
        # what was seen, as the rules judge it (and will again at audit time: link_observations)
        seen = obs.record(fp.compare(obs) if fp is not None else None)
        v = verdict(seen, kind=t.kind, cfg=self.cfg.thresholds, offline=self.offline(t))
        if v.need_get:
            self._send(self._request(t, "GET"))
            return
        if v.retry and t.retries < self.cfg.retries:
            t.retries += 1
            backoff = self.cfg.backoff_s * 2 ** (t.retries - 1)
            wait = retry_after_seconds(obs.headers.get("retry-after"), backoff)      # 429: as asked
            self._send(self._request(t, obs.method), delay=min(max(wait, backoff), self.max_wait))
            return
        confirmed = None
        if v.failed:
            if t.first is not None:
                confirmed = "recheck"
            elif t.prev and t.prev["class"] in FAILURES:
                confirmed = "previous_run"
            elif v.retry and t.retries:     # already asked again after pauses (backoff)
                confirmed = "retries"
            else:     # a first failure counts only if a second check agrees
                t.first = {"class": v.cls, "name": v.name, "reason": v.reason, "status": obs.status,
                           "hops": obs.hops, "at": now_iso()}
                t.first_seen = seen
                self._send(self._request(t, "GET"), delay=self.cfg.recheck_delay_s)
                return
        self._finish(t, obs, v, origin, confirmed, seen)

    def offline(self, t: Target) -> bool:
        """This machine could not reach the internet and ``t`` is external."""
        return not self.online and not t.internal

    def _after_fingerprint(self, netloc: str, sample: str, then) -> None:
        """Judge ``then`` once the host's answer to a made-up URL is known (one request per host)."""
        waiting = self.waiting.setdefault(netloc, [])
        waiting.append(then)
        if len(waiting) > 1:
            return
        bogus = f"{urlsplit(sample).scheme}://{netloc}/govaudit-{self.token}-no-such-page.html"
        self._send(scrapy.Request(
            bogus, callback=self._on_fingerprint, errback=self._on_error, dont_filter=True, priority=10,
            headers={"Accept-Encoding": "identity"},
            meta={"fingerprint_of": netloc, "handle_httpstatus_list": HANDLED_STATUSES, "sniff": True,
                  "dont_obey_robotstxt": True,
                  "download_timeout": self.cfg.timeout_s}))

    def _on_fingerprint(self, response: Response) -> None:
        obs = self._observe(response, response.request.url)
        fp = Fingerprint.of(obs) if obs.status == 200 and obs.is_html else None
        self._set_fingerprint(response.meta["fingerprint_of"], fp)

    def _set_fingerprint(self, netloc: str, fp: Fingerprint | None) -> None:
        self.fingerprints[netloc] = fp
        if fp is not None:
            logger.info("%s answers 200 to a made-up URL: soft-404 fingerprint taken", netloc)
        for then in self.waiting.pop(netloc, []):
            then()

    # -- results ----------------------------------------------------------------------
    def _finish(self, t: Target, obs: Observation, v: Verdict, origin: str, confirmed: str | None,
                seen: dict | None = None) -> None:
        self.store.put_link_observation(
            self.run_id, t.site, t.url, observed_at=t.attempts[-1]["at"] if t.attempts else now_iso(),
            kind=t.kind, tag=t.tag, internal=t.internal, offline=self.offline(t),
            observation=seen or obs.record(), first=t.first_seen, retries=t.retries,
            previous_class=t.prev["class"] if t.prev else None)
        keep_body = v.cls != "ok" and obs.body
        detail = {
            "class": v.cls, "name": v.name, "reason": v.reason, "kind": t.kind, "tag": t.tag,
            "internal": t.internal, "status": obs.status, "method": obs.method,
            "final_url": obs.final_url or obs.url, "hops": obs.hops, "content_type": obs.content_type,
            "size": obs.length, "title": obs.title, "error": obs.error,
            "checked_at": t.attempts[-1]["at"] if t.attempts else now_iso(), "origin": origin,
            "confirmed": confirmed, "first_failure": t.first, "attempts": t.attempts,
            "body_sha": self.store.put_body(obs.body) if keep_body else None,
            "previous": {k: t.prev[k] for k in ("run_id", "class", "checked_at")} if t.prev else None,
        }
        self._store_result(t, detail)

    def _finish_cached(self, t: Target, prev: dict) -> None:
        detail = {**json.loads(prev["detail"] or "{}"), "origin": "cache", "cached_from_run": prev["run_id"],
                  "kind": t.kind, "tag": t.tag, "internal": t.internal}
        # what was seen then is judged again at audit time like this run's own observations
        self.store.copy_link_observation(prev["run_id"], self.run_id, t.site, t.url)
        self._store_result(t, detail)

    def _store_result(self, t: Target, detail: dict) -> None:
        self.store.put_link_check(self.run_id, t.site, t.url, detail)
        if self._settled_since_copy is not None:
            self._settled_since_copy.add(t.url)
        self.summary[detail["class"]] += 1
        self.summary["origin_" + detail["origin"]] += 1
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit > 2.0:
            self.store.commit()
            self._last_commit = time.monotonic()

    def closed(self, reason: str) -> None:
        self.reading.give_back()
        # the rules read each link row's result (SiteArtifacts.links)
        self.store.copy_link_checks_to_links(self.run_id, self._settled_since_copy)
        self.store.commit()
        self.crawl_reason = reason


# -- running ------------------------------------------------------------------------------
def link_stats(crawler) -> dict:
    """What a link-check crawler did (after the process ran), and close its store."""
    spider = getattr(crawler, "spider", None)
    if spider is None:
        return {}
    counts = dict(spider.summary)
    broken = sum(n for c, n in counts.items() if c in FAILURES)
    from crawler.crawl import timing_stats

    stats = {"targets": len(spider.targets), "pages": spider.pages, "broken": broken,
             "classes": counts, "online": spider.online,
             "finish_reason": getattr(spider, "crawl_reason", None), **timing_stats(crawler)}
    spider.store.close()
    return stats


def chain_link_check(process, after, db_path: str, run_id: int, config: LinkConfig | None = None):
    """Run the link check of ``run_id`` in ``process`` once the deferred ``after`` (the portal
    crawl) fires; returns its crawler (read it with :func:`link_stats` after ``process.start()``)."""
    from scrapy.crawler import Crawler

    config = config or LinkConfig.load()
    online = internet_reachable(config.connectivity_hosts)
    settings = process.settings.copy()
    settings.set("JOBDIR", None, priority="cmdline")     # the portal crawl's resumable queue only
    settings.set("HTTPCACHE_ENABLED", False, priority="cmdline")   # a resumed crawl's replay only
    crawler = Crawler(LinkCheckSpider, settings)
    after.addCallback(lambda _: process.crawl(crawler, db_path=db_path, run_id=run_id, config=config,
                                              online=online))
    return crawler


def run_link_crawl(urls: list[str], db_path: str, run_id: int, *, max_pages: int | None = None,
                   config: LinkConfig | None = None, while_waiting=None, **settings_kw) -> dict:
    """``govaudit links``: crawl every same-site page from ``urls`` and check all their links.
    ``while_waiting``: called once when only timed re-checks are left (LinkCheckSpider)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl import build_settings, use_bundled_public_suffix_list

    config = config or LinkConfig.load()
    use_bundled_public_suffix_list()
    process = CrawlerProcess(build_settings(urls, **settings_kw))
    crawler = process.create_crawler(LinkCheckSpider)
    process.crawl(crawler, db_path=db_path, run_id=run_id, start_urls=urls, max_pages=max_pages,
                  config=config, online=internet_reachable(config.connectivity_hosts),
                  while_waiting=while_waiting)
    process.start()
    from crawler.crawl import merge_outbound
    from crawler.outbound import policy_of

    policy = policy_of(crawler)
    return {**link_stats(crawler), "outbound": merge_outbound([policy.summary()] if policy else [])}
