"""Serve a simulated portal over real HTTP on 127.0.0.1.

A *style* renders the corpus in one CMS family's shapes: it gets a parsed :class:`Request`
and returns a :class:`Response` (or ``None`` for 404). :class:`Testbed` runs a style in a
background thread on an ephemeral port and writes its answer key.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from testbed.build import build_corpus
from testbed.web import Request, Response, Style, html, json_response, standin_response  # noqa: F401 (served here)

#: probes in a full AV001 window: 20 a day for 7 days (data/thresholds.toml [availability])
AV001_PROBES = 140


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:   # quiet
        pass

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            method=self.command, path=split.path,
            query={k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
            client=self.client_address[0],
        )
        tb: Testbed = self.server.testbed  # type: ignore[attr-defined]
        tb.count(req)
        try:
            resp = tb.outage_response(req) or standin_response(req) or tb.style.handle(req) or \
                html("<html><body><h1>404 Not Found</h1></body></html>", 404)
        except Exception as exc:  # a bug in a style must show as a 500, not a hung socket
            resp = html(f"<h1>500</h1><pre>{type(exc).__name__}: {exc}</pre>", 500)
        finally:
            tb.done(req)
        data = resp.data()
        headers = dict(resp.headers)
        if self.command == "GET" and resp.status == 200:
            resp = tb.conditional(req, data, headers) or resp
            if resp.status == 304:
                data, headers = b"", dict(resp.headers)
        tb.answered(req, resp.status)
        if headers.pop("X-Testbed-Gzip", None):
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _serve


class Testbed:
    """One style served on 127.0.0.1 in a daemon thread.

    ``with Testbed(style) as tb: tb.url`` — counts requests per path and the highest number
    of requests in flight at once (politeness tests read ``max_in_flight``).
    """

    __test__ = False          # not a pytest test class, despite the name

    def __init__(self, style: Style, port: int = 0, host: str = "127.0.0.1", outage: int | None = None):
        self.style = style
        #: AV001 plant: the home page answers 503 to every ``outage``-th request for it
        self.outage = outage
        self.home_requests = 0
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.testbed = self  # type: ignore[attr-defined]
        self.url = f"http://{host}:{self.httpd.server_address[1]}/"
        style.bind(self.url)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[tuple[str, str]] = []
        #: (method, path, status, conditional) of every answer (incremental-crawl tests count them)
        self.answers: list[tuple[str, str, int, bool]] = []
        #: path -> (ETag, Last-Modified) of the body last served there
        self.validators: dict[str, tuple[str, str]] = {}
        self._thread: threading.Thread | None = None

    def count(self, req: Request) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.requests.append((req.method, req.path))

    def done(self, req: Request) -> None:
        with self._lock:
            self.in_flight -= 1

    def conditional(self, req: Request, data: bytes, headers: dict) -> "Response | None":
        """Answer a conditional GET like a static web server: every 200 carries an ``ETag``
        (hash of the body) and a ``Last-Modified`` (when this body was first served here);
        ``If-None-Match`` matching the ETag, or (without it) ``If-Modified-Since`` not older than
        Last-Modified, gets ``304 Not Modified`` with no body."""
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        with self._lock:
            known = self.validators.get(req.path)
            if not known or known[0] != etag:
                known = self.validators[req.path] = (etag, formatdate(time.time(), usegmt=True))
        headers.setdefault("ETag", known[0])
        headers.setdefault("Last-Modified", known[1])
        inm, ims = req.headers.get("if-none-match"), req.headers.get("if-modified-since")
        if inm is not None:
            fresh = known[0] in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims:
            try:
                fresh = parsedate_to_datetime(ims) >= parsedate_to_datetime(known[1])
            except (TypeError, ValueError):
                fresh = False
        else:
            return None
        if not fresh:
            return None
        return Response(304, b"", "", {"ETag": known[0], "Last-Modified": known[1]})

    def answered(self, req: Request, status: int) -> None:
        conditional = "if-none-match" in req.headers or "if-modified-since" in req.headers
        with self._lock:
            self.answers.append((req.method, req.path, status, conditional))

    def outage_response(self, req: Request) -> Response | None:
        """A planted outage of the home page (every ``outage``-th GET/HEAD of ``/``), else None."""
        if not self.outage or req.path != "/" or req.method not in ("GET", "HEAD"):
            return None
        with self._lock:
            self.home_requests += 1
            down = self.home_requests % self.outage == 0
        return html("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", 503) if down else None

    def answer_key(self) -> dict:
        """The style's truth, plus the AV001 case when an outage is planted: judged over a
        week of probes (20 a day for 7 days), the home page fails ``floor(140 / outage)``
        times; 5% of them or more is a failure (国办秘函〔2019〕19号)."""
        key = self.style.answer_key()
        if self.outage:
            probes = AV001_PROBES
            failed = probes // self.outage
            case = {"code": "AV001", "key": "site", "url": self.url,
                    "note": f"首页每{self.outage}次访问失败1次：{probes}次监测失败{failed}次（{failed / probes:.1%}）"}
            (key["violations"] if failed / probes >= 0.05 else key["near_misses"]).append(case)
        return key

    def write_answer_key(self, path: Path) -> Path:
        path.write_text(json.dumps(self.answer_key(), ensure_ascii=False, indent=2), "utf-8")
        return path

    def start(self) -> "Testbed":
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "Testbed":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def make_style(name: str, seed: int = 1, traps: bool | list[str] = False, **kw) -> Style:
    """Build a style by name with a fresh corpus (see ``testbed.styles.STYLES``).

    ``traps``: False (none), True (all) or a list of trap names (``testbed.traps``)."""
    from testbed.styles import style_class

    cls = style_class(name)
    # a style that draws its own truth from the seed (testbed.generated) builds itself
    style = cls.build(seed, **kw) if hasattr(cls, "build") else cls(build_corpus(seed, **kw))
    if traps:
        from testbed.traps import with_traps

        style = with_traps(style, None if traps is True else list(traps))
    return style
