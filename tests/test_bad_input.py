"""Bad input gets a clear message and loses no data already stored."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

from testbed.corpus import AS_OF
from testbed.server import Request, Response, Style, Testbed, make_style
from tests.conftest import ROOT, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_url_is_explained_and_recorded(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"       # nothing listens there
    proc = run_cli("check", url, "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "out"),
                   "--as-of", AS_OF.isoformat())
    assert proc.returncode == 0, proc.stderr
    assert "could not be crawled" in proc.stderr
    db = sqlite3.connect(tmp_path / "a.db")
    (error,) = db.execute("select error from fetches where url = ?", [url]).fetchone()
    assert "Connection" in error or "refused" in error.lower()
    # the report exists and says the site is not a clean pass
    report = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "合格</" not in report.replace("不合格", "")


class Garbage(Style):
    name = "garbage"

    def handle(self, req: Request) -> Response:
        return Response(200, bytes(range(256)) * 40, "text/html")


def test_garbage_home_page_does_not_crash(tmp_path):
    with Testbed(Garbage(None)) as tb:
        proc = run_cli("check", tb.url, "--db", str(tmp_path / "g.db"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    db = sqlite3.connect(tmp_path / "g.db")
    assert db.execute("select count(*) from fetches").fetchone()[0] >= 1
    assert db.execute("select status from runs").fetchone()[0] == "finished"


def test_bad_arguments_are_explained(tmp_path):
    proc = run_cli("check", "ftp://example.org/")
    assert proc.returncode == 2 and "not an http(s) URL" in proc.stderr
    proc = run_cli("check", "http://127.0.0.1/", "--as-of", "2026-13-40")
    assert proc.returncode == 2 and "not a date" in proc.stderr
    proc = run_cli("export", "--db", str(tmp_path / "none.db"), "--what", "findings")
    assert proc.returncode == 2 and "database not found" in proc.stderr


def test_kill_mid_crawl_keeps_stored_data(tmp_path):
    db_path = tmp_path / "k.db"
    with Testbed(make_style("hanweb")) as tb:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "check", tb.url, "--db", str(db_path),
             "--out", str(tmp_path / "out"), "--concurrency", "1", "--delay", "0.02"],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and stored < 20:
            time.sleep(0.3)
            try:
                with sqlite3.connect(db_path, timeout=5) as db:
                    stored = db.execute("select count(*) from fetches").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert stored >= 20, "the crawl stored nothing within 60 s"
        db = sqlite3.connect(db_path)
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        kept = db.execute("select count(*) from fetches").fetchone()[0]
        assert kept >= stored
        assert db.execute("select status from runs where id = 1").fetchone()[0] == "running"
        db.close()
        # the same database takes a new run afterwards
        proc2 = run_cli("check", tb.url, "--db", str(db_path), "--out", str(tmp_path / "out2"),
                        "--as-of", AS_OF.isoformat(), "--max-documents", "20")
    assert proc2.returncode == 0, proc2.stderr
    db = sqlite3.connect(db_path)
    assert db.execute("select status from runs where id = 2").fetchone()[0] == "finished"
    assert db.execute("select count(*) from fetches where run_id = 1").fetchone()[0] == kept
