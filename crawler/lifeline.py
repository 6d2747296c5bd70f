"""A helper process's tie to the process that started it (the standard library only: the page
reader, :mod:`crawler.reader`, and the audit's snapshot writer, :mod:`fleet.snapshot_worker`,
import it without loading anything else)."""
from __future__ import annotations

import os


def die_with_parent(parent: int | None) -> None:
    """End this process with its parent, ``parent`` (a SIGKILLed parent cannot close the pipe
    cleanly, and the pipe's end is seen only between two calls): Linux's ``PR_SET_PDEATHSIG``,
    and an exit now if the parent is already gone."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:      # gone before the line above ran
        os._exit(0)
