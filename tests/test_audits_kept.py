"""Each audit of a run is kept (issue 11): re-auditing with another --as-of stores a new result
beside the old one and writes a new report file; `export --audit ID` picks either."""
from __future__ import annotations

import json
import sqlite3

from tests.conftest import Crawled, run_cli


def test_reaudit_keeps_the_first_audit(tmp_path):
    crawled = Crawled("hanweb", tmp_path / "crawl", scale=0.3, args=("--no-links",))
    crawled.testbed.stop()
    db = str(crawled.db)
    with sqlite3.connect(db) as con:
        first_id = con.execute("select max(id) from audits").fetchone()[0]
        first_as_of = con.execute("select as_of from audits where id = ?", [first_id]).fetchone()[0]
    first = json.loads(run_cli("export", "--db", db, "--what", "findings", "--audit", str(first_id)).stdout)
    out = tmp_path / "out"
    # the first re-audit into an empty folder writes there; a second one with another date
    # must not overwrite it
    a = run_cli("audit", "--db", db, "--out", str(out))
    assert a.returncode == 0, a.stderr[-2000:]
    b = run_cli("audit", "--db", db, "--out", str(out), "--as-of", "2027-06-30")
    assert b.returncode == 0, b.stderr[-2000:]
    [report_a] = [p for p in a.stdout.splitlines() if p.endswith(".html")]
    [report_b] = [p for p in b.stdout.splitlines() if p.endswith(".html")]
    assert report_a != report_b
    doc_a = json.loads(open(report_a.replace(".html", ".json"), encoding="utf-8").read())
    doc_b = json.loads(open(report_b.replace(".html", ".json"), encoding="utf-8").read())
    assert doc_a["as_of"] == first_as_of and doc_b["as_of"] == "2027-06-30"
    assert doc_b["audit"]["id"] > doc_a["audit"]["id"] > first_id
    with sqlite3.connect(db) as con:
        audits = con.execute("select id, as_of from audits where id >= ? order by id", [first_id]).fetchall()
        kept = con.execute("select count(*) from audit_results where audit_id = ?", [first_id]).fetchone()[0]
    assert [x for _, x in audits[-2:]] == [first_as_of, "2027-06-30"] and kept == 1
    # the first audit's findings are still there as they were, and differ from the later date's
    again = json.loads(run_cli("export", "--db", db, "--what", "findings", "--audit", str(first_id)).stdout)
    later = json.loads(run_cli("export", "--db", db, "--what", "findings", "--audit", str(doc_b["audit"]["id"])).stdout)
    key = lambda rows: sorted((r["fingerprint"], r["outcome"]) for r in rows)
    assert key(again) == key(first)
    assert key(later) != key(first)      # 2027-06-30: more freshness and timeliness failures
    # export without --audit gives the run's latest audit
    latest = json.loads(run_cli("export", "--db", db, "--what", "findings").stdout)
    assert key(latest) == key(later)
