"""The store's incremental-crawling section: the revisit window (``fleet.incremental``).

Kept apart from the rest of the schema so the queries the revisit window needs are in one
place. :class:`RevisitQueries` is mixed into :class:`store.Store`; :func:`m021_revisits` is
registered with the store's migrations in ``store/db.py``.

* ``revisits``: when a document URL was last confirmed on the portal without its body being
  read again (a ``304`` to a conditional request). A full read is the document row's own
  ``fetched_at``; the later of the two is the last time the portal was asked.
* ``carried``: every document of a run that was not read in full in that run, with how it was
  judged — ``unread`` (listed unchanged in its column, inside the revisit window: no request)
  or ``not_modified`` (a conditional request answered ``304``) — the run its stored copy comes
  from, and when that copy was read in full (``read_at``). The coverage block of the report
  says how many documents were judged from a stored copy and from which dates.
"""
from __future__ import annotations

from typing import Any

import sqlite_utils


def m021_revisits(db: sqlite_utils.Database) -> None:
    """The revisit window: documents carried into a run without a request (``carried``) and
    the last time a document's URL was confirmed unchanged (``revisits``)."""
    db["revisits"].create({"url": str, "site": str, "checked_at": str, "run_id": int}, pk="url")
    db["carried"].create(
        {"run_id": int, "site": str, "url": str, "how": str, "from_run": int, "read_at": str},
        pk=("run_id", "url"))
    db["carried"].create_index(["run_id", "site"])


class RevisitQueries:
    """Store methods of the revisit window (``self.db`` is the store's sqlite_utils database)."""

    db: sqlite_utils.Database

    def revisit_candidate(self, site: str, url: str, column_url: str, before_run: int) -> dict[str, Any] | None:
        """The newest stored copy of document ``url`` of ``site`` from a run before
        ``before_run`` that was read with a 200, with the row it was listed under in column
        ``column_url`` in that run (``title``, ``date``: None when it was not listed there),
        when the copy was read in full (``fetched_at``) and when its URL was last confirmed
        unchanged (``checked_at``, None if never). None: no stored copy."""
        rows = self.db.execute(
            "select d.run_id, d.fetched_at, e.title, e.date, e.doc_url is not null, "
            "  (select r.checked_at from revisits r where r.url = d.url) "
            "from documents d left join entries e "
            "  on e.run_id = d.run_id and e.column_url = ? and e.doc_url = d.url "
            "where d.url = ? and d.run_id < ? and d.site = ? and d.status = 200 "
            "order by d.run_id desc limit 1", [column_url, url, before_run, site]).fetchall()
        if not rows:
            return None
        run_id, fetched_at, title, date_, listed, checked_at = rows[0]
        return {"run_id": run_id, "fetched_at": fetched_at, "title": title, "date": date_,
                "listed": bool(listed), "checked_at": checked_at}

    def mark_revisited(self, site: str, url: str, run_id: int, checked_at: str) -> None:
        """A document URL confirmed unchanged on the portal (a 304) at ``checked_at``."""
        self.db.execute("insert or replace into revisits (url, site, checked_at, run_id) values (?, ?, ?, ?)",
                        [url, site, checked_at, run_id])

    def add_carried(self, run_id: int, site: str, url: str, how: str, from_run: int) -> None:
        """Record that document ``url`` of run ``run_id`` is the stored copy of run ``from_run``
        (``how``: unread | not_modified); ``read_at`` is that copy's full read."""
        self.db.execute(
            "insert or replace into carried (run_id, site, url, how, from_run, read_at) "
            "select ?, ?, ?, ?, ?, (select fetched_at from documents where run_id = ? and url = ?)",
            [run_id, site, url, how, from_run, from_run, url])

    def carried(self, run_id: int, site: str | None = None) -> list[dict]:
        """The documents of a run judged from a stored copy (see the module docstring)."""
        sql, params = "select * from carried where run_id = ?", [run_id]
        if site:
            sql += " and site = ?"
            params.append(site)
        return list(self.db.query(sql + " order by url", params))
