"""Facts derived from artifacts and shared by several rules (column types, date parsing)."""
from __future__ import annotations

from datetime import date

from data import load_toml


def column_type(name: str | None, thresholds: dict | None = None) -> str | None:
    """The type of a column from its name (``data/thresholds.toml`` [column_types]), or None."""
    if not name:
        return None
    table = (thresholds or load_toml("thresholds.toml"))["column_types"]
    for ctype, keywords in table.items():
        if any(k in name for k in keywords):
            return ctype
    return None


def to_date(value: str | None) -> date | None:
    """An ISO date stored by the crawler (``YYYY-MM-DD``, maybe with a time), else None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
