"""Discovery end to end over real HTTP on small hand-written portals shaped like the ones the
first wave could not read: a district site whose 法定主动公开内容 is its own page of sub-columns
(指南 and 制度 single articles beside it), a TRS-paged column on a site whose home page has
no TRS fingerprint, and a home page with no way into a 政府信息公开 section."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from testbed.server import Request, Response, Style, Testbed, html
from govaudit import api
from tests.conftest import run_cli

CHROME = ('<div class="top"><a href="/">首页</a><a href="/xwzx/">新闻中心</a><a href="{section}">政府信息公开</a>'
          '<a href="/hdjl/">互动交流</a></div>')
FOOT = '<div class="foot"><a href="/wzdt/">网站地图</a> 主办单位：安平区人民政府办公室</div>'


def page(title: str, main: str, section: str = "/xxgk/", crumbs: tuple[str, ...] = ()) -> str:
    crumb = "".join(f" &gt; <span>{c}</span>" for c in crumbs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_安平区人民政府</title></head><body>'
            f'{CHROME.format(section=section)}<div class="pos">当前位置：<a href="/">首页</a>{crumb}</div>'
            f'{main}{FOOT}</body></html>')


def article(title: str, date: str, body: str) -> str:
    return (f'<table class="xxgk"><tr><td>索引号：</td><td>001-{date}</td><td>发布机构：</td><td>安平区人民政府办公室</td></tr>'
            f'<tr><td>发布日期：</td><td>{date}</td></tr></table><h1>{title}</h1><div id="zoom"><p>{body}</p></div>')


class DistrictStyle(Style):
    """政府信息公开 → 指南 / 制度 / 法定主动公开内容 / 年报; 法定主动公开内容 → sub-columns, one of
    which (财政信息) is itself a category of two lists; one list paged by createPageHTML only."""

    name = "district"
    COLUMNS = {"jgzn": "机构职能", "gfxwj": "规范性文件", "zcjd": "政策解读"}
    FINANCE = {"bmys": "部门预算", "bmjs": "部门决算"}

    def __init__(self, with_section: bool = True):
        self.base_url = ""
        self.with_section = with_section
        self.docs: dict[str, tuple[str, str, str]] = {}     # path -> (title, date, column name)
        n = 0
        for key, name in {**self.COLUMNS, **self.FINANCE}.items():
            if key == "jgzn":
                continue
            for i in range(23 if key == "gfxwj" else 3):
                n += 1
                date = f"2026-{1 + n % 9:02d}-{1 + n % 27:02d}"
                self.docs[f"/xxgk/fdzdgknr/{key}/202601/t2026010{n % 9 + 1}_{1000 + n}.html"] = (
                    f"安平区{name}第{i + 1}号文件", date, name)

    def rows(self, key: str) -> list[str]:
        name = {**self.COLUMNS, **self.FINANCE}[key]
        return [p for p, (_, _, col) in self.docs.items() if col == name]

    def handle(self, req: Request) -> Response | None:
        p = req.path
        if p == "/":
            entry = '<a href="/xxgk/">政府信息公开</a>' if self.with_section else ""
            main = f'<div class="news"><ul><li><a href="/xwzx/1.html">区政府召开常务会议</a><span>2026-11-18</span></li></ul></div>{entry}'
            body = page("首页", main, "/xxgk/" if self.with_section else "/zwfw/")
            return html(body if self.with_section else body.replace("政府信息公开", "政务服务"))
        if p == "/xxgk/":
            main = ('<ul class="xxgk-nav"><li><a href="/xxgk/zn/">政府信息公开指南</a></li>'
                    '<li><a href="/xxgk/zd/">政府信息公开制度</a></li>'
                    '<li><a href="/xxgk/fdzdgknr/">法定主动公开内容</a></li>'
                    '<li><a href="/xxgk/nb/">政府信息公开年报</a></li></ul>')
            return html(page("政府信息公开", main, crumbs=("政府信息公开",)))
        if p in ("/xxgk/zn/", "/xxgk/zd/"):
            name = "政府信息公开指南" if p.endswith("zn/") else "政府信息公开制度"
            return html(page(name, article(name, "2026-01-05", "办公地址：安平区人民路1号。" * 5),
                             crumbs=("政府信息公开", name)))
        if p == "/xxgk/fdzdgknr/":
            items = "".join(f'<li><a href="/xxgk/fdzdgknr/{k}/">{n}</a></li>' for k, n in self.COLUMNS.items())
            main = f'<ul class="sub">{items}<li><a href="/xxgk/fdzdgknr/czxx/">财政信息</a></li></ul>'
            return html(page("法定主动公开内容", main, crumbs=("政府信息公开", "法定主动公开内容")))
        if p == "/xxgk/fdzdgknr/czxx/":
            items = "".join(f'<li><a href="/xxgk/fdzdgknr/{k}/">{n}</a></li>' for k, n in self.FINANCE.items())
            return html(page("财政信息", f'<ul class="sub">{items}</ul>',
                             crumbs=("政府信息公开", "法定主动公开内容", "财政信息")))
        if p == "/xxgk/fdzdgknr/jgzn/":
            return html(page("机构职能", article("安平区人民政府机构职能", "2025-03-01", "负责本区行政管理工作。" * 10),
                             crumbs=("政府信息公开", "法定主动公开内容", "机构职能")))
        if p == "/xxgk/nb/":
            row = '<li><a href="/xxgk/nb/t20260120_9.html">安平区2025年政府信息公开工作年度报告</a><span>2026-01-20</span></li>'
            return html(page("年报", f"<ul>{row}</ul>", crumbs=("政府信息公开", "政府信息公开年报")))
        for key in {**self.COLUMNS, **self.FINANCE}:
            folder = f"/xxgk/fdzdgknr/{key}/"
            if p.startswith(folder) and (p == folder or p.rsplit("/", 1)[-1].startswith("index")):
                rows = self.rows(key)
                pages = max(1, -(-len(rows) // 10))
                n = 0 if p == folder or p.endswith("index.html") else int(p.rsplit("_", 1)[-1].split(".")[0])
                shown = rows[n * 10:(n + 1) * 10]
                items = "".join(f'<dl><dd><a href="{r[len(folder):]}" title="{self.docs[r][0]}">{self.docs[r][0]}</a></dd>'
                                f'<dd>{self.docs[r][1]}</dd></dl>' if key == "zcjd" else
                                f'<li><a href="{r}">{self.docs[r][0]}</a><span>{self.docs[r][1]}</span></li>'
                                for r in shown)
                pager = f'<script>createPageHTML({pages}, {n}, "index", "html");</script>' if pages > 1 else ""
                name = {**self.COLUMNS, **self.FINANCE}[key]
                return html(page(name, f'<ul class="list">{items}</ul>{pager}', crumbs=("政府信息公开", name)))
        if p in self.docs:
            title, date, col = self.docs[p]
            return html(page(title, article(title, date, f"{title}正文。"), crumbs=("政府信息公开", col)))
        return None


def crawl(style: Style, tmp: Path):
    with Testbed(style) as tb:
        db = tmp / "a.db"
        proc = run_cli("check", tb.url, "--db", str(db), "--out", str(tmp / "out"), "--as-of", "2026-11-20",
                       "--no-links")
        assert proc.returncode == 0, proc.stderr[-2000:]
        docs = {d["url"][len(tb.url) - 1:]: d for d in api.export(db, what="documents").rows}
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        columns = [dict(r) for r in conn.execute("select * from columns")]
    return docs, columns


def test_column_tree_of_a_district_site(tmp_path):
    style = DistrictStyle()
    docs, columns = crawl(style, tmp_path)
    # every document of every sub-column, with its column, title and date
    for path, (title, date, col) in style.docs.items():
        assert path in docs, f"{path} ({col}) not stored"
        assert docs[path]["title"] == title and docs[path]["pub_date"] == date
        assert docs[path]["columns"] == [col]
    by_name = {c["name"]: c for c in columns}
    assert by_name["法定主动公开内容"]["kind"] == "category"
    assert by_name["财政信息"]["kind"] == "category"
    assert json.loads(by_name["部门预算"]["path"]) == ["法定主动公开内容", "财政信息", "部门预算"]
    assert by_name["部门预算"]["kind"] == "list" and by_name["部门预算"]["role"] == "column"
    assert by_name["规范性文件"]["rows_stated"] is None and by_name["规范性文件"]["entries"] == 23
    assert by_name["政府信息公开指南"]["kind"] == "single" and by_name["政府信息公开指南"]["role"] == "guide"
    assert by_name["政府信息公开制度"]["role"] == "rules"
    assert by_name["机构职能"]["kind"] == "single"
    assert by_name["政府信息公开年报"]["role"] == "annual_report"
    # site chrome (新闻中心, 互动交流, 网站地图) is not walked as part of the section
    assert not {"新闻中心", "互动交流", "网站地图"} & set(by_name)
    # the result document and the report show the tree as read, with each column's path
    result = json.loads(next((tmp_path / "out").glob("*.json")).read_text("utf-8"))
    tree = {tuple(n["path"]): n for n in result["tree"]}
    assert tree[("法定主动公开内容", "财政信息", "部门预算")]["kind"] == "list"
    assert tree[("法定主动公开内容",)]["kind"] == "category"
    report = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "栏目结构" in report and "法定主动公开内容 › 财政信息 › 部门预算" in report


def test_no_section_link_keeps_the_home_row(tmp_path):
    docs, columns = crawl(DistrictStyle(with_section=False), tmp_path)
    home = [c for c in columns if c["role"] == "home"]
    assert len(home) == 1 and home[0]["status"] == "ok" and home[0]["entries"] == 1
    section = [c for c in columns if c["role"] == "section"]
    assert len(section) == 1 and section[0]["status"] == "missing" and section[0]["url"] != home[0]["url"]
    assert not docs
