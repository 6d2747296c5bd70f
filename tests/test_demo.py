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


def test_demo_twice_into_one_folder_is_the_same_site(tmp_path):
    """The second demo into the same folder serves on the port the first used (remembered in
    the folder), so the site is the same and its open findings are 持续存在, not new again."""
    db, out = tmp_path / "d.db", tmp_path / "reports"
    first = run_cli("demo", "--db", str(db), "--out", str(out), "--no-links")
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli("demo", "--db", str(db), "--out", str(out), "--no-links")
    assert second.returncode == 0, second.stderr[-2000:]
    port = (out / ".demo-port").read_text("utf-8").strip()
    assert f"127.0.0.1:{port}" in first.stderr and f"127.0.0.1:{port}" in second.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("select count(distinct site) from fetches").fetchone()[0] == 1
        changes = dict(con.execute("select change, count(*) from findings where run_id = 2 group by change"))
        first_open = con.execute("select count(*) from findings where run_id = 1").fetchone()[0]
    assert first_open and changes.get("persisting") == first_open and not changes.get("new")
    [report] = [line for line in second.stdout.splitlines() if line.endswith(".html")]
    assert "持续存在" in open(report, encoding="utf-8").read()


def test_demo_port_option(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = run_cli("demo", "--port", str(port), "--db", str(tmp_path / "p.db"), "--out", str(tmp_path / "o"),
                   "--no-links", "--max-documents", "3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"serving at http://127.0.0.1:{port}/" in proc.stderr
    # a port already taken is refused with a clear message, not a traceback
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        proc = run_cli("demo", "--port", str(taken), "--db", str(tmp_path / "q.db"), "--out", str(tmp_path / "o2"))
    assert proc.returncode == 2 and "cannot listen there" in proc.stderr and "Traceback" not in proc.stderr
