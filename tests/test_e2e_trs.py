"""End to end over real HTTP: crawl the TRS-style testbed (GBK, JS-only pagers, "动静结合"
JSON endpoint, cross-listing) with `govaudit check`, then compare what was stored with the
answer key. Runs once without traps and once with all traps."""
from __future__ import annotations

from testbed.styles import trs
from tests.conftest import assert_every_document_stored, assert_metadata_accuracy, style_crawls

crawled = style_crawls("trs")


def test_every_document_stored(crawled):
    assert_every_document_stored(crawled)


def test_metadata_accuracy(crawled):
    docs = assert_metadata_accuracy(crawled, "TRS")
    # the index_box is the source of the 信息公开 fields, and the raw text is kept
    some = docs[crawled.key["documents"][0]["url"]]
    assert some["index_no_source"] == "table" and some["title_raw"]


def test_cross_listed_documents_stored_once(crawled):
    crossed = [k for k in crawled.key["documents"] if len(k["columns"]) > 1]
    assert crossed
    urls = [d["url"] for d in crawled.documents]
    assert len(urls) == len(set(urls))
    for k in crossed:
        [doc] = [d for d in crawled.documents if d["url"] == k["url"]]
        assert sorted(doc["columns"]) == sorted(k["columns"])
    # one stored document per TRS DocId: no page was stored twice under two URLs
    docids = [u.rsplit("_", 1)[-1].split(".")[0] for u in urls if "/fdzdgknr/" in u]
    assert len(docids) == len(set(docids))


def test_gbk_and_utf8_pages_decoded(crawled):
    bodies = dict(crawled.query("select url, body_text from documents"))
    editor_docs = [u for u in bodies if f"/fdzdgknr/{trs.EDITOR_COLUMN}/" in u]
    assert editor_docs and all(trs.EDITOR in bodies[u] for u in editor_docs)   # 喆 is outside GB2312
    for d in crawled.documents:
        assert "\ufffd" not in (d["title"] or "") + (d["publisher"] or "") + bodies[d["url"]], d["url"]
    utf8 = [d for d in crawled.documents if f"/fdzdgknr/{trs.UTF8_COLUMN}/" in d["url"]]
    assert utf8 and all(d["column_name"] == "人事信息" for d in utf8)


def test_js_pagers_and_json_endpoint_followed(crawled):
    fetched = {url for (url,) in crawled.query("select url from fetches where status = 200")}
    style = getattr(crawled.testbed.style, "inner", crawled.testbed.style)     # without the traps wrapper
    for col in style.corpus.columns:
        if col.key != trs.DYNAMIC and style.pager_kind.get(col.key) in ("create", "countpage"):
            for i in range(1, style.page_count(col.key)):
                assert f"{col.url}index_{i}.html" in fetched, (col.key, i)
    posts = crawled.query("select req_body from fetches where method = 'POST' and url like ? and status = 200",
                          "%" + trs.API)
    assert posts and all("classsql=chnlid%3D" in body for (body,) in posts)
    dynamic = style.corpus.docs_in(trs.DYNAMIC)[trs.MAX_STATIC * trs.STATIC_SIZE:]
    stored = {d["url"] for d in crawled.documents}
    assert dynamic and all(d.url in stored for d in dynamic)     # reachable only through the endpoint


def test_crawl_ends_on_its_own_without_crawling_search(crawled):
    [(status,)] = crawled.query("select status from runs order by id desc limit 1")
    assert status == "finished"
    searches = crawled.query("select url from fetches where url like ?", f"%{trs.SEARCH}%")
    assert len(searches) <= 1, searches[:3]
