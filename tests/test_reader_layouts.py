"""List layouts real portals use that the readers once missed (issue 9, generator axes), each
pinned by a hand-written page shaped as the portal serves it and expectations read off that page:
yearless row dates (``[03-05]``) whose year is in the document URL, a pager that writes the next
page's URL twice, a POST form pager, a Hanweb JPaaS unit (portal-structures §1.2) and a jpage unit
whose datastore groups are fetched by GET (``dataUrl`` / ``nextgroup``, §1.1)."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.items import RequestSpec
from crawler.profiles.auto import AutoProfile, list_readers
from crawler.profiles.extract import month_day_date, url_date_parts
from crawler.profiles.generic import GenericProfile
from crawler.profiles.hanweb import HanwebProfile, jpaas_config
from crawler.profiles.trs import TrsProfile


def page(body: str) -> str:
    return f'<html><head><meta charset="utf-8"><title>通知公告</title></head><body>{body}</body></html>'


# --------------------------------------------------------------------------- yearless dates

HANWEB_MD = page("""<div class="main"><ul class="list">
<li><a href="/art/2026/3/5/art_1229_8812.html" title="关于印发某区2026年重点工作任务的通知" target="_blank">关于印发某区2026年重点工作任务…</a><span>[03-05]</span></li>
<li><a href="/art/2025/12/30/art_1229_8790.html" title="某区人民政府关于调整部分行政区划的批复" target="_blank">某区人民政府关于调整部分行政区划的批复</a><span>[12-30]</span></li>
</ul></div>""")

TRS_MD = page("""<div class="list"><ul>
<li><span class="date">01-02</span><a href="./202512/t20251230_66123.html" title="关于元旦期间安全生产工作的通知">关于元旦期间安全生产工作的通知</a></li>
<li><span class="date">02-27</span><a href="./202602/t20260227_66450.html" title="2026年春季农业生产工作方案">2026年春季农业生产工作方案</a></li>
</ul></div>""")

TABLE_MD = page("""<table class="list"><tr><th>序号</th><th>标题</th><th>日期</th></tr>
<tr><td>1</td><td><a href="content/202610/content_5000.html">2026年公开招录公务员拟录用人员公示</a></td><td>(10-27)</td></tr>
<tr><td>2</td><td><a href="content_4999.html">2025年度部门决算公开</a></td><td>[09-17]</td></tr>
</table>""")


def test_yearless_dates_take_the_year_from_the_document_url():
    url = "http://www.example.gov.cn/col/col1229/index.html"
    listing = GenericProfile().listing(url, HANWEB_MD)
    assert [(e.url.rsplit("/", 1)[-1], e.title, e.date.value, e.date.raw, e.date.source) for e in listing.entries] == [
        ("art_1229_8812.html", "关于印发某区2026年重点工作任务的通知", "2026-03-05", "[03-05]", "list"),
        ("art_1229_8790.html", "某区人民政府关于调整部分行政区划的批复", "2025-12-30", "[12-30]", "list"),
    ]


def test_yearless_date_next_to_a_url_dated_the_year_before():
    # the URL holds the creation date (t20251230); listed [01-02] it was published 2026-01-02
    url = "http://www.example.gov.cn/zwgk/tzgg/"
    listing = TrsProfile().listing(url, TRS_MD)
    assert [(e.url, e.date.value) for e in listing.entries] == [
        (url + "202512/t20251230_66123.html", "2026-01-02"),
        (url + "202602/t20260227_66450.html", "2026-02-27"),
    ]


def test_yearless_date_without_a_year_in_the_url_is_unknown_not_guessed():
    url = "http://www.example.gov.cn/zwgk/gbrm/"
    listing = GenericProfile().listing(url, TABLE_MD)
    assert [(e.url, e.date.value, e.date.raw) for e in listing.entries] == [
        (url + "content/202610/content_5000.html", "2026-10-27", "(10-27)"),
        (url + "content_4999.html", None, "[09-17]"),
    ]


def test_a_number_range_in_a_link_row_is_not_a_date():
    html = page('<ul><li><a href="/art/2026/3/5/art_1_2.html">第1-2期工作简报</a><span>共1-2期</span></li></ul>')
    assert GenericProfile().listing("http://x.gov.cn/", html).entries == []


def test_a_page_counter_is_not_a_yearless_date():
    # a pager item ("1/5") and a link whose URL names no date: neither is a dated row
    html = page('<ul><li><a href="?page=2">下一页</a><span>1/5</span></li>'
                '<li><a href="/zwgk/content_77.html">关于某事项的说明</a><span>1/5</span></li></ul>')
    assert GenericProfile().listing("http://x.gov.cn/zwgk/", html).entries == []


@pytest.mark.parametrize("url, parts", [
    ("http://x.gov.cn/art/2026/3/5/art_1229_8812.html", (2026, 3, 5)),
    ("http://x.gov.cn/zwgk/202603/t20260305_1.html", (2026, 3, 5)),
    ("http://x.gov.cn/zwgk/content/202603/content_9.htm", (2026, 3, None)),
    ("http://x.gov.cn/art/2026/art_5f2a9c.html", (2026, None, None)),
    ("http://x.gov.cn/zwgk/content_9.htm", None),
    ("http://x.gov.cn/gongkai/site_abc/channel_5f2a20230512/doc_6461.html", None),
])
def test_url_date_parts(url, parts):
    assert url_date_parts(url) == parts


def test_month_day_date_checks_the_calendar():
    assert month_day_date(2, 29, "/art/2026/2/1/art_1_2.html") is None      # 2026 is no leap year
    assert month_day_date(2, 29, "/art/2024/2/1/art_1_2.html") == "2024-02-29"


# --------------------------------------------------------------------------- link pagers

QUERY_PAGER = page("""<ul class="list">
<li><a href="content/202610/content_5000.html">2026年公开招录公务员拟录用人员公示</a><span>2026-10-27</span></li>
<li><a href="content/202509/content_5002.html">2025年公开招录公务员拟录用人员公示</a><span>2025-09-17</span></li>
</ul>
<div class="page"><a href="?page=1">首页</a> <span>1</span> <a href="?page=2">2</a> <a href="?page=3">3</a> <a href="?page=2">下一页</a> <a href="?page=3">尾页</a> 共3页</div>""")


def test_next_page_link_written_twice_is_followed():
    url = "http://www.example.gov.cn/zwgk/gbrm/"
    more = GenericProfile().listing(url, QUERY_PAGER).more
    assert [s.url for s in more] == [url + "?page=2", url + "?page=3"]


# --------------------------------------------------------------------------- POST form pager

FORM_PAGER = page("""<div class="list"><ul>
<li><a href="/art/2026/5/9/art_88_301.html">关于2026年第一批项目资金的公示</a><span>2026-05-09</span></li>
<li><a href="/art/2026/4/2/art_88_300.html">关于开展安全生产大检查的通知</a><span>2026-04-02</span></li>
</ul></div>
<div class="page">共5条 共3页 当前第1页 <a href="javascript:void(0)" onclick="goPage(2)">下一页</a> <a href="javascript:void(0)" onclick="goPage(3)">尾页</a></div>
<form id="pageForm" name="pageForm" method="post" action="/col/col88/index.html">
<input type="hidden" name="pageNo" value="1"><input type="hidden" name="pageSize" value="2">
<input type="hidden" name="channelId" value="88">
</form>
<form method="post" action="/search.jsp"><input type="text" name="keyword"><input type="hidden" name="page" value="1"><input type="submit" value="搜索"></form>
<script>function goPage(n) { document.pageForm.pageNo.value = n; document.pageForm.submit(); }</script>""")


def test_post_form_pager_posts_every_other_page():
    url = "http://www.example.gov.cn/col/col88/index.html"
    listing = GenericProfile().listing(url, FORM_PAGER)
    assert len(listing.entries) == 2
    assert [(s.method, s.url, parse_qs(s.body)) for s in listing.more] == [
        ("POST", url, {"pageNo": ["2"], "pageSize": ["2"], "channelId": ["88"]}),
        ("POST", url, {"pageNo": ["3"], "pageSize": ["2"], "channelId": ["88"]}),
    ]
    assert all(s.headers["Content-Type"] == "application/x-www-form-urlencoded" for s in listing.more)


def test_post_form_reply_rows_are_numbered_by_page_and_ask_for_nothing_more():
    url = "http://www.example.gov.cn/col/col88/index.html"
    spec = GenericProfile().listing(url, FORM_PAGER).more[1]            # page 3
    reply = FORM_PAGER.replace('value="1"><input type="hidden" name="pageSize"', 'value="3"><input type="hidden" name="pageSize"')
    listing = GenericProfile().parse_more(spec, url, reply)
    assert [e.position for e in listing.entries] == [5, 6]
    assert listing.more == []


def test_a_search_form_is_not_a_pager():
    url = "http://www.example.gov.cn/col/col88/index.html"
    html = FORM_PAGER.split('<form id="pageForm"')[0] + FORM_PAGER.split("</form>")[1]
    assert GenericProfile().listing(url, html).more == []


# --------------------------------------------------------------------------- Hanweb JPaaS

JPAAS = page("""<div class="xxgk-list">
<ul class="list">
<li><a href="/art/2026/3/20/art_1229565788_4101.html" title="工业和信息化部关于公布第一批试点城市名单的通知">工业和信息化部关于公布第一批试点城市名单的通知</a><span>2026-03-20</span></li>
<li><a href="/art/2026/3/11/art_1229565788_4099.html" title="关于征求行业标准制修订计划项目意见的通知">关于征求行业标准制修订计划项目意见的通知</a><span>2026-03-11</span></li>
</ul>
<div id="page_1229565788" class="pagination" count="32" rows="15" pageNo="1"></div>
</div>
<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit" queryData="{'webId':'3185','pageId':'1229565788','tagId':'信息列表','tplSetId':'8a2b31','editType':'null'}"></script>""")


def test_jpaas_unit_asks_for_the_pages_with_paramjson():
    url = "http://www.example.gov.cn/zwgk/tzgg/index.html"
    assert "hanweb" in list_readers(url, JPAAS, None)
    listing = AutoProfile().listing(url, JPAAS)
    assert len(listing.entries) == 2 and listing.total == 32
    assert len(listing.more) == 2                                  # 32 rows, 15 a page: pages 2 and 3
    for spec, page_no in zip(listing.more, (2, 3)):
        parts = urlsplit(spec.url)
        assert parts.path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        assert json.loads(query["paramJson"]) == {"pageNo": page_no, "pageSize": "15"}
        assert (query["webId"], query["pageId"], query["tagId"], query["tplSetId"], query["parseType"]) == (
            "3185", "1229565788", "信息列表", "8a2b31", "bulidstatic")


def test_jpaas_reply_rows_resolve_against_the_column_page():
    url = "http://www.example.gov.cn/zwgk/tzgg/index.html"
    spec = AutoProfile().listing(url, JPAAS).more[1]             # page 3: rows 31-32
    reply = json.dumps({"success": True, "code": "200", "data": {"html": (
        '<ul class="list"><li><a href="../../art/2025/11/3/art_1229565788_3990.html" title="关于做好冬季安全生产工作的通知">'
        '关于做好冬季安全生产工作的通知</a><span>2025-11-03</span></li>'
        '<li><a href="../../art/2025/10/8/art_1229565788_3980.html" title="国庆假期值班安排">国庆假期值班安排</a>'
        '<span>2025-10-08</span></li></ul>')}}, ensure_ascii=False)
    listing = AutoProfile().parse_more(spec, spec.url, reply)
    assert [(e.url, e.date.value, e.position) for e in listing.entries] == [
        ("http://www.example.gov.cn/art/2025/11/3/art_1229565788_3990.html", "2025-11-03", 31),
        ("http://www.example.gov.cn/art/2025/10/8/art_1229565788_3980.html", "2025-10-08", 32),
    ]
    assert listing.uncertain is None


def test_jpaas_reply_short_of_rows_is_uncertain():
    url = "http://www.example.gov.cn/zwgk/tzgg/index.html"
    spec = AutoProfile().listing(url, JPAAS).more[0]             # page 2 should hold 15 rows
    listing = HanwebProfile().parse_more(spec, spec.url, json.dumps({"success": True, "data": {"html": ""}}))
    assert listing.entries == [] and "0 of 15" in listing.uncertain


def test_jpaas_without_pager_div_reads_the_static_rows_only():
    html = JPAAS.replace('count="32" rows="15" ', "")
    assert jpaas_config(html)["count"] is None
    listing = HanwebProfile().listing("http://www.example.gov.cn/zwgk/tzgg/index.html", html)
    assert len(listing.entries) == 2 and listing.more == []


# --------------------------------------------------------------------------- jpage groups by GET

JPAGE_DATAURL = page("""<div id="4411"></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">
$('#4411').jpage({dataUrl: '/module/web/jpage/dataproxy.jsp?page=1&webid=110&path=/&columnid=12377&unitid=4411&permissiontype=0', perPage: 15, groupSize: 3});
</script>""")


def group_answer(records: list[str], next_page: int | None) -> str:
    ng = (f'<a href="/module/web/jpage/dataproxy.jsp?page={next_page}&amp;webid=110&amp;path=/&amp;columnid=12377'
          f'&amp;unitid=4411&amp;permissiontype=0"></a>') if next_page else ""
    recs = "\n".join(f"<record><![CDATA[\n{r}]]></record>" for r in records)
    return (f'<?xml version="1.0" encoding="UTF-8"?><datastore>\n<nextgroup><![CDATA[{ng}]]></nextgroup>\n'
            f"<recordset>\n{recs}\n</recordset>\n</datastore>")


ROW = '<li><a href="/art/2022/1/{d}/art_12377_{n}.html" title="第{n}号公告" target="_blank">第{n}号公告</a><b>2022-01-{d:02d}</b></li>'


def test_jpage_data_url_groups_are_read_until_an_empty_group():
    url = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"
    first = AutoProfile().listing(url, JPAGE_DATAURL)
    assert first.entries == [] and first.uncertain is None
    [spec] = first.more
    assert spec.method == "GET" and "page=1&" in spec.url and "columnid=12377" in spec.url
    group1 = AutoProfile().parse_more(spec, spec.url, group_answer([ROW.format(d=20, n=1486865), ROW.format(d=19, n=1486583)], 2))
    assert [e.url for e in group1.entries] == ["http://zwgk.dingxi.gov.cn/art/2022/1/20/art_12377_1486865.html",
                                              "http://zwgk.dingxi.gov.cn/art/2022/1/19/art_12377_1486583.html"]
    [spec2] = group1.more
    assert "page=2&" in spec2.url
    group2 = AutoProfile().parse_more(spec2, spec2.url, group_answer([ROW.format(d=7, n=1485549)], None))
    assert [e.date.value for e in group2.entries] == ["2022-01-07"] and group2.more == []


def test_jpage_nextgroup_template_pointing_back_asks_for_the_next_group():
    # the real 定西 answer's nextgroup names page=1 whatever group it came with (a template)
    url = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"
    spec = HanwebProfile.group_request(url, "http://zwgk.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=12377", 1)
    listing = HanwebProfile().parse_more(spec, spec.url, group_answer([ROW.format(d=20, n=1486865)], 1))
    assert ["page=2&" in s.url for s in listing.more] == [True]


def test_wrapped_datastore_without_total_asks_for_the_next_group():
    url = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"
    html = page(f"""<div id="4411"><script type="text/xml">{group_answer([ROW.format(d=20, n=1486865)], 1).split('?>', 1)[1]}</script></div>
<script>$('#4411').jpage({{perPage: 15, groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp'}});</script>""")
    listing = HanwebProfile().listing(url, html)
    assert len(listing.entries) == 1
    assert [(s.method, parse_qs(urlsplit(s.url).query)["page"]) for s in listing.more] == [("GET", ["2"])]


def test_empty_first_group_is_an_empty_column():
    spec = RequestSpec("http://x.gov.cn/module/web/jpage/dataproxy.jsp?page=1", state={"group": 1, "base": "http://x.gov.cn/col/col1/"})
    listing = HanwebProfile().parse_more(spec, spec.url, group_answer([], None))
    assert listing.entries == [] and listing.placeholder and listing.more == []


# --------------------------------------------------------------------------- label boundaries

ZHEJIANG_SPANS = page("""<div class="xxgk-info">
<div class="row"><span class="l">索引号</span><span class="v">002482133/2026-00215</span><span class="l">组配分类</span><span class="v">规范性文件</span></div>
<div class="row"><span class="l">发布机构</span><span class="v">某县人民政府办公室</span><span class="l">生成日期</span><span class="v">2026-03-02</span></div>
<div class="row"><span class="l">文件编号</span><span class="v">某政办发〔2026〕7号</span><span class="l">统一编号</span><span class="v">ZJEC01-2026-0003</span></div>
<div class="row"><span class="l">有效性</span><span class="v">有效</span></div>
</div>
<h1>某县人民政府办公室关于印发某县城市管理办法的通知</h1>
<div id="zoom"><p>各乡镇人民政府，县政府各部门：现将《某县城市管理办法》印发给你们，请认真贯彻执行。</p></div>""")


@pytest.mark.parametrize("colon", ["", "：", ":"])
def test_a_label_naming_no_field_ends_the_value_before_it(colon):
    html = ZHEJIANG_SPANS.replace('</span><span class="v">', f'{colon}</span><span class="v">')
    doc = GenericProfile().document("http://www.example.gov.cn/art/2026/3/5/art_1229_8812.html", html)
    assert (doc.index_no.value, doc.publisher.value, doc.written_date.value, doc.doc_no.value, doc.validity.value) == (
        "002482133/2026-00215", "某县人民政府办公室", "2026-03-02", "某政办发〔2026〕7号", "有效")


def test_a_label_naming_no_field_in_running_text():
    html = page("<div><p>文件编号：某政办发〔2026〕7号 统一编号：ZJEC01-2026-0003</p><p>有效性：有效</p></div>")
    doc = GenericProfile().document("http://www.example.gov.cn/a.html", html)
    assert doc.doc_no.value == "某政办发〔2026〕7号" and doc.validity.value == "有效"
