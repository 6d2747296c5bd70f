"""What the crawl writes and reads back while it runs, as named methods of :class:`store.Store`
(mixed in): the rows of a list page, the documents' columns at the end of a crawl, incremental
fetches (validators, a 304 carried into the run), a resumed run's replay, and the link checker's
results. No SQL is written outside the ``store`` package (``tests/test_layering.py``)."""
from __future__ import annotations

import json
from typing import Iterable


class CrawlRecords:
    """Mixed into :class:`store.Store` (needs ``self.db``, ``self.add_entries``, ``self._write``)."""

    # -- the portal crawl (crawler.pipelines.StorePipeline) ----------------------------------
    def add_list_rows(self, run_id: int, site: str, column_url: str, rows: list[dict],
                      further_page: bool = False) -> None:
        """A list page's rows of a column, and the column's row count from every row stored for
        it so far; ``further_page``: a list page after the column's first (``pages_read`` + 1)."""
        if not rows:
            return
        if further_page:
            self.db.execute("update columns set pages_read = coalesce(pages_read, 0) + 1 "
                            "where run_id = ? and url = ?", [run_id, column_url])
        self.add_entries(run_id, site, column_url, rows)
        self.db.execute(
            "update columns set entries = (select count(*) from entries where run_id = ? and "
            "column_url = ?) where run_id = ? and url = ?", [run_id, column_url, run_id, column_url])

    def link_document_columns(self, run_id: int) -> None:
        """At the end of a crawl: each document carries the names of every column listing it
        (cross-listing), from the entries."""
        self.db.execute(
            """update documents set columns = (
                 select json_group_array(name) from (
                   select distinct c.name from entries e join columns c
                     on c.run_id = e.run_id and c.url = e.column_url
                   where e.run_id = documents.run_id and e.doc_url = documents.url
                     and c.role != 'home'))
               where run_id = ?""", [run_id])

    # -- incremental fetches (fleet.incremental) ------------------------------------------------
    def validator(self, url: str, before_run: int) -> dict | None:
        """The validators of the URL's last full fetch, with ``doc_run``: the newest earlier run
        holding its document with that body (None when none does)."""
        rows = list(self.db.query(
            "select v.etag, v.last_modified, v.fetched_at, v.body_sha, "
            "(select max(d.run_id) from documents d where d.url = v.url and d.run_id < ? "
            "  and d.body_sha = v.body_sha) as doc_run "
            "from validators v where v.url = ?", [before_run, url]))
        return rows[0] if rows else None

    def put_validator(self, url: str, site: str, *, etag: str | None, last_modified: str | None,
                      body_sha: str, fetched_at: str, run_id: int) -> None:
        self._write("upsert", "validators",
                    {"url": url, "site": site, "etag": etag, "last_modified": last_modified,
                     "body_sha": body_sha, "fetched_at": fetched_at, "run_id": run_id}, ("url",))

    def add_unchanged_fetch(self, run_id: int, site: str, url: str, body_sha: str,
                            elapsed_ms: int | None) -> None:
        """A 304 answer to a document request: a fetch pointing at the stored body it confirms,
        with that body's content type (the link checker reuses it as it reuses a 200)."""
        self.add_fetch(run_id, site, url, status=304, method="GET", elapsed_ms=elapsed_ms, kind="document")
        self.db.execute(
            "update fetches set body_sha = ?, content_type = (select content_type from fetches "
            "where body_sha = ? and status = 200 order by id desc limit 1) where id = last_insert_rowid()",
            [body_sha, body_sha])

    def carry_document(self, url: str, from_run: int, to_run: int) -> bool:
        """Copy a stored document row, and the links of its page, from one run into another."""
        cols = [c for c in self.db["documents"].columns_dict if c != "run_id"]
        names = ", ".join(f"[{c}]" for c in cols)
        cur = self.db.execute(
            f"insert or replace into documents (run_id, {names}) select ?, {names} from documents "
            "where run_id = ? and url = ?", [to_run, from_run, url])
        self.db.execute(
            "insert or ignore into links (run_id, site, page_url, url, text, tag) "
            "select ?, site, page_url, url, text, tag from links where run_id = ? and page_url = ?",
            [to_run, from_run, url])
        return cur.rowcount > 0

    # -- a resumed run (crawler.resume) --------------------------------------------------------
    def replayable_fetches(self, run_id: int) -> Iterable[dict]:
        """The run's stored answers a resumed crawl can replay (a body, a status, no redirect)."""
        return self.db.query(
            "select id, url, method, req_body, status, content_type, body_sha, truncated "
            "from fetches where run_id = ? and body_sha is not null and status is not null "
            "and (redirects is null or redirects = '[]') order by id", [run_id])

    # -- the link checker (crawler.linkcheck) ----------------------------------------------------
    def has_link_checks_before(self, run_id: int) -> bool:
        return bool(list(self.db.query("select 1 from link_checks where run_id < ? limit 1", [run_id])))

    def link_targets(self, run_id: int) -> Iterable[dict]:
        """Every stored link of the run: ``{url, site, tag}``."""
        return self.db.query("select url, site, tag from links where run_id = ?", [run_id])

    def previous_link_check(self, url: str, before_run: int) -> dict | None:
        rows = list(self.db.query(
            "select * from link_checks where url = ? and run_id < ? order by run_id desc limit 1",
            [url, before_run]))
        return rows[0] if rows else None

    def put_link_check(self, run_id: int, site: str, url: str, detail: dict) -> None:
        """One target's result in this run (``detail`` carries checked_at, class, origin, confirmed)."""
        self.db.execute(
            "insert or replace into link_checks (run_id, site, url, checked_at, class, origin, confirmed, "
            "detail) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, site, url, detail["checked_at"], detail["class"], detail["origin"],
             detail["confirmed"], json.dumps(detail, ensure_ascii=False)])

    def copy_link_checks_to_links(self, run_id: int, only: Iterable[str] | None = None) -> None:
        """The rules read each link row's result (``SiteArtifacts.links``): the class on every
        row, the detail once per target (on its first row). ``only``: just the rows that have
        no result yet and those linking to these URLs (the targets settled since an earlier
        full copy of the same run)."""
        sql = ("update links set check_class = c.class, check_detail = case when links.rowid = "
               "(select min(l.rowid) from links l where l.run_id = links.run_id and l.url = links.url) "
               "then c.detail end from link_checks c "
               "where c.run_id = links.run_id and c.url = links.url and links.run_id = ?")
        if only is None:
            self.db.execute(sql, [run_id])
            return
        self.db.execute(sql + " and (links.check_class is null or links.url in (select value from json_each(?)))",
                        [run_id, json.dumps(sorted(set(only)))])
