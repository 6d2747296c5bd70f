"""``GeneratedStyle``: a portal whose layout is drawn from a seed (``testbed.generated.layout``).

URLs (``{ext}`` is the ``ext`` axis; ``{folder}`` a column's folder: pinyin directories under the
section, or ``/col/col{id}/``)::

    /  /index.html                 home: nav with the 政府信息公开 entry (``entry_link``), news, footer
    /include/topnav.html           the home nav inside an iframe (``entry_link=iframe``)
    /zwdt/ /zwdt/YYYYMM/t…_n.html  news list and items (dated pages outside the section)
    {folder}  {folder}index.{ext}  a column page (category, list page 1, single)
    {folder}index_N.{ext}          static list pages (trs_create: 0-based N; index_links: page N)
    {folder}leftnav.html           the nav iframe of a category page (``nav=iframe``)
    {folder}nav.json               the nav JSON a category page's script reads (``nav=json``)
    /module/web/jpage/dataproxy.jsp                        Hanweb datastore answers
    /api-gateway/jpaas-publish-server/front/page/build/unit  JPaaS unit JSON
    /fjdzapp/search                                        TRS 动静结合 POST search (JSON)
    documents                      per ``doc_url``: {folder}YYYYMM/tYYYYMMDD_id.{ext},
                                   /art/Y/M/D/art_{col}_{id}.{ext}, {folder}content/YYYYMM/content_id.{ext}

With ``section_host=other`` the section, its columns, documents and endpoints answer only on
the other host name of the same server (127.0.0.1 <-> localhost) and the home page only on its
own. Everything is deterministic for a seed.
"""
from __future__ import annotations

import json
import math
import posixpath
import random
import re
from html import escape
from urllib.parse import urlsplit

from testbed.corpus import AS_OF, Attachment, Column, Corpus, Doc, answer_key
from testbed.files import PNG, attachment_response
from testbed.render import JQUERY_TAG, TRS_PAGE_JS, date_text, page_shell, row_html
from testbed.server import Request, Response, Style, json_response

from testbed.generated.layout import (
    AXES, DS_GROUP, DS_PER_PAGE, PAGE_SIZE, SD_MAX_STATIC, SD_PREPAGE, Node, build_truth, draw_layout,
)

PROXY = "/module/web/jpage/dataproxy.jsp"
JPAAS = "/api-gateway/jpaas-publish-server/front/page/build/unit"
SEARCH = "/fjdzapp/search"
SEARCH_ID = "263"
CUT = 14
ASSETS = {
    "/js/page.js": TRS_PAGE_JS,
    "/js/jquery.min.js": "/* jQuery (stub) */ var $ = function () { return {jpage: function () {}}; };\n",
    "/module/web/jpage/jpage.js": "/* jpage (stub) */\n",
    "/AuthorizedRead/unitbuild.js": "/* JPaaS unitbuild (stub) */\n",
    "/js/ztree.js": "/* zTree (stub) */\n",
}

def other_host(netloc: str) -> str:
    host, _, port = netloc.rpartition(":")
    alt = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host, "localhost")
    return f"{alt}:{port}"


class GeneratedStyle(Style):
    site_id_code = "3711020001"
    name = "generated"

    @classmethod
    def build(cls, seed: int = 1, scale: float = 1.0, layout: dict[str, str] | None = None,
              page_size: int | None = None, attachments: float = 0.0, **_ignored):
        return cls(seed, scale=scale, layout=layout, page_size=page_size, attachments=attachments)

    def __init__(self, seed: int = 1, *, scale: float = 1.0, layout: dict[str, str] | None = None,
                 page_size: int | None = None, attachments: float = 0.0):
        """``scale`` multiplies the documents per list column; ``page_size`` (default: the small
        sizes that exercise every pager) sets the rows per list page, datastore page and
        动静结合 page, as large portals show 15-20 rows a page; ``attachments`` is the share of
        documents carrying one attachment, drawn from a stream of its own
        (``gen:{seed}:attachments``) so a portal without attachments is the one small seeds give."""
        self.seed = seed
        self.layout = draw_layout(seed, **(layout or {}))
        self.truth = build_truth(seed, self.layout, scale)
        self.page_size = page_size or PAGE_SIZE
        self.ds_per_page = page_size or DS_PER_PAGE
        self.sd_prepage = page_size or SD_PREPAGE
        self.sd_max_static = SD_MAX_STATIC
        t = self.truth
        if attachments:
            arng = random.Random(f"gen:{seed}:attachments")
            for d in t.docs:
                if arng.random() < attachments:
                    ext = arng.choice(["pdf", "pdf", "docx", "xls", "ofd", "wps"])
                    d.attachments.append(Attachment(f"{d.title[:20]}.{ext}", ext, f"{d.key}a1"))
        # the truth is what a page states: no metadata block leaves only title, date and source
        # (<meta>); the Zibo label set has no 有效性
        hidden = {"meta_only": ("index_no", "doc_no", "written_date", "validity")}.get(self.layout["meta_layout"], ())
        hidden += ("validity",) if self.layout["labels"] == "zibo" else ()
        for d in t.docs:
            for f in hidden:
                setattr(d, f, None)
                d.missing_shown[f] = "omit"
        leaves = [n for n in t.section.walk() if n.kind == "list"]
        columns = [Column(str(n.id), n.name, "list", [d.key for d in n.docs]) for n in leaves]
        corpus = Corpus(site_name=t.site_name, as_of=AS_OF, columns=columns,
                        docs={d.key: d for d in t.docs}, seed=seed)
        corpus.site.footer["host"] = f"主办单位：{t.site_name}办公室"
        super().__init__(corpus)
        self.nodes = {n.id: n for n in t.section.walk()}
        self.docid = {d.key: 5000 + i for i, d in enumerate(t.docs)}

    # -- URLs -------------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        L = self.layout
        home = urlsplit(self.base_url).netloc
        self.home_netloc = home
        self.sec_netloc = other_host(home) if L["section_host"] == "other" else home
        self.sec_base = f"http://{self.sec_netloc}"
        self.folders: dict[str, Node] = {}
        self.doc_paths: dict[str, Doc] = {}
        self.article_paths: dict[str, Node] = {}
        ext = L["ext"]
        sec = self.truth.section
        sec.folder = "/col/col%d/" % sec.id if L["entry_path"] == "col" else f"/{L['entry_path']}/"
        for node in sec.walk():
            if node is not sec:
                node.folder = (node.parent.folder + node.slug + "/" if L["column_url"] == "dirs"
                               else f"/col/col{node.id}/")
            self.folders[node.folder] = node
        for node in sec.walk():
            linked = node.folder if (L["column_url"] == "dirs" and node is not sec) or \
                (node is sec and L["entry_path"] != "col") else node.folder + f"index.{ext}"
            node.url = self.sec_base + linked
            if node.kind == "single":
                if L["singles"] == "article":
                    d = node.date
                    path = f"{node.folder}{d:%Y%m}/t{d:%Y%m%d}_{4000 + node.id}.{ext}"
                    self.article_paths[path] = node
                    node.url = self.sec_base + path
                elif L["singles"] == "query":
                    node.url = node.parent.url + f"?open={node.slug}"
        self.attachment_paths: dict[str, tuple[Doc, Attachment]] = {}
        for doc in self.truth.docs:
            path = self.doc_path(doc)
            self.doc_paths[path] = doc
            doc.url = self.sec_base + path
            for att in doc.attachments:
                apath = f"{path.rpartition('/')[0]}/P0{self.docid[doc.key]}_{att.key}.{att.ext}"
                self.attachment_paths[apath] = (doc, att)
                att.url = self.sec_base + apath
        for c in self.corpus.columns:
            c.url = self.nodes[int(c.key)].url

    def doc_path(self, doc: Doc) -> str:
        node, n, d, ext = self.truth.primary[doc.key], self.docid[doc.key], doc.pub_date, self.layout["ext"]
        scheme = self.layout["doc_url"]
        if scheme == "trs":
            return f"{node.folder}{d:%Y%m}/t{d:%Y%m%d}_{n}.{ext}"
        if scheme == "hanweb":
            return f"/art/{d.year}/{d.month}/{d.day}/art_{node.id}_{n}.{ext}"
        return f"{node.folder}content/{d:%Y%m}/content_{n}.{ext}"

    def link(self, frm: str, to: str, endpoint: bool = False) -> str:
        """The href a page at ``frm`` writes for ``to`` (``hrefs`` axis); other hosts: absolute.
        ``endpoint``: a fragment an endpoint answers (datastore record, JPaaS html) for the page
        ``frm``; those are never page-relative (they would resolve against the endpoint)."""
        f, t = urlsplit(frm), urlsplit(to)
        mode = self.layout["hrefs"]
        if endpoint and mode == "relative":
            mode = "root"
        if mode == "absolute" or f.netloc != t.netloc:
            return to
        q = ("?" + t.query) if t.query else ""
        if mode == "protocol_relative":
            return f"//{t.netloc}{t.path}{q}"
        if mode == "root":
            return t.path + q
        fdir = f.path.rsplit("/", 1)[0] + "/"
        rel = posixpath.relpath(t.path, fdir)
        if rel == ".":
            rel = "./"
        elif t.path.endswith("/"):
            rel += "/"
        return rel + q

    def a(self, frm: str, to: str, text: str, title: str | None = None, extra: str = "",
          endpoint: bool = False) -> str:
        t = f' title="{escape(title)}"' if title else ""
        return f'<a href="{escape(self.link(frm, to, endpoint))}"{t}{extra}>{escape(text)}</a>'

    # -- bytes --------------------------------------------------------------------------
    def charset_meta(self) -> str:
        enc = self.layout["encoding"]
        cs = {"utf8": "utf-8", "gbk": "gbk", "gbk_as_gb2312": "gb2312"}[enc]
        return f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'

    def page(self, text: str, status: int = 200) -> Response:
        if self.layout["encoding"] == "utf8":
            return Response(status, text.encode("utf-8"), "text/html; charset=utf-8")
        return Response(status, text.encode("gb18030"), "text/html")

    def xml(self, text: str) -> Response:
        if self.layout["encoding"] == "utf8":
            return Response(200, ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode("utf-8"),
                            "text/xml;charset=UTF-8")
        return Response(200, ('<?xml version="1.0" encoding="GBK"?>' + text).encode("gb18030"), "text/xml")

    # -- formats ------------------------------------------------------------------------
    def list_date(self, d) -> str:
        form = self.layout["dates"]
        return f"[{d:%m-%d}]" if form == "bracket_md" else date_text(d, form)

    def meta_date(self, d) -> str:
        return date_text(d, self.layout["meta_dates"])

    def anchor_text(self, title: str) -> str:
        mode = self.layout["titles"]
        if mode == "full" or len(title) <= CUT:
            return title
        return title[:CUT] + ("…" if mode == "cut_ellipsis" else "...")

    def label(self, text: str) -> str:
        sp = {"none": "", "space": " ", "ideographic": "\u3000", "ensp": "&ensp;"}[self.layout["label_spacing"]]
        if len(text) == 2:
            body = escape(text[0]) + sp * 2 + escape(text[1])
        elif len(text) == 3:
            body = sp.join(escape(c) for c in text)
        else:
            body = escape(text)
        return body + {"fullwidth": "：", "ascii": ":", "none": ""}[self.layout["colon"]]

    # -- shell --------------------------------------------------------------------------
    def shell(self, title: str, main: str, *, column: str = "", meta: dict[str, str] | None = None,
              head: str = "", url: str = "") -> str:
        metas = {"SiteName": self.corpus.site_name, "SiteDomain": self.home_netloc, "SiteIDCode": self.site_id_code,
                 "ColumnName": column, **(meta or {})}
        home = self.base_url + "/"
        return page_shell(f"<!DOCTYPE html>\n<html>\n<head>\n{self.charset_meta()}", title, metas, JQUERY_TAG + head,
                          self.a(url or home, home, self.corpus.site_name), main, self.footer())

    def crumbs(self, url: str, node: Node | None, tail: str | None = None) -> str:
        chain = []
        n = node
        while n is not None:
            chain.append(n)
            n = n.parent
        parts = [self.a(url, self.base_url + "/", "首页")]
        for n in chain[::-1]:
            if n is node and tail is None:
                parts.append(f"<span>{escape(n.name)}</span>")
            else:
                parts.append(self.a(url, n.url if n.kind != "single" else n.url, n.name))
        if tail:
            parts.append(f"<span>{escape(tail)}</span>")
        return f'<div class="position">当前位置：{" &gt; ".join(parts)}</div>'

    # -- dispatch -----------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        path = req.path
        if path in ASSETS:
            return Response(200, ASSETS[path].encode("utf-8"), "application/javascript")
        if path == "/images/dzjg.png":
            return Response(200, PNG, "image/png")
        host = req.headers.get("host", self.home_netloc)
        on_home, on_sec = host == self.home_netloc, host == self.sec_netloc
        if on_home:
            r = self.home_routes(req)
            if r is not None:
                return r
        if not on_sec:
            return None
        if path == PROXY:
            return self.proxy(req)
        if path == JPAAS:
            return self.jpaas(req)
        if path == SEARCH:
            return self.search(req)
        if path in self.doc_paths:
            return self.page(self.document(self.doc_paths[path]))
        if path in self.attachment_paths:
            doc, att = self.attachment_paths[path]
            return attachment_response(att, doc.title, None)
        if path in self.article_paths:
            node = self.article_paths[path]
            return self.page(self.single_page(node, node.url))
        folder, _, base = path.rpartition("/")
        folder += "/"
        node = self.folders.get(folder)
        if node is None:
            return None
        ext = self.layout["ext"]
        if base == "leftnav.html" and node.kind == "category" and self.layout["nav"] == "iframe":
            return self.page(self.nav_frame(node))
        if base == "nav.json" and node.kind == "category" and self.layout["nav"] == "json":
            return json_response(self.nav_json(node, self.sec_base + folder + "nav.json"))
        if base in ("", f"index.{ext}"):
            page = 0
            if node.kind == "list":
                pager = self.layout["pager"]
                if pager == "query_page":
                    page = _int(req.query.get("page"), 1) - 1
                elif pager == "post_form" and req.method == "POST":
                    page = _int(req.form.get("pageNo"), 1) - 1
            return self.node_page(node, page, req)
        m = re.fullmatch(rf"index_(\d+)\.{ext}", base)
        if m and node.kind == "list":
            n = int(m.group(1))
            pager = self.layout["pager"]
            if pager == "trs_create" and n >= 1:
                return self.node_page(node, n, req)
            if pager == "index_links" and n >= 2:
                return self.node_page(node, n - 1, req)
        return None

    def node_page(self, node: Node, page: int, req: Request) -> Response | None:
        url = node.url
        if node.kind == "category":
            opened = req.query.get("open")
            if opened and self.layout["singles"] == "query":
                child = next((c for c in node.children if c.kind == "single" and c.slug == opened), None)
                return self.page(self.single_page(child, child.url)) if child else None
            return self.page(self.category_page(node, url))
        if node.kind == "single":
            return self.page(self.single_page(node, url)) if self.layout["singles"] == "page" else None
        pages = self.page_count(node)
        if page < 0 or page >= pages:
            return None
        if page and self.layout["pager"] == "query_page":
            url = node.url + f"?page={page + 1}"
        elif page and self.layout["pager"] == "trs_create":
            url = self.sec_base + node.folder + f"index_{page}.{self.layout['ext']}"
        elif page and self.layout["pager"] == "index_links":
            url = self.sec_base + node.folder + f"index_{page + 1}.{self.layout['ext']}"
        return self.page(self.list_page(node, page, url))

    # -- home ---------------------------------------------------------------------------
    def home_items(self) -> list[tuple[str, str]]:
        b = self.base_url
        return [("首页", b + "/"), ("政务动态", b + "/zwdt/"), (self.layout["entry_text"], self.truth.section.url),
                ("政务服务", b + "/bsfw/"), ("互动交流", b + "/hdjl/")]

    def nav_menu(self, url: str, target: str = "") -> str:
        kind = self.layout["entry_link"]
        items = self.home_items()
        tgt = f' target="{target}"' if target else ""
        if kind in ("a", "iframe"):
            lis = "\n".join(f"<li>{self.a(url, u, t, extra=tgt)}</li>" for t, u in items)
            return f'<div class="nav"><ul>\n{lis}\n</ul></div>'
        if kind == "script_menu":
            arr = ",\n".join(f'  {{name: "{t}", url: "{self.link(url, u)}"}}' for t, u in items)
            return f"""<div class="nav"><ul id="menu">
<script type="text/javascript">
var menus = [
{arr}
];
for (var i = 0; i < menus.length; i++) {{
  document.write('<li><a href="' + menus[i].url + '">' + menus[i].name + '</a></li>');
}}
</script>
</ul></div>"""
        if kind == "onclick":
            lis = "\n".join(f"""<li onclick="window.location.href='{escape(self.link(url, u))}'">{escape(t)}</li>"""
                            for t, u in items)
            return f'<div class="nav"><ul>\n{lis}\n</ul></div>'
        if kind == "data_attr":
            lis = "\n".join(f'<li><a href="javascript:void(0)" data-url="{escape(self.link(url, u))}">{escape(t)}</a></li>'
                            for t, u in items)
            return f"""<div class="nav"><ul>
{lis}
</ul></div>
<script type="text/javascript">$(".nav a").click(function () {{ window.location.href = $(this).attr("data-url"); }});</script>"""
        opts = "\n".join(f'<option value="{escape(self.link(url, u))}">{escape(t)}</option>' for t, u in items)
        return f"""<div class="nav"><select onchange="if (this.value) window.location.href = this.value">
<option value="">网站导航</option>
{opts}
</select></div>"""

    def home_routes(self, req: Request) -> Response | None:
        path, b = req.path, self.base_url
        if path in ("/", "/index.html", "/index.htm"):
            url = b + "/"
            nav = (f'<iframe src="{escape(self.link(url, b + "/include/topnav.html"))}" width="100%" height="40" '
                   f'frameborder="0" scrolling="no"></iframe>' if self.layout["entry_link"] == "iframe"
                   else self.nav_menu(url))
            news = "\n".join(f"<li>{self.a(url, b + self.news_path(i), t, t)}<span>{d:%Y-%m-%d}</span></li>"
                             for i, (t, d) in enumerate(self.truth.news))
            main = f"""{nav}
<div class="main"><div class="news"><h3>政务动态</h3><ul>
{news}
</ul><a class="more" href="{escape(self.link(url, b + '/zwdt/'))}">更多</a></div></div>"""
            return self.page(self.shell(self.corpus.site_name, main, column="首页", url=url))
        if path == "/include/topnav.html" and self.layout["entry_link"] == "iframe":
            url = b + path
            return self.page(f"<!DOCTYPE html><html><head>{self.charset_meta()}<title>导航</title></head><body>"
                             f"{self.nav_menu(url, '_top')}</body></html>")
        if path == "/zwdt/":
            url = b + path
            rows = "\n".join(f"<li>{self.a(url, b + self.news_path(i), t, t)}<span>{d:%Y-%m-%d}</span></li>"
                             for i, (t, d) in enumerate(self.truth.news))
            return self.page(self.shell("政务动态", f'<div class="main"><h2>政务动态</h2><ul class="list">{rows}</ul></div>',
                                        column="政务动态", url=url))
        for i, (t, d) in enumerate(self.truth.news):
            if path == self.news_path(i):
                main = (f'<div class="main"><h1>{escape(t)}</h1><div class="info">发布时间：{d:%Y-%m-%d}</div>'
                        f"<p>{escape(t)}。会议要求，要压实责任，抓好落实。</p></div>")
                return self.page(self.shell(t, main, column="政务动态", meta={"ArticleTitle": t, "PubDate": f"{d:%Y-%m-%d} 09:00"},
                                            url=b + path))
        if path in ("/bsfw/", "/hdjl/"):
            name = "政务服务" if path == "/bsfw/" else "互动交流"
            return self.page(self.shell(name, f'<div class="main"><h2>{name}</h2><p>暂无信息</p></div>', column=name,
                                        url=b + path))
        return None

    def news_path(self, i: int) -> str:
        d = self.truth.news[i][1]
        return f"/zwdt/{d:%Y%m}/t{d:%Y%m%d}_{900 + i}.html"

    # -- category pages and navigation -------------------------------------------------------
    def category_page(self, node: Node, url: str) -> str:
        nav = self.layout["nav"]
        if nav == "left_ul":
            body = self.nav_ul(node, url, nested=False)
        elif nav == "tree":
            body = f'<div class="tree">{self.nav_ul(node, url, nested=True)}</div>'
        elif nav == "tabs":
            body = self.nav_tabs(node, url)
        elif nav == "select":
            opts = "\n".join(f'<option value="{escape(self.link(url, c.url))}">{escape(c.name)}</option>'
                             for c in node.children)
            body = (f'<div class="lm-select"><select onchange="if (this.value) window.location.href = this.value">'
                    f'<option value="">请选择栏目</option>\n{opts}\n</select></div>')
        elif nav == "accordion":
            body = self.nav_accordion(node, url)
        elif nav == "iframe":
            src = self.sec_base + node.folder + "leftnav.html"
            body = (f'<iframe id="leftnav" src="{escape(self.link(url, src))}" width="220" height="600" '
                    f'frameborder="0" scrolling="no"></iframe>')
        elif nav == "script_array":
            body = self.nav_ztree(node, url)
        else:
            src = self.sec_base + node.folder + "nav.json"
            body = f"""<ul id="lmnav"></ul>
<script type="text/javascript">
$.getJSON("{escape(self.link(url, src))}", function (data) {{
  function draw(items) {{ var h = ""; for (var i = 0; i < items.length; i++) {{
    h += '<li><a href="' + items[i].url + '">' + items[i].name + '</a>' + (items[i].children.length ? '<ul>' + draw(items[i].children) + '</ul>' : '') + '</li>'; }}
    return h; }}
  $("#lmnav").html(draw(data));
}});
</script>"""
        main = f"""{self.crumbs(url, node)}
<div class="main"><div class="left"><h3>{escape(node.name)}</h3>
{body}
</div></div>"""
        return self.shell(f"{node.name}_{self.corpus.site_name}", main, column=node.name, url=url)

    def nav_ul(self, node: Node, url: str, nested: bool, target: str = "") -> str:
        tgt = f' target="{target}"' if target else ""
        items = []
        for c in node.children:
            sub = self.nav_ul(c, url, True, target) if nested and c.kind == "category" else ""
            items.append(f"<li>{self.a(url, c.url, c.name, extra=tgt)}{sub}</li>")
        return "<ul>\n" + "\n".join(items) + "\n</ul>"

    def nav_tabs(self, node: Node, url: str) -> str:
        on = ' class="on"'
        hd = "".join(f'<li{on if i == 0 else ""} onmouseover="setTab({i})">{escape(c.name)}</li>'
                     for i, c in enumerate(node.children))
        panels = []
        for i, c in enumerate(node.children):
            rows = ""
            if c.kind == "list":
                rows = "<ul>" + "".join(f"<li>{self.a(url, d.url, self.anchor_text(d.title), d.title)}</li>"
                                        for d in c.docs[:2]) + "</ul>"
            style = "" if i == 0 else ' style="display:none"'
            panels.append(f'<div class="tab-panel" id="tab_{i}"{style}>{rows}'
                          f'<a class="more" href="{escape(self.link(url, c.url))}">更多&gt;&gt;</a></div>')
        return (f'<div class="tabs"><ul class="tab-hd">{hd}</ul><div class="tab-bd">\n' + "\n".join(panels) +
                "\n</div></div>\n<script type=\"text/javascript\">function setTab(n) { /* show panel n */ }</script>")

    def nav_accordion(self, node: Node, url: str) -> str:
        items = []
        for c in node.children:
            if c.kind == "category":
                subs = "".join(f"<li>{self.a(url, g.url, g.name)}</li>" for g in c.children)
                items.append(f'<div class="acc-item"><h4><a href="javascript:;">{escape(c.name)}</a></h4>'
                             f'<ul class="acc-sub" style="display:none">{subs}</ul></div>')
            else:
                items.append(f'<div class="acc-item"><h4>{self.a(url, c.url, c.name)}</h4></div>')
        return '<div class="accordion">\n' + "\n".join(items) + "\n</div>"

    def nav_ztree(self, node: Node, url: str) -> str:
        rows = []

        def walk(n: Node, pid: int) -> None:
            for c in n.children:
                rows.append(f'  {{id: {c.id}, pId: {pid}, name: "{c.name}", url: "{self.link(url, c.url)}", '
                            f'open: {"true" if c.kind == "category" else "false"}}}')
                walk(c, c.id)
        walk(node, node.id)
        return f"""<ul id="lmTree" class="ztree"></ul>
<script type="text/javascript" src="/js/ztree.js"></script>
<script type="text/javascript">
var setting = {{data: {{simpleData: {{enable: true}}}}}};
var zNodes = [
{",{}".format(chr(10)).join(rows)}
];
$(document).ready(function () {{ $.fn.zTree.init($("#lmTree"), setting, zNodes); }});
</script>"""

    def nav_frame(self, node: Node) -> str:
        url = self.sec_base + node.folder + "leftnav.html"
        return (f"<!DOCTYPE html><html><head>{self.charset_meta()}<title>{escape(node.name)}</title></head><body>"
                f'<div class="leftnav">{self.nav_ul(node, url, nested=False, target="_parent")}</div></body></html>')

    def nav_json(self, node: Node, url: str) -> list[dict]:
        return [{"name": c.name, "url": self.link(url, c.url), "children": self.nav_json(c, url)}
                for c in node.children]

    # -- single pages ---------------------------------------------------------------------
    def single_page(self, node: Node, url: str) -> str:
        d = node.date
        body = "\n".join(f"<p>{escape(p)}</p>" for p in node.body)
        main = f"""{self.crumbs(url, node.parent, node.name)}
<div class="main"><div class="article"><h1>{escape(node.name)}</h1>
<div class="info">时间：{d:%Y-%m-%d}</div>
<div class="content">
{body}
</div></div></div>"""
        return self.shell(f"{node.name}_{self.corpus.site_name}", main, column=node.name, url=url)

    # -- lists -----------------------------------------------------------------------------
    def page_count(self, node: Node) -> int:
        n = len(node.docs)
        pager = self.layout["pager"]
        if pager in ("datastore_wrapped", "datastore_bare", "static_dynamic"):
            return 1               # one column page; the rest comes from endpoints
        return max(1, math.ceil(n / self.page_size))

    def row(self, d: Doc, url: str, i: int = 0, endpoint: bool = False) -> str:
        """One row, standalone (also a datastore record)."""
        a = self.a(url, d.url, self.anchor_text(d.title), d.title, ' target="_blank"', endpoint)
        date_s = escape(self.list_date(d.pub_date))
        kind = {"ul_li": "li_span", "table": "table", "div": "div"}.get(self.layout["rows"], "dl")
        return row_html(kind, a, date_s, i + 1)

    def rows(self, docs: list[Doc], url: str, first: int = 0, endpoint: bool = False) -> str:
        kind = self.layout["rows"]
        if kind == "ul_li":
            return '<ul class="list">\n' + "\n".join(self.row(d, url, 0, endpoint) for d in docs) + "\n</ul>"
        if kind == "table":
            blank = ' target="_blank"'
            trs = "\n".join(
                f'<tr><td class="xh">{first + i + 1}</td><td class="bt">{self.a(url, d.url, self.anchor_text(d.title), d.title, blank, endpoint)}</td>'
                f'<td class="rq">{escape(self.list_date(d.pub_date))}</td></tr>' for i, d in enumerate(docs))
            return f'<table class="list" width="100%">\n<tr><th>序号</th><th>标题</th><th>发布日期</th></tr>\n{trs}\n</table>'
        return '<div class="list">\n' + "\n".join(self.row(d, url, 0, endpoint) for d in docs) + "\n</div>"

    def list_page(self, node: Node, page: int, url: str) -> str:
        pager = self.layout["pager"]
        head = ""
        if pager == "trs_create":
            head = '<script type="text/javascript" src="/js/page.js"></script>\n'
        if not node.docs:
            content = '<div class="empty">暂无信息</div>'
        elif pager == "datastore_wrapped":
            content = self.datastore_page(node, url)
        elif pager == "datastore_bare":
            content = self.bare_page(node, url)
        elif pager == "static_dynamic":
            content = self.static_dynamic_page(node, url)
        else:
            docs = node.docs[page * self.page_size:(page + 1) * self.page_size]
            rows = self.rows(docs, url, page * self.page_size) if docs else '<div class="empty">暂无信息</div>'
            if pager == "jpaas_json":
                content = self.jpaas_page(node, rows)
            else:
                content = rows + "\n" + self.pager_html(node, page, url)
        side = ""
        if self.layout["list_sidebar"] == "siblings":
            on = ' class="on"'
            items = "\n".join(f"<li{on if c is node else ''}>{self.a(url, c.url, c.name)}</li>"
                               for c in node.parent.children)
            side = f'<div class="left-nav"><h3>{escape(node.parent.name)}</h3><ul>\n{items}\n</ul></div>\n'
        main = f"""{self.crumbs(url, node)}
<div class="main">{side}<div class="right"><div class="hd"><h2>{escape(node.name)}</h2></div>
{content}
</div></div>"""
        return self.shell(f"{node.name}_{self.corpus.site_name}", main, column=node.name, url=url, head=head,
                          meta={"ColumnType": "信息列表"})

    def pager_html(self, node: Node, page: int, url: str) -> str:
        n, total, ext = self.page_count(node), len(node.docs), self.layout["ext"]
        pager = self.layout["pager"]
        if pager == "trs_create":
            return f'<div class="page"><script type="text/javascript">createPageHTML({n}, {page}, "index", "{ext}");</script></div>'
        if pager == "index_links":
            name = lambda p: f"index.{ext}" if p == 0 else f"index_{p + 1}.{ext}"  # noqa: E731
            return self.link_pager(n, page, name)
        if pager == "query_page":
            return self.link_pager(n, page, lambda p: f"?page={p + 1}")
        # post_form
        action = self.link(url, node.url)
        nxt = (f'<a href="javascript:void(0)" onclick="goPage({page + 2})">下一页</a> '
               f'<a href="javascript:void(0)" onclick="goPage({n})">尾页</a>' if page < n - 1 else "")
        prev = f'<a href="javascript:void(0)" onclick="goPage({page})">上一页</a> ' if page > 0 else ""
        return f"""<div class="page">共{total}条 共{n}页 当前第{page + 1}页 {prev}{nxt}</div>
<form id="pageForm" name="pageForm" method="post" action="{escape(action)}">
<input type="hidden" name="pageNo" value="{page + 1}"><input type="hidden" name="pageSize" value="{self.page_size}">
<input type="hidden" name="channelId" value="{node.id}">
</form>
<script type="text/javascript">function goPage(n) {{ document.pageForm.pageNo.value = n; document.pageForm.submit(); }}</script>"""

    @staticmethod
    def link_pager(n: int, page: int, name) -> str:
        if n <= 1:
            return '<div class="page">共1页</div>'
        parts = [f'<a href="{escape(name(0))}">首页</a>']
        if page > 0:
            parts.append(f'<a href="{escape(name(page - 1))}">上一页</a>')
        # a long list shows the pages around the current one (as CMS pagers do), not all of them
        shown = range(n) if n <= 10 else range(max(0, page - 4), min(n, page + 5))
        parts += [f"<span>{i + 1}</span>" if i == page else f'<a href="{escape(name(i))}">{i + 1}</a>' for i in shown]
        if page < n - 1:
            parts.append(f'<a href="{escape(name(page + 1))}">下一页</a>')
        parts.append(f'<a href="{escape(name(n - 1))}">尾页</a>')
        return f'<div class="page">{" ".join(parts)} 共{n}页</div>'

    # Hanweb datastore ---------------------------------------------------------------------
    def unit(self, node: Node) -> int:
        return node.id + 3000

    def nextgroup(self, node: Node, page: int) -> str:
        return (f"{PROXY}?page={page}&amp;appid=1&amp;webid=1&amp;path=/&amp;columnid={node.id}&amp;unitid={self.unit(node)}"
                f"&amp;webname=%E9%97%A8%E6%88%B7&amp;permissiontype=0")

    def records(self, node: Node, docs: list[Doc], url: str, endpoint: bool = False) -> str:
        return "\n".join(f"<record><![CDATA[\n{self.row(d, url, 0, endpoint)}]]></record>" for d in docs)

    def datastore_page(self, node: Node, url: str) -> str:
        first = self.ds_per_page * DS_GROUP
        u = self.unit(node)
        return f"""<div id="{u}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{self.nextgroup(node, 2)}"></a>]]></nextgroup>
<recordset>
{self.records(node, node.docs[:first], url)}
</recordset>
</datastore></script></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">
$('#{u}').jpage({{dataStore: null, totalRecord: {len(node.docs)}, perPage: {self.ds_per_page}, groupSize: {DS_GROUP},
  proxyUrl: '{PROXY}', webid: '1', columnid: '{node.id}', unitid: '{u}', sourceContentType: '1', permissiontype: '0'}});
</script>"""

    def bare_page(self, node: Node, url: str) -> str:
        u = self.unit(node)
        return f"""<div id="{u}"></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">
$('#{u}').jpage({{dataUrl: '{self.nextgroup(node, 1).replace("&amp;", "&")}', perPage: {self.ds_per_page}, groupSize: {DS_GROUP}}});
</script>"""

    def proxy(self, req: Request) -> Response | None:
        pager = self.layout["pager"]
        if pager not in ("datastore_wrapped", "datastore_bare"):
            return None
        col = _int(req.param("columnid"), 0)
        node = self.nodes.get(col)
        if node is None or node.kind != "list":
            return self.xml("<datastore><recordset></recordset></datastore>")
        url = node.url
        if "startrecord" in req.query and req.method == "POST":
            start, end = _int(req.query.get("startrecord"), 1), _int(req.query.get("endrecord"), 0)
            docs = node.docs[max(start, 1) - 1:max(end, 0)]
            return self.xml(f"<datastore><totalrecord>{len(node.docs)}</totalrecord><recordset>\n"
                            f"{self.records(node, docs, url, True)}\n</recordset></datastore>")
        page = _int(req.query.get("page"), 0)
        size = self.ds_per_page * DS_GROUP
        if page < 1:
            return self.xml("<datastore><recordset></recordset></datastore>")
        docs = node.docs[(page - 1) * size:page * size]
        more = page * size < len(node.docs)
        ng = f'<a href="{self.nextgroup(node, page + 1)}"></a>' if more else ""
        return self.xml(f"<datastore>\n<nextgroup><![CDATA[{ng}]]></nextgroup>\n<recordset>\n"
                        f"{self.records(node, docs, url, True)}\n</recordset>\n</datastore>")

    # Hanweb JPaaS -------------------------------------------------------------------------
    def jpaas_page(self, node: Node, rows: str) -> str:
        query = f"{{'webId':'1','pageId':'{node.id}','tagId':'信息列表','tplSetId':'tpl{self.seed}'}}"
        return f"""<div class="list-unit" id="unit_{node.id}">
{rows}
</div>
<div class="pagination" id="page_{node.id}" count="{len(node.docs)}" rows="{self.page_size}" pageNo="1"></div>
<script type="text/javascript" src="/AuthorizedRead/unitbuild.js" url="{JPAAS}" queryData="{query}"></script>"""

    def jpaas(self, req: Request) -> Response | None:
        if self.layout["pager"] != "jpaas_json":
            return None
        node = self.nodes.get(_int(req.query.get("pageId"), 0))
        if node is None or node.kind != "list" or req.query.get("parseType") not in ("bulidstatic", "buildstatic"):
            return json_response({"success": False, "code": "400", "data": None})
        try:
            params = json.loads(req.query.get("paramJson") or "{}")
            page, size = int(params.get("pageNo", 1)), int(params.get("pageSize", self.page_size))
        except (ValueError, TypeError, AttributeError):
            page, size = 1, self.page_size                     # bare pageNo and bad JSON: page 1
        size = max(1, min(size, 50))
        docs = node.docs[(page - 1) * size:page * size] if page >= 1 else []
        html_rows = self.rows(docs, node.url, (page - 1) * size, endpoint=True) if docs else ""
        return json_response({"success": True, "code": "200", "data": {"html": html_rows}})

    # TRS 动静结合 -------------------------------------------------------------------------
    def static_dynamic_page(self, node: Node, url: str) -> str:
        total = len(node.docs)
        n_static = min(self.sd_max_static, max(1, math.ceil(total / self.sd_prepage)))
        blocks = []
        for i in range(n_static):
            docs = node.docs[i * self.sd_prepage:(i + 1) * self.sd_prepage]
            style = "" if i == 0 else ' style="display:none"'
            blocks.append(f'<div id="static_{i}" class="static-page"{style}>\n{self.rows(docs, url, i * self.sd_prepage)}\n</div>')
        pages = math.ceil(total / self.sd_prepage)
        links = " ".join(f'<a href="javascript:void(0)" onclick="$showStatic({i})">{i + 1}</a>' for i in range(n_static))
        links += "".join(f' <a href="javascript:void(0)" onclick="goPage({p + 1})">{p + 1}</a>' for p in range(n_static, pages))
        return f"""{chr(10).join(blocks)}
<ul class="list" id="dynamic_list" style="display:none"></ul>
<div class="page">{links}</div>
<script type="text/javascript">
var SiteInfo = {{siteId: '{self.seed}', searchId: '{SEARCH_ID}', siteName: '{self.corpus.site_name}'}};
</script>
<script type="text/javascript">
var pageChnlInfo = {{
  chnlName: '{node.name}',
  recordCount: '{total}',
  prepage: {self.sd_prepage},
  maxStaticIndex: {n_static},
  quickMode: '动静结合',
  classsql: "" || "chnlid={node.id}",
  sortfield: "-docorderpri,-docreltime"
}};
function $showStatic(n) {{ $(".static-page").hide(); $("#static_" + n).show(); }}
function goPage(p) {{
  $.post("{SEARCH}", {{channelid: SiteInfo.searchId, classsql: pageChnlInfo.classsql, sortfield: pageChnlInfo.sortfield,
    page: p, prepage: pageChnlInfo.prepage}}, function (res) {{ /* draw res.data */ }}, "json");
}}
</script>"""

    def search(self, req: Request) -> Response | None:
        if self.layout["pager"] != "static_dynamic":
            return None
        empty = {"total": 0, "data": []}
        if req.method != "POST":
            return json_response({**empty, "msg": "method not allowed"}, 405)
        m = re.fullmatch(r"\s*chnlid\s*=\s*(\d+)\s*", req.form.get("classsql", ""))
        node = self.nodes.get(int(m.group(1))) if m else None
        page, prepage = _int(req.form.get("page"), 1), max(1, min(_int(req.form.get("prepage"), self.sd_prepage), 50))
        if node is None or node.kind != "list" or req.form.get("channelid") != SEARCH_ID or page < 1:
            return json_response(empty)
        docs = node.docs[(page - 1) * prepage:page * prepage]
        data = [{"title": d.title, "url": d.url, "docreltime": f"{d.pub_date:%Y-%m-%d} {self.hhmm(d)}:00"} for d in docs]
        return json_response({"total": len(node.docs), "page": page, "prepage": prepage, "data": data})

    # -- documents --------------------------------------------------------------------------
    def hhmm(self, d: Doc) -> str:
        n = self.docid[d.key]
        return f"{8 + n % 10:02d}:{n * 7 % 60:02d}"

    def fields(self, d: Doc) -> list[tuple[str, str, str | None]]:
        """(label, field, value shown) for the metadata block, in the label set's order."""
        wd = self.meta_date(d.written_date) if d.written_date else None
        pd = self.meta_date(d.pub_date)
        labels = self.layout["labels"]
        if labels == "national":
            rows = [("索引号", "index_no", d.index_no), ("主题分类", "category", d.category),
                    ("发文机关", "publisher", d.publisher), ("成文日期", "written_date", wd),
                    ("标题", "title", d.title), ("发文字号", "doc_no", d.doc_no),
                    ("发布日期", "pub_date", pd), ("有效性", "validity", d.validity)]
        elif labels == "zhejiang":
            unified = f"ZJ{self.seed:04d}-{d.written_date.year if d.written_date else d.pub_date.year}-{self.docid[d.key]:04d}" \
                if d.kind == "normative" else None
            rows = [("索引号", "index_no", d.index_no), ("组配分类", "category", d.category),
                    ("发布机构", "publisher", d.publisher), ("生成日期", "written_date", wd),
                    ("文件编号", "doc_no", d.doc_no), ("统一编号", "unified", unified), ("有效性", "validity", d.validity)]
        else:
            rows = [("标题", "title", d.title), ("索引号", "index_no", d.index_no), ("文号", "doc_no", d.doc_no),
                    ("发文日期", "written_date", wd), ("发布机构", "publisher", d.publisher)]
        out = []
        for label, field, value in rows:
            if value is None and field == "unified":
                continue
            if (value := d.shown(field, value, "omit")) is not None:
                out.append((label, field, value))
        return out

    def meta_block(self, d: Doc) -> str:
        layout = self.layout["meta_layout"]
        fields = self.fields(d)
        if layout == "meta_only":
            return ""
        if layout == "dl_dt":
            return '<dl class="xxgk-meta">\n' + "\n".join(
                f"<dt>{self.label(lab)}</dt><dd>{escape(v)}</dd>" for lab, _f, v in fields) + "\n</dl>"
        pairs = [fields[i:i + 2] for i in range(0, len(fields), 2)]
        if layout == "table":
            trs = "\n".join("<tr>" + "".join(f'<td class="label">{self.label(lab)}</td><td>{escape(v)}</td>'
                                             for lab, _f, v in pair) + "</tr>" for pair in pairs)
            return f'<table class="xxgk-table" width="100%">\n{trs}\n</table>'
        return '<div class="xxgk-info">\n' + "\n".join(
            '<div class="row">' + "".join(f'<span class="l">{self.label(lab)}</span><span class="v">{escape(v)}</span>'
                                          for lab, _f, v in pair) + "</div>" for pair in pairs) + "\n</div>"

    def document(self, d: Doc) -> str:
        node = self.truth.primary[d.key]
        url = d.url
        pub = f"{d.pub_date:%Y-%m-%d} {self.hhmm(d)}"
        info = "" if self.layout["meta_layout"] == "meta_only" else \
            f'<div class="info"><span>发布时间：{pub}</span><span>来源：{escape(d.publisher or "")}</span></div>'
        body = "\n".join(f"<p>{escape(p)}</p>" for p in d.body.split("\n"))
        if d.attachments:
            body += "\n<p>附件：</p>\n" + "\n".join(
                f"<p>{self.a(url, a.url, a.name)}</p>" for a in d.attachments)
        main = f"""{self.crumbs(url, node, "正文")}
<div class="main">
{self.meta_block(d)}
<div class="article">
<h1 class="title">{escape(d.title)}</h1>
{info}
<div class="content" id="zoom">
{body}
</div></div></div>"""
        meta = {"ArticleTitle": d.title, "PubDate": pub, "ContentSource": d.publisher}
        return self.shell(f"{d.title}_{self.corpus.site_name}", main, column=node.name, meta=meta, url=url)

    # -- the answer key ----------------------------------------------------------------------
    def answer_key(self) -> dict:
        key = answer_key(self.corpus, self.base_url + "/")
        key["section"] = self.truth.section.url
        key["seed"] = self.seed
        key["layout"] = dict(self.layout)
        key["tree"] = [{"url": n.url, "name": n.name, "path": n.path, "kind": n.kind,
                        "parent": n.parent.url if n.parent else None,
                        "documents": [d.url for d in n.docs]} for n in self.truth.section.walk()]
        return key


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


__all__ = ["GeneratedStyle", "AXES"]
