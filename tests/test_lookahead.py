"""The crawl's bounded look-ahead for list pages (crawler.scheduler.LookaheadScheduler) and the
bodies packed in the reading worker (store.pack_body).

The scheduler: a list page marked ``lookahead`` goes into Scrapy's queue while it holds fewer
than ``PAGER_LOOKAHEAD`` requests, else waits aside in order; the orders below are worked out
by hand from that rule and Scrapy's priorities (higher first). The crawl: with a look-ahead of
one request (list pages held nearly all the time) a paged generated portal, served over HTTP,
still has every document of its answer key stored, each fetched once.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.scheduler import LookaheadScheduler
from store import Store, pack_body, sha1
from tests.conftest import ROOT


def scheduler(lookahead: int, pages: int = 16) -> LookaheadScheduler:
    crawler = get_crawler(Spider, {"PAGER_LOOKAHEAD": lookahead, "PAGER_LOOKAHEAD_PAGES": pages,
                                   "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"})
    crawler.spider = Spider.from_crawler(crawler, "t")
    s = LookaheadScheduler.from_crawler(crawler)
    s.open(crawler.spider)
    return s


def doc(n: int) -> Request:
    return Request(f"http://127.0.0.1:9/doc{n}", priority=3)


def page(n: int) -> Request:
    return Request(f"http://127.0.0.1:9/list_{n}.html", priority=4, meta={"lookahead": True})


def drain(s: LookaheadScheduler) -> list[str]:
    out = []
    while (r := s.next_request()) is not None:
        out.append(r.url.rsplit("/", 1)[1])
    return out


def test_list_pages_go_first_while_the_queue_has_room():
    s = scheduler(10)
    for r in (doc(1), doc(2), page(2), doc(3)):
        assert s.enqueue_request(r)
    # nothing held: by priority, the list page before the documents (last in first among equals)
    assert s.held == type(s.held)()
    assert drain(s) == ["list_2.html", "doc3", "doc2", "doc1"]


def test_list_pages_wait_aside_while_the_queue_is_full_and_keep_their_order():
    s = scheduler(2)
    for r in (doc(1), doc(2), page(2), page(3)):
        assert s.enqueue_request(r)
    assert [r.url.rsplit("/", 1)[1] for r in s.held] == ["list_2.html", "list_3.html"]
    assert len(s) == 4 and s.has_pending_requests()
    # doc2 leaves 1 queued: list_2 is queued (2 again) and goes first; then doc1 leaves 0:
    # list_3 is queued and goes first
    assert drain(s) == ["doc2", "list_2.html", "list_3.html", "doc1"]
    assert not s.has_pending_requests()


def test_a_page_already_asked_for_is_dropped_at_once_not_kept_aside():
    s = scheduler(1)
    assert s.enqueue_request(doc(1))
    assert s.enqueue_request(page(2))          # the queue is full: kept aside
    assert not s.enqueue_request(page(2))      # the same page linked again: dropped
    assert len(s.held) == 1
    assert drain(s) == ["doc1", "list_2.html"]
    assert not s.enqueue_request(page(2))      # and after it was fetched


def test_no_more_list_pages_on_their_way_than_the_bound():
    """Each page queued brings its rows later: at most ``PAGER_LOOKAHEAD_PAGES`` pages are queued
    or being fetched and read (Scrapy still holds their request) at a time."""
    s = scheduler(100, pages=2)
    for r in (doc(1), doc(2), page(2), page(3), page(4)):
        assert s.enqueue_request(r)
    assert [r.url.rsplit("/", 1)[1] for r in s.held] == ["list_4.html"]
    first, second = s.next_request(), s.next_request()       # being fetched: still held on to
    assert [first.url, second.url] == [page(3).url, page(2).url]
    assert s.next_request().url == doc(2).url                 # list_4 still waits
    del first                                                 # list_3 read and done with
    assert s.next_request().url == page(4).url
    assert s.next_request().url == doc(1).url


def test_a_waiting_page_is_queued_when_nothing_else_is():
    s = scheduler(100, pages=1)
    s.enqueue_request(page(2))
    s.enqueue_request(page(3))
    on_way = s.next_request()              # list_2 still held on to, and nothing else queued
    assert on_way.url == page(2).url
    assert s.next_request().url == page(3).url
    assert s.next_request() is None


def test_closing_queues_what_was_held():
    s = scheduler(1)
    s.enqueue_request(doc(1))
    s.enqueue_request(page(2))
    s.close("finished")
    assert not s.held


# -- bodies packed outside the store's process --------------------------------------------------
def test_a_packed_body_is_stored_as_the_store_would_have_stored_it(tmp_path):
    body = "<html><body>".encode() + "政府信息公开".encode("utf-8") * 500 + b"</body></html>"
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    run_a, run_b = (s.start_run("check", "t", None, "t") for s in (a, b))
    sha, packed = pack_body(body)
    assert sha == sha1(body) and zlib.decompress(packed) == body
    a.add_fetch(run_a, "http://127.0.0.1:9/", "http://127.0.0.1:9/d", status=200, body=body)
    b.add_fetch(run_b, "http://127.0.0.1:9/", "http://127.0.0.1:9/d", status=200, body=body,
                body_sha=sha, body_packed=packed)
    for s in (a, b):
        s.commit()
    rows = [sqlite3.connect(s.path).execute("select sha, size, data from bodies").fetchall() for s in (a, b)]
    assert rows[0] == rows[1] == [(sha, len(body), zlib.compress(body, 6))]
    assert b.body(sha) == body
    with pytest.raises(ValueError):
        b.add_fetch(run_b, "http://127.0.0.1:9/", "http://127.0.0.1:9/e", status=200, body=body,
                    body_packed=packed)


# -- a crawl with list pages held nearly all the time ---------------------------------------------
CRAWL = r"""
import json, sys
from scrapy.crawler import CrawlerProcess
from crawler.crawl import build_settings
from crawler.spiders.portal import PortalSpider
from store import Store

url, db = sys.argv[1], sys.argv[2]
store = Store(db)
run_id = store.start_run("check", url, None, "test")
store.close()
settings = build_settings([url])
settings.set("PAGER_LOOKAHEAD", 1, priority="cmdline")
process = CrawlerProcess(settings)
crawler = process.create_crawler(PortalSpider)
process.crawl(crawler, start_urls=[url], db_path=db, run_id=run_id)
process.start()
print(json.dumps({"held": crawler.stats.get_value("scheduler/lookahead_held", 0)}))
"""


@pytest.mark.parametrize("seed", [10, 21])
def test_a_paged_portal_is_crawled_whole_with_list_pages_held(tmp_path, seed):
    from testbed.server import Testbed, make_style

    # seed 10 pages its lists with index_N links, seed 21 with a form POST (page_size 5: many pages)
    tb = Testbed(make_style("generated", seed=seed, scale=3, page_size=5)).start()
    try:
        db = tmp_path / "s.db"
        out = subprocess.run([sys.executable, "-c", CRAWL, tb.url, str(db)], capture_output=True,
                             text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                             timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        held = json.loads(out.stdout.strip().splitlines()[-1])["held"]
        key = tb.style.answer_key()
    finally:
        tb.stop()
    con = sqlite3.connect(db)
    stored = {u for (u,) in con.execute("select url from documents")}
    fetched = [u for (u,) in con.execute("select url from fetches where kind = 'document'")]
    expected = {d["url"] for d in key["documents"]}
    assert held > 0                            # the held path ran
    assert expected - stored == set()
    assert len(fetched) == len(set(fetched))   # no document asked for twice
