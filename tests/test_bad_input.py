"""Bad input gets a clear message and loses no data already stored."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

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
    assert proc.returncode == 1, proc.stderr           # not assessable: findings-independent failure
    assert "site not assessable" in proc.stderr.splitlines()[-1]
    db = sqlite3.connect(tmp_path / "a.db")
    (error,) = db.execute("select error from fetches where url = ?", [url]).fetchone()
    assert "Connection" in error or "refused" in error.lower()
    # the report exists and says the site is not a clean pass
    report = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "合格</" not in report.replace("不合格", "")
    # no verdict and no score for a site never read (it used to say 得分 100)
    assert 'verdict-value">无法评定<' in report and "网站首页无法访问" in report
    assert 'score-value">—<' in report


class Garbage(Style):
    name = "garbage"

    def handle(self, req: Request) -> Response:
        return Response(200, bytes(range(256)) * 40, "text/html")


def test_garbage_home_page_does_not_crash(tmp_path):
    with Testbed(Garbage(None)) as tb:
        proc = run_cli("check", tb.url, "--db", str(tmp_path / "g.db"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr       # it answered 200: the rules judge what it says
    assert "Traceback" not in proc.stderr
    db = sqlite3.connect(tmp_path / "g.db")
    assert db.execute("select count(*) from fetches").fetchone()[0] >= 1
    assert db.execute("select status from runs").fetchone()[0] == "finished"


def assert_usage_error(proc, message: str) -> None:
    """Exit 2, the message on the last line of stderr, no traceback, nothing on stdout."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-1000:])
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert message in last, last
    assert len(last) < 400, "the reason is one short line"


def test_bad_arguments_are_explained(tmp_path):
    assert_usage_error(run_cli("check", "ftp://example.org/"), "not an http(s) URL")
    assert_usage_error(run_cli("check", "http://127.0.0.1/", "--as-of", "2026-13-40"), "not a date")
    assert_usage_error(run_cli("export", "--db", str(tmp_path / "none.db"), "--what", "findings"),
                       "database not found")


@pytest.mark.parametrize("args, message", [
    (["check", "http://127.0.0.1:1/", "--concurrency", "0"], "--concurrency: must be between 1 and 64"),
    (["check", "http://127.0.0.1:1/", "--concurrency", "-3"], "--concurrency: must be between 1 and 64"),
    (["check", "http://127.0.0.1:1/", "--delay", "-5"], "--delay: must be between 0"),
    (["check", "http://127.0.0.1:1/", "--delay", "nan"], "--delay: must be between 0"),
    (["check", "http://127.0.0.1:1/", "--max-documents", "0"], "--max-documents: must be at least 1"),
    (["check", "http://127.0.0.1:1/", "--family", "drupal"], "--family: invalid choice"),
    (["check", "http://127.0.0.1:1/", "--host-limit", "127.0.0.1=0"], "N from 1 to 64"),
    (["check", "http://127.0.0.1:1/", "--allow-net", "10.0.0.0/40"], "not an address range"),
    (["check", "http://127.0.0.1:1/", "--link-timeout", "0"], "--link-timeout: must be between"),
    (["check", "http://127.0.0.1:99999/"], "Port out of range"),
    (["check", "http://exa mple.gov.cn/"], "not a valid host name"),
    (["check", "http://a..b.gov.cn/"], "not a valid host name"),
    (["check", "http://" + "a" * 100_000 + ".gov.cn/"], "URL longer than 2048 characters"),
    (["demo", "--style", "foo"], "--style: invalid choice: 'foo'"),
    (["demo", "--port", "70000"], "--port: must be between 0 and 65535"),
    (["serve-testbed", "--style", "foo"], "--style: invalid choice"),
    (["serve-testbed", "--port", "-1"], "--port: must be between 0 and 65535"),
    (["links", "http://127.0.0.1:1/", "--max-pages", "0"], "--max-pages: must be at least 1"),
    (["probe", "http://127.0.0.1:1/", "--count", "0"], "--count: must be at least 1"),
    (["probe", "http://127.0.0.1:1/", "--interval", "-1"], "--interval: must be between 0"),
    (["audit", "--as-of", "0001-01-01"], "date out of the range"),
    (["audit", "--run", "0"], "--run: must be at least 1"),
])
def test_each_bad_option_gets_its_message(args, message):
    proc = run_cli(*args)
    assert_usage_error(proc, message)
    assert len(proc.stderr) < 5000      # the 100,000-character URL is not echoed back


def test_mistakes_with_files_are_explained(tmp_path):
    # a database file that is not SQLite: said so, and the file is left as it was
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    before = bogus.read_bytes()
    assert_usage_error(run_cli("audit", "--db", str(bogus), "--out", str(tmp_path / "o")), "not a govaudit database")
    assert_usage_error(run_cli("export", "--db", str(bogus), "--what", "findings"), "not a govaudit database")
    assert_usage_error(run_cli("check", "http://127.0.0.1:1/", "--db", str(bogus), "--out", str(tmp_path / "o")),
                       "not a govaudit database")
    assert bogus.read_bytes() == before
    # a database in a folder that does not exist: no folder is created
    missing = tmp_path / "missing-dir"
    assert_usage_error(run_cli("check", "http://127.0.0.1:1/", "--db", str(missing / "x.db"),
                               "--out", str(tmp_path / "o")), "does not exist")
    assert not missing.exists()
    # --out on a file, and on a place nothing can be written (even as root: /proc)
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert_usage_error(run_cli("check", "http://127.0.0.1:1/", "--db", str(tmp_path / "a.db"), "--out", str(afile)),
                       "is not a folder")
    assert_usage_error(run_cli("check", "http://127.0.0.1:1/", "--db", str(tmp_path / "a.db"),
                               "--out", "/proc/govaudit-reports"), "cannot write there")
    assert not (tmp_path / "a.db").exists() or sqlite3.connect(tmp_path / "a.db").execute(
        "select count(*) from runs").fetchone()[0] == 0      # refused before any crawl


def test_mistakes_on_a_stored_run_are_explained(tmp_path):
    with Testbed(Garbage(None)) as tb:
        run_cli("check", tb.url, "--db", str(tmp_path / "g.db"), "--out", str(tmp_path / "out"), "--no-links")
    db = str(tmp_path / "g.db")
    assert_usage_error(run_cli("audit", "--db", db, "--run", "999", "--out", str(tmp_path / "o")), "no run 999")
    assert_usage_error(run_cli("export", "--db", db, "--what", "findings", "--run", "999"), "no run 999")
    assert_usage_error(run_cli("export", "--db", db, "--what", "findings", "--audit", "999"), "no audit 999")
    assert_usage_error(run_cli("export", "--db", db, "--what", "findings", "-o", str(tmp_path / "nowhere" / "f.json")),
                       "does not exist")
    assert not (tmp_path / "nowhere").exists()
    # a reader that stops early (`export … | head`): no BrokenPipeError
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pipe = subprocess.run(f"{sys.executable} -m govaudit export --db {db} --what documents --format csv "
                          f"| head -c 1; {sys.executable} -m govaudit export --db {db} --what findings | head -n 1",
                          shell=True, capture_output=True, text=True, env=env, cwd=ROOT)
    assert "Error" not in pipe.stderr and "Traceback" not in pipe.stderr, pipe.stderr


def test_kill_mid_crawl_keeps_stored_data(tmp_path):
    db_path = tmp_path / "k.db"
    with Testbed(make_style("hanweb")) as tb:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "govaudit", "check", tb.url, "--db", str(db_path),
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


def test_debug_shows_the_traceback(tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("not sqlite")
    quiet = run_cli("audit", "--db", str(bogus))
    loud = run_cli("--debug", "audit", "--db", str(bogus))
    assert quiet.returncode == loud.returncode == 2
    assert "Traceback" not in quiet.stderr and "Traceback" in loud.stderr
    assert "not a govaudit database" in loud.stderr.strip().splitlines()[-1]
