"""The one way a crawl's output enters the store: the portal spider yields typed items
(``crawler.items``) and :class:`StorePipeline` writes each through the store's methods, in the
order yielded, into the spider's run (``spider.store``, ``spider.run_id``).

Writes are committed every two seconds (WAL), so a killed crawl keeps what it stored; at the
close the documents get the columns listing them. In a scale-out worker ``spider.store`` is the
Redis queue of the one writer (``fleet.scaleout.RemoteStore``) and the same calls travel there.
"""
from __future__ import annotations

import time

from scrapy.logformatter import LogFormatter

from store import now_iso
from crawler.items import (CarriedDocument, ColumnNode, ColumnState, DocumentRecord, FetchRecord, ListRows, PageLinks,
                           SiteRecord, UnchangedDocument)

#: seconds between commits
COMMIT_EVERY = 2.0


class StorePipeline:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self.store = None
        self.run_id = None
        self._last_commit = time.monotonic()
        self._write = {
            FetchRecord: self._fetch, PageLinks: self._links, ListRows: self._rows,
            DocumentRecord: self._document, ColumnNode: self._column, ColumnState: self._state,
            SiteRecord: self._site, UnchangedDocument: self._unchanged, CarriedDocument: self._carried,
        }

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        self.store = getattr(spider, "store", None)
        self.run_id = getattr(spider, "run_id", None)

    def process_item(self, item, spider=None):
        write = self._write.get(type(item))
        if write is None or self.store is None:      # not a store item, or a spider with no store
            return item
        write(item)
        if time.monotonic() - self._last_commit > COMMIT_EVERY:
            self.store.commit()
            self._last_commit = time.monotonic()
        return item

    def close_spider(self, spider=None) -> None:
        if self.store is None:
            return
        self.store.link_document_columns(self.run_id)
        self.store.commit()

    # -- one store call per item type ---------------------------------------------------------
    def _fetch(self, f: FetchRecord) -> None:
        self.store.add_fetch(
            self.run_id, f.site, f.url, status=f.status, body=f.body, body_sha=f.body_sha,
            body_packed=f.body_packed, method=f.method,
            req_body=f.req_body, final_url=f.final_url, redirects=f.redirects, elapsed_ms=f.elapsed_ms,
            content_type=f.content_type, error=f.error, blocked=f.blocked, kind=f.kind, notes=f.notes)

    def _links(self, p: PageLinks) -> None:
        self.store.add_links(self.run_id, p.site, p.page_url, p.links)

    def _rows(self, r: ListRows) -> None:
        self.store.add_list_rows(self.run_id, r.site, r.column_url, [
            {"doc_url": e.url, "title": e.title, "date": e.date.value, "date_raw": e.date.raw,
             "position": e.position} for e in r.entries], further_page=r.further_page)

    def _document(self, d: DocumentRecord) -> None:
        if d.fetch is not None:
            self._fetch(d.fetch)
        if d.links is not None:
            self._links(d.links)
        self.store.add_document(self.run_id, d.site, d.document, [], d.fetched_at, d.body_sha, d.status)

    def _column(self, c: ColumnNode) -> None:
        self.store.add_column(self.run_id, c.site, c.url, c.name, c.parent, c.role, entries=c.entries,
                              placeholder=c.placeholder, status=c.status, note=c.note, section=c.section,
                              **c.tree)

    def _state(self, c: ColumnState) -> None:
        self.store.set_column_status(self.run_id, c.url, c.status, c.note)

    def _site(self, s: SiteRecord) -> None:
        self.store.upsert_site(s.site, s.name, s.family, self.run_id, profile=s.profile)

    def _unchanged(self, u: UnchangedDocument) -> None:
        self.store.add_unchanged_fetch(self.run_id, u.site, u.url, u.body_sha, u.elapsed_ms)
        if self.store.carry_document(u.url, u.from_run, self.run_id):
            self.store.add_carried(self.run_id, u.site, u.url, "not_modified", u.from_run)
        # the revisit window counts from the last time the portal was asked
        self.store.mark_revisited(u.site, u.url, self.run_id, now_iso())

    def _carried(self, c: CarriedDocument) -> None:
        if self.store.carry_document(c.url, c.from_run, self.run_id):
            self.store.add_carried(self.run_id, c.site, c.url, "unread", c.from_run)


class StoreLogFormatter(LogFormatter):
    """Scrapy logs every item it passes to the pipelines (at DEBUG, with its repr). A store item
    is a page's record — its body, its links — not news: the fetch rows are the crawl's log. Not
    logging them also spares a record per item, made even when DEBUG is not shown (``LOG_FORMATTER``)."""

    def scraped(self, item, response, spider):
        return None
