"""The JSON-first testbed (S4: gkmlpt + gov.cn) over real HTTP: the ``_CONFIG.TREE`` section, the
gkmlpt API and its repeating last page, the gov.cn feed and library search, the token-guarded
search (403 JSON), detail pages A (``table.bd1``) and B (``_CONFIG.DETAIL`` only), attachments
and the rest of the corpus truth; then spot checks of the page objects of the two platforms
(GkmlptProfile, GovcnProfile).

Also records the page-object fixtures (``tests/fixtures/pages/GkmlptProfile/`` and
``tests/fixtures/pages/GovcnProfile/``)::

    python tests/test_testbed_jsonfirst.py --record
"""
from __future__ import annotations

import json
import math
import re
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from parsel import Selector

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.antibot import blocked_reason  # noqa: E402
from crawler.profiles.extract import absolute_links  # noqa: E402
from testbed.corpus import INTERP_LINK_SIDES, ExtraLink  # noqa: E402
from testbed.build import build_corpus  # noqa: E402
from testbed.files import CONTENT_TYPES  # noqa: E402
from testbed.server import Request, Testbed as Portal  # noqa: E402
from testbed.styles import jsonfirst as jf  # noqa: E402
from testbed.styles.jsonfirst import JsonFirstStyle  # noqa: E402
from tests.conftest import plant_rendered_truth  # noqa: E402

BASE = "http://127.0.0.1:8004/"     # fixed base URL of the recorded page-object fixtures
FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")
MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "ofd": b"PK\x03\x04",
         "zip": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "jpg": b"\xff\xd8\xff", "png": b"\x89PNG"}


def fetch(url: str, headers: dict | None = None) -> tuple[int, str | None, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def text(url: str, headers: dict | None = None) -> str:
    status, ctype, raw = fetch(url, headers)
    assert status == 200 and ctype.endswith("charset=utf-8"), (url, status, ctype)
    return raw.decode("utf-8")


def api(url: str, headers: dict | None = None):
    status, ctype, raw = fetch(url, headers)
    assert status == 200 and ctype.startswith("application/json"), (url, status)
    return json.loads(raw)


def script_value(html: str, name: str):
    """The JSON written after ``name:`` in a page script (what the page's own JS reads)."""
    m = re.search(rf"\b{name}\s*:\s*", html)
    return json.JSONDecoder().raw_decode(html, m.end())[0]


def outside_scripts(html: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def china_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, jf.CST).date().isoformat()


def gkmlpt_columns(corpus):
    return [c for c in corpus.columns if c.key not in jf.GOVCN]


@pytest.fixture(scope="module")
def tb():
    testbed = Portal(JsonFirstStyle(build_corpus(1))).start()
    yield testbed
    testbed.stop()


@pytest.fixture(scope="module")
def planted():
    """A corpus with every kind of truth the style must render (seed 1 does not plant them all)."""
    corpus = build_corpus(1)
    docs, with_att, pairs, normative = plant_rendered_truth(corpus)
    targets = [next(d for d in docs if d.column == "ghjh"), next(d for d in docs if d.column == "zcwj")]
    for target in targets:
        target.extra_links = [ExtraLink("上级文件", f"doc:{docs[6].key}"), ExtraLink("原网址", "dead"),
                              ExtraLink("外部链接", "external-dead"), ExtraLink("专题页面", "soft404")]
    # missing values shown every way, on A (gov.cn) and B (gkmlpt) pages
    shown = {}
    for column in ("zcwj", "gfxwj"):
        pool = [d for d in docs if d.column == column and d.doc_no and d.written_date and not d.also_in
                and d not in normative[:3]]
        for d, how in zip(pool, ("omit", "blank", "无", "〔〕号")):
            d.doc_no, d.missing_shown["doc_no"] = None, how
            shown[(column, "doc_no", how)] = d
        for d, how in zip(pool[4:], ("omit", "blank")):
            d.written_date, d.missing_shown["written_date"] = None, how
            shown[(column, "written_date", how)] = d
    testbed = Portal(JsonFirstStyle(corpus)).start()
    yield testbed, corpus, {"targets": targets, "normative": normative, "pairs": pairs, "with_att": with_att,
                            "shown": shown}
    testbed.stop()


# -- home and the _CONFIG.TREE section ---------------------------------------------------------------
def test_home_and_section_tree(tb):
    corpus = tb.style.corpus
    home = Selector(text=text(tb.url))
    assert home.xpath('//a[text()="政府信息公开"]/@href').get() == jf.SECTION
    raw = text(tb.url + jf.SECTION.lstrip("/"))
    assert "window._CONFIG = {" in raw and f"SID: '{jf.SID}'" in raw
    tree = script_value(raw, "TREE")
    parts = {"guide": "政府信息公开指南", "rules": "政府信息公开制度", "statutory": "法定主动公开内容",
             "annual_report": "政府信息公开年报"}
    assert [n["name"] for n in tree] == [name for part, name in parts.items() if corpus.site.sections[part]]
    assert corpus.site.sections["statutory"]
    statutory = next(n for n in tree if n["name"] == "法定主动公开内容")["children"]
    assert [(n["id"], n["name"]) for n in statutory] == [(tb.style.cat_id[c.key], c.name) for c in corpus.columns]
    assert [n.get("url") for n in statutory] == [tb.style.column_path(c.key) if c.key in jf.GOVCN else None
                                                 for c in corpus.columns]
    # the only <a> of the section body are 指南 / 制度 / 年报: the columns exist only in the tree
    sel = Selector(text=raw)
    hrefs = set(sel.xpath("//a/@href").getall())
    pages = {"guide": jf.GUIDE, "rules": jf.RULES, "annual_report": jf.REPORTS}
    assert {href for part, href in pages.items() if corpus.site.sections[part]} == hrefs & set(pages.values())
    assert not any("/gkmlpt/api/" in h or h in {tb.style.column_path(c.key) for c in corpus.columns} for h in hrefs)
    assert sel.css("div.gkml-tree .tree-title::text").get() == "法定主动公开内容" and not sel.css("#gkml-tree li")


# -- the gkmlpt API -----------------------------------------------------------------------------------
def test_gkmlpt_api_pages_to_total_and_repeats_last_page(tb):
    corpus, style = tb.style.corpus, tb.style
    assert any(not c.docs for c in gkmlpt_columns(corpus))
    for col in gkmlpt_columns(corpus):
        truth = corpus.docs_in(col.key)
        pages = math.ceil(len(truth) / jf.PER_PAGE)
        assert col.url == f"{tb.url}gkmlpt/api/all/{style.cat_id[col.key]}?page=1&sid={jf.SID}"
        if not truth:                                             # an empty column (FR003)
            assert api(col.url) == {"total": 0, "articles": []}
            continue
        got, replies = [], []
        for page in range(1, pages + 2):
            reply = api(f"{tb.url}gkmlpt/api/all/{style.cat_id[col.key]}?page={page}&sid={jf.SID}")
            assert reply["total"] == len(truth)
            replies.append(reply["articles"])
            if page <= pages:
                assert len(reply["articles"]) == min(jf.PER_PAGE, len(truth) - (page - 1) * jf.PER_PAGE)
                got += reply["articles"]
        assert replies[-1] == replies[-2] and replies[-1]           # page N+1 repeats page N (trap)
        assert [a["url"] for a in got] == [d.url for d in truth], col.key
        for a, d in zip(got, truth):
            assert china_date(a["create_time"]) == d.pub_date.isoformat() == a["display_publish_time"]
            assert (a["title"], a["identifier"], a["document_number"], a["publisher"]) == (
                d.title, d.index_no or "", d.doc_no or "", d.publisher or "")
            assert a["is_abolished"] is (d.validity == "废止") and isinstance(a["relation"], list)
            assert [x["url"] for x in a["attachment"]] == [x.url for x in d.attachments]
    cat = style.cat_id[gkmlpt_columns(corpus)[0].key]
    assert fetch(f"{tb.url}gkmlpt/api/all/{cat}?page=1")[0] == 400                 # sid is required
    assert fetch(f"{tb.url}gkmlpt/api/all/999?page=1&sid={jf.SID}")[0] == 404


# -- the gov.cn forms -----------------------------------------------------------------------------------
def test_govcn_feed_and_library_search(tb):
    corpus = tb.style.corpus
    truth = corpus.docs_in("zcwj")
    shell = text(corpus.column("zcwj").url)
    config = json.loads(re.search(r"var listConfig = (\{.*?\});", shell).group(1))
    assert config == {"feed": "/zhengce/zuixin/ZUIXINZHENGCE.json", "search": jf.SEARCH, "t": "zhengcelibrary",
                      "cat": "zcwj", "n": 20}
    assert not Selector(text=shell).css("#zc-list li") and "athenaAppKey" not in shell
    feed = api(tb.url + "zhengce/zuixin/ZUIXINZHENGCE.json")
    assert feed == [{"TITLE": d.title, "URL": d.url, "DOCRELPUBTIME": d.pub_date.isoformat()}
                    for d in truth[:jf.FEED_SIZE]]
    got, page, pages = [], 1, None
    while pages is None or page <= pages:
        vo = api(tb.url + "search-gov/data?" + urlencode({"t": "zhengcelibrary", "p": page, "n": 20,
                                                          "cat": "zcwj"}))["searchVO"]
        pages = vo["totalpage"]
        got += vo["listVO"]
        page += 1
    assert pages == math.ceil(len(truth) / 20)
    assert [(r["url"], r["title"], r["pcode"], r["puborg"]) for r in got] == [
        (d.url, d.title, d.doc_no or "", d.publisher or "") for d in truth]
    assert all(china_date(r["pubtime"] / 1000) == d.pub_date.isoformat() and r["pubtime"] > 10 ** 12
               for r, d in zip(got, truth))
    past = api(tb.url + f"search-gov/data?t=zhengcelibrary&p={pages + 1}&n=20&cat=zcwj")["searchVO"]
    assert past["listVO"] == [] and past["totalpage"] == pages
    capped = api(tb.url + "search-gov/data?t=zhengcelibrary&p=1&n=500&cat=zcwj")["searchVO"]
    assert len(capped["listVO"]) == jf.SEARCH_MAX_N                                     # n is silently cut


def test_guarded_search_is_blocked_but_its_documents_are_in_the_feed(tb):
    corpus = tb.style.corpus
    truth = corpus.docs_in(jf.GUARDED)
    folder, feed_name = jf.GOVCN[jf.GUARDED][:2]
    shell = text(corpus.column(jf.GUARDED).url)
    assert "headers: {athenaAppKey:" in shell and f"/zhengce/{folder}/{feed_name}" in shell
    url = tb.url + f"search-gov/data?t=zhengcelibrary&p=1&n=20&cat={jf.GUARDED}"
    status, ctype, raw = fetch(url)
    refusal = json.loads(raw)
    assert status == 403 and ctype.startswith("application/json") and refusal["code"] == 403 and len(raw) < 200
    assert blocked_reason(status, {"content-type": ctype}, raw)                      # "blocked", not broken
    vo = api(url, {"athenaAppKey": jf.ATHENA_KEY})["searchVO"]                       # the page's script gets in
    assert [r["url"] for r in vo["listVO"]] == [d.url for d in truth[:20]]
    assert fetch(url, {"athenaAppKey": "guess"})[0] == 403
    feed = api(tb.url + f"zhengce/{folder}/{feed_name}")                              # ... and so does the feed
    assert [r["URL"] for r in feed] == [d.url for d in truth] and len(truth) > jf.FEED_SIZE
    for key, (folder, feed_name, complete, guarded) in jf.GOVCN.items():           # the other searches are open
        if key != jf.GUARDED:
            assert not guarded and "athenaAppKey" not in text(corpus.column(key).url)
            assert fetch(tb.url + f"search-gov/data?t=zhengcelibrary&p=1&n=20&cat={key}")[0] == 200


def test_cross_listed_documents_keep_one_url(tb):
    corpus = tb.style.corpus
    crossed = [d for d in corpus.docs.values() if d.also_in]
    assert crossed
    listed = {r["url"] for p in (1, 2) for r in api(
        tb.url + f"search-gov/data?t=zhengcelibrary&p={p}&n=50&cat=zcwj")["searchVO"]["listVO"]}
    for d in crossed:
        home = corpus.column(d.column)
        pages = math.ceil(len(home.docs) / jf.PER_PAGE)
        own = {a["url"] for p in range(1, pages + 1) for a in api(home.url.replace("page=1", f"page={p}"))["articles"]}
        assert d.url in listed and d.url in own
        assert "/gkmlpt/content/" in d.url                  # a gkmlpt document listed by the gov.cn search


# -- detail pages ---------------------------------------------------------------------------------------
def test_page_a_govcn_layout(tb):
    corpus = tb.style.corpus
    doc = next(d for d in corpus.docs_in("zcwj") if d.doc_no and d.written_date and d.column == "zcwj")
    assert re.fullmatch(rf"{re.escape(tb.url)}zhengce/content/{doc.pub_date:%Y%m}/content_\d+\.htm", doc.url)
    raw = text(doc.url)
    sel = Selector(text=raw)
    cells = {c.xpath("string(b)").get(): c.xpath("string(following-sibling::td[1])").get()
             for c in sel.css("table.bd1 td") if c.css("b")}
    w = doc.written_date
    assert cells == {"索引号：": doc.index_no, "主题分类：": cells["主题分类："], "发文机关：": doc.publisher,
                     "成文日期：": f"{w.year}年{w.month}月{w.day}日", "标题：": doc.title, "发文字号：": doc.doc_no,
                     "发布日期：": f"{doc.pub_date.year}年{doc.pub_date.month}月{doc.pub_date.day}日",
                     "有效性：": doc.validity}
    assert "<td><b>索引号：</b></td>" in raw
    assert sel.css("td.zcwj_ztfl::text").get().startswith(doc.category + "\\")
    metas = dict(zip(sel.xpath("//meta/@name").getall(), sel.xpath("//meta[@name]/@content").getall()))
    assert re.fullmatch(rf"{doc.pub_date.isoformat()}-\d\d:\d\d:\d\d", metas["firstpublishedtime"])
    assert metas["manuscriptId"].isdigit() and metas["lanmu"] == "政策文件" and "ArticleTitle" not in metas
    assert sel.css("#UCAP-CONTENT p::text").get() == doc.title


def test_page_b_has_metadata_only_in_detail_json(tb):
    corpus = tb.style.corpus
    doc = next(d for d in corpus.docs_in("gfxwj") if d.doc_no and d.written_date and d.attachments)
    assert re.fullmatch(rf"{re.escape(tb.url)}gkmlpt/content/3/\d+/post_\d+\.html", doc.url)
    raw = text(doc.url)
    visible = outside_scripts(raw)
    for value in (doc.title, doc.index_no, doc.doc_no, doc.written_date.isoformat(), "索引号", "发文字号"):
        assert value not in visible, value
    detail = script_value(raw, "DETAIL")
    assert (detail["title"], detail["identifier"], detail["document_number"], detail["publisher"],
            detail["compose_time"], detail["effective"]) == (doc.title, doc.index_no, doc.doc_no, doc.publisher,
                                                             doc.written_date.isoformat(), doc.validity)
    assert detail["publish_time"].startswith(doc.pub_date.isoformat() + " ")
    assert detail["content"].startswith(f"<p>{doc.title}</p>") and "<\\/p>" in raw    # escaped for <script>
    assert [a["url"] for a in detail["attachment"]] == [a.url for a in doc.attachments]


def test_missing_fields_shown_every_way(planted):
    testbed, corpus, info = planted
    labels = {"doc_no": ("发文字号", "document_number"), "written_date": ("成文日期", "compose_time")}
    for (column, field, how), d in info["shown"].items():
        raw = text(d.url)
        label, key = labels[field]
        if column == "zcwj":
            cells = {c.xpath("string(b)").get(): c.xpath("string(following-sibling::td[1])").get()
                     for c in Selector(text=raw).css("table.bd1 td") if c.css("b")}
            assert cells.get(label + "：") == (None if how == "omit" else "" if how == "blank" else how), (field, how)
        else:
            detail = script_value(raw, "DETAIL")
            assert detail.get(key) == (None if how == "omit" else "" if how == "blank" else how), (field, how)
            assert (key in detail) is (how != "omit")
    assert len(info["shown"]) == 12


def test_interpretation_links_both_ways(tb, planted):
    corpus = tb.style.corpus
    both = [d for d in corpus.docs.values() if d.interpretation and d.interp_links == "both"
            and corpus.docs[d.interpretation].interp_links == "both"]
    pol = next(d for d in both if d.column == "zcwj")
    interp = corpus.docs[pol.interpretation]
    sel = Selector(text=text(pol.url))
    assert sel.css("div.related li::text").get() == "相关解读：" and sel.css("div.related a::attr(href)").get() == interp.url
    back = Selector(text=text(interp.url))
    assert back.css("div.related a::attr(href)").getall() == [pol.url]
    gk = next(d for d in both if d.column == "gfxwj")
    relation = script_value(text(gk.url), "DETAIL")["relation"]
    assert relation == [{"title": corpus.docs[gk.interpretation].title, "url": corpus.docs[gk.interpretation].url,
                         "type": "相关解读"}]
    testbed, pcorpus, info = planted
    expect = INTERP_LINK_SIDES

    def links_to(page_url, target):
        raw = text(page_url)
        if "DETAIL" in raw:
            return target in [r["url"] for r in script_value(raw, "DETAIL")["relation"]]
        return target in Selector(text=raw).css("div.related a::attr(href)").getall()

    for pol, interp in info["pairs"][:3]:
        assert (links_to(pol.url, interp.url), links_to(interp.url, pol.url)) == expect[pol.interp_links]


def test_attachments_real_files_and_states(tb, planted):
    corpus = tb.style.corpus
    docs = [d for d in corpus.docs.values() if d.attachments]
    assert {d.column in jf.GOVCN for d in docs} == {True, False}
    for d in docs:
        raw = text(d.url)
        hrefs = ([a["url"] for a in script_value(raw, "DETAIL")["attachment"]] if d.column not in jf.GOVCN
                 else [urljoin(d.url, h) for h in Selector(text=raw).css("div.attachment a::attr(href)").getall()])
        assert hrefs == [a.url for a in d.attachments]
        for a in d.attachments:
            if a.state != "ok":                     # planted broken attachment (LK002), checked below
                continue
            status, ctype, body = fetch(a.url)
            assert status == 200 and body.startswith(MAGIC[a.ext]) and ctype == CONTENT_TYPES[a.ext], a.url
    testbed, pcorpus, info = planted
    states = {d.attachments[0].state: d.attachments[0] for d in info["with_att"][:3]}
    assert fetch(states["missing"].url)[0] == 404
    status, _, body = fetch(states["tiny"].url)
    assert status == 200 and len(body) == 2
    status, ctype, body = fetch(states["wrong_type"].url)
    assert status == 200 and ctype.startswith("text/html") and "下载失败" in body.decode("utf-8")


# -- the rest of the truth --------------------------------------------------------------------------------
def test_site_truth_rendered(tb):
    corpus = tb.style.corpus
    home = Selector(text=text(tb.url))
    news = [(a.xpath("string()").get(), a.xpath("following-sibling::span[1]/text()").get())
            for a in home.css("div.news li a")]
    assert news == [(title, day.isoformat()) for _k, title, day in corpus.site.home_news]
    assert all(fetch(urljoin(tb.url, h))[0] == 200 for h in home.css("div.news li a::attr(href)").getall())
    footer = "".join(home.css("div.footer").xpath(".//text()").getall())
    assert all(v in footer for k, v in corpus.site.footer.items() if k != "conac" and v)
    assert bool(home.css('div.footer a[href*="conac"] img[alt="党政机关"]')) is bool(corpus.site.footer["conac"])
    guide = "".join(Selector(text=text(tb.url + jf.GUIDE.lstrip("/"))).xpath("//p//text()").getall())
    assert all(v in guide for v in corpus.site.guide.values() if v)
    reports = Selector(text=text(tb.url + jf.REPORTS.lstrip("/")))
    rows = [(a.xpath("string()").get(), a.xpath("following-sibling::span[1]/text()").get(), a.attrib["href"])
            for a in reports.css("ul.list li a")]
    assert [r[:2] for r in rows] == [(t, p.isoformat()) for _k, _y, p, t in corpus.site.annual_reports]
    for (title, day, href), (_k, year, _p, _t) in zip(rows, corpus.site.annual_reports):
        detail = script_value(text(urljoin(tb.url, href)), "DETAIL")
        assert detail["title"] == title and detail["publish_time"].startswith(day)
        assert f"{year}年12月31日" in detail["content"]


def test_planted_truth_rendered(planted):
    testbed, corpus, info = planted
    home = Selector(text=text(testbed.url))
    footer = "".join(home.css("div.footer").xpath(".//text()").getall())
    assert "ICP" not in footer and "网站标识码" in footer
    section = text(testbed.url + jf.SECTION.lstrip("/"))
    assert "政府信息公开制度" not in section and "政府信息公开指南" in section
    assert fetch(testbed.url + jf.RULES.lstrip("/"))[0] == 404
    guide = text(testbed.url + jf.GUIDE.lstrip("/"))
    assert "传真号码" not in guide and "办公地址" in guide
    empty = api(corpus.column("jytabl").url)
    assert empty == {"total": 0, "articles": []}
    texts = {a.xpath("string()").get(): a.attrib["href"] for a in home.css("div.links a")}
    assert set(texts) == {"旧版网站", "专题"} and fetch(texts["旧版网站"])[0] == 404
    status, _, raw = fetch(texts["专题"])
    assert status == 200 and "页面不存在" in raw.decode("utf-8") and len(raw) < 2000
    for target in info["targets"]:
        raw = text(target.url)
        body = script_value(raw, "DETAIL")["content"] if "DETAIL" in raw else raw
        links = {a.xpath("string()").get(): a.attrib["href"] for a in Selector(text=body).css("a")}
        assert [link.url for link in target.extra_links] == [links[t] for t in ("上级文件", "原网址", "外部链接", "专题页面")]
        assert links["上级文件"] == list(corpus.docs.values())[6].url and fetch(links["上级文件"])[0] == 200
        assert fetch(links["原网址"])[0] == 404
        assert links["外部链接"].startswith("http://www.xxgk-gateway.invalid/")
        status, _, raw = fetch(links["专题页面"])
        assert status == 200 and "页面不存在" in raw.decode("utf-8")
    normative = info["normative"]
    assert "有效期至2027年6月30日" in script_value(text(normative[0].url), "DETAIL")["content"]
    repealing = script_value(text(normative[2].url), "DETAIL")["content"]
    assert f"《{normative[1].title}》（{normative[1].doc_no}）同时废止。" in repealing


def test_empty_govcn_column_says_so():
    corpus = build_corpus(1)
    style = JsonFirstStyle(corpus)
    style.bind(BASE)
    corpus.column("zcjd").docs.clear()
    shell = style.govcn_column("zcjd")
    assert "暂无信息" in shell and json.loads(style.feed("zcjd").data()) == []
    from crawler.profiles.govcn import GovcnProfile

    assert GovcnProfile().listing(BASE + "zhengce/jiedu/index.htm", shell).placeholder


def test_every_answer_key_url_and_page_link_answers(tb):
    key = tb.answer_key()
    pages = [c["url"] for c in key["columns"]] + [d["url"] for d in key["documents"]]
    assert all(u.startswith(tb.url) for u in pages)
    checked: dict[str, int] = {}
    for url in [tb.url, tb.url + jf.SECTION.lstrip("/"), *pages]:
        status, _, raw = fetch(url)
        assert status == 200, url
        html = raw.decode("utf-8")
        if "/gkmlpt/api/" in url:                                  # a JSON column: its rows are pages
            assert {a["url"] for a in json.loads(html)["articles"]} <= set(pages)
            continue
        found = absolute_links(url, html)
        if "DETAIL" in html:
            found += absolute_links(url, script_value(html, "DETAIL")["content"])
        for link in found:
            if link.url.startswith(tb.url) and link.url not in checked:
                checked[link.url] = fetch(link.url)[0]
    broken = {u: s for u, s in checked.items() if s != 200}
    dead = tb.style.corpus.dead_urls()               # planted LK001/LK002 targets
    assert set(broken) <= dead and len(checked) > 20, set(broken) - dead


# -- page objects (GkmlptProfile, GovcnProfile) ------------------------------------------------------------
def test_profile_stops_at_total_and_flags_short_pages():
    from crawler.items import RequestSpec
    from crawler.profiles.generic import GenericProfile
    from crawler.profiles.gkmlpt import GkmlptProfile

    profile = GkmlptProfile()
    url = "http://h/gkmlpt/api/all/7?page=1&sid=9"
    rows = [{"id": i, "title": f"t{i}", "url": f"/gkmlpt/content/0/0/post_{i}.html", "create_time": 1700000000}
            for i in range(20)]
    first = profile.listing(url, json.dumps({"total": 45, "articles": rows}))
    assert [s.url for s in first.more] == ["http://h/gkmlpt/api/all/7?page=2&sid=9",
                                           "http://h/gkmlpt/api/all/7?page=3&sid=9"]
    assert first.entries[0].date.value == "2023-11-15" and first.entries[0].date.source == "api"
    last = profile.parse_more(first.more[1], first.more[1].url,
                              json.dumps({"total": 45, "articles": rows[:3]}))
    assert [e.position for e in last.entries] == [41, 42, 43] and "3 of 5" in last.uncertain and not last.more
    empty = profile.listing(url, json.dumps({"total": 0, "articles": []}))
    assert empty.placeholder and not empty.more and not empty.uncertain
    odd = profile.parse_more(RequestSpec(url), url, '{"code": 500}')
    assert odd.uncertain and not odd.entries
    assert GenericProfile().listing(url, '{"code": 500}').uncertain      # JSON is parsed as (odd) HTML
    doc = profile.document("http://h/gkmlpt/content/0/0/post_1.html",
                           "<script>window._CONFIG = {SID:'9', DETAIL: {\"title\": \"甲\", broken</script>")
    assert doc.uncertain and "DETAIL" in doc.uncertain


@pytest.mark.parametrize("platform", ["gkmlpt", "govcn"])
def test_profile_does_not_claim_other_families(platform):
    from crawler.profiles.registry import by_family

    profile = type(by_family(platform))
    assert not profile.matches("http://x/col/col12/index.html", "<datastore></datastore>")
    assert not profile.matches("http://x/zwgk/", '<div class="index_box"><ul></ul></div>')
    assert not profile.matches("http://x/gongkai/site_a/", "<html></html>")


def test_each_platform_claims_only_its_own_pages():
    """gkmlpt and gov.cn pages of the S4 portal link each other (the crumb of a gov.cn page leads
    to the gkmlpt section; a gkmlpt document relates a gov.cn one): the page's own signals decide."""
    from crawler.profiles.gkmlpt import GkmlptProfile
    from crawler.profiles.govcn import GovcnProfile

    crumb = '<div class="crumb"><a href="/gkmlpt/index">政府信息公开</a></div>'
    related = '<a href="/zhengce/content/202607/content_5000044.htm">原文</a>'
    assert GovcnProfile.matches("http://x/zhengce/content/202607/content_5000044.htm", crumb)
    assert not GovcnProfile.matches("http://x/gkmlpt/content/3/3000/post_3000101.html", related)
    assert GovcnProfile.matches("http://x/zhengce/zuixin/index.htm", "var listConfig = {search: '/search-gov/data'}")
    assert GkmlptProfile.matches("http://x/gkmlpt/api/all/2008?page=1&sid=1", "")
    assert not GkmlptProfile.matches("http://x/zhengce/zuixin/ZUIXINZHENGCE.json", "[]")


# -- page-object fixtures ------------------------------------------------------------------------------------
def record_fixtures() -> None:
    """Record ``tests/fixtures/pages/{GkmlptProfile,GovcnProfile}/<case>/`` from what the style
    serves (rendered at a fixed base URL, no network), after checking each platform's page objects
    against the corpus truth."""
    from crawler.items import RequestSpec
    from crawler.profiles.gkmlpt import GkmlptProfile
    from crawler.profiles.govcn import GovcnProfile

    from tests.record_fixtures import write_fixture

    corpus = build_corpus(1)
    style = JsonFirstStyle(corpus)
    style.bind(BASE)
    gkmlpt, govcn = GkmlptProfile(), GovcnProfile()

    def write(case, url, method, body, result, spec: RequestSpec | None = None):
        platform = "GovcnProfile" if case.startswith(("govcn_", "page_a_")) else "GkmlptProfile"
        write_fixture(platform, case, url, method, body, result, spec)

    def get(url, spec: RequestSpec | None = None, status=200):
        split = urlsplit(url)
        resp = style.handle(Request("GET", split.path, dict(parse_qsl(split.query)),
                                    {k.lower(): v for k, v in (spec.headers if spec else {}).items()}))
        assert resp is not None and resp.status == status, url
        return resp.data().decode("utf-8")

    def check_rows(key, entries, first, count=None):
        truth = corpus.docs_in(key)[first - 1:first - 1 + (count or len(entries))]
        assert [(e.url, e.title, e.date.value, e.position) for e in entries] == [
            (d.url, d.title, d.pub_date.isoformat(), first + i) for i, d in enumerate(truth)], key

    html = get(BASE)
    section = gkmlpt.section_url(BASE, html)
    assert section == BASE + jf.SECTION.lstrip("/")
    write("home", BASE, "section_url", html, section)
    html = get(section)
    columns = gkmlpt.section_columns(section, html)
    assert [(c.url, c.name) for c in columns if c.role == "column"] == [(c.url, c.name) for c in corpus.columns]
    assert {c.role for c in columns} == {"column"} | {role for role in ("guide", "rules", "annual_report")
                                                      if corpus.site.sections[role]}
    write("section", section, "section_columns", html, columns)

    col = corpus.column("xzzf")
    body = get(col.url)
    listing = gkmlpt.listing(col.url, body)
    check_rows("xzzf", listing.entries, 1)
    assert listing.total == len(col.docs) and len(listing.more) == math.ceil(len(col.docs) / jf.PER_PAGE) - 1
    write("gkmlpt_api_first_page", col.url, "listing", body, listing)
    spec = listing.more[-1]
    more = gkmlpt.parse_more(spec, spec.url, body := get(spec.url, spec))
    check_rows("xzzf", more.entries, (spec.state["page"] - 1) * jf.PER_PAGE + 1)
    assert not more.more and not more.uncertain
    write("gkmlpt_api_last_page", spec.url, "parse_more", body, more, spec)

    col = corpus.column("zcwj")
    html = get(col.url)
    listing = govcn.listing(col.url, html)
    [feed_spec] = listing.more
    write("govcn_column", col.url, "listing", html, listing)
    feed = govcn.parse_more(feed_spec, feed_spec.url, body := get(feed_spec.url))
    check_rows("zcwj", feed.entries, 1)
    [search_spec] = feed.more
    assert search_spec.state["page"] == 2
    write("govcn_feed", feed_spec.url, "parse_more", body, feed, feed_spec)
    search = govcn.parse_more(search_spec, search_spec.url, body := get(search_spec.url, search_spec))
    check_rows("zcwj", search.entries, 21)
    assert [s.state["page"] for s in search.more] == [3, 4]
    write("govcn_search", search_spec.url, "parse_more", body, search, search_spec)

    html = get(BASE + jf.REPORTS.lstrip("/"))
    reports = gkmlpt.listing(BASE + jf.REPORTS.lstrip("/"), html)
    assert [(e.title, e.date.value) for e in reports.entries] == [
        (t, p.isoformat()) for _k, _y, p, t in corpus.site.annual_reports]
    write("annual_reports", BASE + jf.REPORTS.lstrip("/"), "listing", html, reports)

    docs = list(corpus.docs.values())
    cases = {
        "page_a_normal": next(d for d in docs if d.column == "zcwj" and d.attachments and d.interpretation
                              and len(style.related(d)) == 1),
        "page_a_written_blank": next(d for d in docs if d.column in jf.GOVCN
                                     and d.missing_shown.get("written_date") == "blank"),
        "page_b_normal": next(d for d in docs if d.column == "gfxwj" and d.attachments and d.interpretation
                              and len(style.related(d)) == 1),
        "page_b_doc_no_wu": next(d for d in docs if d.column not in jf.GOVCN and d.missing_shown.get("doc_no") == "无"),
        "page_b_doc_no_omit": next(d for d in docs if d.column not in jf.GOVCN
                                   and d.missing_shown.get("doc_no") == "omit"),
    }
    cases["page_a_interpretation"] = corpus.docs[cases["page_a_normal"].interpretation]
    for case, truth in cases.items():
        html = get(truth.url)
        doc = (govcn if case.startswith("page_a_") else gkmlpt).document(truth.url, html)
        for f in FIELDS:
            want = getattr(truth, f)
            assert getattr(doc, f).value == (want.isoformat() if hasattr(want, "isoformat") else want), (case, f)
        assert [a.url for a in doc.attachments] == [a.url for a in truth.attachments] and doc.uncertain is None
        assert [link.url for link in doc.related] == [o.url for _label, o in style.related(truth)], case
        write(case, truth.url, "document", html, doc)


if __name__ == "__main__" and "--record" in sys.argv:
    record_fixtures()
