"""Scale-out on real servers: two scrapy-redis workers over the testbed store the same
documents and findings as one process; a crawl scheduled through Scrapyd's HTTP API is stored
and audited. Skipped with the reason when redis-server / scrapyd are absent, failed under CI."""
from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.parse
import urllib.request

import pytest

from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from govaudit import api
from tests.conftest import ROOT, run_cli
from tests.services import redis_server, scrapyd_server
from tests.test_incremental import sites_file


@pytest.fixture
def redis_url(tmp_path):
    url, proc = redis_server(tmp_path)
    yield url
    if proc:
        proc.terminate()
        proc.wait()


def site_state(db, site: str) -> dict:
    with sqlite3.connect(db) as conn:
        run = conn.execute("select id from runs where site = ? order by id desc limit 1", [site]).fetchone()[0]
        return {
            "docs": conn.execute("select url, title, index_no, publisher, doc_no, written_date, pub_date, validity, "
                                 "body_sha, columns from documents where run_id = ? order by url", [run]).fetchall(),
            "findings": conn.execute("select code, url, outcome, fingerprint from findings where run_id = ? "
                                     "order by fingerprint", [run]).fetchall(),
            "fetched": conn.execute("select url, count(*) from fetches where run_id = ? group by url order by url",
                                    [run]).fetchall(),
            "columns": conn.execute("select url, name, entries, status from columns where run_id = ? order by url",
                                    [run]).fetchall(),
        }


def test_two_redis_workers_store_what_one_process_stores(tmp_path, redis_url):
    tbs = [("hanweb-1", Testbed(make_style("hanweb", seed=1)).start()),
           ("jsonfirst-2", Testbed(make_style("jsonfirst", seed=2)).start())]
    try:
        sites = sites_file(tmp_path, tbs)
        common = ["--sites", sites, "--as-of", AS_OF.isoformat(), "--no-links"]
        one = run_cli("nightly", *common, "--db", str(tmp_path / "one.db"), "--out", str(tmp_path / "one"))
        assert one.returncode == 0, one.stderr[-3000:]
        two = run_cli("nightly", *common, "--db", str(tmp_path / "two.db"), "--out", str(tmp_path / "two"),
                      "--redis", redis_url, "--workers", "2")
        assert two.returncode == 0, two.stderr[-3000:]
        pages = [int(n) for n in re.findall(r"worker \S+: (\d+) pages", two.stderr)]
        assert len(pages) == 2 and all(n > 0 for n in pages), two.stderr[-2000:]      # both worked
        for _, tb in tbs:
            a, b = site_state(tmp_path / "one.db", tb.url), site_state(tmp_path / "two.db", tb.url)
            assert b["docs"] == a["docs"]
            assert [f[:3] for f in b["findings"]] == [f[:3] for f in a["findings"]]
            assert b["columns"] == a["columns"]
            # nothing fetched (so stored) twice: no URL more often than one process fetches it
            once = dict(a["fetched"])
            assert all(n <= once.get(url, 1) for url, n in b["fetched"]), b["fetched"]
            assert {d["url"] for d in tb.answer_key()["documents"]} <= {d[0] for d in b["docs"]}
        with sqlite3.connect(tmp_path / "two.db") as conn:            # nothing lost on the way
            assert sum(pages) == conn.execute("select count(*) from fetches").fetchone()[0]
    finally:
        for _, tb in tbs:
            tb.stop()


def test_unreachable_redis_is_a_clear_error(tmp_path):
    proc = run_cli("worker", "--redis", "redis://127.0.0.1:1/0")
    assert proc.returncode == 2 and "redis at redis://127.0.0.1:1/0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_scrapyd_schedules_a_crawl_that_is_stored_and_audited(tmp_path):
    url, proc = scrapyd_server(tmp_path, ROOT)
    style = make_style("trs", seed=3)
    try:
        with Testbed(style) as tb:
            projects = json.loads(urllib.request.urlopen(url + "listprojects.json").read())["projects"]
            assert "govaudit" in projects
            spiders = json.loads(urllib.request.urlopen(url + "listspiders.json?project=govaudit").read())["spiders"]
            assert "govaudit-site" in spiders
            db, out = tmp_path / "audit.db", tmp_path / "out"
            form = [("project", "govaudit"), ("spider", "govaudit-site"), ("site", tb.url), ("db", str(db)),
                    ("out", str(out)), ("as_of", AS_OF.isoformat()),
                    # the testbed is on this machine: no politeness delay (as `check` does for loopback)
                    ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=0"),
                    ("setting", "CONCURRENT_REQUESTS_PER_DOMAIN=8")]
            answer = json.loads(urllib.request.urlopen(url + "schedule.json",
                                                       urllib.parse.urlencode(form).encode()).read())
            assert answer["status"] == "ok", answer
            job = answer["jobid"]
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                jobs = json.loads(urllib.request.urlopen(url + "listjobs.json?project=govaudit").read())
                if any(j["id"] == job for j in jobs["finished"]):
                    break
                time.sleep(1)
            else:
                pytest.fail(f"Scrapyd job {job} did not finish: {jobs}")
            key = tb.answer_key()
            with sqlite3.connect(db) as conn:
                run_id, command, target, status = conn.execute("select id, command, target, status from runs").fetchone()
                assert (command, status) == ("scrapyd", "finished") and job in target
                stored = {r[0] for r in conn.execute("select url from documents where run_id = ?", [run_id])}
                findings = conn.execute("select code, url, outcome from findings where run_id = ?", [run_id]).fetchall()
            assert {d["url"] for d in key["documents"]} <= stored
            # audited like any other run: each planted TM001 late posting is a TM001 failure
            late = {v["url"] for v in key["violations"] if v["code"] == "TM001"}
            assert late and late <= {u for c, u, o in findings if c == "TM001" and o == "fail"}
            report = json.loads((out / f"127.0.0.1_{urllib.parse.urlsplit(tb.url).port}.json").read_text("utf-8"))
            assert report["run"]["id"] == run_id and report["run"]["command"] == "scrapyd"
            # the same store audited again offline gives the same findings
            again = api.audit(db, out=tmp_path / "again", as_of=AS_OF)
            assert again.code == 0, again.reason
    finally:
        if proc:
            proc.terminate()
            proc.wait()


def test_two_workers_follow_a_section_on_another_host(tmp_path, redis_url):
    """A portal's 信息公开 section often answers on another host name than its home page. The
    worker that reads the home page learns that host; the other worker, handed list pages
    there, must follow their rows too. Expected: every document of the generated portals'
    answer key, on their section host (``section_host=other``: localhost <-> 127.0.0.1), for
    both portals, and nothing fetched twice. Before the hosts were shared through Redis the
    other worker dropped rows as off-site, a different share on every run."""
    from testbed.generated.style import GeneratedStyle

    tbs = [(f"gen-{seed}", Testbed(GeneratedStyle.build(seed, scale=20.0, page_size=20,
                                                         layout={"section_host": "other"})).start())
           for seed in (3, 4, 6)]
    try:
        sites = sites_file(tmp_path, tbs)
        two = run_cli("nightly", "--sites", sites, "--as-of", AS_OF.isoformat(), "--no-links",
                      "--db", str(tmp_path / "two.db"), "--out", str(tmp_path / "two"),
                      "--redis", redis_url, "--workers", "2")
        assert two.returncode == 0, two.stderr[-3000:]
        pages = [int(n) for n in re.findall(r"worker \S+: (\d+) pages", two.stderr)]
        assert len(pages) == 2 and all(n > 0 for n in pages), two.stderr[-2000:]      # both worked
        for _, tb in tbs:
            expected = {d["url"] for d in tb.answer_key()["documents"]}
            assert expected and all(urllib.parse.urlsplit(u).netloc != urllib.parse.urlsplit(tb.url).netloc
                                    for u in expected)                  # the section is elsewhere
            b = site_state(tmp_path / "two.db", tb.url)
            stored = {d[0] for d in b["docs"]}
            assert expected <= stored, f"{len(expected - stored)} of {len(expected)} documents not stored"
            assert all(n == 1 for _, n in b["fetched"]), [f for f in b["fetched"] if f[1] > 1]
    finally:
        for _, tb in tbs:
            tb.stop()
