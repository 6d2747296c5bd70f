"""Serve generated portals for the scale benchmark (``bench/scale.py``) from one asyncio process.

Each seed is a :class:`testbed.generated.style.GeneratedStyle` on its own port of 127.0.0.1
(``section_host=other`` seeds answer on ``localhost`` too, as in the testbed). Answers are
rendered once and kept: every document page and attachment is rendered before the server
reports ready, every other answer (list pages, endpoints, POSTs) the first time it is asked
for. A style is deterministic for its seed, so the kept answer is the one it would render
again. ``--threaded`` serves the same styles with the testbed's ``ThreadingHTTPServer``
instead (to measure it against this one).

    python bench/portal_server.py --seeds 1-12 --scale 79 --page-size 20 --attachments 0.3

prints one JSON line when ready: {"urls": [...], "documents": N, "attachments": N, ...}.
``GET /__bench/stats`` (on any port) answers the request count; ``POST /__bench/grow?share=0.01``
adds that share of new documents at the top of every list (for the incremental re-run).
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testbed.corpus import Doc  # noqa: E402
from testbed.server import Request, Response, Testbed, html, make_style  # noqa: E402

NOT_FOUND = html("<html><body><h1>404 Not Found</h1></body></html>", 404)


def parse_seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def build_styles(seeds: list[int], scale: float, page_size: int | None, attachments: float):
    return [make_style("generated", seed=s, scale=scale, page_size=page_size, attachments=attachments)
            for s in seeds]


def encode(resp: Response, keep_alive: bool = True) -> bytes:
    data = resp.data()
    headers = dict(resp.headers)
    if headers.pop("X-Testbed-Gzip", None):
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}.get(resp.status, "X")
    lines = [f"HTTP/1.1 {resp.status} {reason}", "Server: nginx"]
    if resp.content_type:
        lines.append(f"Content-Type: {resp.content_type}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(data)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + data


def grow(style, share: float, round_no: int) -> int:
    """Add ``share`` of the portal's documents as new ones at the top of its lists (newest)."""
    t = style.truth
    rng = random.Random(f"bench:{style.seed}:grow:{round_no}")
    leaves = [n for n in t.section.walk() if n.kind == "list" and n.docs]
    n_new = max(1, round(len(t.docs) * share))
    newest = max(d.pub_date for d in t.docs)
    for i in range(n_new):
        leaf = rng.choice(leaves)
        src = rng.choice(leaf.docs)
        key = f"g{len(t.docs) + 1:04d}"
        doc = Doc(key=key, column=str(leaf.id), kind=src.kind, title=f"{src.title}（第{round_no}批新增{i + 1}）",
                  pub_date=newest + timedelta(days=1), written_date=src.written_date, index_no=src.index_no,
                  publisher=src.publisher, doc_no=None, validity=src.validity, category=src.category,
                  body=src.body)
        doc.missing_shown["doc_no"] = "omit"
        t.docs.append(doc)
        t.primary[key] = leaf
        leaf.docs.insert(0, doc)
        style.corpus.docs[key] = doc
        style.docid[key] = 5000 + len(style.docid)
        for c in style.corpus.columns:
            if c.key == str(leaf.id):
                c.docs.insert(0, key)
        path = style.doc_path(doc)
        style.doc_paths[path] = doc
        doc.url = style.sec_base + path
    return n_new


class Site:
    def __init__(self, style):
        self.style = style
        self.cache: dict[tuple, bytes] = {}

    def answer(self, req: Request, raw_target: str) -> bytes:
        key = (req.method, req.headers.get("host", ""), raw_target, req.body)
        hit = self.cache.get(key)
        if hit is None:
            try:
                resp = self.style.handle(req) or NOT_FOUND
            except Exception as exc:
                resp = html(f"<h1>500</h1><pre>{type(exc).__name__}: {exc}</pre>", 500)
            hit = self.cache[key] = encode(resp)
        return hit if req.method != "HEAD" else hit.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"

    def prerender(self) -> int:
        s, n = self.style, 0
        for path in list(s.doc_paths) + list(s.attachment_paths):
            req = Request("GET", path, {}, {"host": s.sec_netloc})
            self.answer(req, path)
            n += 1
        return n


class Server:
    def __init__(self, styles):
        self.sites: list[Site] = [Site(st) for st in styles]
        self.requests = 0
        self.grow_rounds = 0

    async def handle(self, site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, _, v = line.partition(":")
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                split = urlsplit(target)
                req = Request(method, split.path,
                              {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
                              headers, body)
                if split.path.startswith("/__bench/"):
                    out = self.control(req)
                else:
                    self.requests += 1
                    out = site.answer(req, target)
                writer.write(out)
                if headers.get("connection", "").lower() == "close":
                    await writer.drain()
                    return
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()
        finally:
            writer.close()

    def control(self, req: Request) -> bytes:
        if req.path == "/__bench/grow":
            self.grow_rounds += 1
            share = float(req.query.get("share", "0.01"))
            added = sum(grow(s.style, share, self.grow_rounds) for s in self.sites)
            for s in self.sites:        # list pages and endpoints change: forget them
                s.cache.clear()
                s.prerender()
            return encode(Response(200, json.dumps({"added": added}), "application/json"))
        return encode(Response(200, json.dumps({"requests": self.requests}), "application/json"))

    async def serve(self, ready: dict) -> None:
        servers = []
        urls = []
        for site in self.sites:
            srv = await asyncio.start_server(lambda r, w, site=site: self.handle(site, r, w), "127.0.0.1", 0,
                                             backlog=1024)
            port = srv.sockets[0].getsockname()[1]
            site.style.bind(f"http://127.0.0.1:{port}/")
            servers.append(srv)
            urls.append(f"http://127.0.0.1:{port}/")
        ready["urls"] = urls
        ready["prerendered"] = sum(s.prerender() for s in self.sites)
        print(json.dumps(ready, ensure_ascii=False), flush=True)
        await asyncio.gather(*(s.serve_forever() for s in servers))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1-12")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--page-size", type=int, default=None)
    ap.add_argument("--attachments", type=float, default=0.0)
    ap.add_argument("--threaded", action="store_true", help="serve with the testbed's ThreadingHTTPServer")
    args = ap.parse_args(argv)
    styles = build_styles(parse_seeds(args.seeds), args.scale, args.page_size, args.attachments)
    ready = {"seeds": args.seeds, "documents": sum(len(s.truth.docs) for s in styles),
             "attachments": sum(len(d.attachments) for s in styles for d in s.truth.docs),
             "pagers": sorted({s.layout["pager"] for s in styles})}
    if args.threaded:
        tbs = [Testbed(s).start() for s in styles]
        ready["urls"] = [tb.url for tb in tbs]
        print(json.dumps(ready, ensure_ascii=False), flush=True)
        try:
            asyncio.run(asyncio.sleep(10 ** 9))
        except KeyboardInterrupt:
            pass
        return 0
    try:
        asyncio.run(Server(styles).serve(ready))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
