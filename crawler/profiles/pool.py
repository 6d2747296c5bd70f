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
import os
import sys
import threading
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


def page_checks(url: str, status: int, headers: dict, checked, redirects: list, reasons: list,
                short: bool) -> tuple[str | None, str | None]:
    """``(blocked, gone)`` of an answer (``crawler.antibot``): a challenge or refusal page, and
    a soft 404 or a deleted document sent elsewhere. ``short``: the body is short enough (or the
    status an error) for the challenge signatures to be looked for."""
    from crawler.antibot import blocked_reason, gone_reason

    blocked = blocked_reason(status, headers, checked) if short else None
    gone = None if blocked else gone_reason(url, status, checked, redirect_urls=redirects,
                                            redirect_reasons=reasons, final_url=url)
    return blocked, gone


def check_and_read(profile, url: str, status: int, headers: dict, checked, redirects: list,
                   reasons: list, short: bool, html: str | None, body: bytes | None = None):
    """A document answer's checks (:func:`page_checks`), and when it is the page (200, neither
    blocked nor gone, decoded) what :func:`read_document` reads from it; ``checked`` None: the
    checks read ``html``. With ``body`` (the answer's bytes), the body as the store keeps it
    (:func:`store.pack_body`: its SHA-1 and compressed bytes), made here rather than in the
    crawler's process. Returns ``((blocked, gone), read or None, packed or None)``."""
    from store import pack_body

    packed = pack_body(body) if body is not None else None
    blocked, gone = page_checks(url, status, headers, html if checked is None else checked,
                                redirects, reasons, short)
    if status != 200 or blocked or gone or html is None:
        return (blocked, gone), None, packed
    return (blocked, gone), read_document(profile, url, html), packed


def _ready() -> None:
    """A first task: makes the pool start its processes."""


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end when the crawler's process is gone (killed: SIGKILL leaves no
    chance to stop the pool, and an orphaned worker would hold the crawler's stdout open).
    Linux ends the worker with its parent (``PR_SET_PDEATHSIG``); elsewhere, and for a parent
    that died before this ran, a thread watches the parent's pid."""
    import ctypes
    import os
    import signal
    import threading
    import time

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


#: one pool per process, shared by every spider of it (a nightly runs a crawler per site in one
#: process): (pool, spiders using it)
_SHARED: list = [None, 0]
_SHARED_LOCK = threading.Lock()


def acquire_pool(workers: int) -> ProcessPoolExecutor | None:
    """The process's reading pool (started by the first caller with ``workers`` processes),
    None for 0 workers; give it back with :func:`release_pool`."""
    if workers <= 0:
        return None
    with _SHARED_LOCK:
        if _SHARED[0] is None:
            _SHARED[0] = start_pool(workers)
        _SHARED[1] += 1
        return _SHARED[0]


def release_pool(pool: ProcessPoolExecutor | None, broken: bool = False) -> None:
    """A spider is done with the pool: the last one stops it (its processes end). ``broken``:
    the pool failed; it is forgotten so that the next spider starts a new one."""
    if pool is None:
        return
    with _SHARED_LOCK:
        if _SHARED[0] is not pool:        # already forgotten (broken)
            return
        _SHARED[1] -= 1
        if _SHARED[1] <= 0 or broken:
            _SHARED[0], _SHARED[1] = None, 0
            pool.shutdown(wait=not broken, cancel_futures=broken)


def start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` reading processes (None for 0), started now.

    ``spawn`` runs the parent's main module again in each child (as ``__mp_main__``) unless
    it is hidden: the crawler's main may be any script (a bench script, Scrapyd's runner, a
    test), so the children are started with an empty ``__main__`` in its place; they need
    nothing from it (:func:`read_document` and the page objects live in importable modules)."""
    if workers <= 0:
        return None
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for _ in range(workers):            # each submit starts one process while none is idle
            pool.submit(_ready)
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    return pool
