"""`govaudit check` checks the links of every page it crawls: on the Hanweb-style testbed the
planted LK001–LK003 violations are found (and nothing else fails), the home page is counted
separately, and fetches the crawl already made are reused instead of requested again."""
from __future__ import annotations

import sqlite3
from collections import Counter


def lk_findings(crawled) -> list[dict]:
    return [f for f in crawled.export("findings") if f["code"].startswith("LK")]


def test_planted_link_violations_found(crawled_hanweb):
    planted = {(v["code"], v["url"]) for v in crawled_hanweb.key["violations"] if v["code"].startswith("LK")}
    assert {c for c, _ in planted} == {"LK001", "LK002", "LK003"}
    failed = {(f["code"], f["url"]) for f in lk_findings(crawled_hanweb) if f["outcome"] == "fail"}
    assert failed == planted


def test_classification_and_home_page(crawled_hanweb):
    by_url = {f["url"]: f for f in lk_findings(crawled_hanweb) if f["outcome"] == "fail"}
    notes = {v["url"]: v for v in crawled_hanweb.key["violations"] if v["code"].startswith("LK")}
    names = {"软404": "软404", "404": "死链", "无法解析": "死链", "2字节": "附件过小", "HTML": "附件类型不符",
             "另一份文件": "错链"}     # note keyword -> classification named in the message (first match)
    for url, v in notes.items():
        f = by_url[url]
        want = next(name for key, name in names.items() if key in v["note"])
        assert want in f["message"], (v["note"], f["message"])
    home = next(v["url"] for v in notes.values() if v["key"] == "home")
    ev = by_url[home]["evidence"]
    assert ev["on_home_page"] and by_url[home]["column"] == "首页" and ev["home_page"][0]["text"] == "政务服务专栏"
    # a planted body link is on one document page, not on the home page
    body = next(v["url"] for v in notes.values() if v["code"] == "LK001" and v["key"] != "home")
    assert not by_url[body]["evidence"]["on_home_page"] and by_url[body]["evidence"]["other_pages"]


def test_crawl_fetches_reused(crawled_hanweb):
    con = sqlite3.connect(crawled_hanweb.db)
    origins = dict(con.execute("select origin, count(*) from link_checks group by origin").fetchall())
    con.close()
    assert origins.get("crawl", 0) > 100          # documents and columns: judged from the crawl's fetch
    # every document page was requested once (by the crawl), not again by the link check
    gets = Counter(path for method, path in crawled_hanweb.testbed.requests if method == "GET")
    doc_paths = ["/" + d["url"].split("/", 3)[3] for d in crawled_hanweb.key["documents"]]
    assert all(gets[p] == 1 for p in doc_paths), [(p, gets[p]) for p in doc_paths if gets[p] != 1][:5]
