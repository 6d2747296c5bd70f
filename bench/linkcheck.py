"""Benchmark: govaudit's link check against LinkChecker on the same generated site.

    python bench/linkcheck.py [--pages 2000] [--links 20] [--broken 50] [--concurrency 8]

Generates a site of N pages with M links each, K broken targets (some on several pages) and
traps (redirect chains, HEAD 405 then GET 200, 429 once with Retry-After, 10 Chinese soft
404s), serves it on 127.0.0.1 (its "external" links on 127.0.0.2), and runs ``govaudit links``
and LinkChecker (``pip install linkchecker``, the ``bench`` extra) on it one after the other
with the same per-host concurrency. Prints, for each: wall time, pages/s, peak RSS, broken
found / K, false positives, traps flagged.

:class:`LinkSite` and :class:`ExternalSite` are also the sites of ``tests/test_linkcheck*.py``.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testbed.server import Request, Response, Style, Testbed, html  # noqa: E402

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n"
       b"<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
SOFT404 = ("<html><head><title>提示信息</title></head><body><div class=\"err\"><p>您访问的页面不存在或已被删除！</p>"
           "<a href=\"/\">返回首页</a></div></body></html>")
TOPICS = ["安全生产", "优化营商环境", "乡村振兴", "防汛抗旱", "城市更新", "医疗保障", "食品安全", "社会救助",
          "河长制", "数字政府建设", "森林防火", "人才引进"]

#: broken-target categories, in the proportions of the default K=50
BROKEN_MIX = ([("dead404", 20), ("gone410", 4), ("err500", 4), ("missing_file", 4), ("tiny_file", 3),
               ("wrong_type", 3), ("redirect_404", 4), ("deleted_refresh", 3), ("ext_refused", 3),
               ("ext_404", 2)])
TRAPS = ("redirect_chain", "head405", "busy429", "soft404")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _Site(Style):
    """Shared by both servers: an optional per-request latency (to make concurrency visible)
    and the ``LinkChecker`` header that lifts LinkChecker's own 10 requests/s cap."""

    def __init__(self, latency: float = 0.0, linkchecker_header: bool = False):
        super().__init__(corpus=None)
        self.latency = latency
        self.linkchecker_header = linkchecker_header

    def handle(self, req: Request) -> Response | None:
        if self.latency:
            time.sleep(self.latency)
        resp = self.route(req)
        if resp is not None and self.linkchecker_header:
            resp.headers["LinkChecker"] = "unthrottled"
        return resp

    def route(self, req: Request) -> Response | None:
        raise NotImplementedError

    def answer_key(self) -> dict:
        return {}

    def volatile(self, path: str) -> bool:
        """Whether the answer at ``path`` may change between requests (not kept by AsyncTestbed)."""
        return False


class ExternalSite(_Site):
    """The "external" host: ``/e/N.html`` pages exist, anything else is a 404."""

    def route(self, req: Request) -> Response | None:
        if req.path.startswith("/e/") and req.path.endswith(".html"):
            return html(f"<html><head><title>外部网站 {escape(req.path)}</title></head>"
                        f"<body><p>{'外部网站内容。' * 50}</p></body></html>")
        return None


@dataclass
class Truth:
    broken: dict[str, str] = field(default_factory=dict)      # url -> category
    traps: dict[str, list[str]] = field(default_factory=dict)  # trap -> urls
    pages: list[str] = field(default_factory=list)


class LinkSite(_Site):
    """A generated site: ``pages`` HTML pages with ``links`` links each, ``broken`` broken
    targets and the traps, deterministic for a seed. ``external`` is the external host's base
    URL; ``truth`` (after binding) says which URL is what."""

    def __init__(self, external: str, *, pages: int = 2000, links: int = 20, broken: int = 50,
                 soft404: int = 10, seed: int = 1, **kw):
        super().__init__(**kw)
        self.external = external.rstrip("/")
        self.n_pages, self.n_links, self.n_broken, self.n_soft = pages, links, broken, soft404
        self.seed = seed
        self.dead_port = free_port()
        self.truth = Truth()
        self.lock = threading.Lock()
        self.busy_served: set[str] = set()
        self.page_links: dict[int, list[tuple[str, str]]] = {}

    # -- generation --------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        rng = random.Random(self.seed)
        b, n = self.base_url, self.n_pages
        self.truth = Truth(pages=[b + "/"] + [f"{b}/p/{i}.html" for i in range(1, n)])
        total = sum(c for _, c in BROKEN_MIX)
        cats = [cat for cat, c in BROKEN_MIX for _ in range(c)]
        for k in range(self.n_broken):
            cat = cats[k * total // max(self.n_broken, 1) % total] if self.n_broken <= total else cats[k % total]
            self.truth.broken[self._broken_url(cat, k)] = cat
        self.truth.traps = {
            "redirect_chain": [f"{b}/r/{j}" for j in range(20)],
            "head405": [f"{b}/download?id={j}" for j in range(20)],
            "busy429": [f"{b}/busy/{j}.html" for j in range(5)],
            "soft404": [f"{b}/gone/{j}.html" for j in range(self.n_soft)],
        }
        extras: dict[int, list[tuple[str, str]]] = {i: [] for i in range(n)}
        for url, cat in self.truth.broken.items():          # some broken targets on several pages
            for page in rng.sample(range(n), min(n, rng.choice([1, 1, 2, 3]))):
                extras[page].append((url, f"{cat}-{url.rsplit('/', 1)[-1]}"))
        for trap, urls in self.truth.traps.items():
            for url in urls:
                for page in rng.sample(range(n), min(n, rng.choice([1, 2]))):
                    extras[page].append((url, f"{TOPICS[len(url) % len(TOPICS)]}相关链接"))
        for i in range(n):
            links = [(self._page(i + 1 if i + 1 < n else 0), "下一篇"), (b + "/", "首页")]
            links += extras[i]
            links.append((f"{b}/f/{rng.randrange(200)}.pdf", "附件下载"))
            links.append((f"{b}/img/{rng.randrange(50)}.png", "图片"))
            links.append((f"{self.external}/e/{rng.randrange(100)}.html", "外部链接"))
            while len(links) < self.n_links:
                j = rng.randrange(n)
                links.append((self._page(j), self._title(j)))
            self.page_links[i] = links

    def _page(self, i: int) -> str:
        return f"{self.base_url}/p/{i}.html" if i else self.base_url + "/"

    @staticmethod
    def _title(i: int) -> str:
        return f"关于做好{TOPICS[i % len(TOPICS)]}工作的通知（第{i}号）" if i else "明湖市人民政府"

    def _broken_url(self, cat: str, k: int) -> str:
        b = self.base_url
        return {
            "dead404": f"{b}/dead/{k}.html", "gone410": f"{b}/gone410/{k}.html",
            "err500": f"{b}/err/{k}.html", "missing_file": f"{b}/f/missing{k}.pdf",
            "tiny_file": f"{b}/f/tiny{k}.pdf", "wrong_type": f"{b}/f/html{k}.doc",
            "redirect_404": f"{b}/rdead/{k}", "deleted_refresh": f"{b}/del/{k}/doc.html",
            "ext_refused": f"http://127.0.0.1:{self.dead_port}/x{k}.html",
            "ext_404": f"{self.external}/missing/{k}.html",
        }[cat]

    def volatile(self, path: str) -> bool:
        return path.startswith("/busy/")      # 429 the first time, 200 after

    def reset(self) -> None:
        """Forget which 429-once URLs were served (before the next tool's run)."""
        with self.lock:
            self.busy_served.clear()

    # -- serving -----------------------------------------------------------------------
    def render(self, i: int) -> str:
        items = "\n".join(f'<li><a href="{escape(u)}">{escape(t)}</a></li>' for u, t in self.page_links[i])
        imgs = "".join(f'<img src="{escape(u)}" alt="{escape(t)}">' for u, t in self.page_links[i]
                       if u.endswith(".png"))
        title = self._title(i)
        body = "".join(f"<p>为深入贯彻落实上级关于{TOPICS[(i + k) % len(TOPICS)]}的决策部署，结合我市实际，现就有关事项通知如下。</p>"
                       for k in range(8))
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_明湖市人民政府</title>'
                f'<meta name="ArticleTitle" content="{escape(title)}"></head><body>'
                f'<div class="head"><a href="/">明湖市人民政府</a></div><h1>{escape(title)}</h1>'
                f'<div class="content">{body}</div>{imgs}<ul class="links">{items}</ul>'
                f'<div class="foot">主办单位：明湖市人民政府办公室</div></body></html>')

    def route(self, req: Request) -> Response | None:
        path, b = req.path, self.base_url
        if path in ("/", "/index.html"):
            return html(self.render(0))
        if path.startswith("/p/") and path.endswith(".html"):
            i = path[3:-5]
            return html(self.render(int(i))) if i.isdigit() and 0 < int(i) < self.n_pages else None
        if path.startswith("/f/") and path.endswith(".pdf") and path[3:-4].isdigit():
            return Response(200, PDF, "application/pdf")
        if path.startswith("/img/") and path.endswith(".png"):
            return Response(200, PNG, "image/png")
        if path.startswith("/f/tiny"):
            return Response(200, b"\r\n", "application/pdf")
        if path.startswith("/f/html"):
            return html("<html><head><title>下载</title></head><body><p>文件下载失败，请联系管理员。</p></body></html>")
        if path.startswith("/gone410/"):
            return html("<h1>410 Gone</h1>", 410)
        if path.startswith("/err/"):
            return html("<h1>500 Internal Server Error</h1>", 500)
        if path.startswith("/rdead/"):
            return Response(302, b"", None, {"Location": f"{b}/dead/r{path[7:]}.html"})
        if path.startswith("/del/") and path.endswith("/doc.html"):
            return html('<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>')
        if path.startswith("/del/") and path.endswith("/"):
            return html(self.render(1))
        if path.startswith("/r/"):
            rest = path[3:]
            if rest.isdigit():
                return Response(301, b"", None, {"Location": f"{b}/r/{rest}/2"})
            return Response(302, b"", None, {"Location": self._page(1 + int(rest.split("/")[0]) % (self.n_pages - 1))})
        if path == "/download":
            if req.method == "HEAD":
                return Response(405, b"", "text/html", {"Allow": "GET"})
            return Response(200, PDF, "application/octet-stream")
        if path.startswith("/busy/"):
            with self.lock:
                first = path not in self.busy_served
                self.busy_served.add(path)
            if first:
                return Response(429, "<h1>429 Too Many Requests</h1>", "text/html", {"Retry-After": "1"})
            return html(self.render(2))
        if path.startswith("/gone/"):
            return html(SOFT404)
        return None


# -- serving -----------------------------------------------------------------------------
class AsyncTestbed:
    """A site served from an asyncio event loop in a background thread (HTTP/1.1 keep-alive).

    Same interface as :class:`testbed.server.Testbed` for this benchmark (``url``, ``requests``,
    ``start``, ``stop``), but each answer is encoded once and kept (keyed by method and target)
    unless the site says it is :meth:`_Site.volatile`: the testbed's ``ThreadingHTTPServer``
    answers only a few hundred requests a second on this machine, close to what the tools ask
    for, so the benchmark would measure its server as much as the tools. Measure this server
    alone with ``--server-alone``."""

    __test__ = False

    def __init__(self, style: _Site, host: str = "127.0.0.1"):
        self.style = style
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/"
        style.bind(self.url)
        self.requests: list[tuple[str, str]] = []
        self.cache: dict[tuple[str, str], bytes] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    def answer(self, method: str, target: str, headers: dict[str, str]) -> bytes:
        split = urlsplit(target)
        key = (method, target)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        req = Request(method, split.path,
                      {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}, headers)
        try:
            resp = self.style.handle(req) or html("<html><body><h1>404 Not Found</h1></body></html>", 404)
        except Exception as exc:      # a bug in the site shows as a 500, not a hung socket
            resp = html(f"<h1>500</h1><pre>{type(exc).__name__}: {exc}</pre>", 500)
        data = resp.data()
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {resp.status} {reason}", "Server: nginx"]
        if resp.content_type:
            lines.append(f"Content-Type: {resp.content_type}")
        lines += [f"{k}: {v}" for k, v in resp.headers.items()]
        lines.append(f"Content-Length: {len(data)}")
        out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + (b"" if method == "HEAD" else data)
        if not self.style.volatile(split.path):
            self.cache[key] = out
        return out

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    k, sep, v = line.partition(":")
                    if sep:
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                self.requests.append((method, urlsplit(target).path))
                writer.write(self.answer(method, target, headers))
                close = headers.get("connection", "").lower() == "close" or (
                    version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive")
                await writer.drain()
                if close:
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    def start(self) -> "AsyncTestbed":
        ready = threading.Event()

        async def serve():
            self.loop = asyncio.get_running_loop()
            self._server = await asyncio.start_server(self._handle, sock=self.sock, backlog=1024)
            ready.set()
            async with self._server:
                try:
                    await self._server.serve_forever()
                except asyncio.CancelledError:
                    pass

        self._thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self.loop and self._server:
            self.loop.call_soon_threadsafe(self._server.close)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> "AsyncTestbed":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_sites(args, threaded: bool):
    server = Testbed if threaded else AsyncTestbed
    ext = server(ExternalSite(linkchecker_header=True), host="127.0.0.2").start()
    site = LinkSite(ext.url, pages=args.pages, links=args.links, broken=args.broken, seed=args.seed,
                    linkchecker_header=True)
    tb = server(site).start()
    return ext, site, tb


def replay(requests: list[tuple[str, str, str]], client: str, concurrency: int) -> dict:
    """Replay ``requests`` (host URL, method, path) in a subprocess with a client of
    ``bench/fetch_baseline.py``: ``asyncio``, a plain keep-alive client (``concurrency``
    connections; the server measured alone), or ``scrapy``, a minimal Scrapy spider with
    govaudit's loopback settings (16 requests in flight, ``concurrency`` per host; the floor of a
    Scrapy-based checker). Adds the whole process's wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([[m, base.rstrip("/") + p, None] for base, m, p in requests], f)
    call = f"run_asyncio(reqs, {concurrency})" if client == "asyncio" else f"run_scrapy(reqs, 16, {concurrency}, 1)"
    code = ("import json, sys; sys.path.insert(0, 'bench'); from fetch_baseline import run_asyncio, run_scrapy; "
            f"reqs = [tuple(r) for r in json.load(open({f.name!r}))]; print(json.dumps({call}))")
    try:
        wall, rss, out, _, cpu = run_measured([sys.executable, "-c", code], {**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.unlink(f.name)
    return {**json.loads(out.strip().splitlines()[-1]), "wall": round(wall, 2), "peak_rss_mib": round(rss, 1),
            "cpu_s": round(cpu, 2)}


# -- running the tools -------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    out += _tree(int(child))
    except OSError:
        pass
    return out


def _memory_kib(pid: int, path: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples a process tree every 50 ms: the peak of its summed RSS (pages shared between the
    processes counted in each: an upper bound) and of its summed PSS (shared pages divided
    among the processes mapping them). ``wait4``'s peak RSS is the largest single process's,
    not the tree's: a tool with a helper process (govaudit's page reader) is judged on these."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.rss, self.pss = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            pids = _tree(self.pid)
            self.rss = max(self.rss, sum(_memory_kib(p, "status", "VmRSS:") for p in pids))
            self.pss = max(self.pss, sum(_memory_kib(p, "smaps_rollup", "Pss:") for p in pids))


LAST_TREE: dict[str, float] = {}


def run_measured(cmd: list[str], env: dict | None = None,
                 ok: tuple[int, ...] = (0,)) -> tuple[float, float, str, str, float]:
    """Run ``cmd``; (wall seconds, peak RSS in MiB, stdout, stderr, CPU seconds: user + system,
    all threads and child processes — less sensitive than the wall time to other jobs on a
    shared machine). The process tree's summed peaks (:class:`TreeMemory`) are left in
    ``LAST_TREE``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        sampler.done.set()
        sampler.join()
        LAST_TREE.update(rss_mib=sampler.rss / 1024, pss_mib=sampler.pss / 1024)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode not in ok:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, stdout, stderr, usage.ru_utime + usage.ru_stime


def run_govaudit(url: str, work: Path, n_pages: int, concurrency: int) -> dict:
    db = work / "bench.db"
    db.unlink(missing_ok=True)       # every run from scratch: no results carried from the last one
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # --max-pages above every same-site page-like URL (the site's pages and its broken and trap
    # targets, ~100 more): with n_pages + 50 the cap was reached before the last pages were
    # found, and which pages went unread (their links unchecked) depended on the fetch order
    wall, rss, _, _, cpu = run_measured(
        [sys.executable, "-m", "govaudit", "links", url, "--db", str(db), "--out", str(work / "out"),
         "--max-pages", str(2 * n_pages + 200), "--concurrency", str(concurrency)], env)
    con = sqlite3.connect(db)
    flagged = {u for (u,) in con.execute(
        "select url from findings where code in ('LK001', 'LK002') and outcome = 'fail'")}
    con.close()
    return {"wall": wall, "rss": rss, "cpu": cpu, "flagged": flagged, **tree_memory()}


def run_linkchecker(url: str, work: Path, concurrency: int) -> dict:
    rc = work / "linkcheckerrc"
    rc.write_text(f"[checking]\nthreads={concurrency}\nmaxrequestspersecond=1000\n[output]\nstatus=0\n", "utf-8")
    os.chmod(work, 0o755)
    os.chmod(rc, 0o644)
    exe = [sys.executable, "-c", "import sys; from linkcheck.command.linkchecker import linkchecker; "
           "sys.argv[0] = 'linkchecker'; sys.exit(linkchecker())"]
    wall, rss, out, _, cpu = run_measured(
        exe + ["-f", str(rc), "--check-extern", "--no-warnings", "-o", "csv", "-t", str(concurrency), url],
        None, ok=(0, 1))     # 1: invalid links were found
    rows = list(csv.DictReader(io.StringIO("\n".join(l for l in out.splitlines() if l and not l.startswith("#"))),
                               delimiter=";"))
    links = [(urljoin(r["parentname"] or url, r["urlname"]), r) for r in rows]   # as linked, before redirects
    return {"wall": wall, "rss": rss, "cpu": cpu, "flagged": {u for u, r in links if r.get("valid") == "False"},
            **tree_memory()}


def tree_memory() -> dict:
    return {"tree_rss": LAST_TREE.get("rss_mib", 0.0), "tree_pss": LAST_TREE.get("pss_mib", 0.0)}


def run_tool(run, tb, site: LinkSite, *args, ext=None) -> dict:
    """Run one tool against the served site; add the site pages it fetched (from the server's log)."""
    site.reset()
    tb.requests.clear()
    if ext is not None:
        ext.requests.clear()
    result = run(tb.url, *args)
    page_paths = {"/" + u.split("/", 3)[3] for u in site.truth.pages}
    result["pages"] = {path for method, path in tb.requests if method == "GET" and path in page_paths}
    result["requests"] = len(tb.requests)
    result["log"] = [(tb.url, m, p) for m, p in tb.requests] + \
        ([(ext.url, m, p) for m, p in ext.requests] if ext is not None else [])
    return result


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (this machine is shared: repeat to see through the noise)."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    return {**ordered[len(ordered) // 2], "walls": [round(r["wall"], 2) for r in runs]}


def report(name: str, r: dict, site: LinkSite) -> dict:
    broken = set(site.truth.broken)
    soft = set(site.truth.traps["soft404"])
    found = r["flagged"] & broken
    fp = r["flagged"] - broken - soft
    traps = {t: len(r["flagged"] & set(u)) for t, u in site.truth.traps.items()}
    row = {"tool": name, "wall_s": round(r["wall"], 2), "runs_wall_s": r.get("walls"), "pages": len(r["pages"]),
           "requests": r["requests"],
           "pages_per_s": round(len(r["pages"]) / r["wall"], 1), "peak_rss_mib": round(r["rss"], 1),
           "cpu_s": round(r["cpu"], 2), "pages_per_cpu_s": round(len(r["pages"]) / max(r["cpu"], 1e-9), 1),
           "tree_rss_mib": round(r.get("tree_rss", 0.0), 1), "tree_pss_mib": round(r.get("tree_pss", 0.0), 1),
           "broken_found": f"{len(found)}/{len(broken)}", "false_positives": len(fp),
           "traps_flagged": {t: f"{n}/{len(site.truth.traps[t])}" for t, n in traps.items()}}
    missed = sorted(broken - found)
    if missed:
        row["missed"] = [f"{site.truth.broken[u]} {u}" for u in missed[:10]]
    if fp:
        row["false_positive_urls"] = sorted(fp)[:10]
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--links", type=int, default=20)
    ap.add_argument("--broken", type=int, default=50)
    ap.add_argument("--concurrency", type=int, default=8, help="requests in flight per host, both tools")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each tool, alternating; the median is shown")
    ap.add_argument("--skip-linkchecker", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--server", choices=["asyncio", "threaded"], default="asyncio",
                    help="asyncio: AsyncTestbed (answers kept); threaded: the testbed's ThreadingHTTPServer")
    ap.add_argument("--server-alone", action="store_true",
                    help="afterwards, replay govaudit's requests with a plain asyncio client (--concurrency "
                         "connections): the server measured alone")
    ap.add_argument("--floor", action="store_true",
                    help="afterwards, replay govaudit's requests with a bare Scrapy spider (the floor)")
    args = ap.parse_args(argv)

    ext, site, tb = serve_sites(args, args.server == "threaded")
    alone = floor = None
    try:
        with tempfile.TemporaryDirectory(prefix="govaudit-bench-") as tmp:
            work = Path(tmp)
            runs: dict[str, list[dict]] = {"govaudit": [], "LinkChecker": []}
            for _ in range(args.repeat):
                runs["govaudit"].append(run_tool(run_govaudit, tb, site, work, args.pages, args.concurrency, ext=ext))
                if not args.skip_linkchecker:
                    runs["LinkChecker"].append(run_tool(run_linkchecker, tb, site, work, args.concurrency, ext=ext))
            rows = [report(name, median_run(r), site) for name, r in runs.items() if r]
            log = runs["govaudit"][len(runs["govaudit"]) // 2]["log"]
            if args.server_alone:      # the server alone: govaudit's requests again, near-free client
                site.reset()
                alone = replay(log, "asyncio", args.concurrency)
            if args.floor:             # a bare Scrapy spider making govaudit's requests
                site.reset()
                floor = replay(log, "scrapy", args.concurrency)
    finally:
        tb.stop()
        ext.stop()
    print(f"site: {args.pages} pages x {args.links} links, {len(site.truth.broken)} broken targets, "
          f"traps {', '.join(f'{t} {len(u)}' for t, u in site.truth.traps.items())}; "
          f"per-host concurrency {args.concurrency}; server {args.server}")
    if alone:
        print(f"server alone ({args.server}): {alone['requests']} requests in {alone['seconds']} s = "
              f"{alone['pages_per_s']} requests/s with a plain asyncio client, {args.concurrency} connections "
              f"(statuses {alone['statuses']})")
    if floor:
        print(f"bare Scrapy spider, govaudit's {floor['requests']} requests: wall {floor['wall']} s (crawl "
              f"{floor['seconds']} s), {round(args.pages / floor['wall'], 1)} site pages/s over the wall time, "
              f"CPU {floor['cpu_s']} s ({round(args.pages / max(floor['cpu_s'], 1e-9), 1)} site pages per CPU-second), "
              f"peak RSS {floor['peak_rss_mib']} MiB")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        traps = ", ".join(f"{t} {v}" for t, v in r["traps_flagged"].items())
        print(f"{r['tool']:<12} wall {r['wall_s']:>7.2f} s  {r['pages']} pages ({r['requests']} requests to the site)  "
              f"{r['pages_per_s']:>7.1f} pages/s (runs: {r['runs_wall_s']} s)  "
              f"CPU {r['cpu_s']:.2f} s ({r['pages_per_cpu_s']} pages per CPU-second)  "
              f"peak RSS {r['peak_rss_mib']:>6.1f} MiB (process tree: RSS {r['tree_rss_mib']} MiB, "
              f"PSS {r['tree_pss_mib']} MiB)  broken found {r['broken_found']}  "
              f"false positives {r['false_positives']}  traps flagged: {traps}")
        for key in ("missed", "false_positive_urls"):
            if key in r:
                print(f"  {key}: {r[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
