"""The Hanweb style over real HTTP (urllib only, no profiles)."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urljoin

import pytest

from testbed.build import build_corpus
from testbed import server
from testbed.styles.hanweb import HanwebStyle

RECORD = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)
HREF = re.compile(r'href="(/art/[^"]+)"')


@pytest.fixture(scope="module")
def tb():
    with server.Testbed(HanwebStyle(build_corpus(1))) as testbed:
        yield testbed


def get(url: str, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def text(url: str) -> str:
    return get(url)[2].decode("utf-8")


def proxy(tb, column_key: str, start: int, end: int, perpage: int = 15, referer: bool = True):
    style = tb.style
    col_id = style.col_id[column_key]
    form = {"col": 1, "appid": 1, "webid": 1, "path": "/", "columnid": col_id, "sourceContentType": 1,
            "unitid": col_id + 3210, "webname": "明湖市人民政府", "permissiontype": 0}
    url = urljoin(tb.url, f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage={perpage}")
    headers = {"Referer": style.corpus.column(column_key).url} if referer else {}
    status, ctype, body = get(url, urlencode(form).encode(), headers)
    assert status == 200 and ctype.startswith("text/xml")
    return body.decode("utf-8")


def urls(tb, records: list[str]) -> list[str]:
    return [urljoin(tb.url, HREF.search(r).group(1)) for r in records]


def test_home_section_column(tb):
    home = text(tb.url)
    site = tb.style.corpus.site
    assert 'name="SiteIDCode" content="3711000001"' in home
    assert 'href="/col/col1000/index.html">政府信息公开</a>' in home
    # the footer shows exactly the identity elements the truth has (ID001 plants some as None)
    for element, needle in (("icp", "鲁ICP备12345678号"), ("police", "鲁公网安备 37110002000123号"),
                            ("site_code", "网站标识码"), ("conac", 'alt="党政机关"'), ("contact", "联系电话")):
        assert (needle in home) == bool(site.footer.get(element)), element
    assert 5 <= len(re.findall(r"<li><a href=\"/art/.*?<span>\d{4}-\d\d-\d\d</span></li>", home)) <= 8
    section = text(urljoin(tb.url, "/col/col1000/index.html"))
    assert "法定主动公开内容" in section
    for part, href in (("guide", "/col/col1001/index.html"), ("rules", "/col/col1002/index.html"),
                       ("annual_report", "/col/col1003/index.html")):
        assert (href in section) == site.sections[part], part
        assert get(urljoin(tb.url, href))[0] == 200
    for col in tb.style.corpus.columns:
        assert f'href="{col.url.removeprefix(tb.url.rstrip("/"))}"' in section
    page = text(tb.style.corpus.column("zcwj").url)
    assert '<meta name="ColumnName" content="政策文件">' in page
    assert '<script type="text/xml"><datastore>' in page and "<nextgroup><![CDATA[" in page
    records = RECORD.findall(page)
    assert len(records) == 45
    assert urls(tb, records) == [d.url for d in tb.style.corpus.docs_in("zcwj")[:45]]
    assert "totalRecord:65, perPage:15" in page


def test_dataproxy_rows(tb):
    truth = [d.url for d in tb.style.corpus.docs_in("zcwj")]
    assert urls(tb, RECORD.findall(proxy(tb, "zcwj", 46, 90))) == truth[45:]
    assert urls(tb, RECORD.findall(proxy(tb, "zcwj", 1, 5000, 5000))) == truth   # capped at 300: all 65 here
    assert "<recordset/>" in proxy(tb, "zcwj", 46, 90, referer=False)
    assert "<recordset/>" in proxy(tb, "zcwj", 91, 135)


def test_dataproxy_cap_and_get_pages(tb):
    style = HanwebStyle(build_corpus(1, scale=6))
    with server.Testbed(style) as big:
        n = len(style.corpus.column("zcwj").docs)
        assert n > 350
        assert len(RECORD.findall(proxy(big, "zcwj", 1, n, n))) == 300
        col_id = style.col_id["zcwj"]
        url = urljoin(big.url, f"/module/web/jpage/dataproxy.jsp?page=2&webid=1&path=/&columnid={col_id}"
                               f"&unitid={col_id + 3210}&permissiontype=0")
        body = get(url, headers={"Referer": style.corpus.column("zcwj").url})[2].decode()
        assert urls(big, RECORD.findall(body)) == [d.url for d in style.corpus.docs_in("zcwj")[45:90]]


def test_cross_listed_same_url(tb):
    corpus = tb.style.corpus
    doc = next(d for d in corpus.docs.values() if d.also_in)
    for key in doc.columns():
        body = text(corpus.column(key).url) + proxy(tb, key, 46, 400)
        assert doc.url.removeprefix(tb.url.rstrip("/")) in body


def test_article_page(tb):
    corpus = tb.style.corpus
    doc = next(d for d in corpus.docs.values() if d.attachments and d.kind == "policy")
    assert re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_12\d\d_\d+\.html$", doc.url)
    page = text(doc.url)
    for needle in (f'<meta name="ArticleTitle" content="{doc.title}">', 'name="PubDate" content="' + doc.pub_date.isoformat(),
                   doc.index_no, doc.doc_no, "发布机构", "生成日期", "组配分类", "有效性",
                   '<div id="zoom"><meta name="ContentStart">', '<meta name="ContentEnd">'):
        assert needle in page
    assert re.search(r"<td[^>]*>索引号：?</td><td>", page)
    blank = next(d for d in corpus.docs.values() if d.missing_shown.get("written_date") == "blank")
    assert re.search(r"生成日期：?</td><td></td>", text(blank.url))
    omitted = next(d for d in corpus.docs.values() if d.missing_shown.get("doc_no") == "omit")
    assert "文件编号" not in text(omitted.url)


@pytest.mark.parametrize("ext, magic", [
    ("pdf", b"%PDF-1.4"), ("docx", b"PK\x03\x04"), ("ofd", b"PK\x03\x04"),
    ("xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), ("wps", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
])
def test_attachment_magic(tb, ext, magic):
    att = next(a for d in tb.style.corpus.docs.values() for a in d.attachments
               if a.ext == ext and a.state == "ok")          # not one planted broken (LK002)
    assert re.search(r"/module/download/downfile\.jsp\?classid=0&filename=[0-9a-f]{32}\." + ext + "$", att.url)
    status, ctype, body = get(att.url)
    assert status == 200 and body.startswith(magic) and not ctype.startswith("text/html")


def test_unknown_paths_404(tb):
    for path in ("/col/col9999/index.html", "/art/2020/1/1/art_1201_1.html",
                 "/module/download/downfile.jsp?classid=0&filename=00.pdf"):
        assert get(urljoin(tb.url, path))[0] == 404, path


def test_answer_key_urls_resolve(tb):
    key = tb.answer_key()
    pages = [c["url"] for c in key["columns"]] + [d["url"] for d in key["documents"]]
    assert all(pages) and len(set(pages)) == len(pages)
    for url in pages:
        assert get(url)[0] == 200, url
    # attachments answer as their planted state says ("missing" is a real 404)
    for d in tb.style.corpus.docs.values():
        for a in d.attachments:
            assert get(a.url)[0] == (404 if a.state == "missing" else 200), (a.url, a.state)
    # every planted case names the page to fix; apart from dead link targets, that page exists
    for v in key["violations"] + key["near_misses"]:
        assert v["url"], v
        if v["code"] not in ("LK001", "LK002"):
            assert get(v["url"])[0] == 200, v
