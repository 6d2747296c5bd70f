"""Incremental crawling: list pages are read every run; a document page is fetched in full only
when it is new, when a conditional request says it changed, or when its stored copy is older
than the TTL. An unchanged document is judged from its stored copy (its row is carried into the
new run).

* :class:`ConditionalRequestMiddleware` (a Scrapy downloader middleware) adds
  ``If-None-Match`` / ``If-Modified-Since`` from the URL's last full fetch (table
  ``validators``) to document requests, lets a ``304`` through to the spider, and records the
  validators of every full document fetch.
* :class:`FleetSpider` is the portal spider with one hook: a ``304`` document answer yields
  an ``UnchangedDocument`` item, which the item pipeline records as a fetch (status 304, the
  stored body's hash) and for which it carries the stored document row, with its links, into
  this run.

* The revisit window (:meth:`FleetSpider.carry_unread`, ``--revisit-days``): a stored document
  its column still lists with the same title and date is not asked for at all, except on its
  own night of the window (about 1/N of them a night); it is carried into the run from its
  stored copy and recorded as ``unread`` in ``carried`` (the report says so).

A document the server gives no validator for is fetched in full whenever it is asked for
(nothing says it is unchanged). Bodies are kept once by hash, so a changed-then-reverted page is not stored twice.
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta

from crawler.items import CarriedDocument, UnchangedDocument
from crawler.spiders.portal import PortalSpider, site_key
from store import CST, Store, now_iso, sha1

logger = logging.getLogger(__name__)

#: days after which a stored document is fetched in full even if the server says unchanged
DEFAULT_TTL_DAYS = 30.0

#: the revisit window: a document listed unchanged in its column (same title and date as in
#: the run its stored copy comes from) is asked for (conditionally) at most once every this
#: many days, on its own night (see :func:`revisit_due`); the other nights it is judged from
#: its stored copy without a request. 0: every listed document is asked for every run.
DEFAULT_REVISIT_DAYS = 30


def revisit_slot(url: str, window_days: int) -> int:
    """The document's night in the window (0 … window_days-1), fixed by its URL, so that each
    night about 1/window_days of the documents are due."""
    return int(sha1(url.encode("utf-8"))[:8], 16) % window_days


def revisit_due(url: str, last_checked: date, today: date, window_days: int) -> bool:
    """Whether a stored, unchanged-listed document must be asked for tonight: always when the
    window is 0; never twice on one day; when the portal was last asked ``window_days`` or more
    days ago (a missed night catches up); otherwise on the document's own night
    (``today.toordinal() % window_days == revisit_slot(url)``)."""
    if window_days <= 0:
        return True
    age = (today - last_checked).days
    if age <= 0:
        return False
    if age >= window_days:
        return True
    return today.toordinal() % window_days == revisit_slot(url, window_days)


def _day(iso: str | None) -> date | None:
    try:
        return datetime.fromisoformat(iso).astimezone(CST).date() if iso else None
    except (TypeError, ValueError):
        return None


def _is_document_request(request) -> bool:
    return getattr(request.callback, "__name__", "") == "parse_document"


class ConditionalRequestMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.ttl = timedelta(days=crawler.settings.getfloat("GOVAUDIT_DOCUMENT_TTL_DAYS", DEFAULT_TTL_DAYS))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _spider(self):
        spider = self.crawler.spider
        return spider if getattr(spider, "incremental", False) else None

    def process_request(self, request, spider=None):
        spider = self._spider()
        if spider is None or not _is_document_request(request) or "conditional" in request.meta \
                or request.meta.get("redirect_urls"):
            return None
        prev = spider.store.validator(request.url, before_run=spider.run_id)
        request.meta["conditional"] = None
        if not prev or prev["doc_run"] is None or not (prev["etag"] or prev["last_modified"]):
            return None
        try:
            age = datetime.now(CST) - datetime.fromisoformat(prev["fetched_at"])
        except (TypeError, ValueError):
            return None
        if age > self.ttl:
            spider.crawler.stats.inc_value("incremental/ttl_expired")
            return None
        if prev["etag"]:
            request.headers["If-None-Match"] = prev["etag"]
        if prev["last_modified"]:
            request.headers["If-Modified-Since"] = prev["last_modified"]
        request.meta["conditional"] = dict(prev)
        request.meta["handle_httpstatus_list"] = list(request.meta.get("handle_httpstatus_list") or []) + [304]
        spider.crawler.stats.inc_value("incremental/conditional")
        return None

    def process_response(self, request, response, spider=None):
        spider = self._spider()
        if spider is None or not _is_document_request(request):
            return response
        if response.status == 304 and request.meta.get("conditional"):
            request.meta["not_modified"] = True
            spider.crawler.stats.inc_value("incremental/not_modified")
            return response
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            lm = response.headers.get(b"Last-Modified")
            url = (request.meta.get("redirect_urls") or [request.url])[0]
            spider.store.put_validator(
                url, request.meta.get("site") or site_key(url),
                etag=etag.decode("latin-1") if etag else None,
                last_modified=lm.decode("latin-1") if lm else None,
                body_sha=sha1(response.body), fetched_at=now_iso(), run_id=spider.run_id)
        return response


class FleetSpider(PortalSpider):
    """The portal spider for fleet runs: an optional shared store (several crawlers in one
    process write through one connection) and incremental document fetches."""

    name = "fleet"

    def __init__(self, *args, store: Store | None = None, incremental: bool = False,
                 targets: list[dict] | None = None, revisit_days: int | None = None, **kw):
        super().__init__(*args, **kw)
        if store is not None:
            self.store.close()
            self.store = store
        self.incremental = incremental
        self.stats_counts["unchanged"] = 0
        #: the revisit window in days (GOVAUDIT_REVISIT_DAYS; 0: ask for every listed document)
        self.revisit_days = DEFAULT_REVISIT_DAYS if revisit_days is None else int(revisit_days)
        self.stats_counts["unread"] = 0        # carried without a request (revisit window)
        #: ``recheck --open-only``: only these pages ({"url", "kind", "column"}) and the pager
        #: of a targeted column are fetched; every other request the callbacks yield is dropped
        self.targets = targets
        self.target_urls = {t["url"] for t in targets or ()}

    async def start(self):
        if self.targets is None:
            async for r in super().start():
                yield r
            return
        # the home page first: it chooses the page objects every other target is read with
        yield self._request(self.start_urls[0], self.parse_home,
                            meta={"site": site_key(self.start_urls[0]), "role": "home"})

    def _target_requests(self):
        from crawler.spiders.portal import Node

        for t in self.targets:
            if t["kind"] == "home":
                continue
            meta = {"site": site_key(self.start_urls[0])}
            if t["kind"] == "document":
                yield self._request(t["url"], self.parse_document, meta=meta)
                continue
            row = t["column"]          # the column row of the run the findings come from
            path = tuple(json.loads(row.get("path") or "[]"))
            role = "section" if row["role"] == "section" else (
                row["role"] if row["role"] not in (None, "column") else None)
            depth = row.get("depth")
            node = Node(row["url"], row["name"], path, depth if depth is not None else (0 if role == "section" else 1),
                        row.get("parent_url"), row.get("section"), role)
            self.trees[meta["site"]].seen.add(row["url"])
            yield self._request(row["url"], self.parse_node, meta={**meta, "node": node})

    def _wanted(self, r) -> bool:
        """``recheck --open-only``: items, targets and further list pages pass, other requests not."""
        return self.targets is None or not hasattr(r, "callback") or r.url in self.target_urls \
            or getattr(r.callback, "__name__", "") == "parse_more"

    def _only(self, results):
        for r in results or ():
            if self._wanted(r):
                yield r

    def parse_home(self, response):
        yield from self._only(super().parse_home(response))
        if self.targets is not None:
            if response.meta["site"] in self.profiles:
                yield from self._target_requests()
            else:
                logger.error("recheck: home page %s unusable; the other targets are not rechecked", response.url)

    def parse_node(self, response):
        return self._only(super().parse_node(response))

    async def parse_more(self, response):
        # an asynchronous generator (its page is read in the reading process): filtered as it goes
        async for r in super().parse_more(response):
            if self._wanted(r):
                yield r

    def carry_unread(self, site: str, col, entry):
        """The revisit window: carry a listed document into this run from its stored copy,
        without a request, when (1) an earlier run stored it (read with a 200), (2) this
        column lists it now with the same title and date as that run's list did, and (3) it is
        not due tonight (:func:`revisit_due`, from the later of its full read and its last
        304). A document no longer listed is never reached here; a new or changed row, or one
        due, is requested as before (conditionally, by :class:`ConditionalRequestMiddleware`)."""
        if not self.incremental or self.revisit_days <= 0 or self.targets is not None:
            return None
        title, listed_date = (entry.title or "").strip(), entry.date.value
        if not title:
            return None                      # nothing in the list row to compare
        prev = self.store.revisit_candidate(site, entry.url, col.url, self.run_id)
        if prev is None or not prev["listed"]:
            return None
        if ((prev["title"] or "").strip(), prev["date"]) != (title, listed_date):
            self.crawler.stats.inc_value("incremental/row_changed")
            return None
        checked = max(d for d in (_day(prev["fetched_at"]), _day(prev["checked_at"]), date.min) if d)
        if revisit_due(entry.url, checked, datetime.now(CST).date(), self.revisit_days):
            self.crawler.stats.inc_value("incremental/revisit_due")
            return None
        self.stats_counts["documents"] += 1
        self.stats_counts["unread"] += 1
        # the item pipeline carries the stored document (and its page's links) into this run
        return CarriedDocument(site, entry.url, prev["run_id"])

    def parse_document(self, response):
        if response.meta.get("not_modified"):
            return self.unchanged_document(response)
        return super().parse_document(response)

    def unchanged_document(self, response):
        """A 304: the fetch (status 304, pointing at the stored body) is recorded and the stored
        document carried into this run (the item pipeline does both: ``UnchangedDocument``)."""
        prev = response.meta["conditional"]      # a validator with a stored document (doc_run)
        site = response.meta.get("site") or site_key(response.url)
        yield UnchangedDocument(site, response.url, prev["body_sha"], prev["doc_run"],
                                elapsed_ms=int(1000 * response.meta.get("download_latency", 0)))
        self.stats_counts["pages"] += 1
        self.stats_counts["documents"] += 1
        self.stats_counts["unchanged"] += 1
