"""What the rest of the store builds on: the store's clock and the documents table's fields."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))

#: The metadata fields of a disclosure document, each stored as value + raw text + source
#: (public export interface: keep stable). ``crawler.items.Document`` has one attribute each.
DOC_FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")


def now_iso() -> str:
    """Current time, ISO-8601 with the +08:00 offset used throughout the store."""
    return datetime.now(CST).isoformat(timespec="seconds")
