"""What the rest of the store builds on: the store's clock, the documents table's fields and
the form a body is kept in. Standard library only: the crawl's page-reading process imports
this (through ``store``) without the database code."""
from __future__ import annotations

import hashlib
import zlib
from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))

#: The metadata fields of a disclosure document, each stored as value + raw text + source
#: (public export interface: keep stable). ``crawler.items.Document`` has one attribute each.
DOC_FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")


def now_iso() -> str:
    """Current time, ISO-8601 with the +08:00 offset used throughout the store."""
    return datetime.now(CST).isoformat(timespec="seconds")


def today_cst() -> date:
    """Today's date in China (UTC+8): the default ``as_of`` of every run and audit."""
    return date.fromisoformat(now_iso()[:10])


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def pack_body(data: bytes) -> tuple[str, bytes]:
    """A body as the store keeps it: its SHA-1 and its zlib-compressed bytes. Pure (no SQL): the
    crawl makes it in its page-reading worker, beside the crawler's process, and hands both to
    :meth:`Store.add_fetch` (``body_packed``)."""
    return sha1(data), zlib.compress(data, 6)
