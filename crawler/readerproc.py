"""The page-reading process itself (:mod:`crawler.reader` is the crawler's side): read call
frames from stdin, answer each on stdout, in order, until stdin ends.

Frames: a 4-byte big-endian length, then a pickle. A call is ``(function, args)``, an answer
``(True, result)`` or ``(False, "<ExceptionType>: message")``. The standard library only (and
:mod:`crawler.lifeline`): the process loads what the functions it is sent need, and not the
crawler side's asyncio.
"""
from __future__ import annotations

import pickle
import struct
import sys

from crawler.lifeline import die_with_parent

HEADER = struct.Struct("!I")


def serve(inp=None, out=None, parent: int | None = None) -> None:
    """The reading process: answer each call frame read from stdin, in order, until stdin ends.
    ``parent``: the crawler's pid (the process ends with it)."""
    if parent is not None:
        die_with_parent(parent)
    inp = inp or sys.stdin.buffer
    out = out or sys.stdout.buffer
    sys.stdout = sys.stderr          # a stray print must not corrupt the answers
    while True:
        head = inp.read(HEADER.size)
        if len(head) < HEADER.size:
            return
        frame = inp.read(HEADER.unpack(head)[0])
        try:
            func, args = pickle.loads(frame)
            answer = (True, func(*args))
        except Exception as exc:
            answer = (False, f"{type(exc).__name__}: {exc}")
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:     # an answer that cannot be sent back
            data = pickle.dumps((False, f"{type(exc).__name__}: {exc}"), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            out.write(HEADER.pack(len(data)) + data)
            out.flush()
        except BrokenPipeError:      # the crawler's process is gone
            return
