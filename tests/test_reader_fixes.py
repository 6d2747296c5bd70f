"""Reader bugs found on real portals (issue 9), each pinned by a page shaped as the portal
serves it: Fujian TRS ``<dl><dd>`` rows, a 动静结合 column configured by ``pageChnlInfo`` and
read to the end over real HTTP, a bare Hanweb datastore answer, the TRS ``index_box``
fingerprint with more classes, and metadata label spellings."""
from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.request import Request, urlopen

import pytest

from crawler.profiles.generic import GenericProfile
from crawler.profiles.hanweb import HanwebProfile
from crawler.profiles.registry import detect
from crawler.profiles.trs import TrsProfile, dynamic_config, js_literal

# --------------------------------------------------------------------------- dl/dd rows

FUJIAN_ROWS = """<div class="gl_list"><div class="list_con">
<dl><dd><a href="./202603/t20260310_7012345.htm" target="_blank" title="福州市人民政府关于印发福州市2026年为民办实事项目的通知">福州市人民政府关于印发福州市2026年为民办实事项目的通知</a></dd><dd>2026-03-10</dd></dl>
<dl><dd><a href="./202603/t20260305_7011002.htm" target="_blank" title="关于进一步加强城市道路管理的通告">关于进一步加强城市道路管理的通告</a></dd><dd>2026-03-05</dd></dl>
<dl><dd><a href="../../zfxxgkzl/202602/t20260227_7008876.htm" target="_blank" title="福州市人民政府办公厅关于做好2026年春季农业生产工作的通知">福州市人民政府办公厅关于做好2026年春季农业生产…</a></dd><dd>2026-02-27</dd></dl>
</div></div>"""


@pytest.mark.parametrize("profile", [GenericProfile(), TrsProfile()], ids=lambda p: p.family)
def test_dl_dd_rows(profile):
    url = "http://www.fuzhou.gov.cn/zwgk/zxwj/szfwj/"
    listing = profile.listing(url, f"<html><body>{FUJIAN_ROWS}</body></html>")
    assert [(e.url, e.title, e.date.value) for e in listing.entries] == [
        (url + "202603/t20260310_7012345.htm", "福州市人民政府关于印发福州市2026年为民办实事项目的通知", "2026-03-10"),
        (url + "202603/t20260305_7011002.htm", "关于进一步加强城市道路管理的通告", "2026-03-05"),
        ("http://www.fuzhou.gov.cn/zwgk/zfxxgkzl/202602/t20260227_7008876.htm",
         "福州市人民政府办公厅关于做好2026年春季农业生产工作的通知", "2026-02-27"),
    ]
    assert listing.uncertain is None


# --------------------------------------------------------------------------- 动静结合 over HTTP

TOTAL, PREPAGE, MAX_STATIC, CHNLID, SEARCH_ID = 107, 15, 5, "1780", "263"
FIRST_DAY = date(2026, 3, 10)
COLUMN = "/zwgk/zcwj/"


def _docs():
    """107 documents, newest first (one every other day), with their .htm links."""
    out = []
    for n in range(1, TOTAL + 1):
        day = FIRST_DAY - timedelta(days=2 * (n - 1))
        out.append({"title": f"平潭综合实验区管理委员会关于印发第{TOTAL + 1 - n}批重点项目工作方案的通知",
                    "path": f"{COLUMN}{day:%Y%m}/t{day:%Y%m%d}_{5000000 + TOTAL + 1 - n}.htm",
                    "date": day.isoformat()})
    return out


DOCS = _docs()


def _column_page() -> str:
    blocks = []
    for page in range(MAX_STATIC):
        rows = "\n".join(
            f'<dl><dd><a href=".{d["path"][len(COLUMN) - 1:]}" target="_blank" title="{d["title"]}">'
            f'{d["title"][:24]}…</a></dd><dd>{d["date"]}</dd></dl>'
            for d in DOCS[page * PREPAGE:(page + 1) * PREPAGE])
        style = "" if page == 0 else ' style="display:none"'
        blocks.append(f'<div class="list_con static_page" id="static_{page}"{style}>\n{rows}\n</div>')
    pager = " ".join(f'<a href="javascript:void(0)" ms-click="$showStatic({i})">{i + 1}</a>' for i in range(MAX_STATIC))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政策文件_平潭综合实验区管理委员会</title>
<meta name="ColumnName" content="政策文件"><meta name="ChnlId" content="{CHNLID}">
<script type="text/javascript">
var SiteInfo = {{
    siteId: "102",
    siteName: "平潭综合实验区管理委员会",
    searchId: "{SEARCH_ID}",
    projectDir: "/zwgk/"
}};
</script>
<script src="/images/avalon.js"></script>
</head><body>
<div class="position">当前位置：<a href="../../">首页</a> &gt; <a href="../">政务公开</a> &gt; 政策文件</div>
<div class="gl_list" ms-controller="list">
{chr(10).join(blocks)}
<div class="list_con" ms-visible="!isStatic"><dl ms-repeat="list"><dd><a ms-attr-href="el.url">{{{{el.title}}}}</a></dd><dd>{{{{el.docreltime}}}}</dd></dl></div>
<div class="pagination">{pager} <span ms-repeat="dynPages"><a href="javascript:void(0)" ms-click="goPage(el)">{{{{el}}}}</a></span></div>
</div>
<script type="text/javascript">
var pageChnlInfo = {{
    chnlid: '{CHNLID}',
    recordCount:'{TOTAL}',
    prepage:{PREPAGE},
    maxStaticIndex:{MAX_STATIC},
    quickMode:'动静结合',
    channelid: SiteInfo.searchId,
    classsql: "" || "chnlid={CHNLID}",
    sortfield: "-docorderpri,-docreltime"
}};
</script>
</body></html>"""


class _Column(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, body: str, ctype: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in (COLUMN, COLUMN + "index.html"):
            self._send(200, _column_page(), "text/html; charset=utf-8")
        else:
            self._send(404, "<html><body>404</body></html>", "text/html; charset=utf-8")

    def do_POST(self):
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()).items()}
        if self.path != "/fjdzapp/search":
            return self._send(404, "{}", "application/json")
        ok = form.get("channelid") == SEARCH_ID and form.get("classsql") == f"chnlid={CHNLID}"
        page, prepage = int(form.get("page", 1)), int(form.get("prepage", PREPAGE))
        rows = DOCS[(page - 1) * prepage: page * prepage] if ok else []
        data = [{"title": d["title"], "url": d["path"], "docreltime": f'{d["date"]} 09:30:00'} for d in rows]
        self._send(200, json.dumps({"total": TOTAL if ok else 0, "data": data}, ensure_ascii=False), "application/json")


@pytest.fixture
def column_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Column)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fetch(url: str, method: str = "GET", body: str | None = None, headers: dict | None = None) -> str:
    req = Request(url, data=body.encode() if body is not None else None, method=method, headers=headers or {})
    with urlopen(req, timeout=10) as reply:
        return reply.read().decode("utf-8")


def test_pagechnlinfo_config_values():
    config = dynamic_config(_column_page())
    assert config["recordCount"] == "107" and config["prepage"] == "15" and config["maxStaticIndex"] == "5"
    assert config["classsql"] == "chnlid=1780" and config["channelid"] == SEARCH_ID
    assert js_literal('"" || "chnlid=1780"') == "chnlid=1780" and js_literal("'' || ''") == ""


def test_dynamic_column_read_to_the_end_over_http(column_server):
    """All 107 rows: the 75 of the five static pages switched client-side in one index.html,
    and the rest only from the POST search endpoint, as the page's script would ask for them."""
    url = column_server + COLUMN
    html = _fetch(url)
    profile = detect(url, html)
    assert isinstance(profile, TrsProfile)
    listing = profile.listing(url, html)
    assert listing.total == TOTAL and len(listing.entries) == MAX_STATIC * PREPAGE
    rows = {e.url: (e.title, e.date.value) for e in listing.entries}
    gets = [s for s in listing.more if s.method == "GET"]
    assert not gets, [s.url for s in gets]      # no index_N.html: the static pages are all in this one
    for spec in listing.more:
        more = profile.parse_more(spec, spec.url, _fetch(spec.url, spec.method, spec.body, spec.headers))
        assert more.uncertain is None
        rows.update({e.url: (e.title, e.date.value) for e in more.entries})
    assert rows == {column_server + d["path"]: (d["title"], d["date"]) for d in DOCS}


# --------------------------------------------------------------------------- bare datastore

BARE = """<?xml version="1.0" encoding="UTF-8"?>
<datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=110&path=/&columnid=12377&unitid=38486&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[
<li class="clearfix">    <a target="_blank" href="/art/2022/1/20/art_12377_1486865.html" title="定西市“春节”文明祭祀倡议书">定西市“春节”文明祭祀倡议书</a>    <b>2022-01-20</b></li>]]></record>
<record><![CDATA[
<li class="clearfix">    <a target="_blank" href="/art/2022/1/19/art_12377_1486583.html" title="定西市工信局关于对省级第二轮环保督察反馈第四项第十三项问题整改完成情况的公示">定西市工信局关于对省级第二轮环保督察反馈第四项第十三项问题整改完成情...</a>    <b>2022-01-19</b></li>]]></record>
</recordset>
</datastore>"""


def test_bare_datastore_rows_through_listing():
    url = "http://zwgk.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    profile = detect(url, BARE)
    assert isinstance(profile, HanwebProfile)
    listing = profile.listing(url, BARE)
    assert [(e.url.rsplit("/", 1)[-1], e.date.value, e.position) for e in listing.entries] == [
        ("art_12377_1486865.html", "2022-01-20", 46), ("art_12377_1486583.html", "2022-01-19", 47)]
    assert listing.entries[1].title.endswith("整改完成情况的公示")
    assert listing.total is None and "totalrecord" in listing.uncertain


# --------------------------------------------------------------------------- TRS fingerprint

@pytest.mark.parametrize("cls", ['index_box', 'index_box shadow_base pad_base', 'pad_base index_box'])
def test_trs_fingerprint_index_box_with_more_classes(cls):
    html = f'<html><body><div class="{cls}"><ul><li>索&ensp;引&ensp;号：<font>X</font></li></ul></div></body></html>'
    assert TrsProfile.matches("http://x.gov.cn/a.htm", html)
    assert not TrsProfile.matches("http://x.gov.cn/a.htm", '<div class="index_boxes">')


# --------------------------------------------------------------------------- label spellings

LABELS = ["索引号", "索 引 号", "索\u3000引\u3000号", "索&ensp;引&ensp;号", "索&emsp;引&emsp;号"]
COLONS = ["：", ":", ""]
LAYOUTS = {
    "td": "<table><tr><td>{L}{C}</td><td>{V}</td><td>发布日期{C}</td><td>2026-03-05</td></tr></table>",
    "index_box": '<div class="index_box shadow_base pad_base"><ul><li>{L}{C}<font>{V}</font></li>'
                 "<li>发布日期{C}<font>2026-03-05</font></li></ul></div>",
    "spans": "<div><span>{L}{C}</span><span>{V}</span><span>发布日期{C}</span><span>2026-03-05</span></div>",
    "strong_tail": "<div><p><strong>{L}</strong>{C}{V}</p><p><strong>发布日期</strong>{C}2026年03月05日</p></div>",
    "dl": "<dl><dt>{L}{C}</dt><dd>{V}</dd><dt>发布日期{C}</dt><dd>2026-03-05</dd></dl>",
    "li_text": "<ul><li>{L}{C} {V}</li><li>发布日期{C} 2026-03-05</li></ul>",
    "p_text": "<div><p>{L}{C} {V}</p><p>发布日期{C} 2026-03-05</p></div>",
}


@pytest.mark.parametrize("colon", COLONS, ids=["full", "ascii", "none"])
@pytest.mark.parametrize("label", LABELS, ids=["plain", "space", "ideographic", "ensp", "emsp"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_number_label_spellings(layout, label, colon):
    html = ("<html><head><title>关于印发某办法的通知</title></head><body><h1>关于印发某办法的通知</h1>"
            + LAYOUTS[layout].format(L=label, C=colon, V="11350100MB0000000X/2026-00012") + "</body></html>")
    for profile in (GenericProfile(), TrsProfile()):
        doc = profile.document("http://x.gov.cn/a.htm", html)
        assert doc.index_no.value == "11350100MB0000000X/2026-00012", type(profile).__name__
        assert doc.pub_date.value == "2026-03-05"


def test_label_without_colon_needs_a_long_label():
    """Without a colon only labels of three characters or more are taken from running text:
    a paragraph opening with 来源 or 时间 is prose, not metadata."""
    html = "<html><body><h1>T</h1><p>来源 于群众的意见</p><p>发布日期：2026-03-05</p></body></html>"
    doc = GenericProfile().document("http://x.gov.cn/a.htm", html)
    assert doc.publisher.value is None and doc.pub_date.value == "2026-03-05"


# --------------------------------------------------------------------------- publisher row vs ContentSource

def _ucap_page(rows: str, source: str = "江西统计 公众号") -> str:
    """A 开普云 信息公开 page shaped as 中国宜春 serves it (see the real case
    generic/jx_yichun_site_jiangxi_tjgb_2022): <meta name="ContentSource"> names where the text
    came from, the metadata rows name the publishing body."""
    return (f'<html><head><meta name="ArticleTitle" content="江西省2022年国民经济和社会发展统计公报">'
            f'<meta name="PubDate" content="2023-05-16 12:34:10"><meta name="ContentSource" content="{source}">'
            f'</head><body><div class="meta-data"><dl class="clearfix">{rows}</dl></div>'
            f'<h1 class="article-title"><ucaptitle>江西省2022年国民经济和社会发展统计公报</ucaptitle></h1></body></html>')


def _row(label: str, value: str) -> str:
    return f'<dd><label><font>{label}：</font></label><div class="display-block">\n {value}\n</div></dd>'


@pytest.mark.parametrize("label", ["发布机构", "发文机关", "发 布 机 构"])
def test_publisher_row_outranks_content_source(label):
    doc = GenericProfile().document("https://www.yichun.gov.cn/a.shtml",
                                    _ucap_page(_row("索 引 号", "014717475N/2023-0032866") + _row(label, "宜春市统计局")))
    assert (doc.publisher.value, doc.publisher.source) == ("宜春市统计局", "table")
    assert doc.index_no.value == "014717475N/2023-0032866"


@pytest.mark.parametrize("rows", [_row("来源", "江西省统计局"), _row("发布机构", "无"), ""],
                         ids=["source-row", "placeholder", "no-row"])
def test_content_source_kept_without_a_publisher_row(rows):
    """A 来源 row says the same kind of thing as the meta tag, and an empty 发布机构 row says
    nothing: the meta tag stays."""
    doc = GenericProfile().document("https://www.yichun.gov.cn/a.shtml", _ucap_page(rows))
    assert (doc.publisher.value, doc.publisher.source) == ("江西统计 公众号", "meta")


# --------------------------------------------------------------------------- visible 发布日期 vs PubDate

def _rebuilt_article(attr: str, pubdate: str = "2022-04-24 10:00:43") -> str:
    """A 开普云 news-style article as 万载县 serves a 2017 text on its 2022 rebuild (see the real
    case generic/jx_wanzai_tjgb_2015): PubDate is the regeneration time, the page shows the
    publication date."""
    return (f'<html><head><meta name="ArticleTitle" content="万载县2015年国民经济和社会发展统计公报">'
            f'<meta name="PubDate" content="{pubdate}"><meta name="ContentSource" content=""></head><body>'
            f'<h1 class="article-title"><ucaptitle>万载县2015年国民经济和社会发展统计公报</ucaptitle></h1>'
            f'<div class="article-attr clearfix">{attr}</div><div id="zoomcon"><p>正文</p></div></body></html>')


WANZAI_ATTR = ('\n  <span class="ly">来源：<b></b></span>\n  <span class="llcs">访问量：<b id="view">199</b></span>'
               '\n  <span class="date">发布日期：<b><publishtime>2017-05-15 10:49:00</publishtime></b></span>\n')


def test_visible_pub_date_outranks_a_different_pubdate_meta():
    doc = GenericProfile().document("http://www.wanzai.gov.cn/a.shtml", _rebuilt_article(WANZAI_ATTR))
    assert doc.pub_date.value == "2017-05-15" and doc.pub_date.source == "text"


def test_pubdate_meta_kept_when_the_page_agrees_or_says_nothing():
    same = GenericProfile().document("http://x.gov.cn/a.shtml", _rebuilt_article(WANZAI_ATTR, "2017-05-15 10:49"))
    assert (same.pub_date.value, same.pub_date.source) == ("2017-05-15", "meta")
    none = GenericProfile().document("http://x.gov.cn/a.shtml", _rebuilt_article('<span>访问量：199</span>'))
    assert (none.pub_date.value, none.pub_date.source) == ("2022-04-24", "meta")


def test_empty_value_inside_a_label_element_is_not_the_next_pair():
    """``<span>来源：<b></b></span>`` followed by 访问量 and 发布日期 spans: the 来源 is empty,
    not "访问量：199 发布日期：…"."""
    doc = GenericProfile().document("http://www.wanzai.gov.cn/a.shtml", _rebuilt_article(WANZAI_ATTR))
    assert doc.publisher.value is None
    filled = GenericProfile().document("http://x.gov.cn/a.shtml", _rebuilt_article(
        '\n  <span class="ly">来源：<b>万载县统计局</b></span>\n  <span class="llcs">访问量：<b>199</b></span>\n'))
    assert filled.publisher.value == "万载县统计局"


# --------------------------------------------------------------------------- column-header metadata
# 上海市卫生健康委员会 (wsjkw.sh.gov.cn, fixture generic/sh_wsjkw_notice): the labels are a row over
# one row of values; 教育部 (fixture trs/moe_xxgk_notice): 信息名称 / 信息索引 / 发文机构.

SHANGHAI_TABLE = """<html><head><meta name="PubDate" content="2024-05-11"></head><body>
<h2 id="ivs_title">关于开展2024年“世界家庭医生日”主题宣传活动的通知 <small>( 2024-05-11)</small></h2>
<table class="table-article"><thead><tr><td>索取号</td><td>发布时间</td><td>发布机构</td><td>文件编号</td><td>备注</td></tr></thead>
<tr><td>076478684Q/2024-00112</td><td></td><td>上海市卫生健康委员会</td><td>沪卫基层〔2024〕5号</td><td></td></tr></table>
<p>各区卫生健康委……</p></body></html>"""


def test_labels_over_one_row_of_values():
    doc = GenericProfile().document("http://wsjkw.sh.gov.cn/jcws2/20240511/x.html", SHANGHAI_TABLE)
    assert (doc.index_no.value, doc.publisher.value, doc.doc_no.value, doc.pub_date.value) == (
        "076478684Q/2024-00112", "上海市卫生健康委员会", "沪卫基层〔2024〕5号", "2024-05-11")


def test_a_list_table_header_is_still_no_labels():
    rows = "".join(f"<tr><td>通知{i}</td><td>000014348/2020-3542{i}</td><td>2020-08-0{i}</td></tr>" for i in (1, 2))
    html = f"<table><tr><th>名称</th><th>索引号</th><th>发布日期</th></tr>{rows}</table>"
    doc = GenericProfile().document("http://example.gov.cn/list/", html)
    assert doc.index_no.value is None


def test_moe_label_spellings():
    html = """<table><tr><td>信息名称：</td><td colspan="5">教育部办公厅关于举办某活动的通知</td></tr>
    <tr><td>信息索引：</td><td>360A12-07-2024-0008-1</td><td>生成日期：</td><td>2024-06-04</td><td>发文机构：</td><td>教育部办公厅</td></tr>
    <tr><td>发文字号：</td><td>教思政厅函〔2024〕10号</td><td>信息类别：</td><td colspan="3">高等教育</td></tr></table>
    <p>发布日期：2024-06-13　来源：教育部</p>"""
    doc = GenericProfile().document("http://www.moe.gov.cn/srcsite/A12/x.html", html)
    assert (doc.title.value, doc.index_no.value, doc.publisher.value, doc.doc_no.value, doc.written_date.value) == (
        "教育部办公厅关于举办某活动的通知", "360A12-07-2024-0008-1", "教育部办公厅", "教思政厅函〔2024〕10号", "2024-06-04")


# --------------------------------------------------------------------------- unlabelled or bare-日期 dates
# 中央网信办 (fixture generic/cac_article): span#pubtime with the date alone; 国家民委 (fixture
# generic/neac_news): 日期：2021/09/06 under a PubDate meta rewritten when the page was regenerated.

def test_date_in_an_element_named_for_it():
    html = """<html><body><h1 class="title">从信息社会迈向智能社会</h1><div class="info"><span id="pubtime">
    2020年02月18日 09:15
    </span><span id="source">来源：
    人民日报
    </span></div><!-- publishdate:2024/01/05 22:09:58 --></body></html>"""
    doc = GenericProfile().document("http://www.cac.gov.cn/", html)
    assert (doc.pub_date.value, doc.publisher.value) == ("2020-02-18", "人民日报")


def test_a_dated_element_holding_more_than_a_date_is_not_read():
    html = '<html><body><h1>某文章</h1><div class="pubtime">共有3条评论，最早一条 2020-02-18</div></body></html>'
    assert GenericProfile().document("http://example.gov.cn/a.html", html).pub_date.value is None


def test_bare_date_label_outranks_a_regenerated_pubdate():
    html = """<html><head><meta name="PubDate" content="2023-11-10 15:33:34"></head><body>
    <p class="p1">民族画报社召开编委扩大会</p><p class="p2"><span>日期：2021/09/06</span>&nbsp;&nbsp;<span>来源：民族画报社&nbsp;</span></p>
    </body></html>"""
    assert GenericProfile().document("http://www.neac.gov.cn/seac/ztzl/zdhd/", html).pub_date.value == "2021-09-06"


# --------------------------------------------------------------------------- 中国科普网 (fixture generic/kepu_politics_article)

KEPU = """<html><head><title>习近平主持召开深入推进长三角一体化发展座谈会-中国科普网</title></head><body>
<div class="detil-new-title"><div>习近平主持召开深入推进长三角一体化发展座谈会</div>
<ul><li>来源：新华社</li><li>作者：</li><li>2023-12-01 14:43</li></ul></div>
<!--enpcontent--><p>新华社合肥11月30日电……</p><!--/enpcontent--></body></html>"""


def test_title_cut_at_a_hyphen_where_the_page_prints_that_part():
    doc = GenericProfile().document("http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html", KEPU)
    assert (doc.title.value, doc.publisher.value, doc.pub_date.value) == (
        "习近平主持召开深入推进长三角一体化发展座谈会", "新华社", "2023-12-01")


def test_a_hyphen_in_a_title_nothing_prints_apart_is_kept():
    html = "<html><head><title>2023-2025年行动方案</title></head><body><p>正文</p></body></html>"
    assert GenericProfile().document("http://example.gov.cn/a.html", html).title.value == "2023-2025年行动方案"


def test_a_lone_date_without_a_source_beside_it_is_not_read():
    html = "<html><body><h1>某文章</h1><ul><li>作者：张三</li><li>2023-12-01</li></ul></body></html>"
    assert GenericProfile().document("http://example.gov.cn/a.html", html).pub_date.value is None


def test_date_opening_the_source_line():
    html = """<html><body><h1>青春心向党 启航新征程</h1>
    <div class="post_source">2022-05-07&#32;00:00　来源：河北省文化和旅游厅机关党委</div><p>正文 2021-01-01</p></body></html>"""
    doc = GenericProfile().document("http://whly.hebei.gov.cn/", html)
    assert (doc.pub_date.value, doc.publisher.value) == ("2022-05-07", "河北省文化和旅游厅机关党委")


# --------------------------------------------------------------------------- PubDate = 页面生成时间
# 四川省人民政府 (fixture generic/sc_gov_mianyang_news): a 2020 text regenerated in 2022.

def _sichuan(shown: str, pubdate: str = "2022-10-14 10:16:14", generated: str = "2022-10-14 10:16:14") -> str:
    return (f'<html><head><meta name="PubDate" content="{pubdate}"><meta name="others" content="页面生成时间 {generated}">'
            f'</head><body><h2><UCAPTITLE>绵阳开展“服务企业活动月”系列活动</UCAPTITLE></h2><ul id="articleattribute">'
            f'<li style="width:180px;">{shown}</li><li style="width:300px;">来源: 绵阳市政务网</li></ul></body></html>')


def test_shown_date_outranks_a_pubdate_that_is_the_generation_time():
    doc = GenericProfile().document("http://www.sc.gov.cn/a.shtml", _sichuan("2020年09月15日 09时32分"))
    assert doc.pub_date.value == "2020-09-15"


def test_pubdate_other_than_the_generation_time_is_kept():
    doc = GenericProfile().document("http://www.sc.gov.cn/a.shtml",
                                    _sichuan("2020年09月15日 09时32分", pubdate="2020-09-16 08:00:00"))
    assert doc.pub_date.value == "2020-09-16"


# --------------------------------------------------------------------------- page furniture after an empty label
# The article line of many portals: 发布时间, 信息来源 — empty when the CMS has no source — then the
# font-size switch and the view counter (``信息来源：　字体：[大 中 小]``, ``来源：　【字体：大 中 小】
# 浏览次数：35``). Read by a person: the source is not given; "字体：…" is the next item, not it.

def _info_line(line: str) -> str:
    return ("<html><head><title>关于残疾人就业有关事项的公告</title></head><body><div class='article'>"
            "<h1 class='title'>关于残疾人就业有关事项的公告</h1>"
            f"{line}<div id='zoom'><p>各区县人民政府，市政府各部门：</p><p>现就有关事项通知如下。</p></div>"
            "</div></body></html>")


@pytest.mark.parametrize("line", [
    '<div class="info"><span>发布时间：2026-09-09 08:40</span>　<span>信息来源：</span>　<span>字体：[大 中 小]</span></div>',
    '<div class="info"><span>发布时间：2026-09-09 08:40</span><span>来源：</span><span>【字体：<a href="#">大</a> '
    '<a href="#">中</a> <a href="#">小</a>】</span><span>浏览次数：35</span></div>',
    '<div class="info">发布时间：2026-09-09 08:40　信息来源：　字体：[大 中 小]　浏览次数：35</div>',
    '<p class="info">发布时间：2026-09-09 08:40&nbsp;&nbsp;来源：&nbsp;&nbsp;作者：&nbsp;&nbsp;访问量：35</p>',
], ids=["spans", "bracketed-spans", "running-text", "author-and-views"])
@pytest.mark.parametrize("profile", [GenericProfile(), HanwebProfile()], ids=lambda p: p.family)
def test_an_empty_source_is_not_the_next_item_of_the_line(profile, line):
    doc = profile.document("http://www.example.gov.cn/art/2026/9/9/art_1201_40.html", _info_line(line))
    assert doc.publisher.value is None, (doc.publisher.value, doc.publisher.source)
    assert doc.pub_date.value == "2026-09-09"


@pytest.mark.parametrize("line", [
    '<div class="info"><span>发布时间：2026-09-09 08:40</span>　<span>信息来源：</span><span>明湖市统计局</span>'
    '　<span>字体：[大 中 小]</span></div>',
    '<div class="info">发布时间：2026-09-09 08:40　信息来源：明湖市统计局　字体：[大 中 小]　浏览次数：35</div>',
], ids=["spans", "running-text"])
@pytest.mark.parametrize("profile", [GenericProfile(), HanwebProfile()], ids=lambda p: p.family)
def test_a_given_source_ends_where_the_next_item_starts(profile, line):
    doc = profile.document("http://www.example.gov.cn/art/2026/9/9/art_1201_41.html", _info_line(line))
    assert doc.publisher.value == "明湖市统计局"


def test_a_real_article_line_source_before_the_font_switch():
    """The article line of a 陕西省人民政府 news page (2016-09-27, its text kept in a public
    repository's scraper test, ``ContentRelated.java``), as the page prints it: date and time,
    ``来源：省政府办公厅`` and the font-size switch. Read by a person: the source is 省政府办公厅."""
    line = ("<p>2016年09月27日 07:02 来源：省政府办公厅 【字体：大 中 小】</p>"
            "<p>　　9月26日，陕西省系统推进西安市全面创新改革试验工作领导小组召开第一次会议。</p>"
            "<p>责任编辑：殷誉玮　　审核：雪花</p>")
    for profile in (GenericProfile(), HanwebProfile()):
        doc = profile.document("http://www.shaanxi.gov.cn/a.htm", _info_line(line))
        assert doc.publisher.value == "省政府办公厅", profile.family
        assert doc.pub_date.value == "2016-09-27", profile.family
