"""The hostile portal (testbed/styles/hostile.py) crawled by `govaudit check` inside a network
namespace of its own (tests/hostile_netns.py): nothing can leave the machine, and canary
servers listen on the very addresses the hostile pages point at (169.254.169.254, 10.0.0.1).

Evidence that no request went to a refused address comes from both sides: the canaries
(server side: they were asked nothing) and the outbound policy's own record in the run's
stats (resolver side: what each host resolved to, every refusal). Then each payload: the
hostile <base href>, the 50 MB page (capped, memory bounded), the 1 MB <title> (cut for
display), the GBK page declared UTF-8, the document with a 5-second refresh."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.settings import BODY_CAP_PAGE
from tests.conftest import ROOT

UNSHARE = shutil.which("unshare")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if not UNSHARE:
        pytest.skip("unshare (util-linux) not available")
    probe = subprocess.run([UNSHARE, "-n", "true"], capture_output=True)
    if probe.returncode:
        pytest.skip(f"cannot make a network namespace here: {probe.stderr.decode()[:200]}")
    tmp = tmp_path_factory.mktemp("hostile")
    proc = subprocess.run([UNSHARE, "-n", sys.executable, str(ROOT / "tests" / "hostile_netns.py"), str(tmp)],
                          capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp / "netns.json").read_text("utf-8"))
    key = json.loads((tmp / "answer-key.json").read_text("utf-8"))
    db = sqlite3.connect(tmp / "hostile.db")
    db.row_factory = sqlite3.Row
    yield {"tmp": tmp, "result": result, "key": key, "db": db}
    db.close()


def test_crawl_completes(hostile):
    r = hostile["result"]
    assert r["returncode"] == 0, r["stderr"]
    assert hostile["db"].execute("select status from runs").fetchone()[0] == "finished"


def test_no_request_reached_an_internal_address(hostile):
    # server side: the canaries on 169.254.169.254 / 10.0.0.1 (and every local address on
    # ports 80, 8080, 21, 70) were asked nothing
    assert hostile["result"]["canary_hits"] == []
    # resolver side: the policy saw each internal link and refused it before connecting
    stats = json.loads(hostile["db"].execute("select stats from runs").fetchone()[0])
    refused = {r["url"]: r["reason"] for r in stats["outbound"]["refused"]}
    http_links = [u for u in hostile["key"]["hostile"]["internal_links"] if u.startswith("http")]
    for url in http_links:
        assert url in refused, f"{url} was not refused by the policy"
    assert "link-local" in refused["http://169.254.169.254/latest/meta-data/iam/security-credentials/"]
    assert "private" in refused["http://10.0.0.1/admin/"]
    assert stats["outbound"]["allowed_kinds"] == ["loopback"]     # the testbed's own kind only


def test_refused_links_are_unchecked_never_fetched(hostile):
    db = hostile["db"]
    for url in hostile["key"]["hostile"]["internal_links"]:
        row = db.execute("select class, detail from link_checks where url = ?", [url]).fetchone()
        assert row is not None, f"{url} not recorded"
        assert row["class"] == "unchecked", (url, row["class"])
        assert "安全策略" in json.loads(row["detail"])["reason"]
        # no fetch with an answer was ever stored for it
        answered = db.execute("select count(*) from fetches where url = ? and status is not null", [url]).fetchone()[0]
        assert answered == 0


def test_hostile_base_href_is_ignored(hostile):
    db, key = hostile["db"], hostile["key"]
    page = key["hostile"]["base_href"]
    links = {r[0] for r in db.execute("select url from links where page_url = ?", [page])}
    directory = page.rsplit("/", 1)[0] + "/"
    assert directory + "latest/meta-data/logo.png" in links
    assert directory + "files/secret-attachment.pdf" in links
    assert not [u for u in links if "169.254" in u]


def test_huge_page_is_capped_and_memory_bounded(hostile):
    db, key = hostile["db"], hostile["key"]
    f = db.execute("select size, truncated, status from fetches where url = ? and kind = 'document'",
                   [key["hostile"]["huge"]]).fetchone()
    assert f["status"] == 200 and f["truncated"] == BODY_CAP_PAGE and f["size"] == BODY_CAP_PAGE
    # its metadata is in its first kilobytes: the document is still read
    doc = db.execute("select title from documents where url = ?", [key["hostile"]["huge"]]).fetchone()
    want = next(d for d in key["documents"] if d["url"] == key["hostile"]["huge"])
    assert doc["title"] == want["title"]
    # the crawl process's peak memory: the page is 50 MB; before the cap it took 586 MB
    peak_mb = hostile["result"]["peak_rss_kb"] / 1024
    print(f"\npeak RSS of the crawl with a 50 MB page: {peak_mb:.0f} MB")
    assert peak_mb < 400
    # the store holds it once, compressed
    assert (hostile["tmp"] / "hostile.db").stat().st_size < 40 * 1024 * 1024


def test_long_title_is_cut_for_display_only(hostile):
    db, key = hostile["db"], hostile["key"]
    stored = db.execute("select title from documents where url = ?", [key["hostile"]["long_title"]]).fetchone()
    assert stored is not None and len(stored["title"]) > 200_000       # kept whole in the store
    name = db.execute("select name from sites").fetchone()[0]
    assert len(name) > 200_000
    report = next((hostile["tmp"] / "reports").glob("*.html")).read_text("utf-8")
    assert "以下从略" in report
    # no run of the 1 MB value survives in the report: at most the display cut (1000 characters)
    assert "超长标题" * 300 not in report and "超长标题" * 200 in report


def test_gbk_page_declared_utf8_is_read_right(hostile):
    db, key = hostile["db"], hostile["key"]
    url = key["hostile"]["gbk"]
    f = db.execute("select encoding, encoding_note from fetches where url = ? and kind = 'document'", [url]).fetchone()
    assert f["encoding"] == "gb18030" and "utf-8" in f["encoding_note"]
    want = next(d for d in key["documents"] if d["url"] == url)
    got = db.execute("select title, publisher, pub_date from documents where url = ?", [url]).fetchone()
    assert (got["title"], got["publisher"], got["pub_date"]) == (want["title"], want["publisher"], want["pub_date"])


def test_delayed_refresh_on_a_document_is_recorded_not_followed(hostile):
    db, key = hostile["db"], hostile["key"]
    url = key["hostile"]["refresh"]
    f = db.execute("select status, refresh, final_url from fetches where url = ? and kind = 'document'", [url]).fetchone()
    assert f["status"] == 200 and f["final_url"] == url
    assert f["refresh"] == "5;url=/gone/moved-here.html"
    want = next(d for d in key["documents"] if d["url"] == url)
    got = db.execute("select title, pub_date from documents where url = ?", [url]).fetchone()
    assert (got["title"], got["pub_date"]) == (want["title"], want["pub_date"])
    # the crawler never went to the refresh target
    path = "/" + key["hostile"]["refresh_target"].split("/", 3)[3]
    assert not [r for r in hostile["result"]["portal_requests"] if r[1] == path]
    assert db.execute("select count(*) from fetches where url = ?", [key["hostile"]["refresh_target"]]).fetchone()[0] == 0


def test_redirect_to_an_internal_address_is_refused_at_the_hop(hostile):
    """An on-site link that answers 302 to the metadata service: the hop is asked of the policy
    (the link checker's request passes the downloader middleware again) and refused."""
    db, key = hostile["db"], hostile["key"]
    url = key["hostile"]["redirect_to_metadata"]
    row = db.execute("select class, detail from link_checks where url = ?", [url]).fetchone()
    assert row["class"] == "unchecked" and "安全策略" in json.loads(row["detail"])["reason"]
    assert hostile["result"]["canary_hits"] == []


def test_probe_refuses_a_redirect_to_an_internal_address(hostile):
    probe = hostile["result"]["probe"]
    assert probe["returncode"] == 0, probe["stderr"]
    row = hostile["db"].execute("select ok, status, error from probes").fetchone()
    assert row["ok"] == 0 and row["status"] is None and "outbound policy" in row["error"]
    assert hostile["result"]["canary_hits"] == []


def test_report_opened_in_chromium_runs_nothing(hostile):
    """The hostile portal's report (and every snapshot it links) opened in headless Chromium:
    no navigation away, no script of the pages, nothing requested from anywhere."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("chromium and chromedriver not installed (.ci/run installs them)")
    opts = Options()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-proxy-server", "--disable-background-networking"):
        opts.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        reports = hostile["tmp"] / "reports"
        pages = [next(reports.glob("*.html"))] + sorted((reports / "snapshots").glob("*.html"))[:30]
        assert len(pages) > 1
        for page in pages:
            browser.get(page.as_uri())
            import time

            time.sleep(0.5)
            assert browser.current_url == page.as_uri()
            assert browser.title != "PWNED"
            assert browser.execute_script("return window.pwned") is None
        # the resources Chromium loaded for these pages: only the pages themselves
        loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert [u for u in loaded if not u.startswith(("file:", "data:", "about:"))] == []
    finally:
        browser.quit()
