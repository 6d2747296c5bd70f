"""A portal on a home-made CMS that no CMS-family profile and not the generic profile can read.

It exists to test *site profiles* (a per-site TOML giving discovery URLs and CSS selectors):
the 政府信息公开 section is reached only through script-driven ``<span data-go>`` buttons,
the columns are only ``<option>`` values of a ``<select>``, list rows are ``<div>`` (no
``<li>``/``<tr>``), the pager is a bare "›", and document pages carry no labels, no
``<h1>`` and no ``<meta>`` block (the ``<title>`` is the site name). It is deliberately NOT
registered in ``testbed.styles.STYLES``; tests build it directly::

    BespokeStyle(build_corpus(seed, scale=...))

URL scheme::

    /                       home page: span.go[data-go] nav (no <a> to the section), news
                            block div.hot (p > a + i date), footer
    /news/{key}.htm         a home-page news item
    /xxgk/                  政府信息公开 section: select#lm (one option per corpus column,
                            value /xxgk/lm/{key}/) and select#gk (指南 / 制度 / 年报 options,
                            each only when the truth has that part)
    /xxgk/lm/{key}/[?p=N]   column page N (page 1 has no query), 12 rows per page, newest
                            first: div.rows > div.row > b (YYYY.MM.DD) + em > a[title]
                            (text cut to 16 chars + "…"); pager a.pg "›" to ?p=N+1 only
                            when a next page exists; an empty column shows div.none 暂无信息
    /xxgk/doc/{key}.htm     document: div.ttl title, ul.info with unlabeled li.c1..c6
                            (索引号, 发布机构, 文号, 成文日期, 发布日期, 有效性), div.txt body,
                            div.rel 相关解读：/相关文件： links (attachments are not rendered)
    /xxgk/zn/               政府信息公开指南 (the guide elements of the truth)
    /xxgk/zd/               政府信息公开制度
    /xxgk/nb/               年报 list, same row format as the columns
    /xxgk/nb/{key}.htm      one annual report (title in div.ttl, pub date in li.c5)
    /bsfw/                  办事服务 (trivial)
    /img/dzjg.png           the 党政机关 badge image

Dates print as YYYY.MM.DD. Everything is deterministic.
"""
from __future__ import annotations

import re
from html import escape

from testbed.corpus import INTERP_LINK_SIDES, Corpus, Doc
from testbed.files import PNG
from testbed.server import Request, Response, Style, html

BADGE = "/img/dzjg.png"
PER_PAGE = 12                   # rows per column page
CUT = 16                        # list anchor text is cut with "…" past this length
#: the li class of each metadata field on a document page (unlabeled, in this order)
INFO_FIELDS = (("c1", "index_no"), ("c2", "publisher"), ("c3", "doc_no"),
               ("c4", "written_date"), ("c5", "pub_date"), ("c6", "validity"))
#: the three 公开 entries of select#gk: (truth part, path, option text)
GK_PARTS = (("guide", "/xxgk/zn/", "政府信息公开指南"), ("rules", "/xxgk/zd/", "政府信息公开制度"),
            ("annual_report", "/xxgk/nb/", "政府信息公开年报"))
NAV_SCRIPT = ("document.querySelectorAll('.go').forEach(function (el) {\n"
              "  el.addEventListener('click', function () { location.href = el.getAttribute('data-go'); });\n"
              "});")


#: the site profile that reads this portal (docs/site-profiles.md shows it; `govaudit demo
#: --style bespoke` uses it)
PROFILE = """\
[site]
reason = "栏目导航由脚本生成：首页“信息公开”入口与栏目列表均无<a>链接，列表与元数据无标签"

[discovery]
section_url = "/xxgk/"
column_links = "select option[value^='/']"

[selectors]
home_row = "div.hot p"
list_row = "div.rows div.row"
next_page = "a.pg"
body = "div.txt"

[selectors.fields]
title = "div.ttl"
index_no = "ul.info li.c1"
publisher = "ul.info li.c2"
doc_no = "ul.info li.c3"
written_date = "ul.info li.c4"
pub_date = "ul.info li.c5"
validity = "ul.info li.c6"
"""


def dotted(d) -> str:
    """A date as printed everywhere on this site: YYYY.MM.DD."""
    return d.strftime("%Y.%m.%d")


def cut(title: str) -> str:
    return title if len(title) <= CUT else title[:CUT] + "…"


class BespokeStyle(Style):
    name = "bespoke"
    badge = BADGE

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        self.news = {key: (title, day) for key, title, day in corpus.site.home_news}
        self.reports = {r[0]: r for r in corpus.site.annual_reports}     # key -> (key, year, pub, title)

    # -- URLs -------------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        """Columns and documents get their URLs (one per document, also when cross-listed).
        Attachments and extra links are not rendered here, so they stay unbound."""
        super().bind(base_url)
        for col in self.corpus.columns:
            col.url = self.base_url + self.col_path(col.key)
        for doc in self.corpus.docs.values():
            doc.url = self.base_url + self.doc_path(doc)

    @staticmethod
    def col_path(key: str) -> str:
        return f"/xxgk/lm/{key}/"

    @staticmethod
    def doc_path(doc: Doc) -> str:
        return f"/xxgk/doc/{doc.key}.htm"

    # -- dispatch ---------------------------------------------------------------------
    def answer_key(self) -> dict:
        """The truth, without the cases this portal does not render (attachments and extra
        links: their LK cases have no URL here)."""
        key = super().answer_key()
        for part in ("violations", "near_misses"):
            key[part] = [v for v in key[part] if v["url"] is not None]
        return key

    def handle(self, req: Request) -> Response | None:
        path, has = req.path, self.corpus.site.sections
        if path == "/":
            return html(self.home())
        if path == BADGE:
            return Response(200, PNG, "image/png")
        if path == "/xxgk/":
            return html(self.section())
        if path == "/bsfw/":
            return html(self.page("办事服务", '<div class="main"><h2>办事服务</h2><p>网上办事请登录政务服务网。</p></div>'))
        if path == "/xxgk/zn/" and has.get("guide", True):
            return html(self.guide())
        if path == "/xxgk/zd/" and has.get("rules", True):
            return html(self.rules())
        if path == "/xxgk/nb/" and has.get("annual_report", True):
            return html(self.report_list())
        if m := re.fullmatch(r"/xxgk/lm/(\w+)/", path):
            page = self.column_page(m.group(1), req.query.get("p", "1"))
            return html(page) if page else None
        if m := re.fullmatch(r"/xxgk/doc/(\w+)\.htm", path):
            doc = self.corpus.docs.get(m.group(1))
            return html(self.document(doc)) if doc else None
        if (m := re.fullmatch(r"/xxgk/nb/(\w+)\.htm", path)) and has.get("annual_report", True):
            report = self.reports.get(m.group(1))
            return html(self.report(*report)) if report else None
        if (m := re.fullmatch(r"/news/(\w+)\.htm", path)) and m.group(1) in self.news:
            return html(self.news_page(*self.news[m.group(1)]))
        return None

    # -- page shell -------------------------------------------------------------------
    def page(self, heading: str | None, main: str, footer: bool = False) -> str:
        """Every page: the <title> is always the site name (never the page's own title)."""
        site = escape(self.corpus.site_name)
        head = f'<div class="where">{escape(heading)}</div>\n' if heading else ""
        foot = "\n" + self.footer() if footer else ""
        return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{site}</title>
</head>
<body>
<div class="top"><div class="logo">{site}</div></div>
{head}{main}{foot}
</body>
</html>
"""

    @staticmethod
    def row(href: str, day, title: str) -> str:
        """One list row (columns and the 年报 list share it)."""
        return (f'<div class="row"><b>{dotted(day)}</b><em><a href="{href}" title="{escape(title)}">'
                f"{escape(cut(title))}</a></em></div>")

    # -- home and section -------------------------------------------------------------
    def home(self) -> str:
        news = "\n".join(f'<p><a href="/news/{key}.htm">{escape(title)}</a><i>{dotted(day)}</i></p>'
                         for key, title, day in self.corpus.site.home_news)
        main = f"""<div class="nav"><span class="go" data-go="/xxgk/">信息公开</span> <span class="go" data-go="/bsfw/">办事服务</span></div>
<script>
{NAV_SCRIPT}
</script>
<div class="hot">
{news}
</div>"""
        return self.page(None, main, footer=True)

    def section(self) -> str:
        has = self.corpus.site.sections
        columns = "\n".join(f'<option value="{self.col_path(c.key)}">{escape(c.name)}</option>'
                            for c in self.corpus.columns)
        parts = "\n".join(f'<option value="{path}">{text}</option>'
                          for part, path, text in GK_PARTS if has.get(part, True))
        main = f"""<div class="main">
<h2>政府信息公开</h2>
<select id="lm" onchange="location.href=this.value">
<option value="">请选择栏目</option>
{columns}
</select>
<select id="gk" onchange="location.href=this.value">
{parts}
</select>
</div>"""
        return self.page(None, main)

    def text_page(self, heading: str, paragraphs: list[str]) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return self.page(heading, f'<div class="main">\n<div class="ttl">{escape(heading)}</div>\n'
                                  f'<div class="txt">\n{body}\n</div>\n</div>')

    def guide(self) -> str:
        return self.text_page("政府信息公开指南", [v for v in self.corpus.site.guide.values() if v])

    def rules(self) -> str:
        return self.text_page("政府信息公开制度", [
            f"{self.corpus.site_name}政府信息公开工作制度",
            "一、政府信息主动公开制度。二、政府信息依申请公开制度。三、政府信息公开保密审查制度。"])

    # -- lists --------------------------------------------------------------------------
    def column_page(self, key: str, p: str) -> str | None:
        """Page ``p`` (1-based) of a column; None (404) for an unknown column or page."""
        col = next((c for c in self.corpus.columns if c.key == key), None)
        if col is None or not p.isdigit() or int(p) < 1:
            return None
        n = int(p)
        docs = self.corpus.docs_in(key)                # newest first, cross-listed ones included
        if not docs:
            if n != 1:
                return None
            rows, pager = '<div class="none">暂无信息</div>', ""
        else:
            chunk = docs[(n - 1) * PER_PAGE: n * PER_PAGE]
            if not chunk:
                return None
            rows = "\n".join(self.row(self.doc_path(d), d.pub_date, d.title) for d in chunk)
            pager = f'\n<a class="pg" href="?p={n + 1}">›</a>' if n * PER_PAGE < len(docs) else ""
        return self.page(col.name, f'<div class="main">\n<div class="rows">{rows}</div>{pager}\n</div>')

    def report_list(self) -> str:
        reports = sorted(self.corpus.site.annual_reports, key=lambda r: r[2], reverse=True)
        rows = "\n".join(self.row(f"/xxgk/nb/{key}.htm", pub, title) for key, _, pub, title in reports)
        return self.page("政府信息公开年报", f'<div class="main">\n<div class="rows">{rows}</div>\n</div>')

    # -- detail pages -------------------------------------------------------------------
    def info_items(self, doc: Doc) -> str:
        """The unlabeled metadata items. A missing value follows ``doc.missing_shown``:
        "omit" (the default here) drops the item, "blank" leaves it empty, any other
        string (无, 〔〕号) is printed as the value."""
        items = []
        for cls, field in INFO_FIELDS:
            value = getattr(doc, field)
            if value is not None and field in ("written_date", "pub_date"):
                value = dotted(value)
            if (text := doc.shown(field, value, "omit")) is None:
                continue
            items.append(f'<li class="{cls}">{escape(text)}</li>')
        return "".join(items)

    def related(self, doc: Doc) -> str:
        """相关文件 (on a 解读, to its document) and 相关解读 (on a document, to its 解读).
        Both sides follow the document's ``interp_links`` setting (one flag per pair)."""
        mode = self.corpus.docs[doc.interprets].interp_links if doc.interprets else doc.interp_links
        out = []
        for (label, key), wanted in zip((("相关解读", doc.interpretation), ("相关文件", doc.interprets)),
                                        INTERP_LINK_SIDES[mode]):
            if key and wanted:
                other = self.corpus.docs[key]
                out.append(f'<div class="rel">{label}：<a href="{self.doc_path(other)}">{escape(other.title)}</a></div>')
        return "\n".join(out)

    def document(self, doc: Doc) -> str:
        # the shared body text (doc.body plus the validity / repeal sentences every style prints)
        body = "\n".join(f"<p>{escape(line)}</p>" for line in self.corpus.full_body(doc).split("\n"))
        related = "\n" + rel if (rel := self.related(doc)) else ""
        main = f"""<div class="main">
<div class="ttl">{escape(doc.title)}</div>
<ul class="info">{self.info_items(doc)}</ul>
<div class="txt">
{body}
</div>{related}
</div>"""
        return self.page(None, main)

    def report(self, key: str, year: int, pub, title: str) -> str:
        main = f"""<div class="main">
<div class="ttl">{escape(title)}</div>
<ul class="info"><li class="c2">{escape(self.corpus.site_name)}</li><li class="c5">{dotted(pub)}</li></ul>
<div class="txt">
<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况　二、主动公开政府信息情况　三、收到和处理政府信息公开申请情况　四、政府信息公开行政复议、行政诉讼情况　五、存在的主要问题及改进情况　六、其他需要报告的事项</p>
</div>
</div>"""
        return self.page(None, main)

    def news_page(self, title: str, day) -> str:
        main = f"""<div class="main">
<div class="ttl">{escape(title)}</div>
<ul class="info"><li class="c5">{dotted(day)}</li></ul>
<div class="txt"><p>{escape(title)}。会议要求，各部门要提高认识，压实责任，确保工作落到实处。</p></div>
</div>"""
        return self.page(None, main)
