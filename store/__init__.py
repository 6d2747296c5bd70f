"""The SQLite store: the only module that knows the schema.

Everything the crawler sees is kept here with a run id and a timestamp; raw bodies are
kept once by content hash (``bodies``), so rules can be re-run offline (``govaudit audit``).
The schema is created by named migrations recorded in ``_sqlite_migrations``.

This package must not import Scrapy, nor any other package of the project
(``tests/test_layering.py``): ``crawler``, ``fleet`` and ``rules`` read and write through it.
Every SQL statement of the product is here: the crawl's writes and reads (``store/crawl.py``),
fleet runs (``store/fleet.py``), what the rules read (``store/artifacts.py``), the rest in
``store/db.py``.

The package's top level is light (standard library only): the clock, the documents' fields
and a body's stored form (``store/schema.py``). The database code (``store/db.py``: the
migrations, :class:`Store`, :class:`BodyReader`, ``sqlite_utils``) is imported the first time
one of its names is asked for (``store.Store``, ``from store import Store``): the crawl's
page-reading process, which packs bodies and builds items, never loads it (~13 MiB less).
"""
from __future__ import annotations

from store.schema import CST, DOC_FIELDS, now_iso, pack_body, sha1, today_cst

__all__ = ["BodyReader", "CST", "DOC_FIELDS", "DatabaseError", "Store", "migrations", "now_iso", "pack_body",
           "sha1", "today_cst"]


def __getattr__(name: str):
    """``Store``, ``BodyReader``, ``DatabaseError``, ``migrations``… from ``store/db.py``, imported
    on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    from importlib import import_module

    if name in ("BodyReader", "BodyLookups"):        # no sqlite_utils: store/bodies.py
        return getattr(import_module("store.bodies"), name)
    db = import_module("store.db")      # not ``from store import db``: that would ask this function
    if name == "db":
        return db
    try:
        return getattr(db, name)
    except AttributeError:
        raise AttributeError(f"module 'store' has no attribute {name!r}") from None
