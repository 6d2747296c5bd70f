"""The one way into the store: the spider's typed items, written by the item pipeline through
the store's methods into the spider's run, in the order yielded."""
from __future__ import annotations

import inspect
import json
from types import SimpleNamespace

from crawler.items import (ColumnNode, ColumnState, Document, DocumentRecord, FetchRecord, Link, ListEntry,
                           ListRows, PageLinks, SiteRecord, Value)
from crawler.pipelines import StorePipeline, StoreLogFormatter
from crawler.settings import ITEM_PIPELINES, LOG_FORMATTER
from store import Store, sha1


def _pipeline(tmp_path, run_id=None):
    store = Store(tmp_path / "audit.db")
    run_id = run_id or store.start_run("check", "test", "2026-11-20", "test")
    spider = SimpleNamespace(store=store, run_id=run_id)
    p = StorePipeline(SimpleNamespace(spider=spider))
    p.open_spider()
    return p, store, run_id


def test_the_portal_crawl_writes_through_the_pipeline():
    assert ITEM_PIPELINES == {"crawler.pipelines.StorePipeline": 300}
    assert LOG_FORMATTER == "crawler.pipelines.StoreLogFormatter"
    assert StoreLogFormatter().scraped(object(), None, None) is None


def test_items_land_in_the_spiders_run(tmp_path):
    p, store, run = _pipeline(tmp_path)
    site, home, col = "http://a.test/", "http://a.test/", "http://a.test/xxgk/czxx/"
    body = "<html><title>某县人民政府</title></html>".encode()
    doc = Document("http://a.test/art/2026/3/5/1.html", title=Value("关于印发预算的通知", "关于印发预算的通知", "meta"),
                   pub_date=Value("2026-03-05", "发布日期：2026年3月5日", "table"))
    items = [
        FetchRecord(site, home, 200, body=body, body_sha=sha1(body), kind="home", content_type="text/html"),
        SiteRecord(site, "某县人民政府", "hanweb"),
        ColumnNode(site, col, "财政信息", "法定主动公开内容", "column", entries=2, tree={
            "kind": "list", "reason": "2条带日期的列表行", "path": ["法定主动公开内容", "财政信息"], "depth": 2,
            "pages_read": 1, "rows_stated": 3}),
        ListRows(site, col, [ListEntry(doc.url, "关于印发预算的通知", Value("2026-03-05", "2026-03-05"), 0),
                             ListEntry("http://a.test/art/2026/3/1/2.html", "决算", Value(None), 1)]),
        ListRows(site, col, [ListEntry("http://a.test/art/2026/2/1/3.html", "三", Value("2026-02-01", "[02-01]"), 0)],
                 further_page=True),
        ColumnState(site, col, "uncertain", "pager unread"),
        DocumentRecord(site, doc, "2026-11-20T10:00:00+08:00", sha1(body), 200,
                       fetch=FetchRecord(site, doc.url, 200, body=body, body_sha=sha1(body), kind="document"),
                       links=PageLinks(site, doc.url, [Link("http://a.test/f.pdf", "附件", "a")])),
    ]
    for item in items:
        assert p.process_item(item) is item
    p.close_spider()
    rows = store.artifacts(run, site)
    assert rows["name"] == "某县人民政府" and rows["family"] == "hanweb"
    assert [(f["url"], f["kind"], f["body_sha"]) for f in rows["fetches"]] == [
        (home, "home", sha1(body)), (doc.url, "document", sha1(body))]
    assert store.body(sha1(body)) == body
    (c,) = rows["columns"]
    # 3 rows stored for the column (two from its first page, one from a further page), a
    # second list page read, the state set after it, the tree fields as given
    assert (c["entries"], c["pages_read"], c["status"], c["note"]) == (3, 2, "uncertain", "pager unread")
    assert (c["kind"], json.loads(c["path"]), c["depth"], c["rows_stated"]) == ("list", ["法定主动公开内容", "财政信息"], 2, 3)
    assert sorted(e["doc_url"] for e in rows["entries"]) == sorted(
        [doc.url, "http://a.test/art/2026/3/1/2.html", "http://a.test/art/2026/2/1/3.html"])
    (d,) = rows["documents"]
    assert (d["title"], d["pub_date"], d["pub_date_raw"], d["pub_date_source"]) == (
        "关于印发预算的通知", "2026-03-05", "发布日期：2026年3月5日", "table")
    assert d["columns"] == ["财政信息"]             # given at the close, from the entries
    assert [(l["page_url"], l["url"], l["text"]) for l in rows["links"]] == [(doc.url, "http://a.test/f.pdf", "附件")]
    store.close()


def test_a_spider_without_a_store_passes_items_on(tmp_path):
    p = StorePipeline(SimpleNamespace(spider=SimpleNamespace()))
    p.open_spider()
    item = SiteRecord("http://a.test/")
    assert p.process_item(item) is item
    p.close_spider()


def test_spider_callbacks_return_no_values():
    """``WARN_ON_GENERATOR_RETURN_VALUE`` is off (Scrapy re-parsed the callbacks' source on
    every cache miss): a callback generator that returned a value would lose it silently."""
    from scrapy.utils.misc import is_generator_with_return_value

    from crawler.spiders.portal import PortalSpider
    from crawler.spiders.site_job import SiteJobSpider
    from fleet.incremental import FleetSpider
    from fleet.scaleout import make_worker_spider

    checked = 0
    for cls in (PortalSpider, SiteJobSpider, FleetSpider, make_worker_spider()):
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if inspect.isgeneratorfunction(fn):
                assert not is_generator_with_return_value(fn), f"{cls.__name__}.{name}"
                checked += 1
    assert checked >= 8
