"""The process :class:`fleet.publish.SnapshotWriter` writes an audit's snapshot files in:
``python -m fleet.snapshot_worker STORE PARENT_PID``. Each line read from stdin is one batch
(JSON: ``folder`` and ``shas``, the path of a file listing the body hashes one a line, deleted
once read); for each, one line is written to stdout (JSON: ``written``, or ``error``: what
writing raised), in order. It ends when stdin ends, or with its parent (a SIGKILLed audit).

A plain child process rather than a ``multiprocessing`` pool: ``spawn`` pools start a second
helper process (the resource tracker, ~12 MiB) for their semaphores."""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from crawler.lifeline import die_with_parent


def serve(db: str, inp, out) -> None:
    from fleet.publish import write_snapshot_files

    for line in inp:
        job = json.loads(line)
        try:
            listing = Path(job["shas"])
            shas = listing.read_text("ascii").split()
            listing.unlink()
            answer = {"written": write_snapshot_files(db, Path(job["folder"]), shas)}
        except Exception as exc:  # noqa: BLE001 - reported to the audit, which raises it
            answer = {"error": f"{type(exc).__name__}: {exc}", "detail": traceback.format_exc(limit=5)}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def main(argv: list[str] | None = None) -> int:
    db, parent = (argv if argv is not None else sys.argv[1:])[:2]
    die_with_parent(int(parent))
    serve(db, sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
