"""`govaudit demo`, the README's main job: serves a bundled portal, crawls, audits and reports it."""
from __future__ import annotations

import json
import sqlite3

from tests.conftest import run_cli


def test_demo_default_writes_report_key_and_store(tmp_path):
    db, out = tmp_path / "govaudit.db", tmp_path / "reports"
    proc = run_cli("demo", "--db", str(db), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    [report] = [line for line in proc.stdout.splitlines() if line.endswith(".html")]
    html = open(report, encoding="utf-8").read()
    assert "检查结论" in html and "verdict-main" in html
    key = json.loads((out / "answer-key.json").read_text("utf-8"))
    with sqlite3.connect(db) as con:
        stored = {url for (url,) in con.execute("select url from documents")}
        [(status,)] = con.execute("select status from runs")
    assert {d["url"] for d in key["documents"]} <= stored and status == "finished"   # (+ annual reports)


def test_demo_bespoke_reads_the_portal_through_its_site_profile(tmp_path):
    db, out = tmp_path / "b.db", tmp_path / "reports"
    proc = run_cli("demo", "--style", "bespoke", "--db", str(db), "--out", str(out), "--no-links")
    assert proc.returncode == 0, proc.stderr[-2000:]
    [profile] = (out / "sites").glob("127.0.0.1_*.toml")
    assert "site profile for" in proc.stderr and profile.name in proc.stderr
    key = json.loads((out / "answer-key.json").read_text("utf-8"))
    with sqlite3.connect(db) as con:
        stored = {url for (url,) in con.execute("select url from documents")}
        [(used,)] = con.execute("select profile from sites")
    assert {d["url"] for d in key["documents"]} <= stored and used.endswith(profile.name)
