"""End to end over real HTTP: crawl the JSON-first testbed (S4: gkmlpt ``_CONFIG.TREE`` and API,
gov.cn feed + library search, detail pages A and B, a token-guarded search) with
`govaudit check`, then compare what was stored with the answer key. Runs once without traps and
once with all traps on."""
from __future__ import annotations

import json
import math
import re

from testbed.styles import jsonfirst as jf
from tests.conftest import (
    assert_every_document_stored, assert_metadata_accuracy, assert_tm001_matches_truth, style_crawls,
)

crawled = style_crawls("jsonfirst")


def test_every_document_stored(crawled):
    assert_every_document_stored(crawled)


def test_metadata_accuracy(crawled):
    docs = assert_metadata_accuracy(crawled, "JSON-first")
    # B pages are read from _CONFIG.DETAIL (source "api"), A pages from table.bd1 and the meta block
    by_form = {}
    for k in crawled.key["documents"]:
        form = "B" if "/gkmlpt/content/" in k["url"] else "A" if "/zhengce/content/" in k["url"] else None
        if form and k["index_no"]:
            by_form.setdefault(form, docs[k["url"]])
    assert by_form["B"]["index_no_source"] == "api" and by_form["B"]["pub_date_source"] == "api"
    assert by_form["A"]["index_no_source"] == "table" and by_form["A"]["pub_date_source"] == "meta"
    assert by_form["A"]["written_date_raw"].endswith("日")           # 2022年5月9日 as printed


def test_each_document_fetched_and_stored_once(crawled):
    urls = [d["url"] for d in crawled.documents]
    assert len(urls) == len(set(urls))
    fetched = crawled.query("select url, count(*) from fetches where kind = 'document' "
                            "group by url having count(*) > 1")
    assert not fetched
    crossed = [k for k in crawled.key["documents"] if len(k["columns"]) > 1]
    assert crossed
    docs = {d["url"]: d for d in crawled.documents}
    for k in crossed:     # a gkmlpt document also listed by the gov.cn search: one row, both columns
        assert sorted(docs[k["url"]]["columns"]) == sorted(k["columns"])


def test_gkmlpt_paging_stops_at_total(crawled):
    """The API repeats its last page for any page past the end: never asked for."""
    for col in crawled.key["columns"]:
        m = re.search(r"/gkmlpt/api/all/(\d+)\?", col["url"] or "")
        if not m:
            continue
        pages = {int(p) for (p,) in crawled.query(
            "select substr(url, instr(url, 'page=') + 5, instr(url, '&sid') - instr(url, 'page=') - 5) "
            "from fetches where url like ?", f"%/gkmlpt/api/all/{m.group(1)}?page=%")}
        assert pages == set(range(1, max(1, math.ceil(col["documents"] / jf.PER_PAGE)) + 1)), col["name"]
    empty = [c for c in crawled.key["columns"] if c["documents"] == 0 and c["url"] and "/gkmlpt/api/" in c["url"]]
    assert empty
    for c in empty:      # an empty category: the 暂无信息 placeholder, not an unreadable list
        [(placeholder, status)] = crawled.query("select placeholder, status from columns where url = ?", c["url"])
        assert placeholder == 1 and status == "ok"


def test_guarded_search_recorded_as_blocked_not_broken(crawled):
    blocked = crawled.query("select url, status, blocked from fetches where url like ?",
                            f"%/search-gov/data%cat={jf.GUARDED}%")
    assert blocked and all(status == 403 and reason for _, status, reason in blocked)
    name = next(c["name"] for c in crawled.key["columns"] if c["key"] == jf.GUARDED)
    behind = [k["url"] for k in crawled.key["documents"] if name in k["columns"]]
    stored = {d["url"] for d in crawled.documents}
    assert behind and set(behind) <= stored                # all reached through the static feed
    [(status, note)] = crawled.query("select status, note from columns where name = ?", name)
    assert status == "blocked" and "403" in note
    findings = crawled.export("findings")
    assert not [f for f in findings if f["outcome"] == "fail" and "search-gov" in json.dumps(f, ensure_ascii=False)]


def test_tm001_recall_and_precision(crawled):
    assert_tm001_matches_truth(crawled)


def test_crawl_ended_on_its_own(crawled):
    [(status, stats)] = crawled.query("select status, stats from runs order by id desc limit 1")
    assert status == "finished" and json.loads(stats)["finish_reason"] == "finished"
