"""S3: a Shandong/Zibo ``/gongkai/`` 政务公开 platform-like portal, several organs on one host.

The main corpus is served as the 市人民政府办公室 organ; two more organs are built from
``build_corpus(seed=k, scale=0.25)``. URL scheme::

    /                                        home page (nav 政府信息公开 -> /gongkai/, news, links, footer)
    /ywdt/{key}.html                         a home-page news item
    /zwgk/                                   政务公开 (breadcrumb target)
    /gongkai/                                the hub: one link per organ site (nothing else)
    /gongkai/site_{slug}/                    an organ's 政府信息公开 section (指南, 制度,
                                             法定主动公开内容, 年报, plus ?key= SPA links)
    /gongkai/site_{slug}/?open=zfxxgkzd      制度 (and 指南) rendered inline
    /gongkai/site_{slug}/?key={ms epoch}     a pure SPA shell (links to the next ?key=: a trap)
    /gongkai/site_{slug}/channel_zfxxgkzn/   指南, a single-document channel ("时间:YYYY-MM-DD")
    /gongkai/site_{slug}/{channel}/          a channel: an HTML shell (no rows) whose inline script
                                             calls the list API; {channel} is
                                             channel_c_{24hex}_n_{epoch}.{frac} (same template id
                                             in every organ), channel_shifubanwenjian or channel_c1534
    /gongkai/api/channel/list?siteId=&channelId=&pageNo=&pageSize=
                                             {"total", "pageNo", "pageSize", "rows": [{title, url, date}]}
    /gongkai/site_{slug}/{channel}/doc_{24hex}.html          document (primary channel; ObjectId-like
                                             id whose first 8 hex are a timestamp, sometimes wrong)
    /gongkai/site_{slug}/{channel}/doc_{24hex}_{32hex}.{ext} attachment

Organs differ in metadata labels and date formats (``VARIANTS``). One template serves every
organ, so the site-level truth (footer, section parts, guide elements, annual reports) is the
main corpus's (see ``_localise``). Everything is deterministic.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from html import escape
from urllib.parse import urlsplit

from testbed.corpus import Corpus, Doc, ExtraLink, SiteTruth
from testbed.build import build_corpus
from testbed.plant_rules import SECTION_CODES
from testbed.render import body_html, crumbs_html, date_text, footer_html, link_items
from testbed.server import Request, Response, Style, html, json_response
from testbed.files import PNG, attachment_response

CST = timezone(timedelta(hours=8))
HUB = "/gongkai/"
API = "/gongkai/api/channel/list"
STATIC = "/gongkai/static/"
NEWS = "/ywdt/"                       # home-page news (traps use /xwzx/, /zhuanti/ …)
PAGE_SIZE, MAX_PAGE_SIZE = 15, 50
GUIDE_CHANNEL = "channel_zfxxgkzn"
#: corpus column key -> a fixed channel name (the rest get channel_c_{24hex}_n_{epoch}.{frac})
SLUG_CHANNELS = {"zcwj": "channel_shifubanwenjian", "jytabl": "channel_c1534"}
REPORTS_KEY = "__zfxxgknb"
SPA_KEYS = (("机构职能", 1605680736049), ("领导信息", 1605680737112), ("依申请公开", 1605680738520))
GUIDE_DATE = date(2023, 3, 15)
DEFAULT_SITE_CODE = "3711000001"

#: (organ slug, organ name, corpus seed or None for the main corpus)
ORGANS = (("srmzfbgs", "明湖市人民政府办公室", None),
          ("sfgw", "明湖市发展和改革委员会", 2),
          ("scjj", "明湖市财政局", 3))


@dataclass(frozen=True)
class Variant:
    """How one organ's detail pages print labels and dates."""

    labels: dict[str, str]
    date_box: str          # iso | cn | bracket
    date_head: str         # iso | cn | split
    pub_label: str = "发布日期"
    row_date: str = "iso"  # list API row date: iso | datetime | epoch_ms


VARIANTS = (
    Variant({"title": "标题", "index_no": "索引号", "doc_no": "文号", "written_date": "发文日期",
             "publisher": "发布机构", "category": "主题分类", "validity": "有效性"}, "iso", "iso"),
    Variant({"title": "标题", "index_no": "索引号", "doc_no": "发文字号", "written_date": "成文日期",
             "publisher": "发文机关", "category": "主题分类", "validity": "有效性"}, "cn", "cn",
            pub_label="发布时间", row_date="datetime"),
    Variant({"title": "标\u3000\u3000题", "index_no": "索 引 号", "doc_no": "文\u3000\u3000号",
             "written_date": "发文日期", "publisher": "发布机构", "category": "分\u3000\u3000类",
             "validity": "效力状态"}, "bracket", "split", row_date="epoch_ms"),
)
BOX_ORDER = ("title", "index_no", "doc_no", "written_date", "publisher", "category", "validity")


def hex_of(*parts: str, n: int = 32) -> str:
    return hashlib.md5("|".join(parts).encode()).hexdigest()[:n]


@dataclass
class Organ:
    slug: str
    name: str
    corpus: Corpus
    variant: Variant
    prefix: str                                   # key prefix in the merged answer key
    channels: dict[str, str] = field(default_factory=dict)   # column key -> channel segment

    @property
    def path(self) -> str:
        return f"{HUB}site_{self.slug}/"

    def channel_path(self, column_key: str) -> str:
        return f"{self.path}{self.channels[column_key]}/"

    def channel_id(self, column_key: str) -> str:
        return self.channels[column_key].removeprefix("channel_")

    def reports(self) -> list[tuple[str, int, date, str]]:
        return sorted(self.corpus.site.annual_reports, key=lambda r: (r[2], r[0]), reverse=True)


def channel_segment(key: str, i: int) -> str:
    if key in SLUG_CHANNELS:
        return SLUG_CHANNELS[key]
    return f"channel_c_{hex_of('gongkai-channel', key, n=24)}_n_{1605680736 + 86413 * i}.{(499 + 379 * i) % 10000:04d}"


def object_id(organ: Organ, key: str, shown: date, n: int) -> str:
    """A MongoDB-ObjectId-like id: 8 hex of a creation time, then 16 hex. For every sixth
    document the time contradicts the displayed date (the crawler must ignore it)."""
    day = shown + timedelta(days=31 + n % 400) if n % 6 == 0 else shown
    moment = datetime.combine(day, time(9, n % 60), CST)
    return f"{int(moment.timestamp()):08x}{hex_of(organ.slug, key, n=16)}"


def doc_number(key: str) -> int:
    return int(re.sub(r"\D", "", key) or 0)


class GongkaiStyle(Style):
    name = "gongkai"

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        self.organs: list[Organ] = []
        for i, (slug, name, seed) in enumerate(ORGANS):
            if seed is None:
                organ_corpus = corpus
            else:
                organ_corpus = build_corpus(seed, as_of=corpus.as_of, scale=0.25)
                _localise(organ_corpus, name, corpus.site)
            organ = Organ(slug, name, organ_corpus, VARIANTS[i % len(VARIANTS)], "" if seed is None else f"{slug}:")
            keys = [c.key for c in organ_corpus.columns] + [REPORTS_KEY]
            organ.channels = {k: channel_segment(k, j) for j, k in enumerate(keys)}
            organ.channels[GUIDE_CHANNEL] = GUIDE_CHANNEL
            self.organs.append(organ)
        self.pages: dict[str, tuple] = {}          # path -> (kind, organ, object)

    # -- URLs -------------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        self.pages.clear()
        for organ in self.organs:
            self.pages[organ.path] = ("organ", organ, None)
            organ.corpus.site.section_url = self.base_url + organ.path
            for col in organ.corpus.columns:
                col.url = self.base_url + organ.channel_path(col.key)
                self.pages[organ.channel_path(col.key)] = ("channel", organ, col.key)
            self.pages[organ.channel_path(REPORTS_KEY)] = ("channel", organ, REPORTS_KEY)
            self.pages[organ.channel_path(GUIDE_CHANNEL)] = ("guide", organ, None)
            for doc in organ.corpus.docs.values():
                path = self.doc_path(organ, doc)
                self.pages[path] = ("doc", organ, doc)
                doc.url = self.base_url + path
                for att in doc.attachments:
                    apath = path.removesuffix(".html") + f"_{hex_of('att', att.key)}.{att.ext}"
                    self.pages[apath] = ("file", organ, att)
                    att.url = self.base_url + apath
            for report in organ.reports():
                self.pages[self.report_path(organ, report)] = ("report", organ, report)
        main = self.organs[0]
        for organ in self.organs:
            for doc in organ.corpus.docs.values():
                for i, link in enumerate(doc.extra_links):
                    link.url = self.extra_url(organ, link, f"{doc.key}-{i}")
        for i, link in enumerate(main.corpus.site.home_links):
            link.url = self.extra_url(main, link, f"home-{i}")

    def extra_url(self, organ: Organ, link: ExtraLink, tag: str) -> str:
        path = f"{organ.path}doc_{hex_of(link.target, organ.slug, tag, n=24)}.html"
        return self.extra_link_url(link.target, dead=path, soft404=path, docs=organ.corpus.docs,
                                   external=f"http://www.xxgk-gateway.invalid/gongkai/{hex_of(tag, n=12)}.html")

    def doc_path(self, organ: Organ, doc: Doc) -> str:
        oid = object_id(organ, doc.key, doc.pub_date, doc_number(doc.key))
        return f"{organ.channel_path(doc.column)}doc_{oid}.html"

    def report_path(self, organ: Organ, report) -> str:
        key, year, pub, _ = report
        oid = object_id(organ, key, pub, year)
        return f"{organ.channel_path(REPORTS_KEY)}doc_{oid}.html"

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return html(self.home())
        if path == "/zwgk/":
            return html(self.zwgk())
        if path.startswith(NEWS):
            news = next((n for n in self.organs[0].corpus.site.home_news if path == f"{NEWS}{n[0]}.html"), None)
            return html(self.news(news)) if news else None
        if path == HUB:
            return html(self.hub())
        if path == API:
            return self.api(req)
        if path.startswith(STATIC):
            return self.static(path)
        if path in self.soft404:
            return html(SOFT_404)
        found = self.pages.get(path)
        if not found:
            return None
        kind, organ, obj = found
        if kind == "organ":
            if "key" in req.query:
                return html(self.spa_shell(organ, req.query["key"]))
            if req.query.get("open") == "zfxxgkzd":
                return html(self.rules_view(organ))
            return html(self.organ_page(organ))
        if kind == "channel":
            return html(self.channel_shell(organ, obj))
        if kind == "guide":
            return html(self.guide_page(organ)) if organ.corpus.site.sections.get("guide", True) else None
        if kind == "doc":
            return html(self.detail(organ, obj))
        if kind == "report":
            return html(self.report_page(organ, obj))
        if kind == "file":
            return self.attachment(organ, obj)
        return None

    # -- page shell -------------------------------------------------------------------
    def footer(self) -> str:
        """The footer from the truth (shared renderer; None elements are left out)."""
        return footer_html(self.organs[0].corpus.site.footer, self.site_code(), f"{STATIC}img/dzjg.png", css_class="gk-foot")

    def site_code(self) -> str:
        code = self.organs[0].corpus.site.footer.get("site_code") or ""
        digits = re.search(r"[0-9A-Za-z]{10}", code.split("：")[-1])
        return digits.group(0) if digits else DEFAULT_SITE_CODE

    def page(self, title: str, column: str, main: str, head: str = "") -> str:
        site = self.organs[0].corpus.site_name
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="SiteName" content="{escape(site)}">
<meta name="SiteDomain" content="{escape(urlsplit(self.base_url).netloc)}">
<meta name="SiteIDCode" content="{self.site_code()}">
<meta name="ColumnName" content="{escape(column)}">
<link rel="stylesheet" href="{STATIC}css/gk.css">{head}
</head><body>
<div class="gk-top"><a href="/">{escape(site)}</a>
<ul class="gk-menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="{HUB}">政府信息公开</a></li></ul></div>
{main}
{self.footer()}
</body></html>
"""

    @staticmethod
    def crumbs(*items: tuple[str, str | None]) -> str:
        return crumbs_html(items, "gk-crumb")

    def base_crumbs(self, organ: Organ | None = None) -> list[tuple[str, str | None]]:
        items = [("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开", HUB)]
        if organ:
            items.append((organ.name, organ.path))
        return items

    # -- portal pages -----------------------------------------------------------------
    def home(self) -> str:
        site = self.organs[0].corpus.site
        news = "\n".join(f'<li><a href="{NEWS}{k}.html" target="_blank">{escape(t)}</a><span>{d.isoformat()}</span></li>'
                         for k, t, d in site.home_news)
        links = link_items(site.home_links)
        main = f"""<div class="gk-home">
<div class="gk-news"><h3>政务要闻</h3><ul>
{news}
</ul></div>
<div class="gk-entry"><a href="{HUB}" class="gk-xxgk-entry">政府信息公开</a></div>
<div class="gk-links"><h3>专题专栏</h3><ul>
{links}
</ul></div>
</div>"""
        return self.page(self.organs[0].corpus.site_name, "首页", main)

    def news(self, item) -> str:
        key, title, day = item
        main = f"""{self.crumbs(("首页", "/"), ("政务要闻", None))}
<div class="gk-article"><h1>{escape(title)}</h1><div class="gk-info"><span>时间:{day.isoformat()}</span></div>
<div class="gk-content"><p>{escape(title)}。会议强调，要切实抓好各项工作落实。</p></div></div>"""
        return self.page(title, "政务要闻", main)

    def zwgk(self) -> str:
        main = f"""{self.crumbs(("首页", "/"), ("政务公开", None))}
<div class="gk-main"><ul><li><a href="{HUB}">政府信息公开</a></li></ul></div>"""
        return self.page("政务公开", "政务公开", main)

    def hub(self) -> str:
        organs = "\n".join(f'<li><a href="{o.path}" target="_blank">{escape(o.name)}</a></li>' for o in self.organs)
        main = f"""{self.crumbs(("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开", None))}
<div class="gk-hub"><h2>{escape(self.organs[0].corpus.site_name)}政府信息公开平台</h2>
<div class="gk-search"><a href="{HUB}?topSearch=1">信息检索</a></div>
<div class="gk-organs"><h3>市政府部门</h3><ul>
{organs}
</ul></div></div>"""
        return self.page("政府信息公开", "政府信息公开", main)

    def organ_page(self, organ: Organ) -> str:
        flags = organ.corpus.site.sections
        top = []
        if flags.get("guide", True):
            top.append(f'<li><a href="{organ.channel_path(GUIDE_CHANNEL)}">政府信息公开指南</a></li>')
        if flags.get("rules", True):
            top.append(f'<li><a href="{organ.path}?open=zfxxgkzd">政府信息公开制度</a></li>')
        spa = "".join(f'<li><a href="{organ.path}?key={k}">{t}</a></li>' for t, k in SPA_KEYS)
        block = ""
        if flags.get("statutory", True):
            cols = "\n".join(f'<li><a href="{organ.channel_path(c.key)}">{escape(c.name)}</a></li>'
                             for c in organ.corpus.columns)
            block = f'<div class="gk-fdzd"><div class="gk-tt">法定主动公开内容</div><ul>\n{cols}\n</ul></div>'
        bottom = (f'<div class="gk-nb"><a href="{organ.channel_path(REPORTS_KEY)}">政府信息公开年报</a></div>'
                  if flags.get("annual_report", True) else "")
        main = f"""{self.crumbs(*self.base_crumbs(), (organ.name, None))}
<div class="gk-site"><h2>{escape(organ.name)}</h2>
<ul class="gk-site-nav">{"".join(top)}{spa}</ul>
{block}
{bottom}
<div class="gk-back"><a href="{HUB}">返回信息公开平台</a></div>
</div>"""
        return self.page(f"{organ.name}_政府信息公开", organ.name, main)

    def guide_paragraphs(self, organ: Organ) -> list[str]:
        site = organ.corpus.site
        return [f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制{organ.name}政府信息公开指南。",
                "一、主动公开。主动公开的政府信息通过本平台“法定主动公开内容”发布，自形成或者变更之日起20个工作日内予以公开。",
                "二、依申请公开。",
                *[v for v in site.guide.values() if v]]

    def guide_page(self, organ: Organ) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in self.guide_paragraphs(organ))
        main = f"""{self.crumbs(*self.base_crumbs(organ), ("政府信息公开指南", None))}
<div class="gk-article"><h1>{escape(organ.name)}政府信息公开指南</h1>
<div class="gk-info"><span>时间:{GUIDE_DATE.isoformat()}</span></div>
<div class="gk-content">
{body}
</div></div>"""
        return self.page(f"政府信息公开指南_{organ.name}", "政府信息公开指南", main)

    def rules_view(self, organ: Organ) -> str:
        flags = organ.corpus.site.sections
        parts = []
        if flags.get("rules", True):
            parts.append(f"""<div class="gk-zd"><h1>{escape(organ.name)}政府信息公开制度</h1>
<div class="gk-content"><p>一、政府信息主动公开制度。二、政府信息依申请公开制度。三、政府信息公开保密审查制度。</p>
<p>四、政府信息公开考核评议制度。五、政府信息公开社会评议和责任追究制度。</p></div></div>""")
        if flags.get("guide", True):
            guide = "\n".join(f"<p>{escape(p)}</p>" for p in self.guide_paragraphs(organ))
            parts.append(f'<div class="gk-zn"><h2>政府信息公开指南</h2><div class="gk-content">\n{guide}\n</div></div>')
        body = "\n".join(parts) or '<div class="gk-empty">暂无信息</div>'
        main = f"""{self.crumbs(*self.base_crumbs(organ), ("政府信息公开制度", None))}
<div class="gk-article">
{body}
</div>"""
        return self.page(f"政府信息公开制度_{organ.name}", "政府信息公开制度", main)

    def spa_shell(self, organ: Organ, key: str) -> str:
        nxt = int(key) + 1 if key.isdigit() else 1605680736000
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(organ.name)}</title>
<link rel="stylesheet" href="{STATIC}css/app.css"></head>
<body><div id="app"></div><noscript><a href="{organ.path}?key={nxt}">{escape(organ.name)}</a></noscript>
<script src="{STATIC}js/chunk-vendors.js"></script><script src="{STATIC}js/app.js"></script></body></html>
"""

    # -- channels and the list API ----------------------------------------------------
    def column_name(self, organ: Organ, key: str) -> str:
        return "政府信息公开年报" if key == REPORTS_KEY else organ.corpus.column(key).name

    def rows(self, organ: Organ, key: str) -> list[tuple[str, str, date]]:
        """(title, path, date) of a channel, newest first."""
        if key == REPORTS_KEY:
            return [(r[3], self.report_path(organ, r), r[2]) for r in organ.reports()]
        if key in organ.corpus.site.empty_columns:
            return []
        return [(d.title, self.doc_path(organ, d), d.pub_date) for d in organ.corpus.docs_in(key)]

    def channel_shell(self, organ: Organ, key: str) -> str:
        name = self.column_name(organ, key)
        empty = not self.rows(organ, key)
        placeholder = '<div class="gk-empty">暂无信息</div>' if empty else ""
        script = f"""<script src="{STATIC}js/gk-list.js"></script>
<script type="text/javascript">
var gkList = {{siteId: "{organ.slug}", channelId: "{organ.channel_id(key)}", pageSize: {PAGE_SIZE},
  api: "{API}", box: "#gkList", pager: "#gkPager"}};
$(function () {{ gk.loadChannel(gkList, 1); }});
</script>"""
        main = f"""{self.crumbs(*self.base_crumbs(organ), (name, None))}
<div class="gk-channel"><h2>{escape(name)}</h2>
<ul id="gkList" class="gk-list"></ul>{placeholder}
<div id="gkPager" class="gk-pager"></div>
</div>
{script}"""
        return self.page(f"{name}_{organ.name}", name, main)

    def api(self, req: Request) -> Response:
        organ = next((o for o in self.organs if o.slug == (req.param("siteId") or "")), None)
        cid = req.param("channelId") or ""
        key = next((k for k in organ.channels if organ.channel_id(k) == cid), None) if organ else None
        try:
            page = max(1, int(req.param("pageNo") or 1))
            size = min(max(1, int(req.param("pageSize") or PAGE_SIZE)), MAX_PAGE_SIZE)
        except ValueError:
            return json_response({"code": 400, "msg": "参数错误", "total": 0, "rows": []}, 400)
        if key is None or key == GUIDE_CHANNEL:
            return json_response({"total": 0, "pageNo": page, "pageSize": size, "rows": []})
        rows = self.rows(organ, key)
        out = [{"title": t, "url": p, "date": self.row_date(organ, d)}
               for t, p, d in rows[(page - 1) * size:page * size]]
        return json_response({"total": len(rows), "pageNo": page, "pageSize": size, "rows": out})

    @staticmethod
    def row_date(organ: Organ, d: date):
        how = organ.variant.row_date
        if how == "epoch_ms":
            return int(datetime.combine(d, time(0), CST).timestamp()) * 1000
        if how == "datetime":
            return f"{d.isoformat()} 09:30:00"
        return d.isoformat()

    # -- detail pages -----------------------------------------------------------------
    def box(self, organ: Organ, doc: Doc) -> str:
        v = organ.variant
        values = {"title": doc.title, "index_no": doc.index_no, "doc_no": doc.doc_no,
                  "written_date": date_text(doc.written_date, v.date_box) if doc.written_date else None,
                  "publisher": doc.publisher, "category": doc.category, "validity": doc.validity}
        cells = []
        for f in BOX_ORDER:
            value = values[f]
            if value is None and f == "doc_no" and doc.missing_shown.get(f, "blank") in ("omit", "blank"):
                value = "〔〕号"               # this platform's fixed box prints an empty 文号 so
            if (value := doc.shown(f, value)) is None:
                continue
            cells.append(f'<td><span class="gk-l">{v.labels[f]}:</span>{escape(value)}</td>')
        rows = ["".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]
        return '<table class="gk-xxgk">\n' + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</table>"


    def related(self, organ: Organ, doc: Doc) -> str:
        out = []
        docs = organ.corpus.docs
        if doc.interpretation and doc.interpretation in docs:
            other = docs[doc.interpretation]
            if doc.interp_links in ("both", "doc_only"):       # the policy's flag rules the pair
                out.append(("相关解读", other))
        if doc.interprets and doc.interprets in docs:
            other = docs[doc.interprets]
            if other.interp_links in ("both", "interp_only"):
                out.append(("相关文件", other))
        return "\n".join(f'<div class="gk-rel"><span>{label}:</span><a href="{self.doc_path(organ, o)}" '
                         f'target="_blank">{escape(o.title)}</a></div>' for label, o in out)

    def detail(self, organ: Organ, doc: Doc) -> str:
        v = organ.variant
        col = organ.corpus.column(doc.column)
        files = ""
        if doc.attachments:
            items = "\n".join(f'<li><a href="{urlsplit(a.url or "").path}" target="_blank">{escape(a.name)}</a></li>'
                              for a in doc.attachments)
            files = f'<div class="gk-fj"><span>附件:</span><ul>\n{items}\n</ul></div>'
        main = f"""{self.crumbs(*self.base_crumbs(organ), (col.name, organ.channel_path(col.key)))}
<div class="gk-detail">
{self.box(organ, doc)}
<ul class="gk-tabs"><li class="on">标题</li><li>正文</li><li>手机</li></ul>
<div class="gk-article">
<h1 class="gk-title">{escape(doc.title)}</h1>
<div class="gk-info"><span class="gk-date">{v.pub_label}:{date_text(doc.pub_date, v.date_head)}</span><span class="gk-size">字号:<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span><span><a href="javascript:window.print();">打印</a></span></div>
<div class="gk-content" id="zoom">
{body_html(organ.corpus, doc)}
</div>
{files}
{self.related(organ, doc)}
</div></div>"""
        return self.page(f"{doc.title}_{organ.name}", col.name, main)

    def report_page(self, organ: Organ, report) -> str:
        key, year, pub, title = report
        v = organ.variant
        main = f"""{self.crumbs(*self.base_crumbs(organ), ("政府信息公开年报", organ.channel_path(REPORTS_KEY)))}
<div class="gk-detail">
<table class="gk-xxgk"><tr><td><span class="gk-l">{v.labels["title"]}:</span>{escape(title)}</td><td><span class="gk-l">{v.labels["publisher"]}:</span>{escape(organ.name)}</td></tr></table>
<div class="gk-article"><h1 class="gk-title">{escape(title)}</h1>
<div class="gk-info"><span class="gk-date">{v.pub_label}:{date_text(pub, v.date_head)}</span></div>
<div class="gk-content" id="zoom">
<p>本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>
</div></div></div>"""
        return self.page(f"{title}_{organ.name}", "政府信息公开年报", main)

    # -- files --------------------------------------------------------------------------
    def attachment(self, organ: Organ, att) -> Response | None:
        return attachment_response(
            att, att.name, html("<html><head><title>错误</title></head><body><h2>系统繁忙，请稍后再试</h2></body></html>"),
            {"Content-Disposition": f'attachment; filename="{urlsplit(att.url or "").path.rsplit("/", 1)[-1]}"'})

    @staticmethod
    def static(path: str) -> Response | None:
        name = path.removeprefix(STATIC)
        if name == "img/dzjg.png":
            return Response(200, PNG, "image/png")
        if name.startswith("js/") and name.endswith(".js"):
            return Response(200, "/* gongkai front-end */\n", "application/javascript; charset=utf-8")
        if name.startswith("css/") and name.endswith(".css"):
            return Response(200, "body{font-family:sans-serif}\n", "text/css; charset=utf-8")
        return None

    # -- the merged answer key ------------------------------------------------------------
    def answer_key(self) -> dict:
        """All organs' truth in one key: the main corpus's key, with the other organs'
        documents, columns, violations and near misses appended (their keys prefixed
        ``{slug}:``, column names as the corpora have them)."""
        from testbed.corpus import answer_key

        merged = answer_key(self.organs[0].corpus, self.base_url + "/")
        merged["organs"] = [{"slug": o.slug, "name": o.name, "url": self.base_url + o.path} for o in self.organs]
        for organ in self.organs[1:]:
            key = answer_key(organ.corpus, self.base_url + "/")
            for name, value in key.items():
                if not isinstance(value, list) or not isinstance(merged.get(name), list):
                    continue
                for item in value:
                    if isinstance(item, dict) and "key" in item:
                        item = {**item, "key": organ.prefix + item["key"]}
                    merged[name].append(item)
        return merged


SOFT_404 = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>提示</title></head>"
            "<body><div class=\"gk-404\"><h2>页面不存在</h2><p>您访问的页面不存在或已被删除。</p>"
            "<a href=\"/\">返回首页</a></div></body></html>")


def _localise(corpus: Corpus, organ_name: str, main: SiteTruth) -> None:
    """Fit an extra organ's site-level truth into the platform. Its section parts, guide and
    annual reports are its own (as its seed's plan planted them, the texts naming the organ):
    each organ's section is judged on its own (DI001, DI002, TM002). The footer and home page
    exist once, so the organ's own footer and home-page cases (ID001, FR001) are dropped; the
    main corpus's stand for the platform."""
    site = corpus.site
    rename = lambda text: text.replace("明湖市人民政府办公室", organ_name) if text else text
    site.guide = {k: rename(v) for k, v in site.guide.items()}
    site.annual_reports = [(k, y, d, rename(t)) for k, y, d, t in site.annual_reports]
    site.footer, site.home_news, site.home_links = dict(main.footer), [], []
    own = set(corpus.docs) | {c.key for c in corpus.columns}
    keep = lambda v: v.key in own or (v.key == "site" and v.code in SECTION_CODES)
    corpus.violations = [v for v in corpus.violations if keep(v)]
    corpus.near_misses = [v for v in corpus.near_misses if keep(v)]
