"""The one generic portal spider.

It only routes: home page -> 政府信息公开 section -> 法定主动公开内容 columns -> every list page
(and the script endpoints a family uses) -> every document. Extraction is done by page objects
(``crawler.profiles``) chosen per site by fingerprint. Every response, error and challenge is
recorded as a fetch with its timestamp; bodies are kept by hash.
"""
from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawler.antibot import blocked_reason, gone_reason
from crawler.items import Column
from crawler.profiles.registry import by_family, resolve
from crawler.profiles.site import load_site_config
from crawler.store import Store, now_iso, sha1

logger = logging.getLogger(__name__)

#: statuses handed to the callbacks (recorded); 3xx are followed by the redirect middleware
HANDLED_STATUSES = list(range(400, 600))
HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml", "application/json",
              "text/plain", "text/javascript", "application/javascript")


def page_text(response: Response) -> str | None:
    """The page as text (None for a file or undecodable garbage). The declared charset is kept
    when the body decodes with it; otherwise the encoding is detected (``crawler.decode``) and
    ``response.meta["encoding"]`` / ``["encoding_note"]`` say what was used."""
    from crawler.decode import decode_page

    if not isinstance(response, TextResponse):
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype and not any(t in ctype for t in HTML_TYPES):
            return None
        try:
            response = HtmlResponse(response.url, body=response.body, headers=response.headers,
                                    request=response.request)
        except Exception:  # undecodable garbage is recorded, not fatal
            return None
    try:
        text, enc, note = decode_page(response.body, response.encoding,
                                      truncated=bool(response.meta.get("truncated_at")))
    except Exception:
        return None
    response.meta["encoding"], response.meta["encoding_note"] = enc, note
    return text


def body_notes(response: Response) -> dict:
    """m007's fetch columns from a response: truncation, encoding used, an unfollowed refresh."""
    from crawler.antibot import _META_REFRESH

    notes = {"truncated": response.meta.get("truncated_at"), "encoding": response.meta.get("encoding"),
             "encoding_note": response.meta.get("encoding_note")}
    text = response.meta.get("page_text")
    tag = _META_REFRESH.search(text[:20000]) if text else None
    if tag:
        content = re.search(r"""content\s*=\s*["']?([^"'>]*)""", tag.group(0), re.I)
        notes["refresh"] = (content.group(1).strip() if content else tag.group(0))[:500]
    return notes


def site_key(url: str) -> str:
    """The site a URL belongs to: scheme://host[:port]/ ."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_urls: list[str], db_path: str, run_id: int,
                 family: str | None = None, max_documents: int | None = None,
                 sites_dir: str | None = None, **kw):
        super().__init__(**kw)
        self.start_urls = list(start_urls)
        self.store = Store(db_path)
        self.run_id = run_id
        self.forced_family = family
        self.sites_dir = sites_dir            # site profiles (None: data/sites)
        self.max_documents = max_documents
        self.profiles: dict[str, object] = {}
        self.doc_requested: set[str] = set()
        self.columns_seen: set[str] = set()   # a column listed by several section pages is crawled once
        self.listed: dict[str, set[str]] = {}     # column url -> document urls listed so far
        self.stats_counts = {"pages": 0, "documents": 0, "columns": 0, "blocked": 0, "errors": 0}
        self._last_commit = time.monotonic()
        self.allowed_hosts = {urlsplit(u).netloc for u in self.start_urls}

    # -- plumbing ---------------------------------------------------------------------
    def _request(self, url: str, callback, *, method: str = "GET", body: str | None = None,
                 headers: dict | None = None, meta: dict | None = None, priority: int = 0):
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, method=method, body=body,
            headers=headers, priority=priority, dont_filter=False,
            meta={"handle_httpstatus_list": HANDLED_STATUSES, **(meta or {})},
        )

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit > 2.0:
            self.store.commit()
            self._last_commit = time.monotonic()

    def _record(self, response: Response, kind: str) -> tuple[str | None, str | None]:
        """Store the fetch; return (body sha, blocked reason)."""
        site = response.meta.get("site") or site_key(response.url)
        headers = {k.decode().lower(): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        blocked = None
        if response.status >= 400 or len(response.body) < 20000:
            blocked = blocked_reason(response.status, headers, response.body)
        redirects = response.meta.get("redirect_urls", [])
        req = response.request
        # a soft 404 or a deleted document redirecting to its parent: not the page (antibot.py)
        gone = None if blocked else gone_reason(
            response.url, response.status, response.body, redirect_urls=redirects,
            redirect_reasons=response.meta.get("redirect_reasons", []), final_url=response.url)
        response.meta["gone"] = gone
        self._text(response)      # decoded once here: the fetch records how (issue 11)
        if response.meta.get("replayed_fetch"):      # a resumed run: already stored (crawler.resume)
            self.stats_counts["pages"] += 1
            return sha1(response.body), blocked
        sha = self.store.add_fetch(
            self.run_id, site, req.meta.get("original_url") or (redirects[0] if redirects else response.url),
            status=response.status, body=response.body, method=req.method,
            req_body=req.body.decode("utf-8", "replace") if req.body else None,
            final_url=response.url, redirects=redirects + [response.url] if redirects else [],
            elapsed_ms=int(1000 * response.meta.get("download_latency", 0)),
            content_type=headers.get("content-type"), blocked=blocked, kind=kind, error=gone,
            notes=body_notes(response),
        )
        self.stats_counts["pages"] += 1
        if blocked:
            self.stats_counts["blocked"] += 1
        self._maybe_commit()
        return sha, blocked

    def _text(self, response: Response) -> str | None:
        if "page_text" not in response.meta:
            response.meta["page_text"] = page_text(response)
        return response.meta["page_text"]

    def _profile(self, site: str):
        return self.profiles.get(site) or by_family("generic")

    def _usable(self, response: Response, blocked: str | None) -> bool:
        return response.status == 200 and not blocked and not response.meta.get("gone")

    def _store_links(self, site: str, response: Response, html: str) -> None:
        try:
            links = self._profile(site).links(response.url, html)
        except Exception as exc:  # extraction must never kill the crawl
            logger.warning("link extraction failed on %s: %s", response.url, exc)
            return
        self.store.add_links(self.run_id, site, response.url, links)

    # -- callbacks --------------------------------------------------------------------
    async def start(self):
        for url in self.start_urls:
            yield self._request(url, self.parse_home, meta={"site": site_key(url), "role": "home"})

    def parse_home(self, response: Response):
        site = response.meta["site"]
        sha, blocked = self._record(response, "home")
        html = self._text(response)
        if not self._usable(response, blocked) or html is None:
            self.store.upsert_site(site, None, None, self.run_id)
            self.store.add_column(self.run_id, site, response.url, "首页", None, "home",
                                  status="blocked" if blocked else "error",
                                  note=blocked or response.meta.get("gone") or f"HTTP {response.status}")
            logger.error("home page %s unusable: %s", response.url, blocked or response.status)
            return
        config = load_site_config(site, self.sites_dir)   # validated by the CLI before the crawl
        profile = resolve(response.url, html, self.forced_family, config)
        self.profiles[site] = profile
        title = response.css("meta[name=SiteName]::attr(content)").get() or \
            (response.css("title::text").get() or "").strip() or None
        self.store.upsert_site(site, title, profile.family, self.run_id,
                               profile=str(config.path) if config else None)
        self._store_links(site, response, html)
        # Dated items on the home page (for home-page freshness), stored as the "首页" column.
        try:
            home = profile.listing(response.url, html)
            self.store.add_entries(self.run_id, site, response.url, [
                {"doc_url": e.url, "title": e.title, "date": e.date.value, "date_raw": e.date.raw,
                 "position": e.position} for e in home.entries])
            n_home = len(home.entries)
        except Exception as exc:
            logger.warning("home page items not readable on %s: %s", response.url, exc)
            n_home = 0
        self.store.add_column(self.run_id, site, response.url, "首页", None, "home", entries=n_home)
        section = profile.section_url(response.url, html)
        if not section:
            self.store.add_column(self.run_id, site, response.url, "政府信息公开", None, "section",
                                  status="missing", note="no 政府信息公开 link on the home page")
            return
        yield self._request(section, self.parse_section, meta={"site": site}, priority=10)

    def parse_section(self, response: Response):
        site = response.meta["site"]
        sha, blocked = self._record(response, "section")
        html = self._text(response)
        status = "ok" if self._usable(response, blocked) and html else ("blocked" if blocked else "error")
        sec = response.meta.get("section")
        self.store.add_column(self.run_id, site, response.url, sec.name if sec else "政府信息公开",
                              sec.parent if sec else None, "section", status=status, note=blocked,
                              section=response.meta.get("found_on"))
        if status != "ok":
            return
        self._store_links(site, response, html)
        profile = self._profile(site)
        for col in profile.section_columns(response.url, html):
            if urlsplit(col.url).netloc not in self.allowed_hosts:
                continue
            if col.role == "section":
                # a hub listing organ sites, each with its own 政府信息公开 section
                yield self._request(col.url, self.parse_section, priority=8,
                                    meta={"site": site, "section": col, "found_on": response.url})
                continue
            if col.url in self.columns_seen:
                continue
            self.columns_seen.add(col.url)
            self.store.add_column(self.run_id, site, col.url, col.name, col.parent, col.role,
                                  status="pending", section=response.url)
            self.stats_counts["columns"] += 1
            yield self._request(col.url, self.parse_column, priority=5,
                                meta={"site": site, "column": col})

    def parse_column(self, response: Response):
        site, col = response.meta["site"], response.meta["column"]
        sha, blocked = self._record(response, "column")
        html = self._text(response)
        if not self._usable(response, blocked) or html is None:
            self.store.add_column(self.run_id, site, col.url, col.name, col.parent, col.role,
                                  status="blocked" if blocked else "error",
                                  note=blocked or response.meta.get("gone") or f"HTTP {response.status}")
            return
        self._store_links(site, response, html)
        listing = self._profile(site).listing(response.url, html)
        self.store.add_column(self.run_id, site, col.url, col.name, col.parent, col.role,
                              entries=len(listing.entries), placeholder=listing.placeholder,
                              status="uncertain" if listing.uncertain else "ok",
                              note=listing.uncertain)
        yield from self._follow_listing(site, col, listing, response.url)

    def parse_more(self, response: Response):
        site, col, spec = response.meta["site"], response.meta["column"], response.meta["spec"]
        sha, blocked = self._record(response, "listing")
        text = self._text(response)
        if not self._usable(response, blocked) or text is None:
            self.store.set_column_status(self.run_id, col.url, "blocked" if blocked else "incomplete",
                                         blocked or f"list request {response.url} HTTP {response.status}")
            return
        listing = self._profile(site).parse_more(spec, response.url, text)
        if listing.uncertain:
            self.store.set_column_status(self.run_id, col.url, "uncertain", listing.uncertain)
        yield from self._follow_listing(site, col, listing, col.url)

    def _follow_listing(self, site: str, col: Column, listing, referer: str):
        rows = []
        for e in listing.entries:
            rows.append({"doc_url": e.url, "title": e.title, "date": e.date.value,
                         "date_raw": e.date.raw, "position": e.position})
        if rows:
            self.store.add_entries(self.run_id, site, col.url, rows)
            self.store.db.execute(
                "update columns set entries = (select count(*) from entries where run_id = ? and "
                "column_url = ?) where run_id = ? and url = ?", [self.run_id, col.url, self.run_id, col.url])
        # A pager that runs past its end repeats rows (and offers 下一页 for ever): a list page
        # with no row new to this column yields no further pages.
        urls = {e.url for e in listing.entries}
        repeats = col.url in self.listed and urls <= self.listed[col.url]
        self.listed.setdefault(col.url, set()).update(urls)
        for e in listing.entries:
            if e.url in self.doc_requested or urlsplit(e.url).netloc not in self.allowed_hosts:
                continue
            if self.max_documents and len(self.doc_requested) >= self.max_documents:
                break
            self.doc_requested.add(e.url)
            yield self._request(e.url, self.parse_document, meta={"site": site}, priority=1)
        if repeats and listing.more:
            logger.info("list page of %s has no new rows: not following its pager", col.url)
            return
        for spec in listing.more:
            headers = {"Referer": referer, **spec.headers}
            yield self._request(spec.url, self.parse_more, method=spec.method, body=spec.body,
                                headers=headers, priority=3,
                                meta={"site": site, "column": col, "spec": spec})

    def parse_document(self, response: Response):
        site = response.meta["site"]
        sha, blocked = self._record(response, "document")
        html = self._text(response)
        if not self._usable(response, blocked) or html is None:
            if not blocked:
                self.stats_counts["errors"] += 1
            return
        self._store_links(site, response, html)
        try:
            doc = self._profile(site).document(response.url, html)
        except Exception as exc:
            logger.warning("document extraction failed on %s: %s", response.url, exc)
            self.stats_counts["errors"] += 1
            return
        original = response.meta.get("redirect_urls", [response.url])[0]
        doc.url = original
        self.store.add_document(self.run_id, site, doc, [], now_iso(), sha, response.status)
        self.stats_counts["documents"] += 1

    def on_error(self, failure: Failure):
        request = failure.request
        site = request.meta.get("site") or site_key(request.url)
        hops = request.meta.get("redirect_urls", [])    # e.g. a redirect loop cut at REDIRECT_MAX_TIMES
        self.store.add_fetch(self.run_id, site, hops[0] if hops else request.url, status=None,
                             method=request.method, final_url=request.url,
                             redirects=hops + [request.url] if hops else [],
                             error=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
                             kind="error")
        self.stats_counts["errors"] += 1
        if request.callback == self.parse_section:      # a section that never answered
            sec = request.meta.get("section")
            self.store.add_column(self.run_id, site, request.url, sec.name if sec else "政府信息公开",
                                  sec.parent if sec else None, "section", status="error",
                                  note=failure.getErrorMessage()[:300], section=request.meta.get("found_on"))
        if request.meta.get("role") == "home":
            self.store.upsert_site(site, None, None, self.run_id)
            self.store.add_column(self.run_id, site, request.url, "首页", None, "home",
                                  status="error", note=failure.getErrorMessage()[:300])
        self._maybe_commit()

    def closed(self, reason: str) -> None:
        # Documents carry every column they are listed in (cross-listing), from the entries.
        self.store.db.execute(
            """update documents set columns = (
                 select json_group_array(name) from (
                   select distinct c.name from entries e join columns c
                     on c.run_id = e.run_id and c.url = e.column_url
                   where e.run_id = documents.run_id and e.doc_url = documents.url
                     and c.role != 'home'))
               where run_id = ?""", [self.run_id])
        self.store.commit()
        self.crawl_reason = reason
