"""govaudit nightly over a fleet of testbed portals served at once (styles and seeds), the
store lock, and a kill -9 mid-run then a restart compared with an uninterrupted run."""
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

from fleet.nightly import EXIT_LOCKED, store_lock
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from tests.conftest import ROOT, run_cli

STYLES = ("hanweb", "trs", "gongkai", "jsonfirst")
LEVELS = ("省", "市", "县", "部门")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """12 portals: four styles x seeds 1-3, all served at once."""
    tbs = [(f"{st}-{seed}", Testbed(make_style(st, seed=seed)).start()) for seed in (1, 2, 3) for st in STYLES]
    folder = tmp_path_factory.mktemp("fleet")
    text = "".join(f'[[site]]\nid = "{sid}"\nname = "门户{sid}"\nurl = "{tb.url}"\n'
                   f'region = "测试省{i % 2}"\nlevel = "{LEVELS[i % 4]}"\n\n' for i, (sid, tb) in enumerate(tbs))
    (folder / "sites.toml").write_text(text, "utf-8")
    yield folder / "sites.toml", tbs
    for _, tb in tbs:
        tb.stop()


def args(sites: Path, db: Path, out: Path) -> list[str]:
    return ["nightly", "--sites", str(sites), "--db", str(db), "--out", str(out),
            "--as-of", AS_OF.isoformat(), "--no-links"]


def final_state(db: Path) -> dict:
    """Per site: its run in batch 1, documents (url -> metadata) and findings."""
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select site, id, status from runs where batch = 1").fetchall()
        out = {}
        for site, run_id, status in runs:
            docs = conn.execute("select url, title, pub_date, written_date, doc_no, body_sha, columns "
                                "from documents where run_id = ? order by url", [run_id]).fetchall()
            findings = conn.execute("select code, url, outcome, fingerprint from findings where run_id = ? "
                                    "order by fingerprint", [run_id]).fetchall()
            entries = conn.execute("select count(*) from entries where run_id = ?", [run_id]).fetchone()[0]
            out[site] = {"status": status, "docs": docs, "findings": findings, "entries": entries}
        assert len(runs) == len(out), "a site has two runs in one batch"
        return out


def test_nightly_fleet_kill_and_resume(fleet, tmp_path):
    sites, tbs = fleet
    # uninterrupted
    a = tmp_path / "a"
    proc = run_cli(*args(sites, a / "audit.db", a / "out"), timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "nightly batch 1: 12 sites" in proc.stderr
    assert proc.stderr.count(" crawled: ") == 12                      # plain progress lines (no TTY)
    assert "sites 12/12" in proc.stderr
    reports = proc.stdout.split()
    assert Path(reports[0]).name == "index.html" and len(reports) == 13
    assert all(Path(p).exists() for p in reports)
    for sid, tb in tbs:
        doc = json.loads((a / "out" / (Path(reports[1 + [t for _, t in tbs].index(tb)]).stem + ".json")).read_text("utf-8"))
        assert doc["site"]["id"] == sid and doc["site"]["group"]["level"] in LEVELS
    want = final_state(a / "audit.db")
    assert len(want) == 12 and all(s["status"] == "finished" and s["docs"] for s in want.values())
    for sid, tb in tbs:     # every document of every portal's answer key stored
        urls = {d[0] for d in want[tb.url]["docs"]}
        assert {d["url"] for d in tb.answer_key()["documents"]} <= urls, sid

    # killed once some sites have finished and others have not, then restarted
    b = tmp_path / "b"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "govaudit", *args(sites, b / "audit.db", b / "out")],
                         env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    killed_with = None
    while time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.2)
        try:
            with sqlite3.connect(b / "audit.db", timeout=1) as conn:
                st = [r[0] for r in conn.execute("select status from runs where batch = 1")]
        except sqlite3.OperationalError:
            continue
        if len(st) == 12 and 1 <= st.count("finished") <= 10:
            p.send_signal(signal.SIGKILL)
            killed_with = st.count("finished")
            break
    p.wait()
    assert killed_with, "the run ended before it could be killed half-way"
    proc = run_cli(*args(sites, b / "audit.db", b / "out"), timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming batch 1" in proc.stderr
    assert f"({12 - killed_with} to crawl)" in proc.stderr
    got = final_state(b / "audit.db")
    assert got.keys() == want.keys()
    for site in want:
        assert got[site]["status"] == "finished"
        assert got[site]["docs"] == want[site]["docs"], site                  # nothing lost
        assert [f[:3] for f in got[site]["findings"]] == [f[:3] for f in want[site]["findings"]], site
        assert got[site]["entries"] == want[site]["entries"], site
    with sqlite3.connect(b / "audit.db") as conn:                                # nothing twice
        assert conn.execute("select count(*) from (select run_id, url from documents group by 1, 2 "
                            "having count(*) > 1)").fetchone()[0] == 0
        assert conn.execute("select count(*) - count(distinct sha) from bodies").fetchone()[0] == 0
        assert conn.execute("select status from batches").fetchall() == [("finished",)]
    assert sorted(os.listdir(b / "out")) == sorted(os.listdir(a / "out"))


def test_lock_keeps_a_second_nightly_off_the_store(fleet, tmp_path):
    sites, _ = fleet
    db = tmp_path / "audit.db"
    with store_lock(db):
        proc = run_cli(*args(sites, db, tmp_path / "out"))
    assert proc.returncode == EXIT_LOCKED
    assert f"another nightly run holds {db}.lock (pid {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not db.exists()


def test_probe_sites_probes_every_home_page_once(fleet, tmp_path):
    sites, tbs = fleet
    for _, tb in tbs:
        tb.answers.clear()
    db = tmp_path / "audit.db"
    proc = run_cli("probe", "--sites", str(sites), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "12 sites probed, 0 failed" in proc.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select site, ok, status from probes order by site").fetchall()
    assert sorted(r[0] for r in rows) == sorted(tb.url for _, tb in tbs)
    assert all(r[1] == 1 and r[2] == 200 for r in rows)
    assert all([(m, p) for m, p, _, _ in tb.answers] == [("GET", "/")] for _, tb in tbs)
