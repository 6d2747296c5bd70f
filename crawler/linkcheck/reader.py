"""A page-reading process for the link spider, spoken to over its pipes from Scrapy's event loop.

The link crawl (``govaudit links``) hands each followed page to :func:`crawler.linkcheck.page.read_link_page`
in a second process (the machine's other core) while Scrapy's event loop goes on fetching.
Unlike :mod:`crawler.profiles.pool` (``concurrent.futures``, whose queue threads share the
crawler's GIL with the event loop: on a busy machine the loop waited for them at each page),
nothing here runs outside the event loop's thread: a request is one pickled frame written to
the process's stdin, its answer one frame read from its stdout by an asyncio reader
(``asyncio.create_subprocess_exec``). The process answers in order, one call at a time.

Frames: a 4-byte big-endian length, then a pickle. A call is ``(function, args)`` (the
function by reference: only this package's own functions are sent); an answer is
``(True, result)`` or ``(False, "<ExceptionType>: message")``. The process ends when its stdin
closes (the spider is done, or the crawler's process is gone).
"""
from __future__ import annotations

import asyncio
import pickle
import struct
import sys
from collections import deque

HEADER = struct.Struct("!I")


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
        self._reading = asyncio.ensure_future(self._read_answers())

    @classmethod
    async def start(cls) -> "PageReader":
        """Start the process (the same interpreter and import path as this one)."""
        code = f"import sys; sys.path[:] = {sys.path!r}; from crawler.linkcheck.reader import serve; serve()"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return cls(proc)

    async def call(self, func, *args):
        """``func(*args)`` in the reading process. Raises :class:`ReaderGone` when it has ended,
        :class:`ReaderError` when the call raised there, and pickling errors (nothing sent)."""
        if self.gone:
            raise ReaderGone(self.gone)
        data = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        future = asyncio.get_running_loop().create_future()
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


def serve(inp=None, out=None) -> None:
    """The reading process: answer each call frame read from stdin, in order, until stdin ends."""
    inp = inp or sys.stdin.buffer
    out = out or sys.stdout.buffer
    sys.stdout = sys.stderr          # a stray print must not corrupt the answers
    while True:
        head = inp.read(HEADER.size)
        if len(head) < HEADER.size:
            return
        func, args = pickle.loads(inp.read(HEADER.unpack(head)[0]))
        try:
            answer = (True, func(*args))
        except Exception as exc:
            answer = (False, f"{type(exc).__name__}: {exc}")
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:     # an answer that cannot be sent back
            data = pickle.dumps((False, f"{type(exc).__name__}: {exc}"), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(HEADER.pack(len(data)) + data)
        out.flush()
