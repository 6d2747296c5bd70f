"""Link checking over real HTTP: every classification of `govaudit links`, the redirect hops,
one GET per link (a big page not read in full), Retry-After, a failure that passes on its
re-check, and the findings (LK001/LK002/LK003) as stored, reported and exported.

One site on 127.0.0.1 links to a target of each kind; a second host (127.0.0.3) answers 200
to any URL (its soft 404 is only visible by comparing with a made-up URL); a third
(127.0.0.4, :class:`BigPageServer`) serves one very large page and counts what it could send.
"""
from __future__ import annotations

import json
import socket
import socketserver
import sqlite3
import threading
import time
from html import escape

import pytest

from bench.linkcheck import PDF, PNG, free_port
from testbed.server import Request, Response, Style, Testbed, html
from govaudit import api
from tests.conftest import run_cli

OLE = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600
ZIP = b"PK\x03\x04" + b"\0" * 600
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
CHALLENGE = "<html><head><script>var $_ts=window['$_ts'];$_ts.nsd=1;</script></head><body></body></html>"
DOC_TITLE = "明湖市人民政府关于印发《明湖市城市更新工作方案》的通知"
OTHER_TITLE = "2025年度“双随机、一公开”抽查结果公示（食品安全）"


def page(title: str, body: str, article_title: str | None = None) -> str:
    meta = f'<meta name="ArticleTitle" content="{escape(article_title)}">' if article_title else ""
    return (f"<html><head><meta charset='utf-8'><title>{escape(title)}</title>{meta}</head>"
            f"<body><div class='nav'><a href='/'>首页</a></div>{body}"
            f"<div class='foot'>{'主办单位：明湖市人民政府办公室。' * 30}</div></body></html>")


class AnyPathSite(Style):
    """A host that answers 200 with its portal template to every path: the "not found" page
    has no not-found phrase, only the host fingerprint shows it."""

    def __init__(self):
        super().__init__(corpus=None)
        self.hits: list[tuple[str, str]] = []

    def handle(self, req: Request) -> Response | None:
        self.hits.append((req.method, req.path))
        if req.path == "/real.html":
            return html(page("真实文章_某某网", "<h1>真实文章</h1>" + "<p>这是一篇正文很长的真实文章。</p>" * 40))
        if req.path == "/nohead.html":
            return Response(405, b"", "text/html") if req.method == "HEAD" else html(page("文章_某某网", "<p>正文。</p>" * 40))
        return html(page("某某网", "<div class='list'>" + "<p>欢迎访问某某网。</p>" * 10 + "</div>"))

    def answer_key(self) -> dict:
        return {}


class BigPageServer(socketserver.ThreadingTCPServer):
    """One page of ``SIZE`` bytes (HTML) at ``/big.html`` (404 elsewhere), written 64 KiB at a time: ``asked`` lists
    each request's method and path, ``sent`` the bytes of each answer's body the client took
    before it closed the connection. The body is far larger than what the socket buffers of
    both ends hold, so a client that stops reading early is seen here."""

    SIZE = 48 * 1024 * 1024
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.4"):
        self.asked: list[tuple[str, str]] = []
        self.sent: list[int] = []
        super().__init__((host, 0), _BigPageHandler)
        self.url = f"http://{host}:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _BigPageHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        self.server.asked.append((line[0], line[1]))
        if line[1] != "/big.html":
            self.wfile.write(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n"
                             b"Connection: close\r\n\r\nNot found")
            return
        head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {BigPageServer.SIZE}\r\nConnection: close\r\n\r\n")
        self.wfile.write(head.encode("latin-1"))
        if line[0] == "HEAD":
            return
        start = "<html><head><title>长文章_某某网</title></head><body>".encode("utf-8")
        chunk = ("<p>" + "这是一篇正文很长的真实文章。" * 1000 + "</p>").encode("utf-8")[:65536]
        sent = 0
        try:
            self.wfile.write(start)
            sent = len(start)
            while sent < BigPageServer.SIZE:
                part = chunk[:BigPageServer.SIZE - sent]
                self.connection.sendall(part)
                sent += len(part)
        except OSError:          # the client closed: it read no further
            pass
        self.server.sent.append(sent)


class ClassSite(Style):
    """One link of each kind from the home page; ``expected`` maps path -> classification."""

    def __init__(self, other: str, dead_port: int, big: str):
        super().__init__(corpus=None)
        self.other = other.rstrip("/")
        self.lock = threading.Lock()
        self.hits: dict[str, list[tuple[str, float]]] = {}
        self.links = [
            ("/ok.html", "正常页面", "ok"),
            ("/dead.html", "已删除页面", "dead"),
            ("/gone410.html", "已下线页面", "dead"),
            ("/err500.html", "出错页面", "dead"),
            ("/chain-dead", "跳转后失效", "dead"),
            ("/chain-ok", "多次跳转", "ok"),
            ("/loop", "循环跳转", "dead"),
            ("/soft.html", "软404页面", "soft404"),
            ("/moved.html", "跳到错误页", "error_redirect"),
            ("/a/b/doc.html", "删除的文件", "parent_redirect"),
            ("/files/ok.pdf", "正常PDF", "ok"),
            ("/files/ok.docx", "正常DOCX", "ok"),
            ("/files/ok.xls", "正常XLS", "ok"),
            ("/files/ok.ofd", "正常OFD", "ok"),
            ("/files/ok.wps", "正常WPS", "ok"),
            ("/files/ok.zip", "正常ZIP", "ok"),
            ("/download.jsp?filename=abc.pdf", "下载接口PDF", "ok"),
            ("/files/missing.pdf", "缺失附件", "dead"),
            ("/files/tiny.doc", "两字节附件", "tiny"),
            ("/files/error.xlsx", "错误页附件", "wrong_type"),
            ("/files/fake.pdf", "伪PDF", "wrong_type"),

            ("/busy.html", "限流一次", "ok"),
            ("/flaky.html", "偶发失败", "ok"),
            ("/slow.html", "超时页面", "dead"),
            ("/challenge.html", "反爬虫页面", "blocked"),
            (f"http://127.0.0.1:{dead_port}/x.html", "连接被拒绝", "dead"),
            ("http://no-such-host.invalid/x.html", "无法解析的域名", "dead"),
            (f"{self.other}/real.html", "外站文章", "ok"),
            (f"{big}/big.html", "外站长文章", "ok"),
            (f"{self.other}/nohead.html", "拒绝HEAD的外站文章", "ok"),
            (f"{self.other}/old/deleted.html", "外站旧文章", "soft404"),
            ("/doc/1.html", DOC_TITLE, "ok"),
            ("/doc/2.html", DOC_TITLE, "ok"),    # 错链: the text names document 1
        ]
        self.images = [("/img/ok.png", "正常图片", "ok"), ("/img/broken.jpg", "坏图片", "broken_image"),
                       ("/img/missing.png", "缺失图片", "dead")]

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def expected(self) -> dict[str, str]:
        return {self.url(p): cls for p, _, cls in self.links + self.images}

    def answer_key(self) -> dict:
        return {}

    def home(self) -> str:
        items = "".join(f'<li><a href="{escape(p)}">{escape(t)}</a></li>' for p, t, _ in self.links)
        imgs = "".join(f'<img src="{escape(p)}" alt="{escape(t)}">' for p, t, _ in self.images)
        return page("明湖市人民政府", f"<ul>{items}</ul>{imgs}")

    def handle(self, req: Request) -> Response | None:
        with self.lock:
            self.hits.setdefault(req.path, []).append((req.method, time.monotonic()))
            n = len(self.hits[req.path])
        p = req.path
        if p == "/":
            return html(self.home())
        if p == "/ok.html" or p == "/target.html":
            return html(page("正常页面_明湖市", "<p>正常内容。</p>" * 50))
        if p == "/doc/1.html":
            return html(page(f"{DOC_TITLE}_明湖市人民政府", "<p>正文。</p>" * 50, DOC_TITLE))
        if p == "/doc/2.html":
            return html(page(f"{OTHER_TITLE}_明湖市人民政府", "<p>正文。</p>" * 50, OTHER_TITLE))
        if p == "/gone410.html":
            return html("<h1>Gone</h1>", 410)
        if p == "/err500.html":
            return html("<h1>500</h1>", 500)
        if p == "/chain-dead":
            return Response(301, b"", None, {"Location": "/chain-dead/2"})
        if p == "/chain-dead/2":
            return Response(302, b"", None, {"Location": "/nowhere.html"})
        if p == "/chain-ok":
            return Response(302, b"", None, {"Location": "/chain-ok/2"})
        if p == "/chain-ok/2":
            return Response(307, b"", None, {"Location": "/target.html"})
        if p == "/loop":
            return Response(302, b"", None, {"Location": "/loop"})
        if p == "/soft.html":
            return html("<html><head><title>提示</title></head><body><p>您访问的页面不存在！</p></body></html>")
        if p == "/moved.html":
            return Response(302, b"", None, {"Location": "/404.html"})
        if p == "/404.html":
            return html(page("出错了", "<p>抱歉，出错了。</p>"))
        if p == "/a/b/doc.html":
            return html('<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>')
        if p == "/a/":
            return html(page("栏目_明湖市", "<p>栏目列表。</p>" * 50))
        files = {"/files/ok.pdf": (PDF, "application/pdf"), "/files/ok.docx": (ZIP, "application/octet-stream"),
                 "/files/ok.xls": (OLE, "application/vnd.ms-excel"), "/files/ok.ofd": (ZIP, "application/ofd"),
                 "/files/ok.wps": (OLE, "application/kswps"), "/files/ok.zip": (ZIP, "application/zip"),
                 "/files/tiny.doc": (b"\r\n", "application/msword"),
                 "/files/fake.pdf": (b"this is not a pdf file at all, just some plain words" * 4, "application/pdf"),
                 "/img/ok.png": (PNG, "image/png"), "/img/broken.jpg": (b"<html><body>error</body></html>", "image/jpeg")}
        if p in files:
            return Response(200, *files[p])
        if p == "/download.jsp":
            return Response(200, PDF, "application/octet-stream")
        if p == "/files/error.xlsx":
            return html("<html><body><h3>系统繁忙，请稍后再试</h3></body></html>")
        if p == "/busy.html":
            if n == 1:
                return Response(429, "<h1>Too Many Requests</h1>", "text/html", {"Retry-After": "2"})
            return html(page("忙碌页面", "<p>内容。</p>" * 50))
        if p == "/flaky.html":       # fails once, passes on its re-check
            return html("<h1>404</h1>", 404) if n == 1 else html(page("偶发页面", "<p>内容。</p>" * 50))
        if p == "/slow.html":
            time.sleep(2.5)
            return html(page("慢页面", "<p>内容。</p>"))
        if p == "/challenge.html":
            return Response(412, CHALLENGE, "text/html")
        return None


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("linkcheck")
    other = Testbed(AnyPathSite(), host="127.0.0.3").start()
    big = BigPageServer()
    site = ClassSite(other.url, free_port(), big.url)
    tb = Testbed(site).start()
    db = tmp / "links.db"
    proc = run_cli("links", tb.url, "--db", str(db), "--out", str(tmp / "out"), "--recheck-delay", "0.5",
                   "--link-timeout", "1", "--as-of", "2026-11-20")
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(db)
    results = {u: json.loads(d) for u, d in con.execute("select url, detail from link_checks")}
    findings = {(c, u, s): (o, m, json.loads(e)) for c, u, s, o, m, e in con.execute(
        "select code, url, fingerprint, outcome, message, evidence from findings")}
    con.close()
    yield {"site": site, "tb": tb, "db": db, "tmp": tmp, "results": results, "findings": findings,
           "other": other.style, "big": big}
    tb.stop()
    other.stop()
    big.shutdown()
    big.server_close()


@pytest.fixture
def other_site(checked):
    return checked["other"]


def by_url(checked, code=None) -> dict[str, tuple[str, str, dict]]:
    return {u: v for (c, u, _), v in checked["findings"].items() if code is None or c == code}


def test_every_classification(checked):
    expected = checked["site"].expected()
    got = {u: checked["results"][u]["class"] for u in expected if u in checked["results"]}
    assert got == expected


def test_findings_code_and_outcome(checked):
    """Stored findings are the open ones (fail, review): broken links fail, under LK002 when
    they are attachments; a challenge is review; working links are not listed."""
    expected = checked["site"].expected()
    lk001, lk002 = by_url(checked, "LK001"), by_url(checked, "LK002")
    for url, cls in expected.items():
        is_file = any(url.split("?")[0].endswith(e) for e in (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ofd",
                                                              ".wps", ".zip")) or "filename=" in url
        findings, others = (lk002, lk001) if is_file else (lk001, lk002)
        assert url not in others, (url, cls)
        if cls == "ok":
            assert url not in findings, (url, findings.get(url))
            continue
        assert url in findings, (url, cls)
        want = "review" if cls == "blocked" else "fail"
        assert findings[url][0] == want, (url, cls, findings[url][1])
    assert len([f for f in checked["findings"].values() if f[0] == "fail"]) == \
        sum(1 for c in expected.values() if c not in ("ok", "blocked")) + 1      # + the 错链


def test_messages_name_the_classification_in_chinese(checked):
    names = {"dead": "死链", "soft404": "软404", "error_redirect": "跳转至错误页", "parent_redirect": "删除后跳转上级",
             "wrong_type": "附件类型不符", "tiny": "附件过小", "broken_image": "图片失效", "blocked": "访问受限"}
    findings = by_url(checked)
    for url, cls in checked["site"].expected().items():
        if cls != "ok":
            outcome, message, evidence = findings[url]
            assert names[cls] in message and evidence["classification"] == cls, (url, message)


def test_redirect_hops_recorded(checked):
    base = checked["site"].base_url
    d = checked["results"][base + "/chain-dead"]
    assert [(h["url"].replace(base, ""), h["status"]) for h in d["hops"]] == [
        ("/chain-dead", 301), ("/chain-dead/2", 302), ("/nowhere.html", 404)]
    ok = checked["results"][base + "/chain-ok"]
    assert [h["status"] for h in ok["hops"]] == [302, 307, 200] and ok["class"] == "ok"
    _, message, evidence = by_url(checked, "LK001")[base + "/chain-dead"]
    assert evidence["hops"] and "跳转过程" in message


def test_one_get_per_link(checked, other_site):
    """Each link is asked once, with GET, from the servers' side: pages (a server refusing HEAD
    makes no difference), files (their first bytes) and a very large page, whose body is not
    read in full (the checker stops after sniff_bytes; the server could send only a part)."""
    other = checked["site"].other
    assert [m for m, p in other_site.hits if p == "/nohead.html"] == ["GET"]
    assert checked["results"][other + "/nohead.html"]["class"] == "ok"
    assert [m for m, p in other_site.hits if p == "/real.html"] == ["GET"]
    assert [m for m, _ in checked["site"].hits["/files/ok.pdf"]] == ["GET"]
    big = checked["big"]
    assert [a for a in big.asked if a[1] == "/big.html"] == [("GET", "/big.html")]
    assert len(big.sent) == 1 and big.sent[0] < BigPageServer.SIZE // 2, big.sent
    result = checked["results"][big.url + "/big.html"]
    assert result["class"] == "ok" and result["method"] == "GET" and result["size"] == BigPageServer.SIZE
    assert result["title"] == "长文章_某某网"
    # no HEAD anywhere on the site
    assert not [p for p, hits in checked["site"].hits.items() if any(m == "HEAD" for m, _ in hits)]


def test_retry_after_honoured(checked):
    hits = checked["site"].hits["/busy.html"]
    assert len(hits) >= 2 and hits[1][1] - hits[0][1] >= 2.0     # asked again only after Retry-After: 2
    assert checked["results"][checked["site"].base_url + "/busy.html"]["class"] == "ok"


def test_transient_failures_retried_with_backoff(checked):
    hits = checked["site"].hits["/err500.html"]
    gaps = [b[1] - a[1] for a, b in zip(hits, hits[1:])]
    assert len(hits) >= 3 and gaps[-1] >= 1.9 and gaps[-2] >= 0.9, gaps   # 1 s then 2 s



def test_first_failure_must_be_confirmed(checked):
    base = checked["site"].base_url
    dead = checked["results"][base + "/dead.html"]
    assert dead["confirmed"] == "recheck" and dead["first_failure"]["class"] == "dead"
    hits = checked["site"].hits["/dead.html"]     # a same-site page: crawled (GET), then re-checked
    assert [m for m, _ in hits] == ["GET", "GET"] and hits[1][1] - hits[0][1] >= 0.5
    soft = checked["results"][base + "/soft.html"]
    assert soft["confirmed"] == "recheck" and len(checked["site"].hits["/soft.html"]) >= 2
    # failed once, passed on the re-check: not reported
    flaky = checked["results"][base + "/flaky.html"]
    assert flaky["class"] == "ok" and flaky["first_failure"]["status"] == 404
    assert base + "/flaky.html" not in by_url(checked)


def test_soft404_by_host_fingerprint(checked):
    other = checked["site"].other
    d = checked["results"][other + "/old/deleted.html"]
    assert d["class"] == "soft404" and "不存在地址" in d["reason"]
    assert checked["results"][other + "/real.html"]["class"] == "ok"


def test_blocked_is_review_not_broken(checked):
    base = checked["site"].base_url
    outcome, message, _ = by_url(checked, "LK001")[base + "/challenge.html"]
    assert outcome == "review" and "反爬虫" in message


def test_timeout_and_network_failures(checked):
    base = checked["site"].base_url
    assert "超时" in checked["results"][base + "/slow.html"]["reason"]
    assert "DNS" in checked["results"]["http://no-such-host.invalid/x.html"]["reason"]
    refused = next(u for u in checked["results"] if u.endswith("/x.html") and u.startswith("http://127.0.0.1"))
    assert "拒绝" in checked["results"][refused]["reason"]


def test_mislinked_document(checked):
    base = checked["site"].base_url
    lk003 = by_url(checked, "LK003")
    assert lk003[base + "/doc/2.html"][0] == "fail"
    assert OTHER_TITLE in lk003[base + "/doc/2.html"][1] and "错链" in lk003[base + "/doc/2.html"][1]
    assert lk003[base + "/doc/2.html"][2]["target_title"] == OTHER_TITLE
    assert base + "/doc/1.html" not in lk003        # the right document: passes


def test_home_page_counted_separately(checked):
    base = checked["site"].base_url
    _, message, evidence = by_url(checked, "LK001")[base + "/dead.html"]
    assert evidence["on_home_page"] and evidence["home_page"][0]["page"] == base + "/"
    assert evidence["home_page"][0]["text"] == "已删除页面" and message.startswith("首页")


def test_export_and_report(checked):
    rows = api.export(checked["db"], what="findings").rows
    assert {"LK001", "LK002", "LK003"} <= {r["code"] for r in rows}
    assert all(r["outcome"] in ("fail", "review") for r in rows)
    report = next((checked["tmp"] / "out").glob("*.html")).read_text("utf-8")
    assert "LK001" in report and "死链" in report
    # the stored run audits again offline to the same findings
    assert api.audit(checked["db"], out=checked["tmp"] / "out2").code == 0
    again = api.export(checked["db"], what="findings").rows
    assert sorted(r["fingerprint"] for r in again) == sorted(r["fingerprint"] for r in rows)


class MovedHome(Style):
    """127.0.0.1 redirects every path to the same path on localhost, where the site lives."""

    def __init__(self, port_box: list):
        super().__init__(corpus=None)
        self.port_box = port_box

    def handle(self, req: Request) -> Response | None:
        if req.headers.get("host", "").startswith("127.0.0.1"):
            return Response(301, b"", None, {"Location": f"http://localhost:{self.port_box[0]}{req.path}"})
        if req.path == "/":
            return html(page("首页", '<a href="/a.html">文章A</a><a href="/gone.html">已删除</a>'))
        if req.path == "/a.html":
            return html(page("文章A", '<a href="/b.html">文章B</a>'))
        if req.path == "/b.html":
            return html(page("文章B", "<p>正文。</p>"))
        return None

    def answer_key(self) -> dict:
        return {}


def _links_of(url: str, db, sql: str) -> tuple[dict[str, dict], list[tuple]]:
    """``govaudit links url`` into ``db`` (re-checks 0.3 s apart); its link checks by URL and
    the rows of ``sql`` on the store."""
    proc = run_cli("links", url, "--db", str(db), "--out", str(db.parent / "out"), "--recheck-delay", "0.3")
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(db)
    try:
        return ({u: json.loads(d) for u, d in con.execute("select url, detail from link_checks")},
                con.execute(sql).fetchall())
    finally:
        con.close()


def test_site_whose_home_page_moves(tmp_path):
    """`govaudit links http://127.0.0.1:…/` answered by a redirect to localhost: the pages on the
    host the home page moved to are the site's pages (crawled, checked as internal)."""
    box: list = []
    tb = Testbed(MovedHome(box)).start()
    box.append(tb.httpd.server_address[1])
    try:
        checks, rows = _links_of(tb.url, tmp_path / "m.db", "select final_url from fetches where kind = 'page' "
                                 "and status = 200")
        pages = {u for (u,) in rows}
    finally:
        tb.stop()
    local = f"http://localhost:{box[0]}"
    assert local + "/b.html" in pages                       # found on a page of the moved site
    assert checks[local + "/gone.html"]["internal"] and checks[local + "/gone.html"]["class"] == "dead"


def test_a_file_named_in_a_viewer_page_query_is_not_the_target():
    """``viewer.html?file=x.ofd`` is an online viewer (an HTML page); ``downfile.jsp?filename=x.pdf``
    returns the file itself."""
    from crawler.linkcheck.classify import file_ext, link_kind

    assert file_ext("http://www.mh.gov.cn/generic/web/viewer.html?file=/zwgk/P0201.ofd") is None
    assert link_kind("http://www.mh.gov.cn/generic/web/viewer.html?file=/zwgk/P0201.ofd", "iframe") == "page"
    assert file_ext("http://www.mh.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.pdf") == "pdf"
    assert link_kind("http://www.mh.gov.cn/zwgk/P0201.ofd", "a") == "file"


class LatePage(Style):
    """The home page links to ``/late.html``, which answers 503 with ``Retry-After: 1`` the first
    time and then a page whose only link is ``/only-there.html`` (404). The late page's second
    answer comes after every other request is done: the crawl only waits for its retry then."""

    def __init__(self):
        super().__init__(corpus=None)
        self.late_asked = 0

    def handle(self, req: Request) -> Response | None:
        if req.path == "/":
            return html(page("首页", '<a href="/late.html">稍后打开的文章</a><a href="/a.html">文章A</a>'))
        if req.path == "/a.html":
            return html(page("文章A", "<p>正文。</p>" * 20))
        if req.path == "/late.html":
            self.late_asked += 1
            if self.late_asked == 1:
                return Response(503, b"busy", "text/plain", {"Retry-After": "1"})
            return html(page("稍后打开的文章", '<a href="/only-there.html">只在这里链接的文件</a>'))
        return None

    def answer_key(self) -> dict:
        return {}


def test_a_page_read_after_the_crawl_only_waits(tmp_path):
    """A followed page fetched again by a timed retry, after the page-reading process has ended
    (nothing else in flight), is still read: its links are stored and checked."""
    site = LatePage()
    tb = Testbed(site).start()
    try:
        checks, rows = _links_of(tb.url, tmp_path / "l.db", "select page_url from links where url like '%/only-there.html'")
        linked_from = {u for (u,) in rows}
    finally:
        tb.stop()
    assert site.late_asked == 2
    # the command's store is closed on the way out: the write-ahead log is back in the database file
    assert not (tmp_path / "l.db-wal").exists()
    assert linked_from == {tb.url.rstrip("/") + "/late.html"}
    assert checks[tb.url.rstrip("/") + "/only-there.html"]["class"] == "dead"


class LateLinks(LatePage):
    """:class:`LatePage` whose late page also links back to ``/a.html`` (settled long before)."""

    def handle(self, req: Request) -> Response | None:
        if req.path == "/late.html" and self.late_asked >= 1:
            self.late_asked += 1
            return html(page("稍后打开的文章", '<a href="/only-there.html">只在这里链接的文件</a>'
                                          '<a href="/a.html">文章A</a>'))
        return super().handle(req)


def test_link_rows_carry_results_settled_after_the_crawl(tmp_path):
    """The link rows get their targets' results while the crawl waits for its last retries,
    and the rest at the end: a row stored before that (home → late page, settled after its
    retry), rows stored after it (late page → a target settled before, and → one settled
    after) all carry their target's class; each target's detail is on its first row only."""
    site = LateLinks()
    tb = Testbed(site).start()
    try:
        _, rows = _links_of(tb.url, tmp_path / "l.db",
                            "select page_url, url, check_class, check_detail is not null from links order by rowid")
    finally:
        tb.stop()
    base = tb.url.rstrip("/")
    home, late = tb.url, base + "/late.html"
    got = {(p, u): (c, d) for p, u, c, d in rows}
    assert site.late_asked == 2
    assert got[(home, late)] == ("ok", 1)                      # retried: settled after the wait began
    assert got[(home, base + "/a.html")] == ("ok", 1)          # settled first; its first row
    assert got[(late, base + "/a.html")] == ("ok", 0)          # a later row of the same target
    assert got[(late, base + "/only-there.html")] == ("dead", 1)
    assert all(c is not None for _, _, c, _ in rows), rows
