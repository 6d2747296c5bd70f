"""End to end over real HTTP: crawl the multi-organ ``/gongkai/`` testbed with `govaudit check`
(without and with every trap of ``testbed.traps``) and compare the store and the
findings with the merged answer key of all organs."""
from __future__ import annotations

from collections import Counter

from tests.conftest import (
    assert_every_document_stored, assert_metadata_accuracy, assert_tm001_matches_truth, style_crawls,
)

crawled = style_crawls("gongkai")


def test_every_document_stored(crawled):
    assert_every_document_stored(crawled)
    key = crawled.key["documents"]
    organs = {o["url"] for o in crawled.key["organs"]}
    assert len(organs) == 3 and all(any(k["url"].startswith(o) for k in key) for o in organs)


def test_metadata_accuracy(crawled):
    docs = assert_metadata_accuracy(crawled, f"gongkai ({len(crawled.key['organs'])} organs)")
    some = docs[crawled.key["documents"][0]["url"]]
    assert some["pub_date_source"] == "text" and some["title_source"] == "table" and some["title_raw"]


def test_each_document_fetched_and_stored_once(crawled):
    fetched = Counter(url for (url,) in crawled.query(
        "select url from fetches where kind = 'document' and status = 200"))
    twice = [u for u, n in fetched.items() if n > 1]
    assert not twice, twice[:5]
    docs = {d["url"]: d for d in crawled.documents}
    crossed = [k for k in crawled.key["documents"] if len(k["columns"]) > 1]
    assert crossed
    for k in crossed:
        assert sorted(docs[k["url"]]["columns"]) == sorted(k["columns"])
    # nothing stored as a document beyond the key, the annual reports and the traps' pages
    known = {k["url"] for k in crawled.key["documents"]} | set(crawled.key.get("traps", {}).get("not_documents", []))
    extra = [u for u in docs if u not in known]
    assert all("/channel_c_" in u and "/doc_" in u for u in extra), extra[:5]
    style = getattr(crawled.testbed.style, "inner", crawled.testbed.style)     # without the traps wrapper
    reports = sum(len(o.corpus.site.annual_reports) for o in style.organs
                  if o.corpus.site.sections.get("annual_report", True))
    assert len(extra) == reports == 8   # each organ's annual reports (one organ lacks last year's)


def test_crawl_ends_on_its_own(crawled):
    [(status,)] = crawled.query("select status from runs order by id desc limit 1")
    assert status == "finished"
    # ?key= SPA views chain forever (each links the next one): never followed as pages
    spa = [u for (u,) in crawled.query("select url from fetches where url like '%?key=%'")]
    assert len(spa) <= 9, spa[:5]
    api = [u for (u,) in crawled.query("select url from fetches where url like '%/gongkai/api/channel/list%'")]
    assert len(api) == len(set(api))
    sections = crawled.query("select name from columns where role = 'section'")
    assert sorted(n for (n,) in sections) == sorted(["政府信息公开"] + [o["name"] for o in crawled.key["organs"]])


def test_tm001_recall_and_precision(crawled):
    assert_tm001_matches_truth(crawled)


def test_no_unplanted_failures(crawled):
    planted = {v["url"] for v in crawled.key["violations"] if v["url"]}
    site_level = {v["code"] for v in crawled.key["violations"] if not v["url"]}   # keyed "site"
    stray = [(f["code"], f["url"], f["message"]) for f in crawled.export("findings")
             if f["outcome"] == "fail" and f["url"] not in planted and f["code"] not in site_level]
    assert not stray, stray[:10]
    missed = site_level - {f["code"] for f in crawled.export("findings") if f["outcome"] == "fail"}
    assert not missed, missed
