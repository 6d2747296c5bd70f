"""Each audit of a run is kept (issue 11): re-auditing with another --as-of stores a new result
beside the old one and writes a new report file; `export --audit ID` picks either."""
from __future__ import annotations

import json
import sqlite3
from datetime import date

from govaudit import api
from tests.conftest import Crawled


def test_reaudit_keeps_the_first_audit(tmp_path):
    crawled = Crawled("hanweb", tmp_path / "crawl", scale=0.3, args=("--no-links",))
    crawled.testbed.stop()
    db = str(crawled.db)
    with sqlite3.connect(db) as con:
        first_id = con.execute("select max(id) from audits").fetchone()[0]
        first_as_of = con.execute("select as_of from audits where id = ?", [first_id]).fetchone()[0]
    first = api.export(db, what="findings", audit_id=first_id).rows
    out = tmp_path / "out"
    # the first re-audit into an empty folder writes there; a second one with another date
    # must not overwrite it
    a = api.audit(db, out=out)
    assert a.code == 0, a.reason
    b = api.audit(db, out=out, as_of=date(2027, 6, 30))
    assert b.code == 0, b.reason
    [report_a] = [str(p) for p in a.paths if p.suffix == ".html"]
    [report_b] = [str(p) for p in b.paths if p.suffix == ".html"]
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
    again = api.export(db, what="findings", audit_id=first_id).rows
    later = api.export(db, what="findings", audit_id=doc_b["audit"]["id"]).rows
    key = lambda rows: sorted((r["fingerprint"], r["outcome"]) for r in rows)
    assert key(again) == key(first)
    assert key(later) != key(first)      # 2027-06-30: more freshness and timeliness failures
    # export without --audit gives the run's latest audit
    latest = api.export(db, what="findings").rows
    assert key(latest) == key(later)
