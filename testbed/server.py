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
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from testbed.corpus import Corpus, answer_key, build_corpus

#: probes in a full AV001 window: 20 a day for 7 days (data/thresholds.toml [availability])
AV001_PROBES = 140


@dataclass
class Request:
    method: str
    path: str                       # without the query string
    query: dict[str, str]
    headers: dict[str, str]         # lower-cased names
    body: bytes = b""
    client: str = ""

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    @property
    def cookies(self) -> dict[str, str]:
        c = SimpleCookie()
        c.load(self.headers.get("cookie", ""))
        return {k: m.value for k, m in c.items()}

    def param(self, name: str, default: str | None = None) -> str | None:
        """A parameter from the query string or, failing that, the form body."""
        return self.query.get(name, self.form.get(name, default))


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def html(body: str, status: int = 200, charset: str | None = "utf-8") -> Response:
    ct = f"text/html; charset={charset}" if charset else "text/html"
    return Response(status, body, ct)


def json_response(obj, status: int = 200) -> Response:
    return Response(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")


class Style:
    """Base class of a portal style. ``base_url`` is known once the server is bound."""

    name = "base"
    #: the 网站标识码 the footer's 党政机关 badge links to, and the badge image
    site_id_code = "3711000001"
    badge = "/images/dzjg.png"

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.base_url = ""
        self.soft404: set[str] = set()     # paths the style answers 200 "页面不存在"

    def footer(self) -> str:
        """The footer from the truth (``testbed.render.footer_html``; None elements are left out)."""
        from testbed.render import footer_html

        return footer_html(self.corpus.site.footer, self.site_id_code, self.badge)

    def bind(self, base_url: str) -> None:
        """Called once the port is known: assign URLs to columns, documents, attachments."""
        self.base_url = base_url.rstrip("/")
        self.soft404 = set()                # (re)built by the style while binding

    def column_ids(self, first: int) -> tuple[dict[str, int], dict[int, object]]:
        """The corpus columns numbered from ``first``, as a CMS numbers them: key -> id, id -> column."""
        ids = {c.key: first + i for i, c in enumerate(self.corpus.columns)}
        return ids, {v: self.corpus.column(k) for k, v in ids.items()}

    def handle(self, req: Request) -> Response | None:
        raise NotImplementedError

    def extra_link_url(self, target: str, *, dead: str, soft404: str, external: str,
                       docs: dict | None = None) -> str:
        """Where a link the truth adds (``corpus.ExtraLink.target``) points: the document's URL
        for ``doc:KEY``, else the style's address for that kind of broken link — ``external`` (a
        URL on a host that does not resolve), ``soft404`` (a path on this site, remembered in
        :attr:`soft404`) or ``dead`` (a path that answers 404, also for an unknown target)."""
        docs = self.corpus.docs if docs is None else docs
        if target.startswith("doc:") and target[4:] in docs:
            return docs[target[4:]].url
        if target == "external-dead":
            return external
        if target == "soft404":
            self.soft404.add(soft404)
            return self.base_url + soft404
        return self.base_url + dead

    def answer_key(self) -> dict:
        """The truth with URLs. Styles serving several corpora (multi-organ hubs) override."""
        return answer_key(self.corpus, self.base_url + "/")


def standin_response(req: Request) -> Response | None:
    """The page behind a footer link to a filing or badge host (``testbed.render.STANDIN_PREFIX``):
    the real hosts are on the internet, which the tests never reach."""
    from testbed.render import STANDIN_PREFIX

    if not req.path.startswith(STANDIN_PREFIX):
        return None
    host = req.path[len(STANDIN_PREFIX):].split("/", 1)[0]
    title = {"beian.miit.gov.cn": "ICP/IP地址/域名信息备案管理系统", "www.beian.gov.cn": "全国互联网安全管理服务平台",
             "bszs.conac.cn": "党政机关网站标识"}.get(host, host)
    return html(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                f"<p>测试环境中代替 {host} 的页面。</p>{'<p>备案信息查询。</p>' * 20}</body></html>")


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
