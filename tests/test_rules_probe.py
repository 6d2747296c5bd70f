"""AV001 probes over real HTTP: `govaudit probe` records reachable, refused and challenged home
pages; the rule reads them (and the crawl's own home-page fetch) over the week's window."""
from __future__ import annotations

import socket
from datetime import datetime

from store import CST, Store
from testbed import server
from testbed.server import Style, html, make_style
from rules.base import Outcome, SiteArtifacts
from rules.registry import get
from rules.runner import load_artifacts, make_context
from govaudit import api
from tests.conftest import run_cli


class ChallengeStyle(Style):
    """A home page answered with an anti-bot challenge (HTTP 412 + $_ts script)."""
    name = "challenge"

    def handle(self, req):
        return html("<html><script>var $_ts=window['$_ts'];$_ts.nsd=1;</script></html>", 412)


def _probe(url: str, db, count: int, cli: bool = False) -> None:
    """``count`` probes through ``govaudit.api.probe`` (or ``govaudit probe``: one line each)."""
    if cli:
        proc = run_cli("probe", url, "--count", str(count), "--interval", "0", "--db", str(db))
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.strip().splitlines()) == count
        return
    lines = []
    results = api.probe(url, db=db, count=count, interval=0, each=lambda r, line: lines.append(line))
    assert len(results) == len(lines) == count


def _av001(db, site: str):
    store = Store(db)
    artifacts = SiteArtifacts(site, None, None, [], [], [], [], [])
    artifacts.probes = store.probes(site)
    return list(get("AV001")().check(artifacts, make_context(datetime.now(CST).date())))


def test_probe_reachable_site_is_not_assessed_with_too_few_probes(tmp_path):
    db = tmp_path / "p.db"
    with server.Testbed(make_style("hanweb")) as tb:
        _probe(tb.url, db, 3)
    rows = Store(db).probes(tb.url)
    assert len(rows) == 3 and all(r["ok"] and r["status"] == 200 and r["source"] == "probe" for r in rows)
    [f] = _av001(db, tb.url)
    # all probes succeeded but a week of monitoring is missing: not assessed, not a pass
    assert f.outcome == Outcome.NOT_APPLICABLE and f.evidence["probes"] == 3 and "仅有 3 次监测" in f.message


def test_probe_refused_site_fails(tmp_path):
    with socket.socket() as s:            # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/"
    db = tmp_path / "p.db"
    _probe(url, db, 7)
    rows = Store(db).probes(url)
    assert len(rows) == 7 and not any(r["ok"] for r in rows) and all(r["error"] for r in rows)
    [f] = _av001(db, url)
    # 7 failures are 5% of the 140 probes a week needs: certain whatever the missing probes say
    assert f.outcome == Outcome.FAIL and f.evidence["failed"] == 7


def test_probe_challenge_page_is_a_failure(tmp_path):
    db = tmp_path / "p.db"
    with server.Testbed(ChallengeStyle(None)) as tb:
        _probe(tb.url, db, 2, cli=True)     # (the command line once: `govaudit probe`)
    rows = Store(db).probes(tb.url)
    assert all(r["status"] == 412 and r["blocked"] and not r["ok"] for r in rows)


def test_crawl_home_fetch_counts_as_probe(crawled_hanweb):
    store = Store(crawled_hanweb.db)
    site = crawled_hanweb.testbed.url
    rows = store.probes(site)
    assert [r["source"] for r in rows] == ["crawl"] and rows[0]["ok"]
    artifacts = load_artifacts(store, store.latest_run()["id"], site)
    [f] = get("AV001")().check(artifacts, make_context(datetime.now(CST).date()))
    assert f.outcome == Outcome.NOT_APPLICABLE and f.evidence["probes"] == 1
