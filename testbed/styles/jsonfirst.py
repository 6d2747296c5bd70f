"""S4: a JSON-first portal (Guangdong gkmlpt 政府信息公开目录 + gov.cn policy library), UTF-8, HTTP only.

URL scheme::

    /                                      home (nav 政府信息公开 -> /gkmlpt/index, dated news,
                                           home links, footer)
    /gkmlpt/index                          政府信息公开 section: an empty 法定主动公开内容 block filled
                                           by script from ``window._CONFIG = {SID:'200001', TREE:[…]}``;
                                           the only <a> are 指南 / 制度 / 年报 (also TREE nodes)
    /gkmlpt/api/all/{catId}?page=N&sid=200001
                                           a gkmlpt column: {"total": n, "articles":[…]},
                                           20 per page, ``create_time`` in epoch seconds; a page past the
                                           last repeats the last page (trap: stop at total)
    /gkmlpt/content/{p//10**6}/{p//1000}/post_{p}.html
                                           detail page B: no metadata in the HTML, everything in
                                           ``_CONFIG.DETAIL`` (JSON: ISO dates, content as HTML string)
    /gkmlpt/zfxxgkzn.html, /gkmlpt/zfxxgkzd.html   指南 / 制度 pages
    /gkmlpt/zfxxgknb.html                  年报 list (HTML rows); reports are B pages
    /zhengce/{folder}/index.htm            a gov.cn-form column (folder zuixin, jiedu, tongzhi): shell
                                           page whose script reads a static feed and the library search
    /zhengce/zuixin/ZUIXINZHENGCE.json     [{TITLE, URL, DOCRELPUBTIME}], the newest 20 政策文件
    /zhengce/jiedu/ZCJD_QZ.json, /zhengce/tongzhi/TZGG_QZ.json
                                           the same form, complete lists (QZ = 全量) of 政策解读 / 通知公告
    /search-gov/data?t=zhengcelibrary&p=N&n=20&cat=…
                                           {"searchVO":{"listVO":[{title,url,pcode,puborg,pubtime(ms)}],
                                           "totalpage"}}; for ``cat=tzgg`` it answers 403 + a short JSON
                                           refusal unless the ``athenaAppKey`` header carries the key
                                           the page script computes ("blocked", not broken)
    /zhengce/content/{YYYYMM}/content_{n}.htm
                                           detail page A (gov.cn): ``table.bd1`` with ``<td><b>L：</b></td>``,
                                           dates ``2022年5月9日``, body ``#UCAP-CONTENT``, meta
                                           ``firstpublishedtime`` / ``manuscriptId`` / ``lanmu``
    /attachment/0/{p//1000}/{p}/{hash}.{ext}, /zhengce/content/{YYYYMM}/{hash}/files/{hash}.{ext}
                                           attachments of B and A pages
    /xwdt/{key}.html, /bsfw/index.html, /hdjl/index.html   home news items and nav pages

Columns in :data:`GOVCN` use the gov.cn forms (their documents are A pages); every other corpus
column is a gkmlpt category (B pages). The token-guarded search (通知公告) is not the only way to
its documents: ``TZGG_QZ.json`` lists them all, so a crawler can reach 100% and must record the
403 as blocked. The guard sits on 通知公告 because no planted rule case depends on that column
being complete (a crawler cannot prove a list complete when one of its endpoints refused it, so
such a column honestly leads to "review" for column-level rules). Cross-listed documents keep
their primary column's URL in every list.
Everything is deterministic.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date, datetime, timedelta, timezone
from html import escape

from testbed.corpus import Corpus, Doc
from testbed.render import HTML5_OPENING, body_html, date_text, home_main, link_items, page_shell
from testbed.server import Request, Response, Style, html, json_response
from testbed.files import PNG, attachment_response

CST = timezone(timedelta(hours=8))
SID = "200001"
FIRST_CAT = 2001
GUIDE_ID, RULES_ID, STATUTORY_ID, REPORTS_ID = 1001, 1002, 1003, 1004
PER_PAGE = 20                       # gkmlpt API page size
SEARCH_MAX_N = 50                   # the library search silently caps n
FEED_SIZE = 20                      # ZUIXINZHENGCE.json: the newest items only
SECTION = "/gkmlpt/index"
GUIDE, RULES, REPORTS = "/gkmlpt/zfxxgkzn.html", "/gkmlpt/zfxxgkzd.html", "/gkmlpt/zfxxgknb.html"
SEARCH = "/search-gov/data"
ATHENA_KEY = hashlib.sha1(f"athena:{SID}".encode()).hexdigest()
#: gov.cn-form columns: key -> (list folder, static feed, feed holds every item, search needs athenaAppKey)
GOVCN = {
    "zcwj": ("zuixin", "ZUIXINZHENGCE.json", False, False),
    "zcjd": ("jiedu", "ZCJD_QZ.json", True, False),
    "tzgg": ("tongzhi", "TZGG_QZ.json", True, True),
}
#: the page scripts (the crawler reads what they would fetch, it never runs them)
SCRIPTS = ("/gkmlpt/static/js/gkmlpt.min.js", "/zhengce/static/js/list.min.js", "/zhengce/static/js/athena.min.js")
NAV_PAGES = {"/bsfw/index.html": "办事服务", "/hdjl/index.html": "互动交流"}
GUARDED = next(k for k, v in GOVCN.items() if v[3])
EXTERNAL_DEAD = "http://www.xxgk-gateway.invalid"
KIND_NAMES = {"normative": "规范性文件", "policy": "政策文件", "interpretation": "政策解读", "notice": "通知公告",
              "plan": "规划计划", "budget": "财政预决算", "personnel": "人事", "enforcement": "行政执法",
              "proposal": "建议提案"}


def doc_number(doc: Doc) -> int:
    return int(re.sub(r"\D", "", doc.key) or 0)


def moment(d: date, n: int) -> datetime:
    """The (deterministic) publication moment of item ``n`` on day ``d``, China time."""
    return datetime(d.year, d.month, d.day, 8 + n % 10, n * 7 % 60, n * 13 % 60, tzinfo=CST)


def crumb(*links: tuple[str, str | None]) -> str:
    """The breadcrumb 首页 > 政府信息公开 > … (a None href prints plain text)."""
    parts = [f'<a href="{href}">{escape(text)}</a>' if href else f"<span>{escape(text)}</span>"
             for text, href in (("首页", "/"), ("政府信息公开", SECTION), *links)]
    return f'<div class="crumb">当前位置：{" &gt; ".join(parts)}</div>'


def script_json(obj) -> str:
    """JSON safe inside a <script> (``</`` escaped as ``<\\/``, as PHP's json_encode does)."""
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


class JsonFirstStyle(Style):
    name = "jsonfirst"

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        self.cat_id, self.col_by_cat = self.column_ids(FIRST_CAT)
        self.pages: dict[str, tuple[str, object]] = {}     # path -> (kind, object)

    # -- URLs -------------------------------------------------------------------------
    def is_govcn(self, column_key: str) -> bool:
        return column_key in GOVCN

    def post_id(self, doc: Doc) -> int:
        return 3_000_000 + doc_number(doc)

    def doc_path(self, doc: Doc) -> str:
        if self.is_govcn(doc.column):
            return f"/zhengce/content/{doc.pub_date:%Y%m}/content_{5_000_000 + doc_number(doc)}.htm"
        return self.post_path(self.post_id(doc))

    @staticmethod
    def post_path(p: int) -> str:
        return f"/gkmlpt/content/{p // 1_000_000}/{p // 1000}/post_{p}.html"

    def column_path(self, column_key: str) -> str:
        if self.is_govcn(column_key):
            return f"/zhengce/{GOVCN[column_key][0]}/index.htm"
        return f"/gkmlpt/api/all/{self.cat_id[column_key]}?page=1&sid={SID}"

    def file_path(self, doc: Doc, att) -> str:
        h = hashlib.md5(att.key.encode()).hexdigest()
        if self.is_govcn(doc.column):
            return f"/zhengce/content/{doc.pub_date:%Y%m}/{h}/files/{h[:16]}.{att.ext}"
        p = self.post_id(doc)
        return f"/attachment/0/{p // 1000}/{p}/{h[:16]}.{att.ext}"

    @staticmethod
    def report_id(key: str) -> int:
        return 3_990_000 + int(re.sub(r"\D", "", key) or 0)

    def report_path(self, key: str) -> str:
        return self.post_path(self.report_id(key))

    def extra_url(self, owner: str, i: int, target: str) -> str:
        return self.extra_link_url(target, dead=f"/gkmlpt/content/removed/{owner}_{i}.html",
                                   soft404=f"/gkmlpt/special/{owner}_{i}.html",
                                   external=f"{EXTERNAL_DEAD}/gkmlpt/{owner}_{i}.html")

    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        self.pages.clear()
        for col in self.corpus.columns:
            col.url = self.base_url + self.column_path(col.key)
        for doc in self.corpus.docs.values():
            path = self.doc_path(doc)
            doc.url = self.base_url + path
            self.pages[path] = ("doc", doc)
            for att in doc.attachments:
                fpath = self.file_path(doc, att)
                att.url = self.base_url + fpath
                self.pages[fpath] = ("file", (doc, att))
        for doc in self.corpus.docs.values():
            for i, link in enumerate(doc.extra_links):
                link.url = self.extra_url(doc.key, i, link.target)
        for i, link in enumerate(self.corpus.site.home_links):
            link.url = self.extra_url("home", i, link.target)
        for report in self.corpus.site.annual_reports:
            self.pages[self.report_path(report[0])] = ("report", report)
        for item in self.corpus.site.home_news:
            self.pages[f"/xwdt/{item[0]}.html"] = ("news", item)

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return html(self.home())
        if path == SECTION:
            return html(self.section())
        if path == GUIDE and self.corpus.site.sections.get("guide", True):
            return html(self.guide())
        if path == RULES and self.corpus.site.sections.get("rules", True):
            return html(self.rules())
        if path == REPORTS and self.corpus.site.sections.get("annual_report", True):
            return html(self.reports())
        if path in NAV_PAGES:
            return html(self.shell(NAV_PAGES[path], f'<div class="main"><h2>{NAV_PAGES[path]}</h2>'
                                   f'<div class="empty">暂无信息</div></div>'))
        if path == "/images/dzjg.png":
            return Response(200, PNG, "image/png")
        if path in SCRIPTS:
            return Response(200, f"/* {path.rsplit('/', 1)[-1]}: renders window._CONFIG / listConfig */\n",
                            "application/javascript; charset=utf-8")
        m = re.fullmatch(r"/gkmlpt/api/all/(\d+)", path)
        if m:
            return self.gkmlpt_api(int(m.group(1)), req)
        if path == SEARCH:
            return self.search(req)
        for key, (folder, feed, *_rest) in GOVCN.items():
            if key in self.cat_id and path == f"/zhengce/{folder}/{feed}":
                return self.feed(key)
            if key in self.cat_id and path == f"/zhengce/{folder}/index.htm":
                return html(self.govcn_column(key))
        if path in self.soft404:
            return html("<html><head><title>页面不存在</title></head><body><p>抱歉，您访问的页面不存在！</p>"
                        '<p><a href="/">返回首页</a></p></body></html>')
        kind, obj = self.pages.get(path, (None, None))
        if kind == "doc":
            return html(self.page_a(obj) if self.is_govcn(obj.column) else self.page_b(obj))
        if kind == "file":
            return self.download(*obj)
        if kind == "report":
            return html(self.report_page(obj))
        if kind == "news":
            return html(self.news_page(obj))
        return None

    # -- shell --------------------------------------------------------------------------
    def shell(self, title: str, main: str, head: str = "") -> str:
        site = self.corpus.site_name
        nav = [("首页", "/"), ("政府信息公开", SECTION), *((text, path) for path, text in NAV_PAGES.items())]
        return page_shell(HTML5_OPENING, title, {"SiteName": site, "SiteIDCode": self.site_id_code}, head,
                          f'<a href="/">{escape(site)}</a>', main, self.footer(), nav)

    # -- home, section, guide ----------------------------------------------------------
    def home(self) -> str:
        site = self.corpus.site
        news = "\n".join(f'<li><a href="/xwdt/{key}.html" target="_blank">{escape(title)}</a>'
                         f"<span>{day.isoformat()}</span></li>" for key, title, day in site.home_news)
        return self.shell(self.corpus.site_name, home_main(news, link_items(site.home_links)))

    def tree(self) -> list[dict]:
        sections = self.corpus.site.sections
        nodes = []
        if sections.get("guide", True):
            nodes.append({"id": GUIDE_ID, "name": "政府信息公开指南", "url": GUIDE, "children": []})
        if sections.get("rules", True):
            nodes.append({"id": RULES_ID, "name": "政府信息公开制度", "url": RULES, "children": []})
        if sections.get("statutory", True):
            children = []
            for col in self.corpus.columns:
                node = {"id": self.cat_id[col.key], "name": col.name, "children": []}
                if self.is_govcn(col.key):
                    node["url"] = self.column_path(col.key)
                children.append(node)
            nodes.append({"id": STATUTORY_ID, "name": "法定主动公开内容", "children": children})
        if sections.get("annual_report", True):
            nodes.append({"id": REPORTS_ID, "name": "政府信息公开年报", "url": REPORTS, "children": []})
        return nodes

    def section(self) -> str:
        sections = self.corpus.site.sections
        top = [(GUIDE, "政府信息公开指南", "guide"), (RULES, "政府信息公开制度", "rules")]
        top_links = "\n".join(f'<li><a href="{href}">{name}</a></li>' for href, name, key in top
                              if sections.get(key, True))
        statutory = ""
        if sections.get("statutory", True):
            statutory = ('<div class="gkml-tree"><div class="tree-title">法定主动公开内容</div>'
                         '<ul id="gkml-tree"></ul></div>')
        reports = (f'<div class="gkml-bottom"><ul><li><a href="{REPORTS}">政府信息公开年报</a></li></ul></div>'
                   if sections.get("annual_report", True) else "")
        config = (f"window._CONFIG = {{\n  SID: '{SID}',\n  SITE_NAME: '{self.corpus.site_name}',\n"
                  f"  API: '/gkmlpt/api/all/',\n  TREE: {script_json(self.tree())}\n}};")
        main = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <span>政府信息公开</span></div>
<div class="gkml-top"><ul>
{top_links}
</ul></div>
{statutory}
<div id="gkml-app"><div class="gkml-list" v-cloak></div></div>
{reports}
<script type="text/javascript">
{config}
</script>
<script type="text/javascript" src="{SCRIPTS[0]}"></script>"""
        return self.shell(f"政府信息公开_{self.corpus.site_name}", main)

    def text_page(self, name: str, paragraphs: list[str]) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        main = f"""{crumb((name, None))}
<div class="main"><h1 class="title">{name}</h1>
<div class="content">
{body}
</div></div>"""
        return self.shell(f"{name}_{self.corpus.site_name}", main)

    def guide(self) -> str:
        site = self.corpus.site_name
        lines = ["为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
                 f"一、主动公开。{site}主动公开的政府信息，通过本网站政府信息公开目录发布。"]
        lines += [v for v in self.corpus.site.guide.values() if v is not None]
        return self.text_page("政府信息公开指南", lines)

    def rules(self) -> str:
        return self.text_page("政府信息公开制度", [
            "明湖市政府信息公开工作制度",
            "一、政府信息主动公开制度。二、政府信息依申请公开制度。三、政府信息公开保密审查制度。",
            "四、政府信息公开考核评议制度。五、政府信息公开社会评议和责任追究制度。"])

    def reports(self) -> str:
        rows = "\n".join(f'<li><a href="{self.report_path(key)}" target="_blank">{escape(title)}</a>'
                         f"<span>{pub.isoformat()}</span></li>"
                         for key, _year, pub, title in self.corpus.site.annual_reports)
        main = f"""{crumb(("政府信息公开年报", None))}
<div class="main"><h2>政府信息公开年报</h2><ul class="list">
{rows or '<li class="empty">暂无信息</li>'}
</ul></div>"""
        return self.shell(f"政府信息公开年报_{self.corpus.site_name}", main)

    def news_page(self, item) -> str:
        key, title, day = item
        main = (f'<div class="main"><h1>{escape(title)}</h1><div class="info">发布时间：{day.isoformat()}</div>'
                f'<div class="content"><p>{escape(title)}。会议听取了有关工作情况汇报，部署下一阶段重点任务。</p></div></div>')
        return self.shell(f"{title}_{self.corpus.site_name}", main)

    # -- gkmlpt API ---------------------------------------------------------------------
    def related(self, doc: Doc) -> list[tuple[str, Doc]]:
        """(label, document) pairs of the 解读 <-> 文件 links this document's page shows."""
        out = []
        pairs = (("相关解读", doc.interpretation, ("both", "doc_only")),
                 ("相关文件", doc.interprets, ("both", "interp_only")))
        for label, key, shown in pairs:
            other = self.corpus.docs.get(key) if key else None
            if other is None:
                continue
            policy, interp = (doc, other) if label == "相关解读" else (other, doc)
            mode = policy.interp_links if policy.interp_links != "both" else interp.interp_links
            if mode in shown:
                out.append((label, other))
        return out

    def article(self, doc: Doc, column_key: str) -> dict:
        n = doc_number(doc)
        return {
            "id": self.post_id(doc), "title": doc.title,
            "document_number": doc.doc_no or "", "identifier": doc.index_no or "",
            "publisher": doc.publisher or "",
            "create_time": int(moment(doc.pub_date, n).timestamp()),
            "display_publish_time": doc.pub_date.isoformat(),
            "classify_main_name": self.corpus.column(column_key).name,
            "classify_theme_name": doc.category,
            "url": doc.url,
            "is_expired": doc.validity == "失效", "is_abolished": doc.validity == "废止",
            "attachment": [{"name": a.name, "url": a.url} for a in doc.attachments],
            "relation": [{"title": o.title, "url": o.url, "type": label} for label, o in self.related(doc)],
        }

    def gkmlpt_api(self, cat: int, req: Request) -> Response | None:
        col = self.col_by_cat.get(cat)
        if col is None or self.is_govcn(col.key):
            return json_response({"code": 404, "msg": "栏目不存在"}, 404)
        if req.query.get("sid") != SID:
            return json_response({"code": 400, "msg": "参数错误：sid"}, 400)
        docs = self.corpus.docs_in(col.key)
        pages = max(1, math.ceil(len(docs) / PER_PAGE))
        try:
            page = min(max(1, int(req.query.get("page") or 1)), pages)   # past the end: the last page again
        except ValueError:
            page = 1
        rows = docs[(page - 1) * PER_PAGE: page * PER_PAGE]
        return json_response({
            "total": len(docs),
            "articles": [self.article(d, col.key) for d in rows],
        })

    # -- gov.cn forms -------------------------------------------------------------------
    def govcn_column(self, key: str) -> str:
        col = self.corpus.column(key)
        folder, feed, _complete, token = GOVCN[key]
        config = {"feed": f"/zhengce/{folder}/{feed}", "search": SEARCH, "t": "zhengcelibrary",
                  "cat": key, "n": PER_PAGE}
        header = ("  headers: {athenaAppKey: athena.sign(listConfig.cat, Date.now())},\n" if token else "")
        empty = '<div class="no-data">暂无信息</div>' if not col.docs else ""
        main = f"""{crumb((col.name, None))}
<div class="main"><h2 class="column-title">{escape(col.name)}</h2>
<ul class="list" id="zc-list"></ul>{empty}
<div class="pager" id="zc-pager"></div></div>
<script type="text/javascript">
var listConfig = {json.dumps(config, ensure_ascii=False)};
$.getJSON(listConfig.feed, function (items) {{ renderFeed('#zc-list', items); }});
$.ajax({{url: listConfig.search, data: {{t: listConfig.t, p: 1, n: listConfig.n, cat: listConfig.cat}},
{header}  success: function (res) {{ renderSearch('#zc-list', '#zc-pager', res.searchVO); }}}});
</script>
<script type="text/javascript" src="{SCRIPTS[2] if token else SCRIPTS[1]}"></script>"""
        return self.shell(f"{col.name}_{self.corpus.site_name}", main,
                          head=f'<meta name="lanmu" content="{escape(col.name)}">\n')

    def feed(self, key: str) -> Response:
        docs = self.corpus.docs_in(key)
        if not GOVCN[key][2]:
            docs = docs[:FEED_SIZE]
        return json_response([{"TITLE": d.title, "URL": d.url, "DOCRELPUBTIME": d.pub_date.isoformat()}
                              for d in docs])

    def search(self, req: Request) -> Response:
        key = req.query.get("cat") or ""
        if req.query.get("t") != "zhengcelibrary" or key not in GOVCN or key not in self.cat_id:
            return json_response({"code": 200, "msg": "操作成功", "searchVO": {"listVO": [], "totalpage": 0,
                                                                           "totalCount": 0}})
        if GOVCN[key][3] and req.headers.get("athenaappkey") != ATHENA_KEY:
            return json_response({"code": 403, "msg": "athenaAppKey校验失败，拒绝访问"}, 403)
        try:
            p = max(1, int(req.query.get("p") or 1))
            n = min(max(1, int(req.query.get("n") or PER_PAGE)), SEARCH_MAX_N)
        except ValueError:
            p, n = 1, PER_PAGE
        docs = self.corpus.docs_in(key)
        rows = [{"title": d.title, "url": d.url, "pcode": d.doc_no or "", "puborg": d.publisher or "",
                 "pubtime": int(moment(d.pub_date, doc_number(d)).timestamp()) * 1000}
                for d in docs[(p - 1) * n: p * n]]
        return json_response({"code": 200, "msg": "操作成功", "searchVO": {
            "listVO": rows, "totalpage": math.ceil(len(docs) / n), "totalCount": len(docs), "pageNo": p}})

    # -- detail pages ---------------------------------------------------------------------
    def page_a(self, doc: Doc) -> str:
        """gov.cn formal-document page: ``table.bd1`` metadata, ``#UCAP-CONTENT`` body."""
        n = doc_number(doc)
        col = self.corpus.column(doc.column)
        cells = [
            ("索引号", "index_no", doc.index_no),
            ("主题分类", "category", f"{doc.category}\\{KIND_NAMES.get(doc.kind, '其他')}"),
            ("发文机关", "publisher", doc.publisher),
            ("成文日期", "written_date", date_text(doc.written_date, "cn") if doc.written_date else None),
            ("标题", "title", doc.title),
            ("发文字号", "doc_no", doc.doc_no),
            ("发布日期", "pub_date", date_text(doc.pub_date, "cn")),
            ("有效性", "validity", doc.validity),
        ]
        shown = [(label, field, doc.shown(field, value)) for label, field, value in cells]
        shown = [c for c in shown if c[2] is not None]
        rows, pending = [], []
        for label, field, value in shown:
            if field == "title":        # 标题 takes a whole row, the others two pairs per row (as on gov.cn)
                rows.append(f'<td><b>{label}：</b></td><td colspan="3">{escape(value)}</td>')
                continue
            cls = ' class="zcwj_ztfl"' if field == "category" else ""
            pending.append(f"<td><b>{label}：</b></td><td{cls}>{escape(value)}</td>")
            if len(pending) == 2:
                rows.append("".join(pending))
                pending = []
        if pending:
            rows.append("".join(pending))
        table = "\n".join(f"<tr>{r}</tr>" for r in rows)
        files = "\n".join(f'<p><a href="{self.file_path(doc, a)}" target="_blank">{escape(a.name)}</a></p>'
                          for a in doc.attachments)
        attachments = f'<div class="attachment"><p>附件：</p>\n{files}\n</div>' if files else ""
        related = "\n".join(f'<li>{label}：<a href="{escape(o.url or "")}" target="_blank">{escape(o.title)}</a></li>'
                            for label, o in self.related(doc))
        related = f'<div class="related"><ul>\n{related}\n</ul></div>' if related else ""
        main = f"""{crumb((col.name, self.column_path(col.key)))}
<div class="main">
<table class="bd1" border="0" cellspacing="1" cellpadding="0" width="100%">
{table}
</table>
<div class="pages_content" id="UCAP-CONTENT">
{body_html(self.corpus, doc)}
</div>
{attachments}
{related}
</div>"""
        head = (f'<meta name="manuscriptId" content="{5_000_000 + n}">\n'
                f'<meta name="firstpublishedtime" content="{moment(doc.pub_date, n):%Y-%m-%d-%H:%M:%S}">\n'
                f'<meta name="lastmodifiedtime" content="{moment(doc.pub_date, n):%Y-%m-%d-%H:%M:%S}">\n'
                f'<meta name="lanmu" content="{escape(col.name)}">\n')
        return self.shell(f"{doc.title}_{self.corpus.site_name}", main, head)

    def detail_shell(self, detail: dict) -> str:
        """A gkmlpt detail page: nothing but ``_CONFIG.DETAIL`` (rendered by script)."""
        config = f"window._CONFIG = {{\n  SID: '{SID}',\n  DETAIL: {script_json(detail)}\n}};"
        main = f"""{crumb()}
<div id="gkml-detail"><div class="detail-loading">加载中……</div></div>
<script type="text/javascript">
{config}
</script>
<script type="text/javascript" src="{SCRIPTS[0]}"></script>"""
        return self.shell(self.corpus.site_name, main)

    def page_b(self, doc: Doc) -> str:
        n = doc_number(doc)
        detail = self.article(doc, doc.column)
        detail.pop("create_time")
        values = {"identifier": ("index_no", doc.index_no),
                  "document_number": ("doc_no", doc.doc_no), "publisher": ("publisher", doc.publisher),
                  "compose_time": ("written_date", doc.written_date.isoformat() if doc.written_date else None),
                  "effective": ("validity", doc.validity)}
        for name, (field, value) in values.items():
            detail.pop(name, None)
            text = doc.shown(field, value)
            if text is not None:
                detail[name] = text
        detail["publish_time"] = f"{moment(doc.pub_date, n):%Y-%m-%d %H:%M:%S}"
        detail["content"] = body_html(self.corpus, doc)
        return self.detail_shell(detail)

    def report_page(self, report) -> str:
        key, year, pub, title = report
        content = (f"<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{year}年1月1日起"
                   f"至{year}年12月31日止。</p><p>一、总体情况　二、主动公开政府信息情况　三、收到和处理政府信息公开申请情况　"
                   f"四、政府信息公开行政复议、行政诉讼情况　五、存在的主要问题及改进情况　六、其他需要报告的事项</p>")
        return self.detail_shell({"id": self.report_id(key), "title": title, "publisher": self.corpus.site_name,
                                  "publish_time": f"{pub.isoformat()} 09:00:00",
                                  "classify_main_name": "政府信息公开年报", "content": content,
                                  "attachment": [], "relation": []})

    # -- attachments ----------------------------------------------------------------------
    def download(self, doc: Doc, att) -> Response | None:
        return attachment_response(
            att, f"{doc.title}\n{att.name}",
            html("<html><head><title>系统提示</title></head><body><p>文件下载失败，请稍后再试。</p></body></html>"),
            {"Content-Disposition": f'attachment; filename="{self.file_path(doc, att).rsplit("/")[-1]}"'})
