"""Reading pages in a second process, beside Scrapy's event loop.

The spider's process spends about as much CPU reading a document page (metadata pairs, body
text, attachments, related links, every link of the page) as Scrapy spends fetching it; on a
machine with two cores the reading can run beside the fetching. Page objects are pure
functions of ``(url, html)`` (``crawler.profiles.base``), so a page is read by a worker
process and only what the store needs comes back: the :class:`~crawler.items.Document` and
the page's links as :class:`LinkRow` tuples (url, text cut to the stored 200 characters, tag).

The worker is started with ``spawn`` (a fresh interpreter importing the page objects only:
~30 MiB, not a copy of the crawler's memory) the first time a page is handed over. When it
cannot be used (``PARSE_WORKERS = 0``, a broken pool) the page is read in the spider's
process by the very same function (:func:`read_document`).
"""
from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple


class LinkRow(NamedTuple):
    """A link as the store keeps it (``store.Store.add_links`` reads ``url``, ``text``, ``tag``)."""

    url: str
    text: str
    tag: str


def read_document(profile, url: str, html: str) -> tuple[list[LinkRow] | None, str | None, object, str | None]:
    """The links of a document page and the document read from it, each with the error that
    stopped it (the other part is still returned): ``(links, links_error, document, document_error)``."""
    links = doc = None
    links_error = doc_error = None
    try:
        links = [LinkRow(link.url, link.text[:200], link.tag) for link in profile.links(url, html)]
    except Exception as exc:        # extraction must never kill the crawl
        links_error = f"{type(exc).__name__}: {exc}"
    try:
        doc = profile.document(url, html)
    except Exception as exc:
        doc_error = f"{type(exc).__name__}: {exc}"
    return links, links_error, doc, doc_error


def _ready() -> None:
    """A first task: makes the pool start its processes."""


def start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` reading processes (None for 0), started now.

    ``spawn`` runs the parent's main module again in each child (as ``__mp_main__``) unless
    it is hidden: the crawler's main may be any script (a bench script, Scrapyd's runner, a
    test), so the children are started with an empty ``__main__`` in its place; they need
    nothing from it (:func:`read_document` and the page objects live in importable modules)."""
    if workers <= 0:
        return None
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for _ in range(workers):            # each submit starts one process while none is idle
            pool.submit(_ready)
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    return pool
