"""The hand-over of document pages to the reading process, alone: ``concurrent.futures``
(the portal crawl's pool until branch crawlpipe) against ``crawler.reader`` (one process over
asyncio pipes), on document pages of a ``bench/scale.py`` store.

Each variant hands the same pages to :func:`crawler.profiles.reading.check_and_read` from an
asyncio event loop, ``--inflight`` at a time (Scrapy's 16 requests in flight), and reports the
CPU of this process (every thread: the event loop and, for the pool, its manager and feeder
threads) and of the reading process, per page. No fetching, no store: what separates the two
is the hand-over only. Rounds alternate (pool, pipe, pool, pipe, …).

    python bench/handover.py --db /work/bench-data/<name>/store.db --pages 3000 --rounds 3
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sqlite3
import sys
import time
import types
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from w3lib.encoding import html_to_unicode  # noqa: E402

from crawler.profiles.reading import check_and_read  # noqa: E402
from crawler.profiles.registry import by_family  # noqa: E402
from crawler.reader import PageReader  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def load_pages(db: Path, n: int) -> list[tuple]:
    """``n`` stored document pages as the spider hands them over (url, status, headers, html, body)."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "select f.url, f.content_type, b.data from fetches f join bodies b on b.sha = f.body_sha "
        "where f.kind = 'document' and f.status = 200 limit ?", [n]).fetchall()
    con.close()
    pages = []
    for url, ctype, data in rows:
        body = zlib.decompress(data)
        _, html = html_to_unicode(ctype, body)
        pages.append((url, 200, {"content-type": ctype or "text/html"}, None, [], [], len(body) < 20000, html, body))
    return pages


async def hand_over(pages, profile, inflight: int, submit) -> list:
    sem = asyncio.Semaphore(inflight)

    async def one(p):
        async with sem:
            return await submit(check_and_read, profile, *p)

    return await asyncio.gather(*(one(p) for p in pages))


async def via_pipe(pages, profile, inflight):
    reader = await PageReader.start()
    await reader.call(check_and_read, profile, *pages[0])          # started, modules imported
    c0, w0, t0 = time.process_time(), cpu_of(reader.proc.pid), time.perf_counter()
    out = await hand_over(pages, profile, inflight, reader.call)
    c1, w1, t1 = time.process_time(), cpu_of(reader.proc.pid), time.perf_counter()
    await reader.aclose()
    return out, c1 - c0, w1 - w0, t1 - t0


async def via_pool(pages, profile, inflight):
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")     # as crawler/profiles/pool.py did
    try:
        pool.submit(check_and_read, profile, *pages[0]).result()
    finally:
        sys.modules["__main__"] = main
    pid = next(iter(pool._processes))

    async def submit(func, *args):
        return await asyncio.wrap_future(pool.submit(func, *args))

    c0, w0, t0 = time.process_time(), cpu_of(pid), time.perf_counter()
    out = await hand_over(pages, profile, inflight, submit)
    c1, w1, t1 = time.process_time(), cpu_of(pid), time.perf_counter()
    pool.shutdown()
    return out, c1 - c0, w1 - w0, t1 - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a bench/scale.py store (store.db)")
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--inflight", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--family", default="generic", help="the page object reading the pages")
    a = ap.parse_args(argv)
    pages = load_pages(a.db, a.pages)
    if not pages:
        print(f"no document pages in {a.db}", file=sys.stderr)
        return 2
    profile = by_family(a.family)
    results = {}
    print(f"{len(pages)} document pages, {a.inflight} in flight; CPU ms a page (this process / reading process), wall s")
    for r in range(a.rounds):
        for name, variant in (("pool", via_pool), ("pipe", via_pipe)):
            out, main_s, worker_s, wall = asyncio.run(variant(pages, profile, a.inflight))
            results.setdefault(name, out)
            print(f"round {r + 1} {name}: {1000 * main_s / len(pages):.3f} / {1000 * worker_s / len(pages):.3f} ms, "
                  f"{wall:.2f} s")
    if results["pool"] != results["pipe"]:
        print("the two hand-overs read different results", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
