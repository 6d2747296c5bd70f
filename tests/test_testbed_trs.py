"""The TRS-style testbed (S2) over real HTTP: charset, static paging and its JS-only pagers,
the "动静结合" JSON endpoint, list and detail layouts, attachments, and the corpus truth.

Also records the TrsProfile page-object fixtures (``tests/fixtures/pages/TrsProfile/``)::

    python tests/test_testbed_trs.py --record
"""
from __future__ import annotations

import json
import math
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from parsel import Selector

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.profiles.extract import absolute_links  # noqa: E402
from testbed.corpus import INTERP_LINK_SIDES, ExtraLink  # noqa: E402
from testbed.build import build_corpus  # noqa: E402
from testbed.server import Request, Testbed as Portal  # noqa: E402
from testbed.styles import trs  # noqa: E402
from testbed.styles.trs import TrsStyle  # noqa: E402
from tests.conftest import plant_rendered_truth  # noqa: E402

BASE = "http://127.0.0.1:8002/"     # fixed base URL of the recorded page-object fixtures
MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "ofd": b"PK\x03\x04",
         "zip": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "jpg": b"\xff\xd8\xff", "png": b"\x89PNG"}


def fetch(url: str, data: dict | None = None, method: str | None = None) -> tuple[int, str | None, bytes]:
    body = urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def decode(raw: bytes) -> str:
    """As a browser would: by the page's own <meta> charset (gb2312 read as GB18030)."""
    declared = re.search(rb"charset=([\w-]+)", raw[:1024])
    name = declared.group(1).decode().lower() if declared else "utf-8"
    return raw.decode("gb18030" if name in ("gb2312", "gbk", "gb18030") else name)


def page(url: str) -> Selector:
    status, _, raw = fetch(url)
    assert status == 200, url
    return Selector(text=decode(raw))


def list_rows(url: str) -> list[tuple[str, str, str]]:
    """(absolute url, title attribute, date) of the rows of a static list page."""
    sel = page(url)
    rows = [(a.attrib["href"], a.attrib.get("title"), a.xpath("following-sibling::span[1]/text()").get())
            for a in sel.css("ul.list li a[title]")]
    rows += [(tr.css("a::attr(href)").get(), tr.css("a::attr(title)").get(), tr.css("td:last-child::text").get())
             for tr in sel.css("table.xxgk_table tr") if tr.css("a")]
    rows += [(dl.css("a::attr(href)").get(), dl.css("a::attr(title)").get(), dl.css("dd:last-child::text").get())
             for dl in sel.css("div.list_con dl") if dl.css("a[href]")]
    return [(urljoin(url, href), title, day) for href, title, day in rows]


@pytest.fixture(scope="module")
def tb():
    testbed = Portal(TrsStyle(build_corpus(1))).start()
    yield testbed
    testbed.stop()


@pytest.fixture(scope="module")
def planted():
    """A corpus with every kind of truth the style must render (seed 1 may not plant them all)."""
    corpus = build_corpus(1)
    docs, with_att, pairs, normative = plant_rendered_truth(corpus)
    target = docs[5]
    target.extra_links = [ExtraLink("上级文件", f"doc:{docs[6].key}"), ExtraLink("原网址", "dead"),
                          ExtraLink("外部链接", "external-dead"), ExtraLink("专题页面", "soft404")]
    no_doc_no = next(d for d in docs if d.doc_no and d.kind == "policy")
    no_doc_no.doc_no, no_doc_no.missing_shown["doc_no"] = None, "〔〕号"
    testbed = Portal(TrsStyle(corpus)).start()
    yield testbed, corpus, {"target": target, "normative": normative, "pairs": pairs, "with_att": with_att,
                            "no_doc_no": no_doc_no}
    testbed.stop()


# -- charset -----------------------------------------------------------------------------------
def test_gbk_pages_without_header_charset(tb):
    status, ctype, raw = fetch(tb.url)
    assert status == 200 and ctype == "text/html"            # no charset in the HTTP header
    assert b'content="text/html; charset=gb2312"' in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    corpus = tb.style.corpus
    doc = corpus.docs_in(trs.EDITOR_COLUMN)[0]
    _, ctype, raw = fetch(doc.url)
    assert ctype == "text/html" and b"charset=gb2312" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")                                 # 喆 is outside GB2312 ...
    text = raw.decode("gb18030")                             # ... but inside GBK / GB18030
    assert trs.EDITOR in text and doc.title in text
    assert "喆".encode("gb18030") in raw


def test_one_column_is_utf8(tb):
    corpus = tb.style.corpus
    col = corpus.column(trs.UTF8_COLUMN)
    for url in (col.url, corpus.docs_in(col.key)[0].url):
        _, ctype, raw = fetch(url)
        assert ctype == "text/html"
        assert b'content="text/html; charset=utf-8"' in raw and b"gb2312" not in raw
        assert corpus.docs_in(col.key)[0].title in raw.decode("utf-8")


# -- static lists --------------------------------------------------------------------------------
def test_static_pages_cover_each_column_then_404_then_stub(tb):
    corpus = tb.style.corpus
    for col in corpus.columns:
        if col.key == trs.DYNAMIC:
            continue
        n = max(1, math.ceil(len(col.docs) / trs.PAGE_SIZE))
        urls = [col.url + ("index.html" if i == 0 else f"index_{i}.html") for i in range(n)]
        rows = [r for url in urls for r in list_rows(url)]
        truth = corpus.docs_in(col.key)
        assert [(u, t, d) for u, t, d in rows] == [(d.url, d.title, d.pub_date.isoformat()) for d in truth], col.key
        assert list_rows(col.url) == list_rows(urls[0])       # the directory URL is page 1
        assert fetch(col.url + f"index_{n}.html")[0] == 404
        status, _, raw = fetch(col.url + f"index_{n + 3}.html")
        assert status == 200 and "页面不存在" in decode(raw) and len(raw) < 2000


def test_pager_variants(tb):
    style, corpus = tb.style, tb.style.corpus
    seen = set()
    for col in corpus.columns:
        n = math.ceil(len(col.docs) / trs.PAGE_SIZE)
        kind = style.pager_kind.get(col.key)
        if col.key == trs.DYNAMIC or n < 2:
            continue
        seen.add(kind)
        raw = decode(fetch(col.url)[2])
        anchors = Selector(text=raw).xpath("//a/@href").re(r"^index_\d+\.html$")
        if kind == "links":
            assert anchors == [f"index_{i}.html" for i in range(1, n)] + ["index_1.html", f"index_{n - 1}.html"]
        elif kind == "create":
            assert f'createPageHTML({n}, 0, "index", "html");' in raw and not anchors
        else:
            assert f"var countPage = {n};" in raw and "document.write('<a href=\"index_' + i + '.html\">'" in raw
            assert not anchors
    assert seen == {"links", "create", "countpage"}


def test_dynamic_column_static_pages_then_json(tb):
    corpus = tb.style.corpus
    col = corpus.column(trs.DYNAMIC)
    truth = corpus.docs_in(col.key)
    assert len(truth) > trs.MAX_STATIC * trs.STATIC_SIZE     # some rows exist only behind the endpoint
    static = list_rows(col.url)          # all five static pages are blocks of index.html
    assert [(u, t, d) for u, t, d in static] == [
        (d.url, d.title, d.pub_date.isoformat()) for d in truth[:trs.MAX_STATIC * trs.STATIC_SIZE]]
    assert Selector(text=decode(fetch(col.url)[2])).css("div.list_con[ms-visible]").getall()[trs.MAX_STATIC - 1]
    assert fetch(col.url + "index_1.html")[0] == 404
    raw = decode(fetch(col.url)[2])
    chnl = re.search(r'classsql: "" \|\| "chnlid=(\d+)"', raw).group(1)
    assert f"recordCount:'{len(truth)}'" in raw and f"prepage:{trs.PREPAGE}" in raw and "$showStatic(4)" in raw
    assert f'searchId: "{trs.SEARCH_CHANNEL}"' in raw and "channelid: SiteInfo.searchId" in raw
    api = tb.url.rstrip("/") + trs.API
    got = []
    for p in range(1, math.ceil(len(truth) / trs.PREPAGE) + 2):
        status, ctype, body = fetch(api, {"channelid": trs.SEARCH_CHANNEL, "classsql": f"chnlid={chnl}",
                                          "sortfield": "-docorderpri,-docreltime", "page": p, "prepage": 15})
        reply = json.loads(body)
        assert status == 200 and ctype.startswith("application/json") and reply["total"] == len(truth)
        assert all(set(row) == {"title", "url", "docreltime"} for row in reply["data"])
        got += reply["data"]
    assert [(r["url"], r["title"], r["docreltime"][:10]) for r in got] == [
        (d.url, d.title, d.pub_date.isoformat()) for d in truth]
    assert json.loads(fetch(api, {"channelid": trs.SEARCH_CHANNEL, "classsql": "chnlid=1", "page": 1})[2])["total"] == 0
    assert fetch(api + "?page=1")[0] == 405


def test_table_rows_and_cross_listing(tb):
    corpus = tb.style.corpus
    sel = page(corpus.column(trs.TABLE_COLUMN).url)
    assert sel.css("table.xxgk_table th::text").getall() == ["名称", "索引号", "发布机构", "发布日期"]
    first = corpus.docs_in(trs.TABLE_COLUMN)[0]
    assert sel.css("table.xxgk_table tr")[1].css("td::text").getall() == [first.index_no, first.publisher,
                                                                           first.pub_date.isoformat()]
    crossed = [d for d in corpus.docs.values() if d.also_in]
    assert crossed
    zcwj = corpus.column("zcwj")
    hrefs = {}
    for href in page(zcwj.url).css("div.list_con dl a::attr(href)").getall():
        hrefs[urljoin(zcwj.url, href)] = href
    for d in crossed:
        assert d.url in hrefs and hrefs[d.url].startswith(f"../../fdzdgknr/{trs.TABLE_COLUMN}/")
        assert d.url in {u for u, _, _ in list_rows(corpus.column(d.column).url)}


# -- detail pages ---------------------------------------------------------------------------------
def test_detail_layout(tb):
    corpus = tb.style.corpus
    for d in corpus.docs.values():
        ext = "shtml" if d.column == trs.SHTML_COLUMN else "htm"
        assert re.search(rf"/fdzdgknr/\w+/{d.pub_date:%Y%m}/t{d.pub_date:%Y%m%d}_\d+\.{ext}$", d.url), d.url
    doc = next(d for d in corpus.docs.values() if d.kind == "policy" and d.doc_no and d.written_date)
    raw = decode(fetch(doc.url)[2])
    for label in ("索&ensp;引&ensp;号：<font>", "主题分类：<font>", "发文机关：<font>", "成文日期：<font>",
                  "标&ensp;&ensp;题：<font>", "发文字号：<font>", "发布日期：<font>",
                  '有&ensp;效&ensp;性：<em class="red_base">有效</em>'):
        assert label in raw, label
    sel = Selector(text=raw)
    assert sel.css("div.view.TRS_UEDITOR.trs_paper_default p")
    metas = dict(zip(sel.xpath("//meta/@name").getall(), sel.xpath("//meta[@name]/@content").getall()))
    assert metas["ArticleTitle"] == doc.title and metas["PubDate"].startswith(doc.pub_date.isoformat())
    assert {"SiteName", "SiteIDCode", "ColumnName", "ContentSource", "DocId", "ChnlId"} <= set(metas)
    crumbs = sel.css("div.position a::attr(href)").getall()
    assert crumbs == ["../../../../../", "../../../", "../../", "../"]
    assert all(fetch(urljoin(doc.url, c))[0] == 200 for c in crumbs)


def test_missing_fields_printed_as_placeholders(tb, planted):
    corpus = tb.style.corpus
    shown = {}
    for d in corpus.docs.values():
        for field, how in d.missing_shown.items():
            shown.setdefault((field, how), d)
    labels = {"index_no": "索&ensp;引&ensp;号", "category": "主题分类", "publisher": "发文机关",
              "written_date": "成文日期", "title": "标&ensp;&ensp;题", "doc_no": "发文字号",
              "pub_date": "发布日期", "validity": "有&ensp;效&ensp;性"}
    for (field, how), d in shown.items():
        raw = decode(fetch(d.url)[2])
        start = raw.index('<div class="index_box">')
        box = raw[start:raw.index("</ul></div>", start)]
        if how == "omit":
            assert labels[field] not in box, (field, d.key)
        else:
            wrap = '<em class="red_base">{}</em>' if field == "validity" else "<font>{}</font>"
            shown_as = wrap.format("" if how == "blank" else how)
            assert f"{labels[field]}：{shown_as}" in box, (field, how, d.key)
    assert ("doc_no", "omit") in shown and ("doc_no", "无") in shown
    _, _, info = planted
    raw = decode(fetch(info["no_doc_no"].url)[2])
    assert "发文字号：<font>〔〕号</font>" in raw


def test_interpretation_links_plain_and_js_sidebar(tb, planted):
    corpus = tb.style.corpus
    pol = next(d for d in corpus.docs.values() if d.interpretation and d.interp_links == "both"
               and corpus.docs[d.interpretation].interp_links == "both")
    interp = corpus.docs[pol.interpretation]
    sel = page(pol.url)
    assert not sel.css("div.jdbox a[href]")                  # the sidebar is empty without JS
    assert [urljoin(pol.url, h) for h in sel.css("div.xglj a::attr(href)").getall()] == [interp.url]
    assert "相关解读：" in sel.css("div.xglj li").get()
    back = page(interp.url)
    assert [urljoin(interp.url, h) for h in back.css("div.xglj a::attr(href)").getall()] == [pol.url]
    docid = re.search(r"_(\d+)\.htm$", pol.url).group(1)
    assert f'"/interface/relnews/{docid}.json"' in sel.get()
    status, _, body = fetch(tb.url + f"interface/relnews/{docid}.json")
    assert status == 200 and [r["url"] for r in json.loads(body)["wzjd"]] == [interp.url]
    testbed, pcorpus, info = planted
    expect = INTERP_LINK_SIDES
    for pol, interp in info["pairs"][:3]:
        forward = bool(page(pol.url).css("div.xglj a"))
        backward = bool(page(interp.url).css("div.xglj a"))
        assert (forward, backward) == expect[pol.interp_links], pol.interp_links


def test_attachments_names_types_and_ofd(tb, planted):
    corpus = tb.style.corpus
    docs = [d for d in corpus.docs.values() if d.attachments]
    assert any(a.ext == "ofd" for d in docs for a in d.attachments)
    for d in docs:
        month = d.url.rsplit("/", 1)[0] + "/"
        sel = page(d.url)
        for a in d.attachments:
            if a.state == "tiny":                   # legacy 2-byte files live under /Upload/File/
                assert "/Upload/File/" in a.url
                continue
            prefix = "W0" if a.ext in ("xls", "xlsx", "jpg", "png") else "P0"
            assert re.fullmatch(rf"{re.escape(month)}{prefix}{d.pub_date:%Y%m%d}\d{{12}}\.{a.ext}", a.url), a.url
            assert a.url in [urljoin(d.url, h) for h in sel.css("div.fujian a::attr(href)").getall()]
            if a.state != "ok":                     # planted broken attachment (LK002)
                continue
            status, ctype, body = fetch(a.url)
            assert status == 200 and body.startswith(MAGIC[a.ext]) and not ctype.startswith("text/"), a.url
            if a.ext == "ofd":
                src = sel.css("iframe.isofd::attr(src)").get()
                assert src == f"{trs.VIEWER}?file={a.url[len(tb.url) - 1:]}"
                assert fetch(urljoin(d.url, src))[0] == 200
        if not any(a.ext == "ofd" for a in d.attachments):
            assert not sel.css("iframe.isofd")
    testbed, pcorpus, info = planted
    states = {d.attachments[0].state: d.attachments[0] for d in info["with_att"][:3]}
    assert fetch(states["missing"].url)[0] == 404
    status, _, body = fetch(states["tiny"].url)
    assert status == 200 and len(body) == 2 and "/Upload/File/" in states["tiny"].url
    status, ctype, body = fetch(states["wrong_type"].url)
    assert status == 200 and ctype.startswith("text/html") and "下载失败" in decode(body)


# -- the rest of the truth -------------------------------------------------------------------------
def test_site_truth_rendered(tb, planted):
    corpus = tb.style.corpus
    home = page(tb.url)
    assert home.xpath('//a[text()="政府信息公开"]/@href').get() == trs.SECTION
    news = [(a.attrib["title"], a.xpath("following-sibling::span[1]/text()").get())
            for a in home.css("div.news li a")]
    assert news == [(title, day.isoformat()) for _k, title, day in corpus.site.home_news]
    assert all(fetch(urljoin(tb.url, h))[0] == 200 for h in home.css("div.news li a::attr(href)").getall())
    footer = "".join(home.css("div.footer").xpath(".//text()").getall())
    for k, v in corpus.site.footer.items():
        if v and k != "conac":
            assert v in footer
    assert bool(home.css('div.footer a[href*="conac"] img[alt="党政机关"]')) == bool(corpus.site.footer.get("conac"))
    section = page(tb.url + trs.SECTION.lstrip("/"))
    block = section.xpath('//div[h3 or div/h3][contains(., "法定主动公开内容")]')
    assert [(urljoin(tb.url + trs.SECTION.lstrip("/"), a.attrib["href"]), a.xpath("string()").get())
            for a in block.css("li a")] == [(c.url, c.name) for c in corpus.columns]
    for part, name in (("guide", "政府信息公开指南"), ("rules", "政府信息公开制度"), ("annual_report", "政府信息公开年报")):
        assert bool(section.xpath(f'//a[text()="{name}"]')) == corpus.site.sections[part], part
    guide = "".join(page(tb.url + trs.GUIDE.lstrip("/")).xpath("//p//text()").getall())
    assert all(v in guide for v in corpus.site.guide.values() if v)
    reports = page(tb.url + trs.REPORTS.lstrip("/"))
    rows = [(a.attrib["title"], a.xpath("following-sibling::span[1]/text()").get(), a.attrib["href"])
            for a in reports.css("ul.list li a")]
    assert [r[:2] for r in rows] == [(t, p.isoformat()) for _k, _y, p, t in corpus.site.annual_reports]
    for _t, _p, href in rows:
        report = page(urljoin(tb.url + trs.REPORTS.lstrip("/"), href))
        assert "六、其他需要报告的事项" in report.get()


def test_planted_truth_rendered(planted):
    testbed, corpus, info = planted
    home = page(testbed.url)
    footer = "".join(home.css("div.footer").xpath(".//text()").getall())
    assert "ICP" not in footer and "网站标识码" in footer
    section = page(testbed.url + trs.SECTION.lstrip("/"))
    assert not section.xpath('//a[text()="政府信息公开制度"]') and section.xpath('//a[text()="政府信息公开指南"]')
    guide = page(testbed.url + trs.GUIDE.lstrip("/")).get()
    assert "传真号码" not in guide and "办公地址" in guide
    empty = page(corpus.column("jytabl").url)
    assert "暂无信息" in empty.get() and not empty.css("ul.list li a")
    texts = {a.xpath("string()").get(): a.attrib["href"] for a in home.css("div.links a")}
    assert set(texts) == {"旧版网站", "专题"}
    assert fetch(urljoin(testbed.url, texts["旧版网站"]))[0] == 404
    status, _, raw = fetch(urljoin(testbed.url, texts["专题"]))
    assert status == 200 and "页面不存在" in decode(raw)
    target = info["target"]
    sel = page(target.url)
    links = {a.xpath("string()").get(): urljoin(target.url, a.attrib["href"]) for a in sel.css("div.view a")}
    assert [link.url for link in target.extra_links] == [links[t] for t in ("上级文件", "原网址", "外部链接", "专题页面")]
    assert links["上级文件"] == list(corpus.docs.values())[6].url and fetch(links["上级文件"])[0] == 200
    assert fetch(links["原网址"])[0] == 404
    assert links["外部链接"].startswith("http://www.xxgk-gateway.invalid/")
    status, _, raw = fetch(links["专题页面"])
    assert status == 200 and "页面不存在" in decode(raw)
    normative = info["normative"]
    assert "有效期至2027年6月30日" in "".join(page(normative[0].url).css("div.view ::text").getall())
    repealing = "".join(page(normative[2].url).css("div.view ::text").getall())
    assert f"《{normative[1].title}》（{normative[1].doc_no}）同时废止。" in repealing


def test_search_answers_anything_and_never_ends(tb):
    for query in ("政策", "zzzz-nothing", ""):
        for p in (1, 2, 57):
            status, _, raw = fetch(tb.url + "govsearch/simp_gov_list.jsp?" + urlencode({"sword": query, "page": p}))
            sel = Selector(text=decode(raw))
            assert status == 200 and sel.css("div.search-result li a")
            assert sel.xpath('//a[text()="下一页"]/@href').get().endswith(f"page={p + 1}")


def test_every_answer_key_url_and_page_link_answers(tb):
    key = tb.answer_key()
    pages = [c["url"] for c in key["columns"]] + [d["url"] for d in key["documents"]]
    assert all(u.startswith(tb.url) for u in pages)
    checked: dict[str, int] = {}
    for url in [tb.url, tb.url + trs.SECTION.lstrip("/"), *pages]:
        status, _, raw = fetch(url)
        assert status == 200, url
        for link in absolute_links(url, decode(raw)):
            if link.url.startswith(tb.url) and trs.SEARCH not in link.url and link.url not in checked:
                checked[link.url] = fetch(link.url)[0]
    broken = {u: s for u, s in checked.items() if s != 200}
    dead = tb.style.corpus.dead_urls()               # planted LK001/LK002 targets
    assert set(broken) <= dead and len(checked) > len(pages), set(broken) - dead


# -- page objects (TrsProfile) ----------------------------------------------------------------------
def test_profile_builds_js_only_pager_urls():
    from crawler.profiles.trs import TrsProfile

    base = "http://h/zwgk/fdzdgknr/tzgg/"
    profile = TrsProfile()
    create = '<ul><li><a href="./202401/t20240105_1.htm">甲</a><span>2024-01-05</span></li></ul>' \
             '<script>createPageHTML(4, 0, "index", "shtml");</script>'
    count = "<script>var countPage = 3; var currentPage = 0;\n" \
            "for (var i = 1; i < countPage; i++) { document.write('<a href=\"list_' + i + '.htm\">'); }</script>"
    for html, want in ((create, ["index_1.shtml", "index_2.shtml", "index_3.shtml"]),
                       (count, ["list_1.htm", "list_2.htm"]),
                       ('<a href="index_1.html">2</a> <a href="index_6.html">尾页</a>',
                        [f"index_{i}.html" for i in range(1, 7)])):
        assert [s.url for s in profile.listing(base, html).more] == [base + u for u in want]
    assert TrsProfile.matches(base, create) and TrsProfile.matches(base, count)
    # a later page asks for the others, not itself, and numbers its rows after the earlier pages
    later = profile.listing(base + "index_2.shtml", create.replace("(4, 0,", "(4, 2,"))
    assert [s.url.rsplit("/", 1)[1] for s in later.more] == ["index_1.shtml", "index_3.shtml"]
    assert not TrsProfile.matches("http://x/col/col12/index.html", "<html><body><a href='index_1.html'>2</a></body></html>")


def test_profile_reads_placeholders_and_json_rows():
    from crawler.items import RequestSpec
    from crawler.profiles.trs import TrsProfile

    pages = ROOT / "tests" / "fixtures" / "pages" / "TrsProfile"
    profile = TrsProfile()

    def run(case):
        meta = json.loads((pages / case / "meta.json").read_text("utf-8"))
        html = (pages / case / "input.html").read_text("utf-8")
        if meta["method"] == "parse_more":
            return profile.parse_more(RequestSpec(**meta["spec"]), meta["url"], html)
        return getattr(profile, meta["method"])(meta["url"], html)

    doc = run("article_doc_no_wu")
    assert doc.doc_no.value is None and doc.doc_no.raw == "无" and doc.doc_no.source == "table"
    doc = run("article_written_blank")
    assert doc.written_date.value is None and doc.written_date.raw == "" and doc.written_date.source == "table"
    doc = run("article_normal")
    assert doc.index_no.source == "table" and doc.validity.value == "有效" and doc.related and doc.attachments
    assert trs.EDITOR in run("article_gbk_editor").body_text
    dynamic = run("column_dynamic")
    posts = [s for s in dynamic.more if s.method == "POST"]
    assert dynamic.total == 65 and len(dynamic.entries) == trs.MAX_STATIC * trs.STATIC_SIZE
    assert not [s for s in dynamic.more if s.method == "GET"]     # no index_N.html to ask for
    assert [s.state["page"] for s in posts] == [4, 5] and all("prepage=15" in s.body for s in posts)
    rows = run("search_api")
    assert [e.position for e in rows.entries] == list(range(46, 61)) and rows.entries[0].date.source == "api"
    broken = profile.parse_more(posts[0], posts[0].url, "<html>系统繁忙</html>")
    assert not broken.entries and broken.uncertain


# -- page-object fixtures ----------------------------------------------------------------------------
def record_fixtures() -> None:
    """Record ``tests/fixtures/pages/TrsProfile/<case>/`` from pages the style renders, after checking
    the profile's output against the corpus truth."""
    from crawler.items import RequestSpec
    from crawler.profiles.trs import TrsProfile

    from tests.record_fixtures import write_fixture

    corpus = build_corpus(1)
    style = TrsStyle(corpus)
    profile = TrsProfile()
    fields = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")

    def write(case, url, method, text, result, spec: RequestSpec | None = None):
        write_fixture("TrsProfile", case, url, method, text, result, spec)

    style.bind(BASE)      # rendered by the style itself at a fixed base URL (no network)

    def get(url, spec=None):
        split = urlsplit(url)
        body = (spec.body or "").encode() if spec else b""
        resp = style.handle(Request(spec.method if spec else "GET", split.path, dict(parse_qsl(split.query)),
                                    {k.lower(): v for k, v in (spec.headers if spec else {}).items()}, body))
        assert resp is not None and resp.status == 200, url
        return decode(resp.data())

    def check_rows(key, entries, first):
        truth = corpus.docs_in(key)[first - 1:first - 1 + len(entries)]
        assert [(e.url, e.title, e.date.value, e.position) for e in entries] == [
            (d.url, d.title, d.pub_date.isoformat(), first + i) for i, d in enumerate(truth)], key

    html = get(BASE)
    section = profile.section_url(BASE, html)
    assert section == BASE + trs.SECTION.lstrip("/")
    write("home", BASE, "section_url", html, section)
    html = get(section)
    columns = profile.section_columns(section, html)
    assert [c.url for c in columns if c.role == "column"] == [c.url for c in corpus.columns]
    write("section", section, "section_columns", html, columns)
    for key, case in (("tzgg", "column_links_pager"), ("gfxwj", "column_table_create_page"),
                      ("zcjd", "column_count_page"), ("zcwj", "column_dynamic")):
        col = corpus.column(key)
        html = get(col.url)
        listing = profile.listing(col.url, html)
        check_rows(key, listing.entries, 1)
        write(case, col.url, "listing", html, listing)
    spec = next(s for s in listing.more if s.state.get("api"))
    reply = profile.parse_more(spec, spec.url, body := get(spec.url, spec))
    check_rows("zcwj", reply.entries, (spec.state["page"] - 1) * spec.state["prepage"] + 1)
    write("search_api", spec.url, "parse_more", body, reply, spec)
    col = corpus.column("zcjd")
    spec = next(s for s in profile.listing(col.url, get(col.url)).more if not s.state.get("api"))
    more = profile.parse_more(spec, spec.url, body := get(spec.url))
    check_rows("zcjd", more.entries, trs.PAGE_SIZE + 1)
    write("static_page", spec.url, "parse_more", body, more, spec)
    docs = list(corpus.docs.values())
    cases = {
        "article_normal": next(d for d in docs if d.attachments and d.interpretation and d.kind == "normative"),
        "article_doc_no_wu": next(d for d in docs if d.missing_shown.get("doc_no") == "无"),
        "article_written_blank": next(d for d in docs if d.missing_shown.get("written_date") == "blank"),
        "article_ofd": next(d for d in docs if any(a.ext == "ofd" for a in d.attachments)),
        "article_utf8": corpus.docs_in(trs.UTF8_COLUMN)[0],
        "article_gbk_editor": corpus.docs_in(trs.EDITOR_COLUMN)[0],
    }
    cases["article_interpretation"] = corpus.docs[cases["article_normal"].interpretation]
    for case, truth in cases.items():
        html = get(truth.url)
        doc = profile.document(truth.url, html)
        for f in fields:
            want = getattr(truth, f)
            assert getattr(doc, f).value == (want.isoformat() if hasattr(want, "isoformat") else want), (case, f)
        assert [a.url for a in doc.attachments] == [a.url for a in truth.attachments] and doc.uncertain is None
        write(case, truth.url, "document", html, doc)


if __name__ == "__main__" and "--record" in sys.argv:
    record_fixtures()
