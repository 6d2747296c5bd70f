"""Coverage at the top of every testbed style's report, the export of it, and 无法评定 when a
crawl read nothing, found no section, or read a fraction of the columns (testbed over real HTTP).

Expected figures come from the testbed's answer key (what the generator served), not from the
crawler's own output."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govaudit import api
from testbed.server import Request, Response, Style, make_style
from tests.conftest import Crawled, run_cli

STYLES = ["hanweb", "trs", "gongkai", "jsonfirst"]


def _report(c: Crawled) -> str:
    pages = sorted(p for p in c.out.glob("*.html") if p.name != "index.html")
    assert len(pages) == 1, pages
    return pages[0].read_text("utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _coverage_rows(c: Crawled) -> list[dict]:
    return c.export("coverage")


@pytest.fixture(scope="module", params=STYLES)
def crawled(request, tmp_path_factory):
    c = Crawled(request.param, tmp_path_factory.mktemp(f"cov-{request.param}"), args=("--no-links",))
    yield c
    c.testbed.stop()


def test_report_shows_coverage_next_to_the_verdict(crawled):
    html = _report(crawled)
    verdict, cov, findings = html.find('class="verdict'), html.find("检查覆盖情况"), html.find("问题清单")
    assert 0 < verdict < cov < findings, "coverage sits right after the verdict, before the findings"
    block = _text(html[cov:findings])
    assert "政府信息公开专栏 已找到并读取" in block
    assert "自定权重" in block and "每处扣分" in block


def test_coverage_figures_match_what_the_testbed_served(crawled):
    key = crawled.key
    rows = _coverage_rows(crawled)
    site = next(r for r in rows if r["scope"] == "site")
    key_docs = {d["url"] for d in key["documents"]}
    # every document the generator listed in a 法定主动公开内容 column was listed, fetched and parsed
    # (the crawl may list a few more: the annual reports, which the key keeps apart)
    assert site["documents_listed"] >= len(key_docs)
    assert site["documents_fetched"] == site["documents_parsed"]
    # what coverage reports as listed but not parsed is exactly what the testbed served and the
    # crawl missed (the annual reports, outside the key, are parsed too)
    missed = key_docs - {d["url"] for d in crawled.documents}
    assert site["documents_listed"] - site["documents_parsed"] == len(missed)
    assert site["list_pages_read"] == site["list_pages_stated"] or crawled.testbed.style.name == "jsonfirst"
    assert site["columns_expected"] >= len(key["columns"])
    # the JSON-first portal refuses one 通知公告 list request (403, by design): that column cannot be
    # proved complete, so it counts as not read; every other style serves every column
    assert site["columns_unread"] == (1 if crawled.testbed.style.name == "jsonfirst" else 0)
    assert site["section_found"] is True and site["assessable"] is True
    assert site["verdict"] in ("合格", "不合格", "待复核")
    sections = [r for r in rows if r["scope"] == "section"]
    if "organs" in key:       # a hub: one row per organ section
        names = {o["name"] for o in key["organs"]}
        assert names <= {r["section"] for r in sections}
    assert sum(r["documents_listed"] for r in sections) >= len(key_docs)


def test_bespoke_portal_without_its_profile_cannot_be_assessed(tmp_path):
    """Without its profile the home-made portal is read only in part: discovery finds the section
    and every column, the generic reader reads its <div> rows and follows its bare "›" pager,
    but no reader understands the unlabelled <li> metadata of its documents: they are fetched,
    not parsed. Coverage says so and the verdict is 无法评定 — never 合格."""
    c = Crawled("bespoke", tmp_path, args=("--no-links",))
    try:
        rows = _coverage_rows(c)
        site = next(r for r in rows if r["scope"] == "site")
        assert site["verdict"] == "无法评定" and site["assessable"] is False
        assert site["documents_fetched"] >= len(c.key["documents"])
        assert site["documents_parsed"] < len(c.key["documents"])      # what was served, not read
        reasons = json.loads(site["reasons"])
        assert any("解析" in r for r in reasons), reasons
        text = _text(_report(c))
        assert "检查结论 无法评定" in text and "无法评定的原因" in text
    finally:
        c.testbed.stop()


class _Broken(Style):
    """A real style with some pages answering 404: ``paths`` (exact request paths)."""

    def __init__(self, inner: Style, paths: set[str] | None = None):
        self.inner, self.paths, self.name = inner, paths or set(), inner.name
        self.corpus = inner.corpus

    def bind(self, base_url: str) -> None:
        self.inner.bind(base_url)
        self.base_url = self.inner.base_url

    def answer_key(self) -> dict:
        return self.inner.answer_key()

    def handle(self, req: Request) -> Response | None:
        if req.path in self.paths:
            return Response(404, "<html><body>404 Not Found</body></html>")
        return self.inner.handle(req)


def _hanweb_with(tmp_path, pick) -> Crawled:
    inner = make_style("hanweb")
    style = _Broken(inner)
    inner.bind("http://127.0.0.1:1")
    style.paths = pick(inner.answer_key())
    return Crawled(style, tmp_path, args=("--no-links",))


def test_a_fraction_of_the_columns_read_cannot_be_assessed(tmp_path):
    # 6 of the 11 法定主动公开内容 columns answer 404
    c = _hanweb_with(tmp_path, lambda key: {urlsplit(col["url"]).path for col in key["columns"][5:]})
    try:
        site = next(r for r in _coverage_rows(c) if r["scope"] == "site")
        assert site["columns_unread"] == 6, site
        assert site["verdict"] == "无法评定" and site["assessable"] is False
        reasons = json.loads(site["reasons"])
        assert any("应读栏目" in r and "完整读取" in r for r in reasons), reasons
        text = _text(_report(c))
        assert "未读取 6 个" in text
    finally:
        c.testbed.stop()


def test_section_page_unreadable_cannot_be_assessed(tmp_path):
    # the 政府信息公开 section page answers 404: no column, no document
    def section_path(key):
        col = urlsplit(key["columns"][0]["url"]).path           # /col/col1201/index.html
        return {re.sub(r"col\d+", "col1000", col)}
    c = _hanweb_with(tmp_path, section_path)
    try:
        site = next(r for r in _coverage_rows(c) if r["scope"] == "site")
        # discovery may settle on another page as the section, but no column and no document is read
        assert site["documents_parsed"] == 0 and site["columns_read"] == 0
        assert site["verdict"] == "无法评定"
        reasons = json.loads(site["reasons"])
        assert any("政府信息公开专栏" in r or "公开文件为 0 篇" in r for r in reasons), reasons
    finally:
        c.testbed.stop()


def test_a_raising_rule_gives_error_and_the_rest_of_the_report(tmp_path, monkeypatch):
    from datetime import date

    from store import Store
    from reports.render import render_site_report
    from rules.registry import get
    from rules.runner import audit_run, make_context
    from testbed.corpus import AS_OF

    c = Crawled("hanweb", tmp_path / "crawl", args=("--no-links",))
    c.testbed.stop()
    db = tmp_path / "copy.db"
    shutil.copy(c.db, db)

    def boom(self, site, ctx):
        raise ZeroDivisionError("division by zero in the deadline")

    monkeypatch.setattr(get("TM002"), "check", boom)
    store = Store(db)
    run = store.latest_run()
    [doc] = audit_run(store, run["id"], make_context(AS_OF))
    assert [e["code"] for e in doc["errors"]] == ["TM002"]
    assert doc["counts"]["error"] == 1
    assert all(f["outcome"] in ("fail", "review") for f in doc["findings"])
    assert {f["code"] for f in doc["findings"]} >= {"TM001", "MD001"}, "the other rules still ran"
    assert doc["score"]["verdict"] != "合格"
    html = render_site_report(doc)
    text = _text(html)
    assert "规则执行错误" in text and "ZeroDivisionError" in text
    assert html.find("问题清单") < html.find("规则执行错误")
    stored = {r["code"]: r["outcome"] for r in store.findings(run["id"]) if r["outcome"] == "error"}
    assert stored == {"TM002": "error"}


def test_bespoke_portal_read_through_its_profile_is_assessable(tmp_path):
    """The same portal with the site profile the demo writes: coverage at the top, documents
    listed and parsed, and a verdict that is not 无法评定."""
    db, out = tmp_path / "b.db", tmp_path / "reports"
    proc = run_cli("demo", "--style", "bespoke", "--db", str(db), "--out", str(out), "--no-links")
    assert proc.returncode == 0, proc.stderr[-2000:]
    key = json.loads((out / "answer-key.json").read_text("utf-8"))
    site = next(r for r in api.export(db, what="coverage").rows if r["scope"] == "site")
    assert site["section_found"] is True and site["assessable"] is True and site["verdict"] != "无法评定"
    assert site["documents_parsed"] >= len(key["documents"])
    [page] = [p for p in out.glob("*.html") if p.name != "index.html"]
    html = page.read_text("utf-8")
    assert 0 < html.find('class="verdict') < html.find("检查覆盖情况") < html.find("问题清单")


def test_coverage_export_as_csv(crawled):
    import csv
    import io

    from rules.coverage import COVERAGE_FIELDS

    written = io.StringIO()
    api.export(crawled.db, what="coverage", format="csv", stream=written)
    rows = list(csv.DictReader(io.StringIO(written.getvalue())))
    assert list(rows[0]) == COVERAGE_FIELDS
    assert [r["scope"] for r in rows][0] == "site" and {r["scope"] for r in rows[1:]} == {"section"}
    assert rows[0]["documents_parsed"] == str(_coverage_rows(crawled)[0]["documents_parsed"])
