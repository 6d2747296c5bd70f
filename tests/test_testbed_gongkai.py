"""The Shandong ``/gongkai/`` style over real HTTP (urllib), and the recorder of its page-object
fixtures.

    python tests/test_testbed_gongkai.py      # re-record tests/fixtures/pages/GongkaiProfile/

The recorder renders pages from ``GongkaiStyle(build_corpus(1))`` bound to a fixed base URL,
runs them through :class:`GongkaiProfile`, checks the result against the corpus truth and only
then writes ``input.html`` / ``meta.json`` / ``expected.json`` (checked by ``tests/test_profiles.py``).
"""
from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testbed.corpus import INTERP_LINK_SIDES, Attachment, ExtraLink  # noqa: E402
from testbed.build import build_corpus  # noqa: E402
from testbed import server  # noqa: E402
from testbed.server import Request  # noqa: E402
from testbed.styles.gongkai import API, GongkaiStyle  # noqa: E402

CST = timezone(timedelta(hours=8))
CHANNEL_C = re.compile(r"/channel_c_([0-9a-f]{24})_n_(\d{10})\.(\d{4})/$")
DOC_URL = re.compile(r"/gongkai/site_[a-z]+/channel_[^/]+/doc_([0-9a-f]{24})\.html$")
MAGIC = {"pdf": b"%PDF-1.4", "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "ofd": b"PK\x03\x04",
         "zip": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "jpg": b"\xff\xd8\xff"}


def get(url: str):
    """(status, content type, body); HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def text(url: str) -> str:
    status, ctype, body = get(url)
    assert status == 200 and "charset=utf-8" in ctype, (url, status, ctype)
    return body.decode("utf-8")


def api(tb, organ, key: str, page: int, size: int = 15, **extra) -> dict:
    query = {"siteId": organ.slug, "channelId": organ.channel_id(key), "pageNo": page, "pageSize": size, **extra}
    status, ctype, body = get(urljoin(tb.url, API) + "?" + urlencode(query))
    assert status == 200 and ctype.startswith("application/json")
    return json.loads(body)


def all_rows(tb, organ, key: str) -> list[dict]:
    first = api(tb, organ, key, 1)
    rows = list(first["rows"])
    for page in range(2, -(-first["total"] // 15) + 1):
        rows += api(tb, organ, key, page)["rows"]
    assert len(rows) == first["total"]
    return rows


@pytest.fixture(scope="module")
def tb():
    with server.Testbed(GongkaiStyle(build_corpus(1))) as testbed:
        yield testbed


def planted_style() -> GongkaiStyle:
    """The style with every rendered truth field set on a few documents (the corpus may not
    plant them all yet): 解读 link modes, validity period, repeal, extra links, attachment
    states, an empty column, missing section parts, guide and footer elements, home links."""
    corpus = build_corpus(1)
    pairs = [d for d in corpus.docs.values() if d.interpretation][:4]
    for doc, mode in zip(pairs, ("both", "doc_only", "interp_only", "none")):
        doc.interp_links = mode
    docs = [d for d in corpus.docs.values() if d.kind == "normative" and not d.interpretation]
    docs[0].valid_until = date(2027, 6, 30)
    docs[1].repealed_by = docs[0].key
    docs[0].extra_links = [ExtraLink("相关文件一", f"doc:{docs[2].key}"), ExtraLink("失效链接", "dead"),
                           ExtraLink("外部网关链接", "external-dead"), ExtraLink("已删除页面", "soft404")]
    docs[2].attachments = [Attachment(f"附件{ext}.{ext}", ext, f"t-{ext}") for ext in MAGIC] + [
        Attachment(f"附件{state}.pdf", "pdf", f"t-{state}", state) for state in ("missing", "tiny", "wrong_type")]
    empty = corpus.column("jytabl")
    for key in empty.docs:
        del corpus.docs[key]
    empty.docs = []
    corpus.site.empty_columns = ["jytabl"]
    corpus.site.guide["fax"] = None
    corpus.site.footer["icp"] = None
    corpus.site.home_links = [ExtraLink("机关党建", "dead"), ExtraLink("专题页", "soft404"),
                              ExtraLink("网关链接", "external-dead"), ExtraLink("重要文件", f"doc:{docs[0].key}")]
    style = GongkaiStyle(corpus)
    style.organs[1].corpus.site.sections.update(rules=False, annual_report=False)
    return style


@pytest.fixture(scope="module")
def planted():
    with server.Testbed(planted_style()) as testbed:
        yield testbed


# -- site structure ------------------------------------------------------------------------------
def test_home_hub_and_organ_sections(tb):
    main = tb.style.organs[0]
    home = text(tb.url)
    assert 'href="/gongkai/">政府信息公开</a>' in home
    news = re.findall(r'<li><a href="(/ywdt/[^"]+)"[^>]*>[^<]+</a><span>(\d{4}-\d\d-\d\d)</span></li>', home)
    assert [d for _, d in news] == [d.isoformat() for _, _, d in main.corpus.site.home_news]
    assert all(get(urljoin(tb.url, p))[0] == 200 for p, _ in news)
    for element in main.corpus.site.footer.values():
        if element is not None:            # None: planted missing identity element (ID001)
            assert element in home
    hub = text(urljoin(tb.url, "/gongkai/"))
    organs = re.findall(r'<a href="(/gongkai/site_([a-z]+)/)"[^>]*>([^<]+)</a>', hub)
    assert [(slug, name) for _, slug, name in organs] == [
        ("srmzfbgs", "明湖市人民政府办公室"), ("sfgw", "明湖市发展和改革委员会"), ("scjj", "明湖市财政局")]
    assert "法定主动公开内容" not in hub
    for organ in tb.style.organs:
        page = text(urljoin(tb.url, organ.path))
        parts = {"guide": "政府信息公开指南", "rules": "政府信息公开制度", "statutory": "法定主动公开内容",
                 "annual_report": "政府信息公开年报"}
        for part, needle in parts.items():
            assert (needle in page) == organ.corpus.site.sections.get(part, True), (organ.slug, part)
        if organ.corpus.site.sections.get("statutory", True):
            start = page.index("法定主动公开内容")
            block = page[start:page.index("</ul>", start)]
            assert re.findall(r'href="([^"]+)"', block) == [organ.channel_path(c.key) for c in organ.corpus.columns]
        for href in re.findall(r'href="(/gongkai/[^"]+)"', page):
            assert get(urljoin(tb.url, href))[0] == 200, href


def test_channel_urls_are_the_platforms(tb):
    main, other = tb.style.organs[0], tb.style.organs[1]
    paths = [main.channel_path(c.key) for c in main.corpus.columns]
    assert "/gongkai/site_srmzfbgs/channel_shifubanwenjian/" in paths
    assert "/gongkai/site_srmzfbgs/channel_c1534/" in paths
    templated = [CHANNEL_C.search(p) for p in paths]
    assert sum(bool(m) for m in templated) == len(paths) - 2
    assert all(1_500_000_000 < int(m.group(2)) < 1_700_000_000 for m in templated if m)
    # the same channel_c_ template id recurs under every organ site
    for col in main.corpus.columns:
        assert main.channels[col.key] == other.channels[col.key]
        assert other.channel_path(col.key).startswith("/gongkai/site_sfgw/")


def test_channel_is_a_shell_and_the_api_pages(tb):
    for organ in tb.style.organs:
        for col in organ.corpus.columns:
            status, ctype, body = get(col.url)
            assert status == 200 and ctype == "text/html; charset=utf-8"
            assert 1500 <= len(body) <= 3000, (col.url, len(body))
            page = body.decode("utf-8")
            empty = col.key in organ.corpus.site.empty_columns
            assert "doc_" not in page and ("暂无信息" in page) == empty     # no rows in the HTML
            assert f'siteId: "{organ.slug}", channelId: "{organ.channel_id(col.key)}"' in page
            assert f'api: "{API}"' in page
            rows = all_rows(tb, organ, col.key)
            truth = [] if empty else organ.corpus.docs_in(col.key)
            assert [(urljoin(tb.url, r["url"]), r["title"]) for r in rows] == [(d.url, d.title) for d in truth]
    main = tb.style.organs[0]
    assert api(tb, main, "zcwj", 1, size=500)["pageSize"] == 50           # silently capped
    assert len(api(tb, main, "zcwj", 1, size=500)["rows"]) == 50
    past = api(tb, main, "zcwj", 99)
    assert past["rows"] == [] and past["total"] == len(main.corpus.column("zcwj").docs)
    assert api(tb, main, "zcwj", 1, siteId="nosuch")["total"] == 0


def test_row_dates_vary_by_organ(tb):
    first = [api(tb, organ, "tzgg", 1)["rows"][0] for organ in tb.style.organs]
    truth = [organ.corpus.docs_in("tzgg")[0].pub_date for organ in tb.style.organs]
    assert first[0]["date"] == truth[0].isoformat()
    assert first[1]["date"] == f"{truth[1].isoformat()} 09:30:00"
    assert datetime.fromtimestamp(first[2]["date"] / 1000, CST).date() == truth[2]


def test_cross_listed_documents_share_one_url(tb):
    main = tb.style.organs[0]
    crossed = [d for d in main.corpus.docs.values() if d.also_in]
    assert crossed
    for doc in crossed:
        for key in doc.columns():
            assert doc.url in [urljoin(tb.url, r["url"]) for r in all_rows(tb, main, key)]


# -- documents -----------------------------------------------------------------------------------
def test_document_ids_are_object_ids(tb):
    contradicting = 0
    for organ in tb.style.organs:
        for doc in organ.corpus.docs.values():
            m = DOC_URL.search(doc.url)
            assert m, doc.url
            created = datetime.fromtimestamp(int(m.group(1)[:8], 16), CST).date()
            contradicting += created != doc.pub_date
    total = sum(len(o.corpus.docs) for o in tb.style.organs)
    assert 0.1 * total < contradicting < 0.25 * total


def test_detail_layout(tb):
    main = tb.style.organs[0]
    doc = next(d for d in main.corpus.docs.values() if d.doc_no and d.written_date and d.validity)
    page = text(doc.url)
    crumb = re.search(r'<div class="gk-crumb">(.*?)</div>', page).group(1)
    assert re.sub(r"<[^>]+>", "", crumb) == (f"当前位置：首页 &gt; 政务公开 &gt; 政府信息公开 &gt; {main.name} &gt; "
                                              f"{main.corpus.column(doc.column).name}")
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    pairs = [re.findall(r'<span class="gk-l">([^<]+)</span>([^<]*)</td>', r) for r in rows]
    assert all(len(p) == 2 for p in pairs[:3])
    assert pairs[0] == [("标题:", doc.title), ("索引号:", doc.index_no)]
    assert pairs[1] == [("文号:", doc.doc_no), ("发文日期:", doc.written_date.isoformat())]
    assert pairs[2][0] == ("发布机构:", doc.publisher)
    assert '<ul class="gk-tabs"><li class="on">标题</li><li>正文</li><li>手机</li></ul>' in page
    assert f'<h1 class="gk-title">{doc.title}</h1>' in page
    assert f'<span class="gk-date">发布日期:{doc.pub_date.isoformat()}</span>' in page
    assert "字号" in page and "打印" in page


def test_empty_doc_no_prints_placeholder(tb):
    shown = {}
    for organ in tb.style.organs:
        for doc in organ.corpus.docs.values():
            if doc.doc_no is None and doc.missing_shown.get("doc_no") in ("omit", "blank"):
                label = organ.variant.labels["doc_no"]
                assert f'<span class="gk-l">{label}:</span>〔〕号</td>' in text(doc.url)
                shown[organ.slug] = True
    assert len(shown) == 3


def test_label_and_date_variants_across_organs(tb):
    main, sfgw, scjj = tb.style.organs
    pick = lambda o: next(d for d in o.corpus.docs.values() if d.written_date and d.doc_no)
    d = pick(sfgw)
    page = text(d.url)
    w, p = d.written_date, d.pub_date
    assert f"成文日期:</span>{w.year}年{w.month}月{w.day}日" in page
    assert f"发文字号:</span>{d.doc_no}" in page and "发文机关:" in page
    assert f"发布时间:{p.year}年{p.month}月{p.day}日" in page
    d = pick(scjj)
    page = text(d.url)
    assert f"发文日期:</span>[{d.written_date.isoformat()}]" in page and "索 引 号:" in page
    p = d.pub_date
    assert f"发布日期:{p.year}-\n{p.month:02d}-\n{p.day:02d}</span>" in page


def test_attachments_are_real_files(tb):
    seen = set()
    for organ in tb.style.organs:
        for doc in organ.corpus.docs.values():
            for att in doc.attachments:
                assert re.search(r"/doc_[0-9a-f]{24}_[0-9a-f]{32}\.\w+$", att.url)
                assert urlsplit(att.url).path in text(doc.url)
                if att.state != "ok":        # planted broken attachment (LK002): see the link tests
                    continue
                status, ctype, body = get(att.url)
                assert status == 200 and body.startswith(MAGIC[att.ext]), att.url
                assert not ctype.startswith("text/")
                seen.add(att.ext)
    assert {"pdf", "docx"} <= seen


def test_every_answer_key_url_answers(tb):
    key = tb.answer_key()
    urls = [d["url"] for d in key["documents"]] + [c["url"] for c in key["columns"]] + [o["url"] for o in key["organs"]]
    assert len(set(urls)) == len(urls)
    for url in urls:
        assert get(url)[0] == 200, url
    assert len({d["key"] for d in key["documents"]}) == len(key["documents"])
    assert len(key["documents"]) == sum(len(o.corpus.docs) for o in tb.style.organs)
    organs = {d["url"].split("/")[4] for d in key["documents"]}
    assert organs == {"site_srmzfbgs", "site_sfgw", "site_scjj"}
    # planted violations of every organ are in the key (other organs' keys prefixed), at served pages
    owners = {v["key"].split(":")[0] if ":" in v["key"] else "srmzfbgs" for v in key["violations"]}
    assert owners == {"srmzfbgs", "sfgw", "scjj"}
    assert all(get(v["url"])[0] == 200 for v in key["violations"]
               if v["url"] and v["code"] not in ("LK001", "LK002"))   # those are dead on purpose
    assert {tuple(d["columns"]) for d in key["documents"]} >= {("通知公告",), ("规范性文件", "政策文件")}


def test_views_open_and_key(tb):
    organ = tb.style.organs[1]
    page = text(urljoin(tb.url, organ.path + "?open=zfxxgkzd"))
    assert "政府信息公开制度" in page and "政府信息公开指南" in page
    assert organ.corpus.site.guide["office"].replace("明湖市人民政府办公室", organ.name) in page
    spa = text(urljoin(tb.url, organ.path + "?key=1605680736049"))
    assert '<div id="app"></div>' in spa and "法定主动公开内容" not in spa and "doc_" not in spa
    assert f'href="{organ.path}?key=1605680736050"' in spa          # a chain of SPA views: a trap
    guide = text(urljoin(tb.url, organ.channel_path("channel_zfxxgkzn")))
    assert re.search(r"时间:\d{4}-\d\d-\d\d", guide) and "办公地址" in guide


# -- truth fields ---------------------------------------------------------------------------------
def test_interpretation_links(planted):
    corpus = planted.style.corpus
    pairs = [d for d in corpus.docs.values() if d.interpretation][:4]
    for policy in pairs:
        interp = corpus.docs[policy.interpretation]
        forward = f'相关解读:</span><a href="{urlsplit(interp.url).path}"' in text(policy.url)
        back = f'相关文件:</span><a href="{urlsplit(policy.url).path}"' in text(interp.url)
        assert (forward, back) == INTERP_LINK_SIDES[policy.interp_links]


def test_validity_repeal_and_extra_links(planted):
    corpus = planted.style.corpus
    docs = [d for d in corpus.docs.values() if d.kind == "normative" and not d.interpretation]
    page = text(docs[0].url)
    assert "<p>本文件自印发之日起施行，有效期至2027年6月30日。</p>" in page
    assert f"《{docs[1].title}》（{docs[1].doc_no}）同时废止。" in page
    links = {link.target: link.url for link in docs[0].extra_links}
    for link in docs[0].extra_links:
        assert f'<a href="{link.url}" target="_blank">{link.text}</a>' in page
    assert links[f"doc:{docs[2].key}"] == docs[2].url and get(docs[2].url)[0] == 200
    assert get(links["dead"])[0] == 404
    assert urlsplit(links["dead"]).netloc == urlsplit(planted.url).netloc
    status, _, body = get(links["soft404"])
    assert status == 200 and "页面不存在" in body.decode("utf-8") and len(body) < 2048
    assert urlsplit(links["external-dead"]).hostname == "www.xxgk-gateway.invalid"


def test_attachment_states(planted):
    doc = [d for d in planted.style.corpus.docs.values() if d.kind == "normative" and not d.interpretation][2]
    for att in doc.attachments:
        status, ctype, body = get(att.url)
        if att.state == "ok":
            assert status == 200 and body.startswith(MAGIC[att.ext]) and len(body) > 20, att.ext
            assert not ctype.startswith("text/"), (att.ext, ctype)
        elif att.state == "missing":
            assert status == 404
        elif att.state == "tiny":
            assert status == 200 and len(body) == 2
        else:
            assert status == 200 and ctype.startswith("text/html") and b"<html" in body


def test_site_truth_rendered(planted):
    style = planted.style
    main, sfgw = style.organs[0], style.organs[1]
    home = text(planted.url)
    assert "鲁ICP备" not in home and "网站标识码" in home
    for link in main.corpus.site.home_links:
        assert link.url and link.text in home
    dead, soft, external, doc = (link.url for link in main.corpus.site.home_links)
    assert get(dead)[0] == 404 and get(soft)[0] == 200 and get(doc)[0] == 200
    assert "xxgk-gateway.invalid" in external
    empty = main.corpus.column("jytabl")
    page = text(empty.url)
    assert "暂无信息" in page
    assert api(planted, main, "jytabl", 1) == {"total": 0, "pageNo": 1, "pageSize": 15, "rows": []}
    guide = text(urljoin(planted.url, main.channel_path("channel_zfxxgkzn")))
    assert "传真号码" not in guide and "办公地址" in guide
    organ_page = text(urljoin(planted.url, sfgw.path))
    assert "政府信息公开制度" not in organ_page and "政府信息公开年报" not in organ_page
    assert "政府信息公开指南" in organ_page and "法定主动公开内容" in organ_page


def test_annual_reports_listed_and_served(tb):
    for organ in tb.style.organs:
        rows = all_rows(tb, organ, "__zfxxgknb")
        reports = organ.reports()
        assert [r["title"] for r in rows] == [r[3] for r in reports]
        assert organ is tb.style.organs[0] or not any("明湖市人民政府办公室" in r["title"] for r in rows)
        for row, (_, year, pub, _) in zip(rows, reports):
            page = text(urljoin(tb.url, row["url"]))
            assert f"{year}年1月1日起至{year}年12月31日止" in page and "六、其他需要报告的事项" in page


# -- page-object fixtures -----------------------------------------------------------------------
BASE = "http://127.0.0.1:8001/"
FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")


def _serve(style: GongkaiStyle, url: str) -> str:
    split = urlsplit(url)
    resp = style.handle(Request("GET", split.path, {k: v[-1] for k, v in parse_qs(split.query).items()}, {}))
    assert resp is not None and resp.status == 200, url
    return resp.data().decode("utf-8")


def _write(case: str, url: str, method: str, page: str, result, spec=None) -> None:
    from tests.record_fixtures import write_fixture

    write_fixture("GongkaiProfile", case, url, method, page, result, spec)


def record_fixtures() -> None:
    from crawler.profiles.gongkai import GongkaiProfile

    style = GongkaiStyle(build_corpus(1))
    style.bind(BASE)
    profile = GongkaiProfile()
    main, sfgw, scjj = style.organs

    page = _serve(style, BASE)
    assert profile.section_url(BASE, page) == BASE + "gongkai/"
    _write("home", BASE, "section_url", page, profile.section_url(BASE, page))

    hub = BASE + "gongkai/"
    page = _serve(style, hub)
    columns = profile.section_columns(hub, page)
    assert [(c.url, c.name, c.role) for c in columns] == [(BASE + o.path[1:], o.name, "section") for o in style.organs]
    _write("hub", hub, "section_columns", page, columns)

    url = BASE + sfgw.path[1:]
    page = _serve(style, url)
    columns = profile.section_columns(url, page)
    assert [c.url for c in columns if c.role == "column"] == [c.url for c in sfgw.corpus.columns]
    flags = sfgw.corpus.site.sections
    assert {c.role for c in columns} == {"column"} | {r for r in ("guide", "rules", "annual_report") if flags[r]}
    assert not any("key=" in c.url for c in columns)
    _write("organ_section", url, "section_columns", page, columns)

    col = main.corpus.column("zcwj")
    page = _serve(style, col.url)
    listing = profile.listing(col.url, page)
    [spec] = listing.more
    assert not listing.entries and "pageNo=1" in spec.url and "channelId=shifubanwenjian" in spec.url
    _write("channel_shell", col.url, "listing", page, listing)
    for n in (1, 2):
        reply = _serve(style, spec.url)
        more = profile.parse_more(spec, spec.url, reply)
        truth = main.corpus.docs_in("zcwj")[(n - 1) * 15:n * 15]
        assert [(e.url, e.date.value) for e in more.entries] == [(d.url, d.pub_date.isoformat()) for d in truth]
        assert more.total == len(col.docs) and more.uncertain is None
        assert len(more.more) == (-(-len(col.docs) // 15) - 1 if n == 1 else 0)
        _write(f"api_zcwj_page{n}", spec.url, "parse_more", reply, more, spec)
        spec = more.more[0] if n == 1 else spec
    col = scjj.corpus.column("tzgg")
    spec = profile.listing(col.url, _serve(style, col.url)).more[0]
    reply = _serve(style, spec.url)
    more = profile.parse_more(spec, spec.url, reply)
    assert [e.date.value for e in more.entries] == [d.pub_date.isoformat() for d in scjj.corpus.docs_in("tzgg")[:15]]
    _write("api_epoch_dates", spec.url, "parse_more", reply, more, spec)

    guide = BASE + main.channel_path("channel_zfxxgkzn")[1:]
    page = _serve(style, guide)
    listing = profile.listing(guide, page)
    assert not listing.entries and not listing.more and listing.uncertain is None
    _write("guide_single_document", guide, "listing", page, listing)

    def pick(organ, test):
        return next(d for d in organ.corpus.docs.values() if test(d))

    cases = [
        ("doc_main_attachment", pick(main, lambda d: d.attachments and d.interpretation)),
        ("doc_main_empty_doc_no", pick(main, lambda d: d.doc_no is None and d.missing_shown.get("doc_no") == "omit")),
        ("doc_main_written_blank", pick(main, lambda d: d.missing_shown.get("written_date") == "blank")),
        ("doc_sfgw_cn_dates", pick(sfgw, lambda d: d.doc_no and d.validity)),
        ("doc_scjj_split_date", pick(scjj, lambda d: d.interprets)),
    ]
    for case, truth in cases:
        page = _serve(style, truth.url)
        doc = profile.document(truth.url, page)
        for f in FIELDS:
            want = getattr(truth, f)
            assert getattr(doc, f).value == (want.isoformat() if hasattr(want, "isoformat") else want), (case, f)
        assert [a.url for a in doc.attachments] == [a.url for a in truth.attachments] and doc.uncertain is None
        _write(case, truth.url, "document", page, doc)


if __name__ == "__main__":
    record_fixtures()
