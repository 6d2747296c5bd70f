"""Bare-fetch baselines for the scale benchmark: fetch exactly the requests a govaudit run made.

The requests (method, URL, form body) are read from the store's ``fetches`` table for a run;
nothing is parsed or stored. Two clients:

* ``scrapy``: a minimal Scrapy spider with govaudit's loopback settings (16 requests in flight,
  8 per host, no delay, the asyncio reactor) and an empty callback: Scrapy's own floor;
* ``asyncio``: a plain asyncio HTTP/1.1 keep-alive client with N connections: how fast the
  server answers when the client costs next to nothing (the server measured alone).

    python bench/fetch_baseline.py scrapy --db store.db [--run N]
    python bench/fetch_baseline.py asyncio --db store.db [--run N] [--connections 16]

Prints one JSON line: requests, seconds, pages_per_s, statuses.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sqlite3
import sys
import time
from urllib.parse import urlsplit


def load_requests(db: str, run: int | None) -> list[tuple[str, str, str | None]]:
    con = sqlite3.connect(db)
    if run is None:
        run = con.execute("select max(run_id) from fetches").fetchone()[0]
    rows = con.execute("select method, url, req_body from fetches where run_id = ? order by id", [run]).fetchall()
    con.close()
    return [(m or "GET", u, b) for m, u, b in rows]


# -- Scrapy ---------------------------------------------------------------------------------
def run_scrapy(reqs, concurrency: int, per_host: int, concurrent_items: int) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    statuses: collections.Counter = collections.Counter()

    class Bare(scrapy.Spider):
        name = "bare"
        custom_settings = {"HTTPERROR_ALLOW_ALL": True}

        async def start(self):
            for method, url, body in reqs:
                headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" and body else {}
                yield scrapy.Request(url, method=method, body=body or b"", headers=headers, dont_filter=True,
                                     callback=self.parse)

        def parse(self, response):
            statuses[response.status] += 1

    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
        "CONCURRENT_ITEMS": concurrent_items, "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
        "RETRY_ENABLED": False, "REDIRECT_ENABLED": False, "COOKIES_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    st = crawler.stats.get_stats()
    seconds = (st["finish_time"] - st["start_time"]).total_seconds()
    n = st.get("downloader/response_count", 0)
    return {"client": "scrapy", "concurrent_items": concurrent_items, "requests": n, "seconds": round(seconds, 2),
            "pages_per_s": round(n / seconds, 1), "statuses": dict(statuses)}


# -- plain asyncio ----------------------------------------------------------------------------
async def _fetch_all(reqs, connections: int) -> collections.Counter:
    queue: asyncio.Queue = asyncio.Queue()
    for r in reqs:
        queue.put_nowait(r)
    statuses: collections.Counter = collections.Counter()

    async def worker():
        conns: dict[str, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        while not queue.empty():
            method, url, body = queue.get_nowait()
            sp = urlsplit(url)
            target = sp.path + (f"?{sp.query}" if sp.query else "")
            data = (body or "").encode("utf-8")
            head = (f"{method} {target} HTTP/1.1\r\nHost: {sp.netloc}\r\nAccept-Encoding: identity\r\n"
                    + ("Content-Type: application/x-www-form-urlencoded\r\n" if data else "")
                    + f"Content-Length: {len(data)}\r\n\r\n").encode("latin-1")
            for attempt in (0, 1):
                if sp.netloc not in conns:
                    conns[sp.netloc] = await asyncio.open_connection(sp.hostname, sp.port or 80)
                reader, writer = conns[sp.netloc]
                try:
                    writer.write(head + data)
                    hdr = await reader.readuntil(b"\r\n\r\n")
                except (ConnectionError, asyncio.IncompleteReadError):
                    conns.pop(sp.netloc)
                    continue
                lines = hdr.decode("latin-1").split("\r\n")
                status = int(lines[0].split(" ")[1])
                length = 0
                close = False
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    if k.lower() == "content-length":
                        length = int(v)
                    elif k.lower() == "connection" and v.strip().lower() == "close":
                        close = True
                if method != "HEAD":
                    await reader.readexactly(length)
                statuses[status] += 1
                if close:
                    writer.close()
                    conns.pop(sp.netloc)
                break
        for _, w in conns.values():
            w.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return statuses


def run_asyncio(reqs, connections: int) -> dict:
    t = time.perf_counter()
    statuses = asyncio.run(_fetch_all(reqs, connections))
    seconds = time.perf_counter() - t
    n = sum(statuses.values())
    return {"client": "asyncio", "requests": n, "seconds": round(seconds, 2),
            "pages_per_s": round(n / seconds, 1), "statuses": dict(statuses)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("client", choices=["scrapy", "asyncio"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--run", type=int, default=None)
    ap.add_argument("--concurrency", type=int, default=16, help="Scrapy CONCURRENT_REQUESTS (govaudit: 16)")
    ap.add_argument("--per-host", type=int, default=8, help="per host (govaudit on loopback: 8)")
    ap.add_argument("--concurrent-items", type=int, default=1,
                    help="Scrapy CONCURRENT_ITEMS (govaudit: 1; Scrapy's default: 100)")
    ap.add_argument("--connections", type=int, default=16, help="asyncio client connections")
    args = ap.parse_args(argv)
    reqs = load_requests(args.db, args.run)
    if not reqs:
        print(f"no fetches in {args.db}", file=sys.stderr)
        return 2
    out = run_scrapy(reqs, args.concurrency, args.per_host, args.concurrent_items) if args.client == "scrapy" else \
        run_asyncio(reqs, args.connections)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
