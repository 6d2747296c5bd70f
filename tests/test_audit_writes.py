"""How the audit writes what it found (issue 15, the audit at 10^5 documents): the result
document stored piece by piece must be the very text ``json.dumps`` makes; the run's findings
and the audit's are written in one pass and replace only the site's; the snapshot files written
by a second process are those written in-process; the fleet index's slim findings keep every
value. Oracles: the standard library's ``json.dumps`` on generated documents, rows built by hand,
and the bytes put into the store."""
from __future__ import annotations

import json
import random
import re
import sqlite3

import pytest

from fleet.publish import SnapshotWriter, index_summary, write_snapshots
from store import Store, json_pieces

WORDS = ["政府信息公开", "a", "", "引号\"与\\反斜杠", "\u2028行分隔", "tab\t", "\x01", "😀", "x" * 40]


def _value(rng: random.Random, depth: int):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(WORDS)
    if kind == 1:
        return rng.randrange(-10**12, 10**12)
    if kind == 2:
        return rng.choice([0.1, 72.5, -1e-7, 1e22, 3.0, float("inf")])
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return []
    if kind == 5:
        return {}
    if kind in (6, 7):
        return [_value(rng, depth + 1) for _ in range(rng.randrange(1, 5))]
    keys = [rng.choice(WORDS + ["k1", "k2"]), rng.choice([1, 2.5, True, None, "z"])]
    return {k: _value(rng, depth + 1) for k in keys[:rng.randrange(1, 3)]}


@pytest.mark.parametrize("seed", range(40))
def test_pieces_join_to_json_dumps(seed):
    rng = random.Random(seed)
    doc = {"schema": 1, "findings": [_value(rng, 1) for _ in range(rng.randrange(0, 6))],
           "fixed": [_value(rng, 1)], "errors": [], "score": _value(rng, 0), "nested": _value(rng, 0)}
    for d in (doc, doc["findings"], doc["nested"], _value(rng, 0)):
        assert "".join(json_pieces(d)) == json.dumps(d, ensure_ascii=False)


def _rows(db, sql, *args):
    with sqlite3.connect(db) as con:
        return con.execute(sql, args).fetchall()


@pytest.mark.parametrize("stream_min", [0, 1 << 30])     # streamed through BLOB I/O, or bound as text
def test_result_document_stored_as_text_in_both_tables(tmp_path, monkeypatch, stream_min):
    import store.db as store_module

    monkeypatch.setattr(store_module, "STREAM_MIN", stream_min)
    db = tmp_path / "s.db"
    store = Store(db)
    doc = {"site": {"url": "http://127.0.0.1/", "name": "某市人民政府"}, "score": {"score": 72.5},
           "findings": [{"code": "TM001", "message": f"第{i}条 \"超期\"", "evidence": {"n": i}} for i in range(300)]}
    store.save_result(1, "http://127.0.0.1/", doc, audit_id=7)
    store.save_result(1, "http://127.0.0.2/", {"findings": []})
    # saved again (a re-audit of the run): the run's row is replaced, the audits' rows kept apart
    doc2 = {**doc, "score": {"score": 60}}
    store.save_result(1, "http://127.0.0.1/", doc2, audit_id=8)
    expected = json.dumps(doc2, ensure_ascii=False)
    assert _rows(db, "select typeof(doc), doc from results where site = ?", "http://127.0.0.1/") == [("text", expected)]
    assert _rows(db, "select audit_id, typeof(doc), doc = ? from audit_results order by audit_id", expected) == [
        (7, "text", 0), (8, "text", 1)]
    assert _rows(db, "select doc from audit_results where audit_id = 7")[0][0] == json.dumps(doc, ensure_ascii=False)
    assert _rows(db, "select count(*) from results")[0][0] == 2
    # what the store reads from it: the score of an earlier run (site_history's json_extract)
    assert _rows(db, "select json_extract(doc, '$.score.score') from results where site = ?",
                 "http://127.0.0.1/") == [(60,)]
    assert store.result_docs(1)[0] == doc2


def test_findings_of_the_run_and_the_audit_in_one_pass(tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    a, b = "http://127.0.0.1/", "http://127.0.0.2/"
    store.replace_findings(1, b, [{"site": b, "code": "LK001", "outcome": "fail", "fingerprint": "other",
                                   "evidence": {"status": 404}, "change": "new"}])
    store.replace_findings(1, a, [{"site": a, "code": "TM001", "outcome": "fail", "fingerprint": "old",
                                   "evidence": {}, "change": "new"}])
    listed = [{"site": a, "code": "TM001", "name": "late-posting", "outcome": "fail", "severity": "deduct",
               "url": a + "1.html", "column": "通知公告", "title": "关于某事的通知", "message": "超期 3 个工作日",
               "evidence": {"deadline": "2026-01-05", "workdays_elapsed": 13}, "fingerprint": "f1",
               "change": "persisting", "first_seen": "2025-12-01"},
              {"site": a, "code": "MD001", "outcome": "review", "fingerprint": "f2", "column": ["甲", "乙"],
               "evidence": None, "change": "new"}]
    errors = [{"site": a, "code": "IN001", "outcome": "error", "fingerprint": "f3",
               "evidence": {"exception": "KeyError"}}]
    store.replace_findings(1, a, listed + errors, audit_id=5, audit_listed=listed)
    got = _rows(db, "select site, code, name, outcome, severity, url, [column], title, message, evidence, "
                    "fingerprint, change from findings where run_id = 1 order by site, fingerprint")
    assert got == [
        (a, "TM001", "late-posting", "fail", "deduct", a + "1.html", "通知公告", "关于某事的通知", "超期 3 个工作日",
         '{"deadline": "2026-01-05", "workdays_elapsed": 13}', "f1", "persisting"),
        (a, "MD001", None, "review", None, None, '["甲", "乙"]', None, None, "{}", "f2", "new"),
        (a, "IN001", None, "error", None, None, None, None, None, '{"exception": "KeyError"}', "f3", None),
        (b, "LK001", None, "fail", None, None, None, None, None, '{"status": 404}', "other", "new"),
    ]
    # the audit keeps the listed ones only (not the rule errors)
    assert _rows(db, "select audit_id, run_id, fingerprint, change, evidence from audit_findings order by fingerprint") == [
        (5, 1, "f1", "persisting", '{"deadline": "2026-01-05", "workdays_elapsed": 13}'), (5, 1, "f2", "new", "{}")]
    # the delete goes through the (run_id, site) index
    plan = " ".join(r[-1] for r in _rows(db, "explain query plan delete from findings where run_id = 1 and site = ?", a))
    assert "USING INDEX idx_findings_run_id_site" in plan


def test_index_added_to_a_store_made_before_it(tmp_path):
    db = tmp_path / "old.db"
    Store(db).close()
    with sqlite3.connect(db) as con:
        con.execute("drop index idx_findings_run_id_site")
        con.execute("delete from _sqlite_migrations where name = 'm022_findings_site_index'")
    Store(db).close()
    assert _rows(db, "select count(*) from sqlite_master where name = 'idx_findings_run_id_site'") == [(1,)]


def _store_with_pages(tmp_path, n):
    store = Store(tmp_path / "s.db")
    bodies = [f"<html><head><title>第{i}页</title></head><body>正文 {i}</body></html>".encode() for i in range(n)]
    shas = [store.add_fetch(1, "http://127.0.0.1/", f"http://127.0.0.1/{i}.html", status=200, body=b,
                            content_type="text/html; charset=utf-8") for i, b in enumerate(bodies)]
    store.commit()
    return store, bodies, shas


def _doc(shas):
    # each page judged twice, and one finding on a body the store never had
    findings = [{"code": "TM001", "evidence": {"body_sha": s}} for s in shas + shas]
    return {"findings": findings + [{"code": "MD001", "evidence": {"body_sha": "0" * 40}}],
            "fixed": [{"code": "MD001", "evidence": {"body_sha": shas[0]}}]}


def test_snapshots_written_by_a_second_process_are_those_written_here(tmp_path):
    store, bodies, shas = _store_with_pages(tmp_path, 12)
    here, there = tmp_path / "here", tmp_path / "there"
    doc_here, doc_there = _doc(shas), _doc(shas)
    write_snapshots(store, doc_here, here)
    writer = SnapshotWriter(store, workers=1, min_batch=1)
    write_snapshots(store, doc_there, there, writer)
    assert writer.pool is not None            # it did go to the other process
    writer.close()
    assert doc_here == doc_there
    for f in doc_there["findings"][:-1] + doc_there["fixed"]:
        assert f["evidence"]["snapshot"] == f"snapshots/{f['evidence']['body_sha']}.html"
    assert "snapshot" not in doc_there["findings"][-1]["evidence"]       # not stored: no snapshot
    names = sorted(p.name for p in (here / "snapshots").iterdir())
    assert names == sorted(p.name for p in (there / "snapshots").iterdir()) and len(names) == 24
    for name in names:
        assert (here / "snapshots" / name).read_bytes() == (there / "snapshots" / name).read_bytes()
    for sha, body in zip(shas, bodies):                      # the bytes as fetched, beside
        assert (there / "snapshots" / f"{sha}.body.txt").read_bytes() == body


def test_snapshot_worker_gone_or_failing(tmp_path):
    """The second process killed before it wrote anything: the files are written here at close,
    the same bytes; a batch it could not write (its folder is a file): close raises it."""
    store, bodies, shas = _store_with_pages(tmp_path, 6)
    here, there = tmp_path / "here", tmp_path / "there"
    write_snapshots(store, _doc(shas), here)
    writer = SnapshotWriter(store, workers=1, min_batch=1)
    writer.pool = __import__("fleet.publish", fromlist=["x"])._start_snapshot_worker(str(store.path))
    writer.pool.kill()
    writer.pool.wait()
    write_snapshots(store, _doc(shas), there, writer)
    writer.close()
    names = sorted(p.name for p in (here / "snapshots").iterdir())
    assert names == sorted(p.name for p in (there / "snapshots").iterdir()) and len(names) == 12
    for name in names:
        assert (here / "snapshots" / name).read_bytes() == (there / "snapshots" / name).read_bytes()

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "snapshots").write_text("a file where the folder should be")
    writer = SnapshotWriter(store, workers=1, min_batch=1)
    write_snapshots(store, _doc(shas), blocked, writer)
    assert writer.pool is not None
    with pytest.raises(RuntimeError, match="snapshots"):
        writer.close()


def test_index_summary_keeps_every_value():
    findings = [{"outcome": o, "change": c, "code": code, "severity": "deduct", "name": "n", "column": col,
                 "message": "long text", "evidence": {"x": 1}}
                for o in ("fail", "review") for c in ("new", "persisting") for code in ("TM001", "MD001")
                for col in ("甲", None)] * 3
    doc = {"site": {"url": "http://127.0.0.1/"}, "findings": findings, "fixed": [{"change": "fixed"}] * 2}
    slim = index_summary(doc)
    keep = ("outcome", "change", "code", "severity", "name", "column")
    assert slim["findings"] == [{k: f[k] for k in keep} for f in findings]
    assert slim["fixed"] == [{"change": "fixed"}, {"change": "fixed"}] and slim["site"] == doc["site"]


def test_each_result_stored_once_the_next_site_is_asked_for(tmp_path, monkeypatch):
    """iter_audit_run stores a site's result document after the caller has had it (and let it
    go), as the text it had when it was made: what the caller adds to it afterwards (the
    snapshot paths) is not stored; stopping early still stores the site in hand."""
    from datetime import date

    import rules.runner as runner
    from rules.runner import iter_audit_run, make_context

    db = tmp_path / "s.db"
    store = Store(db)
    a, b = "http://127.0.0.1/", "http://127.0.0.2/"
    monkeypatch.setattr(store, "sites", lambda run_id: [a, b])

    def fake_audit_site(store, run_id, site, ctx, codes, select, ignore, audit_id):
        doc = {"site": {"url": site}, "findings": [{"code": "TM001", "evidence": {"body_sha": "ab"}}]}
        return doc, store.result_saver(run_id, site, doc, audit_id=audit_id)

    monkeypatch.setattr(runner, "_audit_site", fake_audit_site)
    docs = iter_audit_run(store, 1, make_context(date(2026, 11, 30)))
    first = next(docs)
    assert _rows(db, "select count(*) from results")[0][0] == 0
    made = json.dumps(first, ensure_ascii=False)
    first["findings"][0]["evidence"]["snapshot"] = "snapshots/ab.html"      # as write_snapshots does
    second = next(docs)
    assert second["site"]["url"] == b
    assert _rows(db, "select site, doc from results") == [(a, made)]
    docs.close()                        # the caller stops (an error writing the second report)
    assert _rows(db, "select site from results order by site") == [(a,), (b,)]
    assert _rows(db, "select site from audit_results order by site") == [(a,), (b,)]


def test_more_cards_written_piece_by_piece(tmp_path, monkeypatch):
    """The cards past the first page (the page's JSON for report.js) written in pieces of any
    size give the same page, and the JSON read back gives every finding past the first page, in
    the report's order, with characters that must not end the script escaped."""
    import reports.site as site
    from reports.render import render_site_report, write_site_report

    n = 3 * site.PAGE_SIZE + 7
    findings = [{"code": "TM001", "name": "late-posting", "outcome": "review", "severity": "deduct",
                 "site": "http://127.0.0.1/", "column": "通知公告", "fingerprint": f"F{i}", "change": "new",
                 "url": f"http://127.0.0.1/art/{i:04d}.html", "title": f"关于</script><b>&第{i}号</b>的通知",
                 "message": f"超期 {i} 个工作日 & <待核实>", "evidence": {"n": i, "note": "a<b>&c"}}
                for i in reversed(range(n))]
    doc = {"schema": 1, "site": {"url": "http://127.0.0.1/", "name": "某市人民政府"}, "as_of": "2026-11-30",
           "run": {"id": 1}, "score": {"verdict": "待复核"}, "counts": {"review": n},
           "rules": [{"code": "TM001", "name": "late-posting", "title": "逾期公开", "severity": "deduct"}],
           "findings": findings, "fixed": [], "errors": []}
    whole = render_site_report(doc)
    monkeypatch.setattr(site.Payload, "CHUNK", 7)
    path = write_site_report(doc, tmp_path)
    assert path.read_text("utf-8") == whole
    scripts = re.findall(r'<script type="application/json" class="more-cards">(.*?)</script>', whole, re.S)
    assert len(scripts) == 1 and "<" not in scripts[0] and "&" not in scripts[0]
    data = json.loads(scripts[0])
    cards = data["c"]
    assert [c[0] for c in cards] == list(range(site.PAGE_SIZE, n))
    # card fields (report.js): 11 message, 12 title, 13 url; the report orders them by URL here
    for c in cards:
        i = c[0]
        assert data["s"][c[13]] == f"http://127.0.0.1/art/{i:04d}.html"
        assert data["s"][c[12]] == f"关于</script><b>&第{i}号</b>的通知"
        assert data["s"][c[11]] == f"超期 {i} 个工作日 & <待核实>"
