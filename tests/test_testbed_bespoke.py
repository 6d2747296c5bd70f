"""The bespoke (home-made CMS) portal over real HTTP, and proof that no built-in profile reads it."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import urljoin

import pytest

from crawler.profiles.generic import GenericProfile
from crawler.profiles.registry import detect
from testbed.bespoke import PER_PAGE, BespokeStyle
from testbed.corpus import INTERP_LINK_SIDES
from testbed.build import build_corpus
from testbed.server import Testbed

TTL = re.compile(r'<div class="ttl">(.*?)</div>')
ROW_HREF = re.compile(r'<div class="row"><b>\d{4}\.\d\d\.\d\d</b><em><a href="([^"]+)"')
NEXT = re.compile(r'<a class="pg" href="\?p=(\d+)">›</a>')


@pytest.fixture(scope="module")
def tb():
    with Testbed(BespokeStyle(build_corpus(1, scale=0.25))) as testbed:
        yield testbed


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def text(url: str) -> str:
    status, body = get(url)
    assert status == 200, url
    return body


def column_rows(tb, key: str) -> list[str]:
    """Document URLs of a column, following the › pager from page 1 (no query) on."""
    url, found, pages = tb.style.corpus.column(key).url, [], 0
    while url:
        page = text(url)
        pages += 1
        found += [urljoin(url, href) for href in ROW_HREF.findall(page)]
        nxt = NEXT.search(page)
        assert nxt is None or int(nxt.group(1)) == pages + 1
        url = urljoin(url, f"?p={nxt.group(1)}") if nxt else None
    return found


def test_every_document_served_with_its_title(tb):
    key = tb.answer_key()
    assert key["documents"] and all(d["url"].endswith(f"/xxgk/doc/{d['key']}.htm") for d in key["documents"])
    for d in key["documents"]:
        page = text(d["url"])
        assert [unescape(t) for t in TTL.findall(page)] == [d["title"]], d["key"]
        assert "<h1" not in page and 'name="ArticleTitle"' not in page
        assert f"<title>{key['site_name']}</title>" in page


def test_paging_yields_each_column(tb):
    corpus = tb.style.corpus
    for col in corpus.columns:
        rows = column_rows(tb, col.key)
        assert rows == [d.url for d in corpus.docs_in(col.key)], col.key
        assert sorted(rows) == sorted(corpus.docs[k].url for k in col.docs)
    big = max(corpus.columns, key=lambda c: len(c.docs))
    assert len(big.docs) > PER_PAGE                              # paging is exercised
    last = -(-len(big.docs) // PER_PAGE)
    assert get(urljoin(big.url, "?p=1"))[1] == get(big.url)[1]
    assert get(urljoin(big.url, f"?p={last + 1}"))[0] == 404
    page = text(big.url)
    assert "下一页" not in page and "index_" not in page


def test_cross_listed_document_in_each_column(tb):
    corpus = tb.style.corpus
    doc = next(d for d in corpus.docs.values() if d.also_in)
    for key in doc.columns():
        assert doc.url in column_rows(tb, key)


def test_section_page_has_no_column_links(tb):
    corpus = tb.style.corpus
    section = text(urljoin(tb.url, "/xxgk/"))
    assert "<h2>政府信息公开</h2>" in section
    assert not re.search(r'<a [^>]*href="[^"]*/xxgk/lm/', section)
    options = re.findall(r'<option value="(/xxgk/lm/\w+/)">', section)
    assert options == [c.url.removeprefix(tb.url.rstrip("/")) for c in corpus.columns]
    for part, path in (("guide", "/xxgk/zn/"), ("rules", "/xxgk/zd/"), ("annual_report", "/xxgk/nb/")):
        assert (f'<option value="{path}">' in section) == corpus.site.sections[part], part


def test_missing_fields(tb):
    corpus = tb.style.corpus
    omitted = [(d, f) for d in corpus.docs.values() for f, shown in d.missing_shown.items()
               if shown == "omit" and getattr(d, f) is None]
    assert omitted
    cls = {"index_no": "c1", "publisher": "c2", "doc_no": "c3", "written_date": "c4", "validity": "c6"}
    for d, field in omitted[:20]:
        assert f'<li class="{cls[field]}"' not in text(d.url), (d.key, field)
    shown = next(d for d in corpus.docs.values() if d.doc_no is None and d.missing_shown.get("doc_no") == "无")
    assert '<li class="c3">无</li>' in text(shown.url)
    full = next(d for d in corpus.docs.values() if d.doc_no and d.index_no and d.written_date and d.validity)
    page = text(full.url)
    assert f'<li class="c1">{full.index_no}</li>' in page
    assert f'<li class="c5">{full.pub_date:%Y.%m.%d}</li>' in page
    assert "索引号" not in page and "发布日期" not in page


def test_empty_columns_placeholder(tb):
    corpus = tb.style.corpus
    assert corpus.site.empty_columns
    for key in corpus.site.empty_columns:
        page = text(corpus.column(key).url)
        assert '<div class="rows"><div class="none">暂无信息</div></div>' in page


def test_related_links_follow_interp_links(tb):
    corpus = tb.style.corpus
    for d in corpus.docs.values():
        if not d.interpretation:
            continue
        j = corpus.docs[d.interpretation]
        to_interp = f'相关解读：<a href="/xxgk/doc/{j.key}.htm">' in text(d.url)
        to_doc = f'相关文件：<a href="/xxgk/doc/{d.key}.htm">' in text(j.url)
        assert (to_interp, to_doc) == INTERP_LINK_SIDES[d.interp_links]


def test_home_guide_reports_and_404(tb):
    site = tb.style.corpus.site
    home = text(tb.url)
    assert '<span class="go" data-go="/xxgk/">信息公开</span>' in home
    news = re.findall(r'<p><a href="(/news/\w+\.htm)">[^<]+</a><i>\d{4}\.\d\d\.\d\d</i></p>', home)
    assert len(news) == len(site.home_news)
    for path in news:
        assert get(urljoin(tb.url, path))[0] == 200
    assert ("鲁ICP备12345678号" in home) == bool(site.footer.get("icp"))
    if site.sections["guide"]:
        guide = text(urljoin(tb.url, "/xxgk/zn/"))
        assert all(f"<p>{v}</p>" in guide for v in site.guide.values() if v)
    if site.sections["annual_report"]:
        reports = text(urljoin(tb.url, "/xxgk/nb/"))
        paths = re.findall(r'<div class="row"><b>[\d.]+</b><em><a href="(/xxgk/nb/\w+\.htm)"', reports)
        assert len(paths) == len(site.annual_reports)
        report = text(urljoin(tb.url, paths[0]))
        newest = max(site.annual_reports, key=lambda r: r[2])
        assert TTL.search(report).group(1) == newest[3] and f'<li class="c5">{newest[2]:%Y.%m.%d}</li>' in report
    assert get(urljoin(tb.url, "/bsfw/"))[0] == 200
    for path in ("/xxgk/lm/nosuch/", "/xxgk/doc/d99999.htm", "/xxgk/lm/tzgg/?p=0", "/index.html"):
        assert get(urljoin(tb.url, path))[0] == 404, path


def test_built_in_profiles_cannot_read_it(tb):
    corpus = tb.style.corpus
    home = text(tb.url)
    profile = detect(tb.url, home)
    assert type(profile) is GenericProfile
    assert profile.section_url(tb.url, home) is None

    generic = GenericProfile()
    section_url = urljoin(tb.url, "/xxgk/")
    columns = generic.section_columns(section_url, text(section_url))
    assert not [c for c in columns if "/xxgk/lm/" in c.url]

    col = corpus.column("zcwj")
    page = text(col.url)
    assert type(detect(col.url, page)) is GenericProfile
    # its <div> rows are read as blocks (a real layout too), its unlabelled metadata is not
    assert {e.url for e in generic.listing(col.url, page).entries} <= {d.url for d in corpus.docs.values()}

    doc = next(d for d in corpus.docs.values() if d.index_no and d.kind == "policy")
    page = text(doc.url)
    assert type(detect(doc.url, page)) is GenericProfile
    read = generic.document(doc.url, page)
    assert read.title.value != doc.title
    assert read.index_no.value != doc.index_no


def test_answer_key_names_only_rendered_cases(tb):
    key = tb.answer_key()
    assert all(v["url"] for v in key["violations"] + key["near_misses"])
    assert not any(v["code"].startswith("LK") for v in key["violations"])   # no attachments or extra links here
