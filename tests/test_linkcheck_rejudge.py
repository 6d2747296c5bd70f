"""Link judgement is a rule: the checker stores what it saw (``link_observations``) and
``govaudit audit`` judges it again with the thresholds of that audit — a site profile's
``[thresholds.links]`` — with the portal gone (no network). Runs stored without observations
keep the class judged while crawling."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from data import site_profile_path
from rules.links import judge, verdict
from govaudit import api
from tests.conftest import Crawled


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The Hanweb testbed crawled with its links checked, then switched off."""
    c = Crawled("hanweb", tmp_path_factory.mktemp("rejudge"))
    c.testbed.stop()
    return c


def _lk002(db: Path, out: Path, site: str, min_file_bytes: int | None) -> dict[str, dict]:
    """LK002 findings (fail and review listed; pass from the result document's counts) of an
    audit of ``db`` with ``min_file_bytes`` set by a site profile (None: no profile)."""
    sites = None
    if min_file_bytes is not None:
        sites = out.parent / f"sites-{out.name}"
        sites.mkdir()
        site_profile_path(site, sites).write_text(
            '[thresholds]\nreason = "test: attachments judged with another size floor"\n'
            f"[thresholds.links]\nmin_file_bytes = {min_file_bytes}\n", "utf-8")
    result = api.audit(db, out=out, select=["LK002"], sites_dir=str(sites) if sites else None)
    assert result.code == 0, result.reason
    with sqlite3.connect(db) as con:
        rows = con.execute("select url, outcome, evidence from findings where code = 'LK002' and run_id = "
                           "(select max(id) from runs)").fetchall()
    return {u: {"outcome": o, **json.loads(e)} for u, o, e in rows}


def _copy(crawled, tmp_path: Path) -> Path:
    db = tmp_path / "audit.db"
    shutil.copy(crawled.db, db)
    return db


def _planted(crawled, word: str) -> set[str]:
    return {v["url"] for v in crawled.key["violations"] if v["code"] == "LK002" and word in v["note"]}


def test_observations_are_stored(crawled):
    rows = crawled.query("select kind, observation from link_observations")
    assert rows and {k for k, _ in rows} >= {"file", "page"}
    files = [json.loads(o) for k, o in rows if k == "file"]
    # what judging needs was recorded, not the verdict: size and the first bytes' format
    assert all("length" in o and "format" in o and "class" not in o for o in files)
    [tiny] = _planted(crawled, "2字节")
    seen = json.loads(crawled.query("select observation from link_observations where url = ?", tiny)[0][0])
    assert seen["status"] == 200 and seen["length"] == 2     # the testbed serves b"\r\n"


def test_min_file_bytes_rejudges_lk002_offline(crawled, tmp_path):
    db = _copy(crawled, tmp_path)
    site = crawled.testbed.url
    [tiny] = _planted(crawled, "2字节")
    other_broken = _planted(crawled, "404") | _planted(crawled, "HTML")
    assert other_broken

    # as crawled (thresholds.toml: 64 bytes): the 2-byte file is 附件过小, confirmed by its re-check
    base = _lk002(db, tmp_path / "base", site, None)
    assert base[tiny]["classification"] == "tiny" and base[tiny]["judged"] == "audit"
    with sqlite3.connect(db) as con:
        listed = {u for (u,) in con.execute("select url from findings where code = 'LK002' and outcome = 'fail'")}
    assert listed == {tiny} | other_broken
    assert all(f["classification"] == f["crawl_class"] for f in base.values())   # same thresholds, same verdicts

    # a 2-byte floor: the same stored bytes are big enough now, but b"\r\n" is still no PDF
    # (no %PDF- magic): 附件类型不符, confirmed (the re-check saw the same bytes)
    low = _lk002(db, tmp_path / "low", site, 2)
    assert low[tiny]["outcome"] == "fail" and low[tiny]["classification"] == "wrong_type"
    assert {u for u, f in low.items() if f["outcome"] == "fail"} == other_broken | {tiny}

    # a floor above every real attachment: each attachment that downloaded is 附件过小; seen once
    # while crawling (it passed), so not confirmed: review, not fail
    high = _lk002(db, tmp_path / "high", site, 10 ** 9)
    for url, f in high.items():
        if url in _planted(crawled, "404"):
            assert f["outcome"] == "fail" and f["classification"] == "dead"
        elif url in other_broken or url == tiny:     # size is judged before type: both checks agree
            assert f["outcome"] == "fail" and f["classification"] == "tiny" and f["confirmed"] == "recheck"
        else:
            assert f["outcome"] == "review" and f["classification"] == "tiny" and f["crawl_class"] == "ok"
    assert len(high) > len(other_broken) + 1        # the good attachments were re-judged too


def test_old_runs_keep_their_stored_class(crawled, tmp_path):
    db = _copy(crawled, tmp_path)
    with sqlite3.connect(db) as con:
        con.execute("delete from link_observations")      # as stored before observations existed
    [tiny] = _planted(crawled, "2字节")
    for floor in (2, 10 ** 9):
        got = _lk002(db, tmp_path / f"old{floor}", crawled.testbed.url, floor)
        assert got[tiny]["outcome"] == "fail" and got[tiny]["classification"] == "tiny"
        assert got[tiny]["judged"] == "crawl"
        assert all(f["judged"] == "crawl" for f in got.values())
        assert all(f["classification"] != "tiny" for u, f in got.items() if u != tiny)


# -- the judgement itself, on records written by hand -------------------------------------------
PAGE = {"url": "http://h/a/1.html", "method": "GET", "status": 200, "final_url": "http://h/a/1.html",
        "content_type": "text/html", "length": 900, "is_html": True, "format": "html",
        "fingerprint": {"same_redirect": False, "same_title": True, "length_diff": 0.02, "similarity": 0.93,
                        "similarity_exact": True}}


def test_fingerprint_similarity_threshold():
    assert verdict(PAGE, kind="page", cfg={"fingerprint_similarity": 0.9}).cls == "soft404"
    assert verdict(PAGE, kind="page", cfg={"fingerprint_similarity": 0.95}).cls == "ok"
    other_title = {**PAGE, "fingerprint": {**PAGE["fingerprint"], "same_title": False}}
    assert verdict(other_title, kind="page", cfg={"fingerprint_similarity": 0.8}).cls == "ok"
    bound = {**PAGE, "fingerprint": {**PAGE["fingerprint"], "similarity": 0.7, "similarity_exact": False}}
    assert verdict(bound, kind="page", cfg={"fingerprint_similarity": 0.6}).cls == "ok"   # a bound proves nothing


def test_confirmation_needs_two_failures_under_the_same_thresholds():
    pdf = {"url": "http://h/f.pdf", "method": "GET", "status": 200, "content_type": "application/pdf",
           "length": 40, "format": "pdf"}
    row = {"kind": "file", "observation": pdf, "first": {**pdf, "length": 100}, "retries": 0}
    assert judge(row, {"min_file_bytes": 64}) == {
        "class": "tiny", "name": "附件过小", "reason": "文件仅 40 字节，不是有效的文件", "confirmed": None}
    assert judge(row, {"min_file_bytes": 200})["confirmed"] == "recheck"
    assert judge(row, {"min_file_bytes": 10})["class"] == "ok"
    assert judge({**row, "first": None, "previous_class": "tiny"}, {"min_file_bytes": 64})["confirmed"] == "previous_run"


def test_fingerprint_comparison_recorded():
    """The checker records how an answer compares with the host's not-found page (not a verdict)."""
    from crawler.linkcheck.classify import Fingerprint, Observation

    def page(url: str, body: str) -> Observation:
        html = f"<html><head><title>某某市人民政府</title></head><body><p>{body}</p></body></html>"
        return Observation(url, status=200, final_url=url, content_type="text/html", text=html,
                           body=html.encode(), length=len(html.encode()))

    missing = "很抱歉，您访问的页面不存在或已被删除，请返回首页继续浏览。网站地图 联系我们"
    fp = Fingerprint.of(page("http://h/govaudit-x-no-such-page.html", missing + " /govaudit-x-no-such-page.html"))
    same = fp.compare(page("http://h/a/2019/old.html", missing + " /a/2019/old.html"))
    assert same["same_title"] and same["similarity_exact"] and same["similarity"] == 1.0
    assert verdict(page("http://h/a/2019/old.html", missing).record(same), kind="page",
                   cfg={"fingerprint_similarity": 0.9}).cls == "soft404"
    article = ("关于印发2024年政务公开工作要点的通知。各区县人民政府，市政府各部门：现将要点印发给你们，"
               "请结合实际认真贯彻落实。一、围绕稳住经济大盘加强政策发布解读。二、持续优化营商环境。")
    other = fp.compare(page("http://h/a/2024/notice.html", article))
    assert other["same_title"] and (other["similarity"] or 0) < 0.75
    assert fp.compare(page("http://h/index.html", missing)) is None     # the root is never a soft 404
