"""False passes seen on real sites (issue 10), checked by ``govaudit links`` over real HTTP:

* an external page whose HEAD answer has no Content-Type must be read with GET: the Chinese
  soft 404 behind it is broken (软404), a real page behind it is fine;
* a deleted Hanweb document that sends the reader to its column's list page — which is not a
  path parent of the document (``/art/2025/11/3/art_1208_….html`` -> ``/col/col1208/index.html``)
  — by 302, meta refresh or a ``location.href`` script is LK001 (删除后跳转), while a document
  that moved to another document, and the list page itself, are fine.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from testbed.server import Request, Response, Style, Testbed, html
from tests.conftest import run_cli

SOFT404 = ("<html><head><title>提示信息</title></head><body><div class='box'>"
           "<p>对不起，您访问的页面不存在或已被删除！</p><a href='/'>返回首页</a></div></body></html>")
COLUMN = "/col/col1208/index.html"


def page(title: str, body: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div>{body}</body></html>")


class NoTypeHost(Style):
    """Answers without a Content-Type header."""

    def __init__(self):
        super().__init__(corpus=None)
        self.hits: list[tuple[str, str]] = []

    def answer_key(self) -> dict:
        return {}

    def handle(self, req: Request) -> Response | None:
        self.hits.append((req.method, req.path))
        if req.path == "/gone.html":
            return Response(200, SOFT404, None)
        if req.path == "/real.html":
            return Response(200, page("政务公开_外站", "<p>这是一篇正常的文章。</p>" * 60), None)
        return None


class HanwebDeleted(Style):
    def __init__(self, other: str):
        super().__init__(corpus=None)
        self.other = other.rstrip("/")
        self.links = [
            (f"{self.other}/gone.html", "外站文章（已删除）", "soft404"),
            (f"{self.other}/real.html", "外站文章", "ok"),
            ("/art/2025/11/3/art_1208_901.html", "已删除文件（302到栏目）", "parent_redirect"),
            ("/art/2025/11/3/art_1208_902.html", "已删除文件（meta refresh到栏目）", "parent_redirect"),
            ("/art/2025/11/3/art_1208_903.html", "已删除文件（脚本跳转到栏目）", "parent_redirect"),
            ("/art/2025/11/3/art_1208_904.html", "正常文件", "ok"),
            ("/art/2025/11/3/art_1208_905.html", "迁移的文件", "ok"),
            (COLUMN, "行政执法", "ok"),
        ]

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def expected(self) -> dict[str, str]:
        return {self.url(p): c for p, _, c in self.links}

    def answer_key(self) -> dict:
        return {}

    def handle(self, req: Request) -> Response | None:
        p = req.path
        if p == "/":
            items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t, _ in self.links)
            return html(page("明湖市人民政府", f"<ul>{items}</ul>" + "<p>首页内容。</p>" * 20))
        if p == COLUMN:
            return html(page("行政执法_明湖市人民政府", "<ul><li><a href='/art/2025/11/3/art_1208_904.html'>"
                             "正常文件</a></li></ul>" + "<p>栏目列表。</p>" * 40))
        if p == "/art/2025/11/3/art_1208_901.html":
            return Response(302, b"", None, {"Location": COLUMN})
        if p == "/art/2025/11/3/art_1208_902.html":
            return html(f'<html><head><meta http-equiv="refresh" content="0;url={COLUMN}"></head><body></body></html>')
        if p == "/art/2025/11/3/art_1208_903.html":
            return html(f"<html><head><script>window.location.href='{COLUMN}';</script></head><body></body></html>")
        if p in ("/art/2025/11/3/art_1208_904.html", "/art/2025/11/4/art_1208_905.html"):
            return html(page("关于开展安全生产检查的通知_明湖市人民政府", "<p>正文内容。</p>" * 60))
        if p == "/art/2025/11/3/art_1208_905.html":
            return Response(301, b"", None, {"Location": "/art/2025/11/4/art_1208_905.html"})
        return None


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("linkcheck-false")
    other = Testbed(NoTypeHost(), host="127.0.0.4").start()
    site = HanwebDeleted(other.url)
    tb = Testbed(site).start()
    db = tmp / "links.db"
    proc = run_cli("links", tb.url, "--db", str(db), "--out", str(tmp / "out"), "--recheck-delay", "0.2",
                   "--link-timeout", "2", "--as-of", "2026-11-20")
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(db)
    results = {u: json.loads(d) for u, d in con.execute("select url, detail from link_checks")}
    findings = {u: (c, o, m) for c, u, o, m in con.execute("select code, url, outcome, message from findings")}
    con.close()
    yield {"site": site, "results": results, "findings": findings, "other": other.style}
    tb.stop()
    other.stop()


def test_classifications(checked):
    expected = checked["site"].expected()
    got = {u: checked["results"][u]["class"] for u in expected if u in checked["results"]}
    assert got == expected


def test_answer_without_content_type_is_read(checked):
    """No Content-Type: the headers cannot settle it, the body is read (one GET, no HEAD)."""
    hits = checked["other"].hits
    assert [m for m, p in hits if p == "/gone.html"][:1] == ["GET"]
    assert not [p for m, p in hits if m == "HEAD"]
    other = checked["site"].other
    code, outcome, message = checked["findings"][other + "/gone.html"]
    assert (code, outcome) == ("LK001", "fail") and "软404" in message


def test_deleted_documents_sent_to_their_column_are_broken(checked):
    site = checked["site"]
    for path in ("/art/2025/11/3/art_1208_901.html", "/art/2025/11/3/art_1208_902.html",
                 "/art/2025/11/3/art_1208_903.html"):
        code, outcome, message = checked["findings"][site.url(path)]
        assert (code, outcome) == ("LK001", "fail"), message
        assert "所在栏目的列表页" in message and COLUMN in message
    for path in ("/art/2025/11/3/art_1208_904.html", "/art/2025/11/3/art_1208_905.html", COLUMN):
        assert site.url(path) not in checked["findings"]
