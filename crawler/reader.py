"""The page-reading process beside Scrapy's event loop, spoken to over its pipes from the loop itself.

The spider's process spends about as much CPU reading a page (checks, links, metadata, body
text, compressing the body) as Scrapy spends fetching it; on two cores the reading runs beside
the fetching. Both crawls hand their pages over here: the portal crawl its document pages
(:func:`crawler.profiles.reading.check_and_read`) and further list pages
(:func:`crawler.profiles.reading.check_and_list`), the link crawl its followed pages
(:func:`crawler.linkcheck.page.read_link_page`). The reading functions are pure functions of
what is sent, so only what the store needs comes back.

Nothing here runs outside the event loop's thread (``concurrent.futures``' queue threads took
the GIL from the event loop at every hand-over): a call is one pickled frame written to the
process's stdin, its answer one frame read from its stdout by an asyncio reader
(``asyncio.create_subprocess_exec``). The process answers in order, one call at a time; it runs
:func:`crawler.readerproc.serve`, which loads neither asyncio nor this module.

Frames: a 4-byte big-endian length, then a pickle. A call is ``(function, args)`` (the
function by reference: only this project's own functions are sent); an answer is
``(True, result)`` or ``(False, "<ExceptionType>: message")``.

One process serves every spider of a crawling process (a nightly runs a crawler per site in
one process): :func:`acquire_reader` / :func:`release_reader`, each spider through a
:class:`SpiderReader`; the last spider to give it back ends it. It ends when its stdin closes (given back, or the crawler's process is gone) and, on
Linux, with the crawler's process even mid-page (``PR_SET_PDEATHSIG``): a SIGKILLed crawler
leaves no orphan holding its stderr. When it cannot be used (``PARSE_WORKERS = 0``, it could not
be started, it died) the spiders read their pages in their own process with the same functions.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
from collections import deque

# the frames of the reading process's own side (crawler.readerproc: no asyncio there)
from crawler.readerproc import HEADER

logger = logging.getLogger(__name__)


class ReaderGone(Exception):
    """The reading process ended (or could not be started): read in the spider's process."""


class ReaderError(Exception):
    """The call raised in the reading process (its ``"<ExceptionType>: message"``)."""


class PageReader:
    """One reading process and the calls waiting for its answers (in the order sent)."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.pending: deque[asyncio.Future] = deque()
        self.gone: str | None = None
        self.loop = asyncio.get_running_loop()
        self._reading = asyncio.ensure_future(self._read_answers())

    @classmethod
    async def start(cls) -> "PageReader":
        """Start the process (the same interpreter and import path as this one)."""
        code = (f"import sys; sys.path[:] = {sys.path!r}; from crawler.readerproc import serve; "
                f"serve(parent={os.getpid()})")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return cls(proc)

    async def call(self, func, *args):
        """``func(*args)`` in the reading process. Raises :class:`ReaderGone` when it has ended,
        :class:`ReaderError` when the call raised there, and pickling errors (nothing sent)."""
        if self.gone:
            raise ReaderGone(self.gone)
        data = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        future = self.loop.create_future()
        self.pending.append(future)
        self.proc.stdin.write(HEADER.pack(len(data)) + data)
        return await future

    async def _read_answers(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                head = await out.readexactly(HEADER.size)
                ok, value = pickle.loads(await out.readexactly(HEADER.unpack(head)[0]))
                future = self.pending.popleft()
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(ReaderError(value))
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError, IndexError) as exc:
            self._fail(f"page reader ended ({type(exc).__name__})")
        except asyncio.CancelledError:
            self._fail("page reader closed")

    def _fail(self, why: str) -> None:
        self.gone = why
        while self.pending:
            future = self.pending.popleft()
            if not future.done():
                future.set_exception(ReaderGone(why))

    def close(self) -> None:
        """End the process: its stdin closes, it reads the end and exits."""
        if self.proc.stdin and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        self._reading.cancel()

    async def aclose(self) -> None:
        """:meth:`close`, then wait until the process has ended."""
        self.close()
        await self.proc.wait()


class _Shared:
    """The process's reading process: the task starting it (its loop's) and how many spiders use it."""

    task: asyncio.Task | None = None
    users = 0


async def acquire_reader() -> PageReader:
    """The crawling process's reading process, started by the first caller (of this event loop);
    raises what starting it raised. Give it back with :func:`release_reader`."""
    loop = asyncio.get_running_loop()
    task = _Shared.task
    if task is None or task.get_loop() is not loop or (
            task.done() and (task.cancelled() or task.exception() is not None or task.result().gone)):
        task = _Shared.task = loop.create_task(PageReader.start())
        _Shared.users = 0
    try:
        reader = await asyncio.shield(task)
    except Exception:
        if _Shared.task is task:
            _Shared.task = None
        raise
    _Shared.users += 1
    return reader


def release_reader(reader: PageReader | None, broken: bool = False) -> None:
    """A spider is done with ``reader``: the last one ends the process. ``broken``: it failed;
    it is forgotten so that the next spider starts a new one."""
    if reader is None:
        return
    task = _Shared.task
    if task is None or not task.done() or task.cancelled() or task.exception() is not None \
            or task.result() is not reader:          # already forgotten (broken)
        reader.close()
        return
    _Shared.users -= 1
    if _Shared.users <= 0 or broken:
        _Shared.task, _Shared.users = None, 0
        reader.close()


class SpiderReader:
    """One spider's use of the crawling process's reading process: taken once (:meth:`take`, the
    first caller starts it or joins it; callers meanwhile wait for the same start), given back
    once (:meth:`give_back`). Off for good — pages read in the spider's process — with
    ``PARSE_WORKERS`` 0, when it could not be started, once it died (:meth:`gone`) and once
    given back."""

    def __init__(self) -> None:
        self._start: asyncio.Future | None = None
        self.off = False

    async def take(self, spider) -> PageReader | None:
        """The reading process, or None when pages are read here (``spider``'s ``PARSE_WORKERS``
        setting, read on the first call: above 0, a reading process)."""
        if self._start is None:
            settings = getattr(spider, "settings", None)
            workers = settings.getint("PARSE_WORKERS", 0) if settings is not None else 0
            self._start = asyncio.ensure_future(self._acquire(workers))
        reader = await asyncio.shield(self._start)
        return None if self.off else reader

    async def _acquire(self, workers: int) -> PageReader | None:
        if workers <= 0 or self.off:
            self.off = True
            return None
        try:
            return await acquire_reader()
        except Exception as exc:      # no interpreter to start, no pipes: read here
            logger.warning("page reading process not started (%s: %s): pages are read in the crawler's process",
                           type(exc).__name__, exc)
            self.off = True
            return None

    def gone(self, reader: PageReader, exc: Exception) -> None:
        """``reader`` ended (:class:`ReaderGone`): read here from now on (several pages in flight
        may learn it at once: said and given back once)."""
        if not self.off:
            logger.warning("%s: pages are read in the crawler's process", exc)
            self.off = True
            release_reader(reader, broken=True)

    def give_back(self) -> None:
        """Done with the reading process (nothing more is handed over); also while it is still
        starting: it is given back once started."""
        start, off = self._start, self.off
        self.off = True
        if start is None:
            return
        if not start.done():
            start.add_done_callback(lambda f: f.cancelled() or release_reader(f.result()))
        elif not off and not start.cancelled():
            release_reader(start.result())
