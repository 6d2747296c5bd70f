"""Downloader middlewares for portals' real-world defences (see ``crawler/settings.py``).

* :class:`RetryAfterMiddleware` — 429 (and 503 with ``Retry-After``): pause the host, slow it
  down, retry; never reported unless the retries run out (then it is ``blocked``).
* :class:`JslClearanceMiddleware` — 加速乐-style 521 pages whose script sets the clearance
  cookie as a plain literal: set it (into the cookie jar) and ask again, once.
* :class:`HopRedirectMiddleware` / :class:`HopMetaRefreshMiddleware` — Scrapy's redirect
  middlewares, except that a hop is never dropped by the duplicate filter: a WAF's 302 to the
  same URL with ``Set-Cookie`` must be followed, and a redirect loop must end on
  ``REDIRECT_MAX_TIMES`` (recorded as an error) rather than vanish silently.
"""
from __future__ import annotations

import codecs
import logging
import re
import string
from email.utils import parsedate_to_datetime
from functools import lru_cache
from time import monotonic, time

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import HtmlResponse

from crawler.antibot import literal_cookie_challenge

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, default: float) -> float:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``default`` when absent/bad."""
    if not value:
        return default
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    try:
        return max(0.0, float(text.strip()))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time())
    except (TypeError, ValueError, IndexError):
        return default


class RetryAfterMiddleware:
    """Honour ``Retry-After`` on 429 (with or without the header) and on 503 that carries it.

    The host's download slot is paused for the time asked (capped at ``RETRY_AFTER_MAX_WAIT``)
    and its delay raised (doubled, at least ``RETRY_AFTER_MIN_DELAY``) once per pause, so a
    crawl that trips a rate limit settles below it; the request is retried up to
    ``RETRY_AFTER_TIMES`` times. After ``RETRY_AFTER_RECOVER_AFTER`` answers in a row without a
    429 the delay is halved again, down to what it was before the first slow-down (a burst
    limit must not slow the rest of a long crawl). Must sit above RetryMiddleware (550) so
    that it sees a 503 first."""

    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.max_wait = s.getfloat("RETRY_AFTER_MAX_WAIT", 60.0)
        self.min_delay = s.getfloat("RETRY_AFTER_MIN_DELAY", 0.05)
        self.default_wait = s.getfloat("RETRY_AFTER_DEFAULT_WAIT", 5.0)
        self.max_times = s.getint("RETRY_AFTER_TIMES", 5)
        self.recover_after = s.getint("RETRY_AFTER_RECOVER_AFTER", 20)
        self.paused_until: dict[str, float] = {}
        #: slowed-down slots: key -> [delay before the first slow-down, answers since a 429]
        self.slowed: dict[str, list] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        header = response.headers.get(b"Retry-After")
        if response.status != 429 and not (response.status == 503 and header):
            self._recover(request)
            return response
        wait = min(retry_after_seconds(header, self.default_wait), self.max_wait)
        new = get_retry_request(request, spider=spider or self.crawler.spider,
                                reason=f"http {response.status} retry-after",
                                max_retry_times=self.max_times, stats_base_key="retry_after")
        if new is None:
            return response        # the spider records it as blocked (rate limited)
        self._slow_down(request, wait)
        logger.info("HTTP %s with Retry-After %.1fs on %s: pausing the host and retrying",
                    response.status, wait, request.url)
        return new

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _recover(self, request) -> None:
        """One more answer without a 429: after enough of them, halve the delay again."""
        if not self.slowed:
            return
        key, slot = self._slot(request)
        state = self.slowed.get(key)
        if state is None or slot is None:
            return
        state[1] += 1
        if state[1] >= self.recover_after:
            slot.delay = max(state[0], slot.delay / 2)
            state[1] = 0
            self.crawler.stats.inc_value("retry_after/recoveries")
            if slot.delay <= state[0]:
                del self.slowed[key]

    def _slow_down(self, request, wait: float) -> None:
        key, slot = self._slot(request)
        if slot is None:
            return
        state = self.slowed.setdefault(key, [slot.delay, 0])
        state[1] = 0
        now = monotonic()
        if now >= self.paused_until.get(key, 0.0):
            # first 429 of this pause: lower the rate; the requests already in flight come
            # back 429 too and must not compound it
            slot.delay = max(slot.delay * 2, self.min_delay)
            self.paused_until[key] = now + wait
            self.crawler.stats.inc_value("retry_after/slowdowns")
        # the downloader waits until lastseen + delay before sending the next request
        slot.lastseen = max(slot.lastseen, self.paused_until[key] - slot.delay)


class JslClearanceMiddleware:
    """Solve the literal-cookie variant of 加速乐's challenge (HTTP 521/512 with
    ``document.cookie="__jsl_clearance_s=…";location.href=…``), as a browser would: set the
    cookie and request the page again, once. Anything else stays as it is (``blocked``)."""

    STATUSES = (521, 512)

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_response(self, request, response, spider=None):
        if response.status not in self.STATUSES or request.meta.get("jsl_clearance_tried"):
            return response
        cookie = literal_cookie_challenge(response.body)
        if not cookie:
            return response
        logger.info("literal 加速乐 challenge on %s: setting %s and retrying", request.url, ", ".join(cookie))
        return request.replace(cookies={**(request.cookies if isinstance(request.cookies, dict) else {}), **cookie},
                               dont_filter=True, meta={**request.meta, "jsl_clearance_tried": True})


class _EveryHop:
    def _redirect(self, redirected, request, reason):
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = True      # a hop continues this fetch; it is not a new page
        return redirected


class HopRedirectMiddleware(_EveryHop, RedirectMiddleware):
    pass


#: a meta refresh names itself (``http-equiv="refresh"``): Scrapy's check, and w3lib's beneath
#: it, find none in a text without this word
_REFRESH = re.compile("refresh", re.IGNORECASE)
#: how much of the page Scrapy's check reads (``scrapy.utils.response.get_meta_refresh``)
META_REFRESH_SCAN = 4096
_ASCII = string.ascii_letters.encode("ascii")


@lru_cache(maxsize=256)
def _letters_as_bytes(encoding: str) -> bool:
    """The encoding writes ASCII letters as their own bytes (UTF-8, GBK, GB18030, Big5, …; not
    UTF-16/32, not UTF-7, which may write them in base64): a word absent from the bytes is
    absent from the text."""
    try:
        return codecs.lookup(encoding).name != "utf-7" and string.ascii_letters.encode(encoding) == _ASCII
    except (LookupError, UnicodeError):
        return False


class HopMetaRefreshMiddleware(_EveryHop, MetaRefreshMiddleware):
    """Scrapy's meta refresh redirects, each hop a continuation of the fetch. Most pages
    declare no refresh: one that does not even name one in the part Scrapy reads (looked for
    in its bytes when its encoding writes ASCII letters as themselves, else in its text) is
    passed on without Scrapy's check (the page's ``<base href>`` looked up, its tags scanned:
    ~1% of the crawler's CPU at 10^4, docs/performance.md)."""

    def process_response(self, request, response, spider=None):
        if isinstance(response, HtmlResponse):
            if _letters_as_bytes(response.encoding):
                # the bytes of the first 4096 characters are at most 4 bytes each
                if b"refresh" not in response.body[:4 * META_REFRESH_SCAN].lower():
                    return response
            elif not _REFRESH.search(response.text, 0, META_REFRESH_SCAN):
                return response
        return super().process_response(request, response)


#: content types read as pages (kept up to ``BODY_CAP_PAGE``); anything else is a file, of
#: which only the first ``BODY_CAP_FILE`` bytes are kept (type sniffing, size evidence)
PAGE_TYPES = ("html", "xml", "json", "text/", "javascript")


def body_cap(settings, content_type: str | None) -> int:
    ctype = (content_type or "").lower()
    if not ctype or any(t in ctype for t in PAGE_TYPES):
        return settings.getint("BODY_CAP_PAGE", 5 * 1024 * 1024)
    return settings.getint("BODY_CAP_FILE", 1024 * 1024)


class BodyCapMiddleware:
    """A maximum body size per content type: once a response passes its cap, the download
    stops and the response goes on with the bytes read so far, flagged ``download_stopped``
    and ``response.meta["truncated_at"] = cap`` (the spiders record it on the fetch). The
    memory a hostile 50 MB page can take is bounded by the cap, not by the page.

    A download middleware only to be instantiated per crawler (the link checker keeps the
    project's middlewares); the work is done on Scrapy's ``headers_received`` /
    ``bytes_received`` signals (``StopDownload(fail=False)``). ``DOWNLOAD_MAXSIZE`` stays as
    Scrapy's own backstop (a body *declared* larger is refused before reading)."""

    def __init__(self, crawler):
        from scrapy import signals

        self.settings = crawler.settings
        crawler.signals.connect(self._on_headers, signals.headers_received)
        crawler.signals.connect(self._on_bytes, signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _on_headers(self, headers, body_length, request, spider=None) -> None:
        if "body_cap" not in request.meta:
            ctype = (headers.get(b"Content-Type") or b"").decode("latin-1")
            request.meta["body_cap"] = body_cap(self.settings, ctype)

    def _on_bytes(self, data, request, spider=None) -> None:
        from scrapy.exceptions import StopDownload

        cap = request.meta.get("body_cap")
        if not cap:
            return
        got = request.meta["body_read"] = request.meta.get("body_read", 0) + len(data)
        if got > cap:
            request.meta["truncated_at"] = cap
            raise StopDownload(fail=False)

    def process_response(self, request, response, spider=None):
        cap = request.meta.get("truncated_at")
        if cap and len(response.body) > cap:
            response = response.replace(body=response.body[:cap])
        return response
