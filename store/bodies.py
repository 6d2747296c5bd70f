"""Stored bodies read by hash: :class:`BodyLookups` (shared by :class:`store.Store`) and
:class:`BodyReader`, a read-only connection for another process (the audit's snapshot writer,
``fleet.publish.SnapshotWriter``). Standard library only (``sqlite3``): that process does not
load ``sqlite_utils`` nor the rest of ``store/db.py``."""
from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path


class BodyLookups:
    """A stored body and the first fetch that stored it, read through ``_connection()``: shared
    by :class:`Store` and the read-only :class:`BodyReader` of another process."""

    def _connection(self) -> sqlite3.Connection:
        raise NotImplementedError

    def body(self, sha: str | None) -> bytes | None:
        row = self._connection().execute("select data from bodies where sha = ?", [sha]).fetchone() if sha else None
        return zlib.decompress(row[0]) if row else None

    def first_fetch_of_body(self, sha: str) -> dict:
        """The first fetch that stored the body ``sha`` (its content type and time), or {}."""
        row = self._connection().execute("select content_type, fetched_at from fetches where body_sha = ? "
                                         "order by id limit 1", [sha]).fetchone()
        return {"content_type": row[0], "fetched_at": row[1]} if row else {}


class BodyReader(BodyLookups):
    """Stored bodies read from another process (``fleet.publish.SnapshotWriter``): the store
    at ``path`` opened read-only, without its migrations; :meth:`body` and
    :meth:`first_fetch_of_body` are :class:`Store`'s own (:class:`BodyLookups`)."""

    def __init__(self, path: str | Path):
        self.conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=30)

    def _connection(self) -> sqlite3.Connection:
        return self.conn

    def close(self) -> None:
        self.conn.close()
