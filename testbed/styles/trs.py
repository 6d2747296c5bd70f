"""S2: a 拓尔思 TRS WCM-like static portal, GBK, serving the corpus.

URL scheme (pinyin directories, TRS static publishing)::

    /                                         home (nav, dated news, links, search form, footer)
    /zwgk/                                    政务公开 nav page
    /zwgk/zfxxgk/                             政府信息公开 section (指南, 制度, 法定主动公开内容, 年报)
    /zwgk/zfxxgk/{zfxxgkzn,zfxxgkzd}/         指南 / 制度 pages
    /zwgk/zfxxgk/zfxxgknb/                    年报 list; reports at ./YYYYMM/tYYYYMMDD_{id}.htm
    /zwgk/zfxxgk/fdzdgknr/                    法定主动公开内容 overview
    /zwgk/zfxxgk/fdzdgknr/{dir}/              a corpus column: index.html, index_1.html … (20 rows);
                                              index_n.html -> 404, index_{n+3}.html -> 200 stub
    /zwgk/zfxxgk/fdzdgknr/{dir}/YYYYMM/tYYYYMMDD_{docid}.htm|.shtml   document (primary column)
    /zwgk/zfxxgk/fdzdgknr/{dir}/YYYYMM/P0{YYYYMMDD}{12 digits}.pdf|W0….xls   attachment
    /Upload/File/{YYYY}/{YYYYMMDD}{docid}{n}.{ext}  legacy attachment root (the 2-byte ones)
    POST /fjdzapp/search                      "动静结合" JSON rows (channelid, classsql, page, prepage)
    /interface/relnews/{docid}.json           JSON behind the JS-only 解读 sidebar
    /generic/web/viewer.html?file=…ofd        the 全真版 OFD viewer (iframe)
    /govsearch/simp_gov_list.jsp?sword=       site search: answers any query, pages never end (trap)
    /zwdt/zwyw/                               home news list; items at ./YYYYMM/tYYYYMMDD_{id}.htm

Charset: every HTML page is sent as ``Content-Type: text/html`` with no charset. Pages declare
``charset=gb2312`` but are encoded GB18030 and the 行政执法 documents carry 喆 (outside GB2312);
the 人事信息 column and its documents are UTF-8 and say so in their own ``<meta>``.

Pagers per column: real ``<a>`` links, a ``createPageHTML(n, cur, "index", "html")`` call only,
or a hand-written ``var countPage`` + ``document.write`` loop. 政策文件 is "动静结合" as Fujian
templates build it: its ``index.html`` holds five static pages of 10 ``<dl><dd>`` rows switched
client-side by ``$showStatic(n)``, configured by ``pageChnlInfo = {recordCount:'…', prepage:15,
maxStaticIndex:5, classsql: "" || "chnlid=N"}`` with the search channel in ``SiteInfo.searchId``;
the rest only through ``POST /fjdzapp/search`` (prepage 15) as its avalon script does. 规范性文件 lists as a 名称 | 索引号 | 发布机构 | 发布日期 table; cross-listed documents link
to their primary column with ``../../fdzdgknr/{dir}/…`` paths. Everything is deterministic.
"""
from __future__ import annotations

import math
import re
from html import escape
from urllib.parse import quote, urlsplit

from testbed.corpus import Corpus, Doc
from testbed.render import JQUERY_TAG, TRS_PAGE_JS, crumbs_html, link_items, page_shell
from testbed.server import Request, Response, Style, json_response
from testbed.files import PNG, attachment_response

SITE_ID = "13"
SECTION = "/zwgk/zfxxgk/"
FDZDGKNR = SECTION + "fdzdgknr/"
GUIDE, RULES, REPORTS = SECTION + "zfxxgkzn/", SECTION + "zfxxgkzd/", SECTION + "zfxxgknb/"
NEWS = "/zwdt/zwyw/"
SEARCH = "/govsearch/simp_gov_list.jsp"
API = "/fjdzapp/search"
RELNEWS = "/interface/relnews/"
VIEWER = "/generic/web/viewer.html"
LEGACY = "/Upload/File/"
PAGE_SIZE = 20
#: the "动静结合" column: static pages, their size, and the JSON endpoint's page size
DYNAMIC, MAX_STATIC, STATIC_SIZE, PREPAGE = "zcwj", 5, 10, 15
SEARCH_CHANNEL = "263"
TABLE_COLUMN = "gfxwj"          # rows as the 4-column 信息公开 table
UTF8_COLUMN = "rsxx"            # served in UTF-8
SHTML_COLUMN = "ghjh"           # documents end in .shtml
EDITOR_COLUMN = "xzzf"          # documents name an editor outside GB2312 (喆)
EDITOR = "责任编辑：张喆"
COLLISION = {"jytabl": "jytabl_4823"}     # pinyin directory with a numeric collision suffix
PAGERS = ("links", "create", "countpage")
FIRST_CHANNEL = 1780
CUT = 24

GBK_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
UTF8_META = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'

AVALON_JS = "/* avalon.js 1.x (stub for the testbed) */ var avalon = {define: function (o) { return o; }};\n"
JQUERY_JS = "/* jQuery (stub for the testbed) */ var $ = function () { return {}; }; $.ajax = $.getJSON = function () {};\n"
XHTML_OPENING = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                 '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                 '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>')
SEARCH_FORM = (f'<form class="search" action="{SEARCH}" method="get" target="_blank"><input type="text" name="sword" '
               'value=""><input type="hidden" name="searchColumn" value="biaoti"><input type="submit" value="搜索"></form>')
NAV = (("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开", SECTION), ("政务服务", "/bsfw/"), ("互动交流", "/hdjl/"))
ASSETS = {"/js/page.js": TRS_PAGE_JS, "/js/avalon.js": AVALON_JS, "/js/jquery.min.js": JQUERY_JS}


def doc_number(doc: Doc) -> int:
    return int(re.sub(r"\D", "", doc.key))


def cut(title: str) -> str:
    return title if len(title) <= CUT else title[:CUT] + "…"


def gbk_page(text: str, status: int = 200) -> Response:
    """An HTML page encoded GB18030 (declared gb2312), no charset in the HTTP header."""
    return Response(status, text.encode("gb18030"), "text/html")


def utf8_page(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), "text/html")


class TrsStyle(Style):
    name = "trs"

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        keys = [c.key for c in corpus.columns]
        self.dirs = {k: COLLISION.get(k, k) for k in keys}
        self.by_dir = {v: k for k, v in self.dirs.items()}
        self.channel = {k: FIRST_CHANNEL + i for i, k in enumerate(keys)}
        others = [k for k in keys if k != DYNAMIC]
        self.pager_kind = {k: PAGERS[i % len(PAGERS)] for i, k in enumerate(others)}
        self.pages: dict[str, tuple[str, object]] = {}     # path -> ("doc"|"report"|"news", item)
        self.files: dict[str, tuple[Doc, object]] = {}     # path -> (doc, attachment)

    # -- URLs -------------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        self.pages.clear()
        self.files.clear()
        for col in self.corpus.columns:
            col.url = self.base_url + self.col_path(col.key)
        for doc in self.corpus.docs.values():
            path = self.doc_path(doc)
            self.pages[path] = ("doc", doc)
            doc.url = self.base_url + path
            for i, att in enumerate(doc.attachments):
                apath = self.file_path(doc, att, i)
                self.files[apath] = (doc, att)
                att.url = self.base_url + apath
        for doc in self.corpus.docs.values():
            for i, link in enumerate(doc.extra_links):
                link.url = self.extra_url(doc.key, i, link.target)
        for i, link in enumerate(self.corpus.site.home_links):
            link.url = self.extra_url("home", i, link.target)
        for i, (key, _title, day) in enumerate(self.corpus.site.home_news):
            self.pages[self.dated_path(NEWS, day, 70001 + i)] = ("news", i)
        for i, report in enumerate(self.corpus.site.annual_reports):
            self.pages[self.dated_path(REPORTS, report[2], 90001 + i)] = ("report", report)

    def col_path(self, key: str) -> str:
        return f"{FDZDGKNR}{self.dirs[key]}/"

    @staticmethod
    def docid(doc: Doc) -> int:
        return 84000 + doc_number(doc)

    @staticmethod
    def dated_path(folder: str, day, docid: int, ext: str = "htm") -> str:
        return f"{folder}{day:%Y%m}/t{day:%Y%m%d}_{docid}.{ext}"

    def doc_path(self, doc: Doc) -> str:
        ext = "shtml" if doc.column == SHTML_COLUMN else "htm"
        return self.dated_path(self.col_path(doc.column), doc.pub_date, self.docid(doc), ext)

    def file_path(self, doc: Doc, att, i: int) -> str:
        day = doc.pub_date
        if att.state == "tiny":       # legacy upload root, as on old TRS sites
            return f"{LEGACY}{day:%Y}/{day:%Y%m%d}{self.docid(doc)}{i}.{att.ext}"
        prefix = "W0" if att.ext in ("xls", "xlsx", "jpg", "png") else "P0"
        return f"{self.col_path(doc.column)}{day:%Y%m}/{prefix}{day:%Y%m%d}{self.docid(doc):08d}{i + 1:04d}.{att.ext}"

    def extra_url(self, owner: str, i: int, target: str) -> str:
        return self.extra_link_url(target, dead=f"/zwgk/old/{owner}_{i}.htm", soft404=f"/zwgk/ztzl/{owner}_{i}/index.html",
                                   external=f"http://www.xxgk-gateway.invalid/zwgk/{owner}_{i}.htm")

    def rel(self, from_path: str, to_path: str) -> str:
        """A relative href from one page to another (TRS publishes relative links)."""
        src, dst = from_path.split("/")[1:-1], to_path.split("/")[1:]
        common = 0
        while common < min(len(src), len(dst) - 1) and src[common] == dst[common]:
            common += 1
        up = len(src) - common
        return ("../" * up or "./") + "/".join(dst[common:])

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        path = req.path
        if path in ("/", "/index.html", "/index.htm"):
            return gbk_page(self.home())
        if path == API:
            return self.api(req)
        if path == SEARCH:
            return gbk_page(self.search(req))
        if path in ASSETS:
            return Response(200, ASSETS[path].encode("utf-8"), "application/javascript")
        if path == "/images/dzjg.png":
            return Response(200, PNG, "image/png")
        if path == VIEWER:
            return utf8_page(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>OFD阅读器</title></head>'
                             f'<body><div id="viewer" data-file="{escape(req.query.get("file", ""))}"></div></body></html>')
        if path.startswith(RELNEWS):
            return self.relnews(path)
        if path in self.files:
            return self.download(path)
        if path in self.soft404:
            return gbk_page(self.not_found_stub())
        if path in self.pages:
            kind, item = self.pages[path]
            if kind == "doc":
                return self.encode(item.column, self.document(item, path))
            if kind == "report":
                return gbk_page(self.report(item, path))
            return gbk_page(self.news_item(item, path))
        m = re.fullmatch(r"(/.*/)index(?:_(\d+))?\.html", path)
        folder, page = (m.group(1), int(m.group(2) or 0)) if m else (path, 0)
        if m and m.group(2) == "0":
            return None
        return self.folder_page(folder, page)

    def folder_page(self, folder: str, page: int) -> Response | None:
        simple = {"/zwgk/": self.zwgk, SECTION: self.section, FDZDGKNR: self.fdzdgknr, GUIDE: self.guide,
                  RULES: self.rules, REPORTS: self.reports, NEWS: self.news_list,
                  "/bsfw/": lambda: self.nav_page("政务服务"), "/hdjl/": lambda: self.nav_page("互动交流")}
        if folder in simple:
            return gbk_page(simple[folder]()) if page == 0 else None
        m = re.fullmatch(re.escape(FDZDGKNR) + r"([\w]+)/", folder)
        key = self.by_dir.get(m.group(1)) if m else None
        if key is None:
            return None
        pages = self.page_count(key)
        if page < pages:
            return self.encode(key, self.column_page(key, page))
        if page == pages + 3:
            return gbk_page(self.not_found_stub())
        return None

    def encode(self, column_key: str, text: str) -> Response:
        return utf8_page(text) if column_key == UTF8_COLUMN else gbk_page(text)

    # -- page shell -------------------------------------------------------------------
    def shell(self, title: str, column: str, main: str, *, utf8: bool = False,
              meta: dict[str, str] | None = None, head: str = "") -> str:
        metas = {"SiteName": self.corpus.site_name, "SiteDomain": urlsplit(self.base_url).netloc,
                 "SiteIDCode": self.site_id_code, "SiteId": SITE_ID, "ColumnName": column,
                 "ColumnDescription": column, "ColumnKeywords": column, "ColumnType": column, **(meta or {})}
        return page_shell(f"{XHTML_OPENING}\n{UTF8_META if utf8 else GBK_META}", title, metas, JQUERY_TAG + head,
                          f'<a href="/">{escape(self.corpus.site_name)}</a>', main, self.footer(), NAV, SEARCH_FORM)

    @staticmethod
    def crumbs(*links: tuple[str, str | None]) -> str:
        return crumbs_html(links, "position")

    def not_found_stub(self) -> str:
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                "<title>页面不存在</title></head><body><p>对不起，您访问的页面不存在或已被删除！</p>"
                '<p><a href="/">返回首页</a></p></body></html>')

    # -- home, nav and section ----------------------------------------------------------
    def home(self) -> str:
        news = "\n".join(
            f'<li><a href="{self.dated_path(NEWS, day, 70001 + i)}" title="{escape(title)}" target="_blank">'
            f"{escape(cut(title))}</a><span>{day:%Y-%m-%d}</span></li>"
            for i, (_key, title, day) in enumerate(self.corpus.site.home_news))
        links = link_items(self.corpus.site.home_links)
        main = f"""<div class="main">
<div class="news"><div class="hd"><h3>政务要闻</h3><a class="more" href="{NEWS}">更多</a></div><ul>
{news}
</ul></div>
<div class="xxgk-entry"><a href="{SECTION}"><img src="/images/dzjg.png" alt="政府信息公开专栏"></a></div>
{f'<div class="links"><h3>专题专栏</h3><ul>{links}</ul></div>' if links else ""}
</div>"""
        return self.shell(self.corpus.site_name, "首页", main)

    def nav_page(self, name: str) -> str:
        main = f"""{self.crumbs(("首页", "/"), (name, None))}
<div class="main"><div class="empty">暂无信息</div></div>"""
        return self.shell(f"{name}_{self.corpus.site_name}", name, main)

    def zwgk(self) -> str:
        main = f"""{self.crumbs(("首页", "../"), ("政务公开", None))}
<div class="main"><ul><li><a href="./zfxxgk/">政府信息公开</a></li></ul></div>"""
        return self.shell(f"政务公开_{self.corpus.site_name}", "政务公开", main)

    def column_links(self, from_path: str) -> str:
        return "\n".join(f'<li><a href="{self.rel(from_path, self.col_path(c.key))}" target="_blank">'
                         f"{escape(c.name)}</a></li>" for c in self.corpus.columns)

    def section(self) -> str:
        s = self.corpus.site.sections
        here = SECTION + "index.html"
        top = []
        if s.get("guide", True):
            top.append('<li><a href="./zfxxgkzn/">政府信息公开指南</a></li>')
        if s.get("rules", True):
            top.append('<li><a href="./zfxxgkzd/">政府信息公开制度</a></li>')
        blocks = [f'<div class="xxgk-top"><ul>\n{chr(10).join(top)}\n</ul></div>'] if top else []
        if s.get("statutory", True):
            blocks.append(f"""<div class="fdzdgknr">
<div class="xxgk-title"><h3>法定主动公开内容</h3></div>
<ul>
{self.column_links(here)}
</ul>
</div>""")
        if s.get("annual_report", True):
            blocks.append('<div class="xxgk-bottom"><ul><li><a href="./zfxxgknb/">政府信息公开年报</a></li></ul></div>')
        main = f"""{self.crumbs(("首页", "../../"), ("政府信息公开", None))}
<div class="xxgk-main">
{chr(10).join(blocks)}
</div>"""
        return self.shell(f"政府信息公开_{self.corpus.site_name}", "政府信息公开", main)

    def fdzdgknr(self) -> str:
        main = f"""{self.crumbs(("首页", "../../../"), ("政府信息公开", "../"), ("法定主动公开内容", None))}
<div class="main"><ul>
{self.column_links(FDZDGKNR + "index.html")}
</ul></div>"""
        return self.shell(f"法定主动公开内容_{self.corpus.site_name}", "法定主动公开内容", main)

    def text_page(self, name: str, paragraphs: list[str]) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        main = f"""{self.crumbs(("首页", "../../../"), ("政府信息公开", "../"), (name, None))}
<div class="main"><h1 class="title">{escape(name)}</h1>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{body}
</div></div>"""
        return self.shell(f"{name}_{self.corpus.site_name}", name, main)

    def guide(self) -> str:
        site = self.corpus.site_name
        elements = [v for v in self.corpus.site.guide.values() if v]
        return self.text_page("政府信息公开指南", [
            "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
            f"一、主动公开。{site}主动公开的政府信息，通过本网站“法定主动公开内容”栏目发布。",
            "属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开。",
            "二、依申请公开。", *elements])

    def rules(self) -> str:
        return self.text_page("政府信息公开制度", [
            f"{self.corpus.site_name}政府信息公开工作制度",
            "一、政府信息主动公开制度。二、政府信息依申请公开制度。三、政府信息公开保密审查制度。",
            "四、政府信息公开考核评议制度。五、政府信息公开社会评议和责任追究制度。"])

    def reports(self) -> str:
        rows = "\n".join(
            f'<li><a href="{self.rel(REPORTS + "index.html", self.dated_path(REPORTS, pub, 90001 + i))}" '
            f'title="{escape(title)}" target="_blank">{escape(title)}</a><span>{pub:%Y-%m-%d}</span></li>'
            for i, (_key, _year, pub, title) in enumerate(self.corpus.site.annual_reports))
        main = f"""{self.crumbs(("首页", "../../../"), ("政府信息公开", "../"), ("政府信息公开年报", None))}
<div class="main"><ul class="list">
{rows or '<li class="empty">暂无信息</li>'}
</ul></div>"""
        return self.shell(f"政府信息公开年报_{self.corpus.site_name}", "政府信息公开年报", main)

    def report(self, report, path: str) -> str:
        _key, year, pub, title = report
        main = f"""{self.crumbs(("首页", "../../../../"), ("政府信息公开", "../../"), ("政府信息公开年报", "../"))}
<div class="main">
<div class="index_box"><ul>
<li>标&ensp;&ensp;题：<font>{escape(title)}</font></li>
<li>发布机构：<font>{escape(self.corpus.site_name)}办公室</font></li>
<li>发布日期：<font>{pub:%Y-%m-%d}</font></li>
</ul></div>
<h1 class="title">{escape(title)}</h1>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>
</div></div>"""
        meta = {"ArticleTitle": title, "PubDate": f"{pub:%Y-%m-%d} 09:00", "ContentSource": self.corpus.site_name,
                "DocId": path.rsplit("_", 1)[1].split(".")[0]}
        return self.shell(f"{title}_{self.corpus.site_name}", "政府信息公开年报", main, meta=meta)

    def news_list(self) -> str:
        rows = "\n".join(
            f'<li><a href="./{day:%Y%m}/t{day:%Y%m%d}_{70001 + i}.htm" title="{escape(title)}" target="_blank">'
            f"{escape(title)}</a><span>{day:%Y-%m-%d}</span></li>"
            for i, (_key, title, day) in enumerate(self.corpus.site.home_news))
        main = f"""{self.crumbs(("首页", "../../"), ("政务要闻", None))}
<div class="main"><ul class="list">
{rows or '<li class="empty">暂无信息</li>'}
</ul></div>"""
        return self.shell(f"政务要闻_{self.corpus.site_name}", "政务要闻", main)

    def news_item(self, i: int, path: str) -> str:
        _key, title, day = self.corpus.site.home_news[i]
        main = f"""{self.crumbs(("首页", "../../../"), ("政务要闻", "../"))}
<div class="main"><h1 class="title">{escape(title)}</h1>
<div class="info"><span>发布时间：{day:%Y-%m-%d} 10:00</span></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web"><p>{escape(title)}。会议强调，要提高政治站位，压实工作责任。</p></div></div>"""
        meta = {"ArticleTitle": title, "PubDate": f"{day:%Y-%m-%d} 10:00", "DocId": str(70001 + i)}
        return self.shell(f"{title}_{self.corpus.site_name}", "政务要闻", main, meta=meta)

    # -- column lists -------------------------------------------------------------------
    def page_size(self, key: str) -> int:
        return STATIC_SIZE if key == DYNAMIC else PAGE_SIZE

    def page_count(self, key: str) -> int:
        """Number of static list pages (at least 1, even for an empty column). The "动静结合"
        column has one: its static pages are blocks of its ``index.html``."""
        n = max(1, math.ceil(len(self.corpus.column(key).docs) / self.page_size(key)))
        return 1 if key == DYNAMIC else n

    def static_blocks(self, key: str, docs: list[Doc]) -> str:
        """The "动静结合" column's static pages, all in one page and switched by ``$showStatic(n)``
        (Fujian template): ``<dl><dd><a>title</a></dd><dd>date</dd></dl>`` rows."""
        blocks = []
        for i in range(MAX_STATIC):
            part = docs[i * STATIC_SIZE:(i + 1) * STATIC_SIZE]
            if not part:
                break
            rows = "\n".join(
                f'<dl><dd><a href="{self.href(key, d)}" title="{escape(d.title)}" target="_blank">'
                f"{escape(cut(d.title))}</a></dd><dd>{d.pub_date:%Y-%m-%d}</dd></dl>" for d in part)
            shown = "" if i == 0 else ' style="display:none"'
            blocks.append(f'<div class="list_con" ms-visible="staticIndex == {i}"{shown}>\n{rows}\n</div>')
        return "\n".join(blocks)

    def href(self, key: str, doc: Doc) -> str:
        """A list row's link from the column page: ./YYYYMM/… in the primary column, else
        ../../fdzdgknr/{dir}/YYYYMM/… (cross-listed)."""
        path = self.doc_path(doc)
        if doc.column == key:
            return "./" + path[len(self.col_path(key)):]
        return "../../fdzdgknr/" + path[len(FDZDGKNR):]

    def rows(self, key: str, docs: list[Doc]) -> str:
        if key == TABLE_COLUMN:
            body = "\n".join(
                f'<tr><td class="mc"><a href="{self.href(key, d)}" title="{escape(d.title)}" target="_blank">'
                f"{escape(cut(d.title))}</a></td><td>{escape(d.index_no or '')}</td>"
                f"<td>{escape(d.publisher or '')}</td><td>{d.pub_date:%Y-%m-%d}</td></tr>" for d in docs)
            return (f'<table class="xxgk_table" width="100%">\n<tr><th>名称</th><th>索引号</th><th>发布机构</th>'
                    f"<th>发布日期</th></tr>\n{body}\n</table>")
        body = "\n".join(
            f'<li><a href="{self.href(key, d)}" title="{escape(d.title)}" target="_blank">{escape(cut(d.title))}</a>'
            f'<em id="rel_{self.docid(d)}"></em><span>{d.pub_date:%Y-%m-%d}</span></li>' for d in docs)
        return f'<ul class="list">\n{body}\n</ul>'

    def pager(self, key: str, page: int) -> str:
        n = self.page_count(key)
        kind = self.pager_kind.get(key)
        if kind == "links":
            if n <= 1:
                return '<div class="page"><span>共1页</span></div>'
            name = lambda i: "index.html" if i == 0 else f"index_{i}.html"  # noqa: E731
            parts = [f'<a href="{name(0)}">首页</a>']
            if page > 0:
                parts.append(f'<a href="{name(page - 1)}">上一页</a>')
            parts += [f"<span>{i + 1}</span>" if i == page else f'<a href="{name(i)}">{i + 1}</a>' for i in range(n)]
            if page < n - 1:
                parts.append(f'<a href="{name(page + 1)}">下一页</a>')
            parts.append(f'<a href="{name(n - 1)}">尾页</a>')
            return f'<div class="page">{" ".join(parts)} <span>共{n}页</span></div>'
        if kind == "create":
            return f'<div class="page"><script type="text/javascript">createPageHTML({n}, {page}, "index", "html");</script></div>'
        return f"""<div class="page"><script type="text/javascript">
var countPage = {n}; //共多少页
var currentPage = {page}; //当前页
var prevPage = currentPage - 1;
var nextPage = currentPage + 1;
if (countPage > 1) {{
  document.write('<a href="index.html">首页</a>&nbsp;');
  for (var i = 1; i < countPage; i++) {{
    document.write('<a href="index_' + i + '.html">' + (i + 1) + '</a>&nbsp;');
  }}
}}
</script></div>"""

    def dynamic_script(self, key: str, page: int) -> str:
        """The Fujian "动静结合" pager: ``$showStatic(n)`` switches the static blocks, later pages
        come from the search endpoint; settings in ``pageChnlInfo`` (``recordCount`` as a string,
        ``classsql`` as a JS ``||`` expression), the search channel from ``SiteInfo.searchId``."""
        total = len(self.corpus.column(key).docs)
        shown = min(MAX_STATIC, max(1, math.ceil(total / STATIC_SIZE)))
        static = " ".join(f'<a href="javascript:void(0)" ms-click="$showStatic({i})">{i + 1}</a>'
                          for i in range(shown))
        return f"""<div class="list_con" ms-visible="!isStatic"><dl ms-repeat="list"><dd><a ms-attr-href="el.url" ms-attr-title="el.title" target="_blank">{{{{el.title}}}}</a></dd><dd>{{{{el.docreltime}}}}</dd></dl></div>
<div class="page" ms-controller="xxgkList">{static}
<span ms-repeat="dynPages"><a href="javascript:void(0)" ms-click="goPage(el)">{{{{el + 1}}}}</a></span></div>
<script type="text/javascript" src="/js/avalon.js"></script>
<script type="text/javascript">
var pageChnlInfo = {{
    chnlid: '{self.channel[key]}',
    recordCount:'{total}',
    prepage:{PREPAGE},
    maxStaticIndex:{MAX_STATIC},
    quickMode:'动静结合',
    channelid: SiteInfo.searchId,
    classsql: "" || "chnlid={self.channel[key]}",
    sortfield: "-docorderpri,-docreltime"
}};
</script>"""

    def column_page(self, key: str, page: int) -> str:
        col = self.corpus.column(key)
        here = self.col_path(key) + ("index.html" if page == 0 else f"index_{page}.html")
        size = self.page_size(key)
        docs = self.corpus.docs_in(key)[page * size:(page + 1) * size]
        empty = not docs
        if key == DYNAMIC and docs:
            docs = self.corpus.docs_in(key)[:MAX_STATIC * STATIC_SIZE]
            rows = self.static_blocks(key, docs)
        else:
            rows = '<div class="empty">暂无信息</div>' if empty else self.rows(key, docs)
        pager = "" if empty else (self.dynamic_script(key, page) if key == DYNAMIC else self.pager(key, page))
        head = '<script type="text/javascript" src="/js/page.js"></script>\n' if self.pager_kind.get(key) == "create" else ""
        if key == DYNAMIC:
            head += ('<script type="text/javascript">\nvar SiteInfo = {\n    siteId: "' + SITE_ID + '",\n'
                     '    searchId: "' + SEARCH_CHANNEL + '",\n    projectDir: "/zwgk/"\n};\n</script>\n')
        main = f"""{self.crumbs(("首页", "../../../../"), ("政府信息公开", "../../"), ("法定主动公开内容", "../"), (col.name, None))}
<div class="main">
<div class="left-menu"><h3>法定主动公开内容</h3><ul>
{self.column_links(here)}
</ul></div>
<div class="right-list"><div class="hd"><h2>{escape(col.name)}</h2></div>
{rows}
{pager}
</div>
</div>"""
        meta = {"ChnlId": str(self.channel[key])}
        return self.shell(f"{col.name}_{self.corpus.site_name}", col.name, main, utf8=key == UTF8_COLUMN,
                          meta=meta, head=head)

    def api(self, req: Request) -> Response:
        """``POST /fjdzapp/search``: rows of the column named by ``classsql`` (chnlid=N), page
        ``page`` of ``prepage`` (1-based, newest first). Anything unexpected gets no rows."""
        empty = {"total": 0, "data": []}
        if req.method != "POST":
            return json_response({**empty, "msg": "method not allowed"}, 405)
        m = re.fullmatch(r"\s*chnlid\s*=\s*(\d+)\s*", req.form.get("classsql", ""))
        key = next((k for k, v in self.channel.items() if m and v == int(m.group(1))), None)
        try:
            page, prepage = int(req.form.get("page", "1")), min(int(req.form.get("prepage", "15")), 50)
        except ValueError:
            return json_response(empty)
        if key is None or req.form.get("channelid") != SEARCH_CHANNEL or page < 1 or prepage < 1:
            return json_response(empty)
        docs = self.corpus.docs_in(key)
        n = self.docid
        data = [{"title": d.title, "url": d.url, "docreltime": f"{d.pub_date:%Y-%m-%d} {8 + n(d) % 10:02d}:{n(d) * 7 % 60:02d}:00"}
                for d in docs[(page - 1) * prepage: page * prepage]]
        return json_response({"total": len(docs), "page": page, "prepage": prepage, "data": data})

    def search(self, req: Request) -> str:
        """Site search (a trap): answers any query, and always offers a next page."""
        word = req.query.get("sword", "")
        try:
            page = max(int(req.query.get("page", "1")), 1)
        except ValueError:
            page = 1
        docs = sorted(self.corpus.docs.values(), key=lambda d: (d.pub_date, d.key), reverse=True)
        hits = [d for d in docs if word and word in d.title] or docs
        start = (page - 1) * 10 % max(len(hits), 1)
        rows = "\n".join(f'<li><a href="{d.url}" target="_blank">{escape(d.title)}</a><span>{d.pub_date:%Y-%m-%d}</span></li>'
                         for d in hits[start:start + 10])
        nxt = f"{SEARCH}?sword={quote(word)}&amp;searchColumn=biaoti&amp;page={page + 1}"
        main = f"""<div class="main"><div class="search-result"><p>搜索“{escape(word)}”，找到相关结果{len(hits) * 7}条</p>
<ul>
{rows}
</ul>
<div class="page"><a href="{nxt}">下一页</a></div></div></div>"""
        return self.shell(f"检索结果_{self.corpus.site_name}", "检索结果", main)

    # -- documents ----------------------------------------------------------------------
    def index_box(self, doc: Doc) -> str:
        values = [
            ("索&ensp;引&ensp;号", "index_no", doc.index_no), ("主题分类", "category", doc.category),
            ("发文机关", "publisher", doc.publisher),
            ("成文日期", "written_date", f"{doc.written_date:%Y-%m-%d}" if doc.written_date else None),
            ("标&ensp;&ensp;题", "title", doc.title), ("发文字号", "doc_no", doc.doc_no),
            ("发布日期", "pub_date", f"{doc.pub_date:%Y-%m-%d}"), ("有&ensp;效&ensp;性", "validity", doc.validity),
        ]
        items = []
        for label, field, value in values:
            if (value := doc.shown(field, value)) is None:
                continue
            wrap = ('<em class="red_base">{}</em>' if field == "validity" else "<font>{}</font>").format(escape(value))
            cls = ' class="bt"' if field == "title" else ""
            items.append(f"<li{cls}>{label}：{wrap}</li>")
        return '<div class="index_box"><ul>\n' + "\n".join(items) + "\n</ul></div>"

    def interp_mode(self, doc: Doc, other: Doc) -> str:
        """How the link between a policy and its 解读 is shown: the policy's setting unless it
        is the default and the 解读 says otherwise."""
        policy, interp = (doc, other) if doc.interpretation == other.key else (other, doc)
        return policy.interp_links if policy.interp_links != "both" else interp.interp_links

    def related(self, doc: Doc) -> list[tuple[str, Doc]]:
        """(label, document) pairs this page links to in its 相关链接 block."""
        out = []
        if doc.interpretation and doc.interpretation in self.corpus.docs:
            other = self.corpus.docs[doc.interpretation]
            if self.interp_mode(doc, other) in ("both", "doc_only"):
                out.append(("相关解读", other))
        if doc.interprets and doc.interprets in self.corpus.docs:
            other = self.corpus.docs[doc.interprets]
            if self.interp_mode(doc, other) in ("both", "interp_only"):
                out.append(("原文链接" if doc_number(doc) % 2 else "相关文件", other))
        return out

    def body_html(self, doc: Doc, path: str) -> str:
        lines = [f"<p>{escape(line)}</p>" for line in self.corpus.full_body(doc).split("\n")]
        for link in doc.extra_links:
            href = link.url or ""
            if href.startswith(self.base_url + "/"):
                href = self.rel(path, href[len(self.base_url):])
            lines.append(f'<p><a href="{escape(href)}" target="_blank">{escape(link.text)}</a></p>')
        if doc.column == EDITOR_COLUMN:
            lines.append(f'<p class="editor">（{EDITOR}）</p>')
        return "\n".join(lines)

    def document(self, doc: Doc, path: str) -> str:
        col = self.corpus.column(doc.column)
        n = self.docid(doc)
        pub = f"{doc.pub_date:%Y-%m-%d} {8 + n % 10:02d}:{n * 7 % 60:02d}"
        files = [(a, self.file_path(doc, a, i)) for i, a in enumerate(doc.attachments)]
        ofd = next((fpath for a, fpath in files if a.ext == "ofd"), None)
        tabs = ""
        if ofd:
            tabs = (f'<div class="tabs"><span class="on">文字版</span><span>全真版</span></div>\n'
                    f'<iframe class="isofd" src="{VIEWER}?file={ofd}" width="100%" height="800" frameborder="0" style="display:none"></iframe>')
        attachments = ""
        if files:
            items = "\n".join(f'<li><a href="{self.rel(path, fpath)}" target="_blank">{escape(a.name)}</a></li>'
                              for a, fpath in files)
            attachments = f'<div class="fujian"><span>附件：</span><ul>\n{items}\n</ul></div>'
        related = "\n".join(f'<li>{label}：<a href="{self.rel(path, self.doc_path(other))}" target="_blank">'
                            f"{escape(other.title)}</a></li>" for label, other in self.related(doc))
        source = f"<span>来源：{escape(doc.publisher)}</span>" if doc.publisher else ""
        main = f"""{self.crumbs(("首页", "../../../../../"), ("政府信息公开", "../../../"), ("法定主动公开内容", "../../"), (col.name, "../"))}
<div class="main">
{self.index_box(doc)}
<div class="article">
<h1 class="title">{escape(doc.title)}</h1>
<div class="info"><span>发布时间：{pub}</span>{source}<span>【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span></div>
{tabs}
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{self.body_html(doc, path)}
</div>
{attachments}
</div>
<div class="sidebar">
<div class="jdbox" ms-controller="relnews"><div class="hd"><span class="on">文字解读</span><span>图片解读</span></div>
<ul><li ms-repeat="wzjd"><a ms-attr-href="el.url" target="_blank">{{{{el.title}}}}</a></li></ul></div>
<div class="xglj"><h4>相关链接</h4><ul>
{related}
</ul></div>
</div>
</div>
<script type="text/javascript" src="/js/avalon.js"></script>
<script type="text/javascript">
var relnews = avalon.define({{$id: "relnews", wzjd: [], tpjd: []}});
$.getJSON("{RELNEWS}{n}.json", function (res) {{ relnews.wzjd = res.wzjd; relnews.tpjd = res.tpjd; }});
</script>"""
        meta = {"ArticleTitle": doc.title, "PubDate": pub, "ContentSource": doc.publisher or "",
                "Keywords": "", "Author": "", "Description": doc.title, "Url": doc.url or "",
                "DocId": str(n), "ChnlId": str(self.channel[col.key])}
        return self.shell(f"{doc.title}_{col.name}_{self.corpus.site_name}", col.name, main,
                          utf8=doc.column == UTF8_COLUMN, meta=meta)

    def relnews(self, path: str) -> Response | None:
        m = re.fullmatch(re.escape(RELNEWS) + r"(\d+)\.json", path)
        doc = next((d for d in self.corpus.docs.values() if m and self.docid(d) == int(m.group(1))), None)
        if doc is None:
            return None
        items = [{"title": other.title, "url": other.url} for _label, other in self.related(doc)]
        return json_response({"wzjd": items, "tpjd": []})

    # -- attachments --------------------------------------------------------------------
    def download(self, path: str) -> Response | None:
        doc, att = self.files[path]
        return attachment_response(att, f"{doc.title}\n{att.name}",
                                   gbk_page(f"<html><head>{GBK_META}<title>错误</title></head><body><h1>文件下载失败</h1>"
                                            "<p>系统繁忙，请稍后再试。</p></body></html>"))
