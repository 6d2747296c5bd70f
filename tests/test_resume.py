"""A crawl killed (SIGKILL) or stopped by a signal (SIGTERM) at several points and resumed with
the same command and --jobdir ends with the same stored documents, columns, links, findings
and verdict as an uninterrupted crawl of the same portal; the interrupted run's report and
`audit` say it is incomplete (无法评定), with exit code 3."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.items import DOC_FIELDS
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from govaudit import api
from tests.conftest import ROOT, run_cli


def check_args(url: str, tmp: Path, name: str) -> list[str]:
    return ["check", url, "--db", str(tmp / f"{name}.db"), "--out", str(tmp / f"{name}-out"),
            "--as-of", AS_OF.isoformat(), "--jobdir", str(tmp / f"{name}-job"),
            "--concurrency", "1", "--delay", "0.01", "--recheck-delay", "0.1"]


def fetch_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("select count(*) from fetches").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def interrupt_at(args: list[str], db: Path, fetches: int, sig: int) -> subprocess.CompletedProcess:
    """Start the crawl, send ``sig`` once ``fetches`` fetches are stored, wait for the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "govaudit", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and fetch_count(db) < fetches:
        time.sleep(0.1)
    assert proc.poll() is None, f"the crawl ended before {fetches} fetches: {proc.stderr.read()[-2000:]}"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def state(db: Path) -> dict:
    """What a finished run left: everything the report is made from, without timestamps."""
    conn = sqlite3.connect(db)
    q = lambda sql: sorted(tuple(r) for r in conn.execute(sql))
    doc_cols = ", ".join(["url", "columns", "body_sha", "status"] + [f for f in DOC_FIELDS] + ["attachments"])
    out = {
        "runs": q("select id, status from runs"),
        "documents": q(f"select {doc_cols} from documents"),
        "columns": q("select url, name, role, status, entries, note from columns"),
        "entries": q("select column_url, doc_url, title, date, position from entries"),
        "links": q("select page_url, url, tag, check_class from links"),
        "findings": q("select code, outcome, url, fingerprint, message from findings"),
        # every URL the crawl read, once each (a resumed run records no page twice)
        "fetched": q("select url, method, coalesce(req_body, ''), status, body_sha, count(*) from fetches "
                     "where kind != 'error' group by url, method, req_body, status, body_sha"),
    }
    result = json.loads(conn.execute("select doc from results").fetchone()[0])
    out["verdict"] = (result["score"]["verdict"], result["score"]["score"])
    conn.close()
    return out


@pytest.fixture(scope="module")
def portal():
    tb = Testbed(make_style("hanweb", scale=0.5)).start()
    yield tb
    tb.stop()


@pytest.fixture(scope="module")
def uninterrupted(portal, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("full")
    proc = run_cli(*check_args(portal.url, tmp, "full"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {**state(tmp / "full.db"), "total": fetch_count(tmp / "full.db")}


@pytest.mark.parametrize("points", [
    [(signal.SIGKILL, 0.1)],                         # early: the section and a few columns
    [(signal.SIGTERM, 0.5)],                         # graceful stop mid-documents
    [(signal.SIGKILL, 0.3), (signal.SIGTERM, 0.7)],  # killed, resumed, stopped, resumed
    [(signal.SIGINT, 0.8)],                          # Ctrl-C late in the crawl
], ids=["kill-early", "term-middle", "kill-then-term", "int-late"])
def test_resume_equals_uninterrupted(portal, uninterrupted, tmp_path, points):
    args = check_args(portal.url, tmp_path, "r")
    db = tmp_path / "r.db"
    for sig, share in points:      # at this share of the uninterrupted crawl's fetches
        at = max(5, int(share * uninterrupted["total"]))
        proc = interrupt_at(args, db, at, sig)
        if sig in (signal.SIGTERM, signal.SIGINT):
            # a graceful stop: exit 3, and the report it wrote says the crawl is incomplete
            assert proc.returncode == 3, proc.stderr[-2000:]
            assert "incomplete" in proc.stderr
            report = next((tmp_path / "r-out").glob("*.html")).read_text("utf-8")
            assert "无法评定" in report and "本次抓取未完成" in report
        else:
            assert proc.returncode == -signal.SIGKILL
        # `audit` of the interrupted run says so too, and exits 3
        audit = api.audit(db, out=tmp_path / f"audit-{sig}-{at}")
        assert audit.code == 3 and "incomplete" in audit.reason, audit
        report = next((tmp_path / f"audit-{sig}-{at}").glob("*.html")).read_text("utf-8")
        assert "无法评定" in report and "本次抓取未完成" in report
        assert sqlite3.connect(db).execute("select count(*) from runs").fetchone()[0] == 1
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming" in proc.stderr
    got = state(db)
    assert fetch_count(db) >= uninterrupted["total"]
    for key in got:
        assert got[key] == uninterrupted[key], f"{key} differs after resuming"


def test_plain_rerun_without_jobdir_is_a_new_run(portal, tmp_path):
    """Without --jobdir a killed run stays as it was (incomplete) and a re-run is a new run."""
    args = [a for a in check_args(portal.url, tmp_path, "p") if True]
    i = args.index("--jobdir")
    del args[i:i + 2]
    interrupt_at(args, tmp_path / "p.db", 20, signal.SIGKILL)
    proc = run_cli(*args, "--max-documents", "5", "--no-links")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = sqlite3.connect(tmp_path / "p.db").execute("select id, status from runs order by id").fetchall()
    assert rows == [(1, "running"), (2, "finished")]
