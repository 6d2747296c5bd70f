"""S1: a 大汉 Hanweb JCMS-like portal (classic "jpage" lists) serving the corpus.

URL scheme::

    /                                   home page (meta block, nav, news, footer)
    /col/col1000/index.html             政府信息公开 section (指南 1001, 制度 1002, 年报 1003,
                                        法定主动公开内容 -> one link per corpus column)
    /col/col1100|1101|1102/index.html   other nav sections (政务公开, 政务服务, 互动交流)
    /col/col{id}/index.html             corpus column (id 1201…): datastore with the first 45 rows
                                        + a jpage({totalRecord, perPage:15, groupSize:3}) call
    /module/web/jpage/dataproxy.jsp     more rows: POST ?startrecord=&endrecord=&perpage= with the
                                        form body of the jpage script, or GET ?page=N&columnid=…
    /art/{Y}/{M}/{D}/art_{colid}_{n}.html   article (pub date, not zero-padded; primary column)
    /module/download/downfile.jsp?classid=0&filename={md5(key)}.{ext}   attachment
    /images/dzjg.png                    the 党政机关 badge image

The unit id of column ``id`` is ``id + 3210``. Everything is deterministic.
"""
from __future__ import annotations

import hashlib
import re
from html import escape
from urllib.parse import urlsplit

from testbed.corpus import INTERP_LINK_SIDES, Corpus, Doc
from testbed.files import PNG, attachment_response
from testbed.render import (
    HTML5_OPENING, body_html, crumbs_html, date_text, home_main, link_items, page_shell, row_html,
)
from testbed.server import Request, Response, Style, html

SECTION, GUIDE, RULES, REPORTS = 1000, 1001, 1002, 1003
NAV_PAGES = {1100: "政务公开", 1101: "政务服务", 1102: "互动交流"}
FIRST_COLUMN = 1201
UNIT_OFFSET = 3210
PER_PAGE, GROUP_SIZE = 15, 3
EMBEDDED = PER_PAGE * GROUP_SIZE          # rows inline on the column page (and per GET page)
MAX_ROWS = 300                            # the proxy silently cuts bigger ranges
PROXY = "/module/web/jpage/dataproxy.jsp"
DOWNLOAD = "/module/download/downfile.jsp"
ROW_STYLES = ("span", "b", "time", "table")
NO_TITLE_ATTR = "czyjs"                   # this column drops title= but keeps full anchor text
CUT = 18                                  # anchor text is cut with "…" past this length

NEWS = 1100                               # home-page news items are articles of this column
SORRY = "/sorry/"                         # soft-404 pages: 200 with 页面不存在
EXTERNAL_DEAD = "http://www.xxgk-gateway.invalid/"



def doc_number(doc: Doc) -> int:
    return int(re.sub(r"\D", "", doc.key))


class HanwebStyle(Style):
    name = "hanweb"

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        self.col_id, self.col_by_id = self.column_ids(FIRST_COLUMN)
        self.articles: dict[str, Doc] = {}
        self.files: dict[str, tuple[Doc, object]] = {}
        self.news: dict[str, tuple[str, str, object]] = {}       # path -> (key, title, date)
        self.reports: dict[str, tuple[str, int, object, str]] = {}

    # -- URLs -------------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        for col in self.corpus.columns:
            col.url = self.base_url + self.col_path(self.col_id[col.key])
        self.articles.clear()
        self.files.clear()
        for doc in self.corpus.docs.values():
            path = self.art_path(doc)
            self.articles[path] = doc
            doc.url = self.base_url + path
            for att in doc.attachments:
                name = self.file_name(att)
                self.files[name] = (doc, att)
                att.url = f"{self.base_url}{DOWNLOAD}?classid=0&filename={name}"
        site = self.corpus.site
        self.news = {self.dated_path(NEWS, d, i + 1): (k, t, d) for i, (k, t, d) in enumerate(site.home_news)}
        self.reports = {self.dated_path(REPORTS, r[2], 9001 + i): r for i, r in enumerate(site.annual_reports)}
        owners = [(f"d{doc_number(d)}", d.extra_links) for d in self.corpus.docs.values()]
        for owner, links in owners + [("home", site.home_links)]:
            for i, link in enumerate(links):
                link.url = self.link_url(link.target, f"{owner}_{i}")

    @staticmethod
    def dated_path(col_id: int, d, n: int) -> str:
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col_id}_{n}.html"

    def link_url(self, target: str, tag: str) -> str:
        """Where an ExtraLink points (see corpus.ExtraLink.target); every path under ``SORRY``
        answers as a soft 404."""
        return self.extra_link_url(target, dead=f"/art/2019/1/1/art_{FIRST_COLUMN}_{tag}.html",
                                   soft404=f"{SORRY}{tag}.html", external=f"{EXTERNAL_DEAD}{tag}.html")

    @staticmethod
    def col_path(col_id: int) -> str:
        return f"/col/col{col_id}/index.html"

    def art_path(self, doc: Doc) -> str:
        d = doc.pub_date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{self.col_id[doc.column]}_{doc_number(doc)}.html"

    @staticmethod
    def file_name(att) -> str:
        return f"{hashlib.md5(att.key.encode()).hexdigest()}.{att.ext}"

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return html(self.home())
        if path == PROXY:
            return self.dataproxy(req)
        if path == DOWNLOAD:
            return self.download(req)
        if path == "/images/dzjg.png":
            return Response(200, PNG, "image/png")
        m = re.fullmatch(r"/col/col(\d+)/index\.html", path)
        if m:
            page = self.column_page(int(m.group(1)))
            return html(page) if page else None
        if path in self.articles:
            return html(self.article(self.articles[path]))
        if path in self.reports:
            _, year, pub, title = self.reports[path]
            return html(self.annual_report(year, pub.isoformat(), title))
        if path in self.news:
            return html(self.news_page(*self.news[path]))
        if path.startswith(SORRY):
            return html("<html><head><title>提示</title></head><body><div class=\"err\">"
                        "<p>您访问的页面不存在或已被删除！</p><a href=\"/\">返回首页</a></div></body></html>")
        return None

    # -- page shell -------------------------------------------------------------------
    def page(self, title: str, column: str, main: str, extra_meta: dict[str, str] | None = None) -> str:
        meta = {"SiteName": self.corpus.site_name, "SiteDomain": urlsplit(self.base_url).netloc,
                "SiteIDCode": self.site_id_code, "ColumnName": column, "ColumnDescription": column,
                "ColumnKeywords": column, "ColumnType": column, **(extra_meta or {})}
        nav = [("首页", "/"), ("政务公开", self.col_path(1100)), ("政府信息公开", self.col_path(SECTION)),
               ("政务服务", self.col_path(1101)), ("互动交流", self.col_path(1102))]
        return page_shell(HTML5_OPENING, title, meta, "", f'<a href="/">{escape(self.corpus.site_name)}</a>',
                          main, self.footer(), nav)

    @staticmethod
    def crumbs(*links: tuple[str, str | None]) -> str:
        return crumbs_html(links, "bt-position")

    # -- home and section -------------------------------------------------------------
    def home(self) -> str:
        news = "\n".join(f'<li><a href="{path}" title="{escape(t)}" target="_blank">'
                         f"{escape(cut(t))}</a><span>{d}</span></li>" for path, (_, t, d) in self.news.items())
        return self.page(self.corpus.site_name, "首页", home_main(news, link_items(self.corpus.site.home_links)))

    def section(self) -> str:
        has = self.corpus.site.sections
        columns = "\n".join(f'<li><a href="{self.col_path(self.col_id[c.key])}" target="_blank">{escape(c.name)}</a></li>'
                            for c in self.corpus.columns)
        top = "\n".join(f'<li><a href="{self.col_path(cid)}">{name}</a></li>'
                        for part, cid, name in (("guide", GUIDE, "政府信息公开指南"), ("rules", RULES, "政府信息公开制度"))
                        if has.get(part, True))
        statutory = f"""<div class="fdzdgknr">
<div class="xxgk-title"><span>法定主动公开内容</span></div>
<ul>
{columns}
</ul>
</div>""" if has.get("statutory", True) else f"""<div class="zdly"><ul>
{columns}
</ul></div>"""
        reports = (f'<li><a href="{self.col_path(REPORTS)}">政府信息公开年报</a></li>'
                   if has.get("annual_report", True) else "")
        main = f"""{self.crumbs(("首页", "/"), ("政府信息公开", None))}
<div class="xxgk-main">
<div class="xxgk-top"><ul>
{top}
</ul></div>
{statutory}
<div class="xxgk-bottom"><ul>
{reports}
<li><a href="{self.col_path(1102)}">依申请公开</a></li>
</ul></div>
</div>"""
        return self.page(f"政府信息公开_{self.corpus.site_name}", "政府信息公开", main)

    def text_page(self, col_id: int, name: str, paragraphs: list[str]) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        parent = [("政府信息公开", self.col_path(SECTION))] if col_id in (GUIDE, RULES, REPORTS) else []
        main = f"""{self.crumbs(("首页", "/"), *parent, (name, None))}
<div class="main"><h1 class="title">{escape(name)}</h1>
<div id="zoom">
{body}
</div></div>"""
        return self.page(f"{name}_{self.corpus.site_name}", name, main)

    def column_page(self, col_id: int) -> str | None:
        site = self.corpus.site_name
        if col_id == SECTION:
            return self.section()
        if col_id == GUIDE:
            return self.text_page(GUIDE, "政府信息公开指南", [
                "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
                f"一、主动公开。{site}主动公开的政府信息，通过本网站“法定主动公开内容”栏目发布。",
                "属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开。",
                "二、依申请公开。",
                *[v for v in self.corpus.site.guide.values() if v]])
        if col_id == RULES:
            return self.text_page(RULES, "政府信息公开制度", [
                "明湖市政府信息公开工作制度",
                "一、政府信息主动公开制度。二、政府信息依申请公开制度。三、政府信息公开保密审查制度。",
                "四、政府信息公开考核评议制度。五、政府信息公开社会评议和责任追究制度。"])
        if col_id == REPORTS:
            rows = "\n".join(
                f'<li><a href="{path}" target="_blank">{escape(title)}</a><span>{pub}</span></li>'
                for path, (_, year, pub, title) in sorted(self.reports.items(), key=lambda kv: kv[1][2], reverse=True))
            main = f"""{self.crumbs(("首页", "/"), ("政府信息公开", self.col_path(SECTION)), ("政府信息公开年报", None))}
<div class="main"><ul class="list">
{rows}
</ul></div>"""
            return self.page(f"政府信息公开年报_{site}", "政府信息公开年报", main)
        if col_id in NAV_PAGES:
            name = NAV_PAGES[col_id]
            links = (f'<ul><li><a href="{self.col_path(SECTION)}">政府信息公开</a></li></ul>' if col_id == 1100
                     else '<div class="empty">暂无信息</div>')
            main = f"""{self.crumbs(("首页", "/"), (name, None))}
<div class="main">{links}</div>"""
            return self.page(f"{name}_{site}", name, main)
        if col_id in self.col_by_id:
            return self.list_page(col_id)
        return None

    # -- lists --------------------------------------------------------------------------
    def row(self, column_key: str, doc: Doc) -> str:
        style = ROW_STYLES[[c.key for c in self.corpus.columns].index(column_key) % len(ROW_STYLES)]
        if column_key == NO_TITLE_ATTR:
            anchor = f'<a href="{self.art_path(doc)}" target="_blank">{escape(doc.title)}</a>'
        else:
            anchor = (f'<a href="{self.art_path(doc)}" title="{escape(doc.title)}" target="_blank">'
                      f"{escape(cut(doc.title))}</a>")
        kind, form = {"span": ("li_span", "iso"), "b": ("li_b", "iso"), "time": ("li_time", "split")}.get(
            style, ("tr", "bracket"))
        return row_html(kind, anchor, date_text(doc.pub_date, form))

    def records(self, column_key: str, start: int, end: int) -> str:
        """CDATA records for rows start..end (1-based, inclusive)."""
        docs = self.corpus.docs_in(column_key)[start - 1:end]
        return "\n".join(f"<record><![CDATA[{self.row(column_key, d)}]]></record>" for d in docs)

    def list_page(self, col_id: int) -> str:
        col = self.col_by_id[col_id]
        unit = col_id + UNIT_OFFSET
        if col.key in self.corpus.site.empty_columns:
            return self.page(f"{col.name}_{self.corpus.site_name}", col.name, f"""{self.crumbs(("首页", "/"), ("政府信息公开", self.col_path(SECTION)), (col.name, None))}
<div class="main"><div class="right-list"><h2>{escape(col.name)}</h2><div class="empty">暂无信息</div></div></div>""")
        total = len(col.docs)
        site = self.corpus.site_name
        nextgroup = (f'<a href="{PROXY}?page=1&webid=1&path=/&columnid={col_id}&unitid={unit}'
                     f'&webname={site}&permissiontype=0"></a>')
        siblings = "\n".join(f'<li><a href="{self.col_path(self.col_id[c.key])}">{escape(c.name)}</a></li>'
                             for c in self.corpus.columns)
        main = f"""{self.crumbs(("首页", "/"), ("政府信息公开", self.col_path(SECTION)), ("法定主动公开内容", None), (col.name, None))}
<div class="main">
<div class="left-menu"><h3>法定主动公开内容</h3><ul>
{siblings}
</ul></div>
<div class="right-list"><h2>{escape(col.name)}</h2>
<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{self.records(col.key, 1, EMBEDDED)}
</recordset>
</datastore></script></div>
<script type="text/javascript">
$('#{unit}').jpage({{totalRecord:{total}, perPage:{PER_PAGE}, groupSize:{GROUP_SIZE}, proxyUrl:'{PROXY}', dataStore:'#{unit}', barPosition:'bottom', ajaxParam:{{col:1, webid:1, path:'/', columnid:{col_id}, sourceContentType:1, unitid:'{unit}', webname:'{site}', permissiontype:0}}}});
</script>
</div>
</div>"""
        return self.page(f"{col.name}_{site}", col.name, main)

    def dataproxy(self, req: Request) -> Response:
        empty = '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset/></datastore>'
        try:
            col = self.col_by_id.get(int(req.param("columnid") or 0))
            unit = int(req.param("unitid") or 0)
            if req.param("startrecord") is not None:
                start, end = int(req.param("startrecord")), int(req.param("endrecord") or 0)
            else:
                page = int(req.param("page") or 1)
                start, end = (page - 1) * EMBEDDED + 1, page * EMBEDDED
        except ValueError:
            return xml(empty)
        if col is None or unit != self.col_id[col.key] + UNIT_OFFSET or not req.headers.get("referer"):
            return xml(empty)
        start = max(start, 1)
        end = min(end, start + MAX_ROWS - 1, len(col.docs))
        total = len(col.docs)
        head = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{total}</totalrecord>'
                f"<totalpage>{-(-total // PER_PAGE)}</totalpage>")
        if start > end:
            return xml(head + "<recordset/></datastore>")
        return xml(f"{head}<recordset>\n{self.records(col.key, start, end)}\n</recordset></datastore>")

    # -- articles -----------------------------------------------------------------------
    def info_rows(self, doc: Doc) -> str:
        n = doc_number(doc)
        colon = "：" if n % 3 else ""
        values = [
            ("索引号", "index_no", doc.index_no), ("组配分类", None, doc.category),
            ("发布机构", "publisher", doc.publisher),
            ("生成日期", "written_date", doc.written_date.isoformat() if doc.written_date else None),
            ("文件编号", "doc_no", doc.doc_no),
        ]
        if doc.kind == "normative":
            values.append(("统一编号", None, f"MHSD{(doc.written_date or doc.pub_date).year}-{n:04d}"))
        values += [("有效性", "validity", doc.validity), ("发布日期", None, doc.pub_date.isoformat())]
        cells = []
        for label, field, value in values:
            if (value := doc.shown(field, value)) is not None:
                cells.append(f'<td class="label">{label}{colon}</td><td>{escape(value)}</td>')
        rows = ["".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]
        return "\n".join(f"<tr>{r}</tr>" for r in rows)

    def article(self, doc: Doc) -> str:
        n = doc_number(doc)
        col = self.corpus.column(doc.column)
        col_id = self.col_id[col.key]
        pub = f"{doc.pub_date.isoformat()} {8 + n % 10:02d}:{n * 7 % 60:02d}"
        body = body_html(self.corpus, doc)
        extras = []
        if doc.attachments:
            links = "\n".join(f'<p><a href="{DOWNLOAD}?classid=0&amp;filename={self.file_name(a)}" target="_blank">'
                              f"{escape(a.name)}</a></p>" for a in doc.attachments)
            extras.append(f'<div class="fj"><span>附件：</span>\n{links}\n</div>')
        for (label, key), wanted in zip((("相关解读", doc.interpretation), ("相关文件", doc.interprets)),
                                        INTERP_LINK_SIDES[self.interp_links_of(doc)]):
            if key and wanted:
                other = self.corpus.docs[key]
                extras.append(f'<div class="xgwj">{label}：<a href="{self.art_path(other)}" target="_blank">'
                              f"{escape(other.title)}</a></div>")
        extra = "\n".join(extras)
        main = f"""{self.crumbs(("首页", "/"), ("政府信息公开", self.col_path(SECTION)), (col.name, self.col_path(col_id)))}
<div class="main">
<div class="xxgk-info"><table class="xxgk_table" cellspacing="0" cellpadding="0">
{self.info_rows(doc)}
</table></div>
<div class="article">
<h1 class="title">{escape(doc.title)}</h1>
<div class="info"><span>发布时间：{pub}</span>　<span>信息来源：{escape(doc.publisher or "")}</span>　<span>字体：[大 中 小]</span></div>
<div id="zoom"><meta name="ContentStart">
{body}
<meta name="ContentEnd"></div>
{extra}
</div>
</div>"""
        meta = {"ArticleTitle": doc.title, "PubDate": pub, "ContentSource": doc.publisher or "",
                "Keywords": "", "Url": doc.url or ""}
        return self.page(f"{doc.title}_{col.name}_{self.corpus.site_name}", col.name, main, meta)

    def interp_links_of(self, doc: Doc) -> str:
        """A 解读 follows its document's ``interp_links`` setting (one flag per pair)."""
        return self.corpus.docs[doc.interprets].interp_links if doc.interprets else doc.interp_links

    def news_page(self, key: str, title: str, day) -> str:
        main = f"""{self.crumbs(("首页", "/"), ("政务要闻", None))}
<div class="main"><h1 class="title">{escape(title)}</h1>
<div class="info"><span>发布时间：{day} 10:00</span></div>
<div id="zoom"><p>{escape(title)}。会议要求，各部门要提高认识，压实责任，确保工作落到实处。</p></div></div>"""
        return self.page(f"{title}_{self.corpus.site_name}", "政务要闻", main,
                         {"ArticleTitle": title, "PubDate": f"{day} 10:00"})

    def annual_report(self, year: int, pub: str, title: str) -> str:
        main = f"""{self.crumbs(("首页", "/"), ("政府信息公开", self.col_path(SECTION)), ("政府信息公开年报", self.col_path(REPORTS)))}
<div class="main"><h1 class="title">{escape(title)}</h1>
<div class="info"><span>发布时间：{pub} 09:00</span></div>
<div id="zoom"><meta name="ContentStart">
<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况　二、主动公开政府信息情况　三、收到和处理政府信息公开申请情况　四、政府信息公开行政复议、行政诉讼情况　五、存在的主要问题及改进情况　六、其他需要报告的事项</p>
<meta name="ContentEnd"></div></div>"""
        meta = {"ArticleTitle": title, "PubDate": f"{pub} 09:00", "ContentSource": self.corpus.site_name}
        return self.page(f"{title}_{self.corpus.site_name}", "政府信息公开年报", main, meta)

    # -- attachments --------------------------------------------------------------------
    def download(self, req: Request) -> Response | None:
        found = self.files.get(req.param("filename") or "")
        if not found:
            return None
        doc, att = found
        return attachment_response(att, f"{doc.title}\n{att.name}",
                                   html("<html><body><h3>系统繁忙，请稍后再试</h3></body></html>"),
                                   {"Content-Disposition": f'attachment; filename="{self.file_name(att)}"'})


def cut(title: str) -> str:
    return title if len(title) <= CUT else title[:CUT] + "…"


def xml(body: str) -> Response:
    return Response(200, body, "text/xml; charset=utf-8")
