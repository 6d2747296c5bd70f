"""End to end over real HTTP: crawl the multi-organ ``/gongkai/`` testbed with `govaudit check`
(without and with every trap of ``crawler.testbed.traps``) and compare the store and the
findings with the merged answer key of all organs."""
from __future__ import annotations

import importlib.util
from collections import Counter

import pytest

from tests.conftest import Crawled, metadata_wrong

HAS_TRAPS = importlib.util.find_spec("crawler.testbed.traps") is not None


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "traps"])
def crawled(request, tmp_path_factory):
    if request.param and not HAS_TRAPS:
        pytest.skip("crawler/testbed/traps.py is not there yet")
    c = Crawled("gongkai", tmp_path_factory.mktemp("gongkai"), traps=request.param)
    yield c
    c.testbed.stop()


def stored(crawled) -> dict[str, dict]:
    return {d["url"]: d for d in crawled.export("documents")}


def test_every_document_stored(crawled):
    docs = stored(crawled)
    key = crawled.key["documents"]
    missing = [k["url"] for k in key if k["url"] not in docs]
    assert not missing, f"{len(missing)} of {len(key)} documents not stored, e.g. {missing[:3]}"
    organs = {o["url"] for o in crawled.key["organs"]}
    assert len(organs) == 3 and all(any(k["url"].startswith(o) for k in key) for o in organs)


def test_metadata_accuracy(crawled):
    docs = stored(crawled)
    total, wrong = metadata_wrong(crawled.key["documents"], list(docs.values()))
    accuracy = 1 - len(wrong) / total
    print(f"\ngongkai metadata accuracy: {accuracy:.4%} ({total - len(wrong)}/{total} fields, "
          f"{len(crawled.key['documents'])} documents, {len(crawled.key['organs'])} organs)")
    assert accuracy >= 0.99, f"{len(wrong)} wrong fields, e.g. {wrong[:5]}"
    some = docs[crawled.key["documents"][0]["url"]]
    assert some["pub_date_source"] == "text" and some["title_source"] == "table" and some["title_raw"]


def test_each_document_fetched_and_stored_once(crawled):
    fetched = Counter(url for (url,) in crawled.query(
        "select url from fetches where kind = 'document' and status = 200"))
    twice = [u for u, n in fetched.items() if n > 1]
    assert not twice, twice[:5]
    docs = stored(crawled)
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
    findings = [f for f in crawled.export("findings") if f["code"] == "TM001"]
    failed = {f["url"] for f in findings if f["outcome"] == "fail"}
    planted = {v["url"] for v in crawled.key["violations"] if v["code"] == "TM001"}
    assert planted and failed == planted
    review = {f["url"] for f in findings if f["outcome"] == "review"}
    no_written = {v["url"] for v in crawled.key["near_misses"] if v["code"] == "TM001" and "成文日期" in v["note"]}
    assert no_written <= review


def test_no_unplanted_failures(crawled):
    planted = {v["url"] for v in crawled.key["violations"] if v["url"]}
    site_level = {v["code"] for v in crawled.key["violations"] if not v["url"]}   # keyed "site"
    stray = [(f["code"], f["url"], f["message"]) for f in crawled.export("findings")
             if f["outcome"] == "fail" and f["url"] not in planted and f["code"] not in site_level]
    assert not stray, stray[:10]
    missed = site_level - {f["code"] for f in crawled.export("findings") if f["outcome"] == "fail"}
    assert not missed, missed
