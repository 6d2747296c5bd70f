"""Incremental crawling over real HTTP: the testbed answers conditional requests like a static
web server (ETag / Last-Modified, 304); requests are counted on the server side."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from urllib.parse import urlsplit

import pytest

from crawler.items import DOC_FIELDS
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from govaudit import api
from tests.conftest import run_cli


def sites_file(tmp_path, testbeds) -> str:
    text = "".join(f'[[site]]\nid = "{name}"\nname = "测试站点{i}"\nurl = "{tb.url}"\nregion = "测试省"\nlevel = "市"\n\n'
                   for i, (name, tb) in enumerate(testbeds))
    p = tmp_path / "sites.toml"
    p.write_text(text, "utf-8")
    return str(p)


def nightly(tmp_path, sites: str, *extra: str):
    proc = run_cli("nightly", "--sites", sites, "--db", str(tmp_path / "audit.db"), "--out",
                   str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--no-links", *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def export(tmp_path, what: str, run: int) -> list[dict]:
    return api.export(tmp_path / "audit.db", what=what, run_id=run).rows


def doc_gets(tb: Testbed, paths: set[str]) -> dict[str, int]:
    """Server-side count of GETs of document pages: full answers (200), 304s, and how many of
    all of them carried a conditional header."""
    out = {"full": 0, "not_modified": 0, "conditional": 0}
    for method, path, status, conditional in tb.answers:
        if method != "GET" or path not in paths:
            continue
        out["full"] += status == 200
        out["not_modified"] += status == 304
        out["conditional"] += conditional
    return out


def add_document(style, key: str, pub: date, written: date, title: str):
    """Put a new 政策文件 on the served portal (listed first in its column) and rebind URLs."""
    corpus = style.corpus
    like = next(d for d in corpus.docs.values() if d.column == "zcwj" and d.doc_no)
    new = dataclasses.replace(
        like, key=key, title=title, pub_date=pub, written_date=written, also_in=[], attachments=[],
        interprets=None, interpretation=None, interp_links="none", valid_until=None, repealed_by=None,
        extra_links=[], missing_shown={}, url=None, doc_no=f"明政发〔2026〕{int(key[1:]) % 97}号",
        index_no=(like.index_no or "11371100MB28500000/2026-") + key)
    corpus.docs[key] = new
    corpus.column("zcwj").docs.append(key)
    style.bind(style.base_url + "/")
    return new


@pytest.mark.parametrize("style_name", ["hanweb", "jsonfirst"])
def test_incremental_second_run_is_conditional_third_run_finds_new_documents(tmp_path, style_name):
    style = make_style(style_name, seed=2)
    with Testbed(style) as tb:
        key = tb.answer_key()
        paths = {urlsplit(d["url"]).path for d in key["documents"]}
        sites = sites_file(tmp_path, [(style_name, tb)])

        nightly(tmp_path, sites, "--revisit-days", "0")
        first = doc_gets(tb, paths)
        assert first["full"] >= len(paths) and first["conditional"] == 0
        docs1 = {d["url"]: d for d in export(tmp_path, "documents", 1)}
        findings1 = {(f["code"], f["url"], f["outcome"]) for f in export(tmp_path, "findings", 1)}

        tb.answers.clear()
        proc = nightly(tmp_path, sites, "--revisit-days", "0")
        second = doc_gets(tb, paths)
        # every document asked conditionally; at most 10 % of the first run's full fetches again
        assert second["full"] <= 0.10 * first["full"], second
        assert second["conditional"] >= len(paths) - second["full"]
        assert second["not_modified"] >= 0.9 * len(paths)
        docs2 = {d["url"]: d for d in export(tmp_path, "documents", 2)}
        # (discovery may reach a document on one run and not another, on some portals: the
        # comparison is over what both runs stored)
        assert docs2.keys() >= docs1.keys()
        late_found = docs2.keys() - docs1.keys()
        for url, d in docs1.items():
            assert {f: docs2[url][f] for f in DOC_FIELDS} == {f: d[f] for f in DOC_FIELDS}
            assert docs2[url]["body_sha"] == d["body_sha"]
        findings2 = [f for f in export(tmp_path, "findings", 2) if f["url"] not in late_found]
        assert {(f["code"], f["url"], f["outcome"]) for f in findings2} == \
            {f for f in findings1 if f[1] not in late_found}
        assert {f["change"] for f in findings2} == {"persisting"}
        assert f"new: {len(late_found)}" in proc.stderr
        # an unchanged body is not stored twice
        import sqlite3

        with sqlite3.connect(tmp_path / "audit.db") as conn:
            dup = conn.execute("select count(*) - count(distinct sha) from bodies").fetchone()[0]
            assert dup == 0

        # between runs the portal posts two documents: one on time, one 55 days after 成文
        on_time = add_document(style, "d9001", date(2026, 11, 18), date(2026, 11, 16), "明湖市关于按期发布事项的通知")
        late = add_document(style, "d9002", date(2026, 11, 19), date(2026, 9, 25), "明湖市关于迟延发布事项的通知")
        tb.answers.clear()
        proc = nightly(tmp_path, sites, "--revisit-days", "0")
        third = doc_gets(tb, paths | {urlsplit(on_time.url).path, urlsplit(late.url).path})
        docs3 = {d["url"]: d for d in export(tmp_path, "documents", 3)}
        assert docs3.keys() >= docs2.keys() | {on_time.url, late.url}
        for d in (on_time, late):
            got = docs3[d.url]
            assert (got["title"], got["pub_date"], got["written_date"], got["doc_no"]) == \
                (d.title, d.pub_date.isoformat(), d.written_date.isoformat(), d.doc_no)
        assert third["full"] >= 2
        assert f"new: {2 + len(docs3.keys() - docs2.keys() - {on_time.url, late.url})}" in proc.stderr
        tm = {(f["url"], f["outcome"]) for f in export(tmp_path, "findings", 3) if f["code"] == "TM001"}
        assert (late.url, "fail") in tm
        assert not any(u == on_time.url for u, _ in tm)


# -- the revisit window ------------------------------------------------------------------------
def test_revisit_window_spreads_documents_over_its_nights():
    """A simulated month of nights over 3,000 documents all read on day 0: every document is
    asked for exactly once in each window of 30 nights, never twice on a day, and each night
    asks for about a thirtieth of them (100 expected; binomial spread, so 50-150)."""
    from fleet.incremental import revisit_due

    day0 = date(2026, 1, 1)
    urls = [f"http://127.0.0.1:8000/art/2026/{i}.html" for i in range(3000)]
    checked = {u: day0 for u in urls}
    asked: dict[str, list[int]] = {u: [] for u in urls}
    per_night = []
    for n in range(1, 61):
        today = date.fromordinal(day0.toordinal() + n)
        due = [u for u in urls if revisit_due(u, checked[u], today, 30)]
        per_night.append(len(due))
        for u in due:
            checked[u] = today
            asked[u].append(n)
    assert all(50 <= k <= 150 for k in per_night), per_night
    for u, nights in asked.items():
        assert len(nights) == 2 and nights[1] - nights[0] == 30, (u, nights)   # once per window
    # the same day: never; 30 days or more since last asked: always (a missed night catches up)
    assert not any(revisit_due(u, day0, day0, 30) for u in urls[:100])
    assert all(revisit_due(u, day0, date(2026, 1, 31), 30) for u in urls[:100])
    # window 0: every document every run
    assert all(revisit_due(u, day0, day0, 0) for u in urls[:100])


def result_doc(tmp_path, host_port: str) -> dict:
    [p] = [p for p in (tmp_path / "out").rglob("*.json") if host_port.replace(":", "_") in p.name]
    return json.loads(p.read_text("utf-8"))


def replace_document(style, key: str, **changes):
    corpus = style.corpus
    corpus.docs[key] = dataclasses.replace(corpus.docs[key], **changes)
    style.bind(style.base_url + "/")
    return corpus.docs[key]


def test_revisit_window_unchanged_portal_sends_a_tenth_of_the_requests(tmp_path):
    """Default window (30 days), three nightly runs on one day over real HTTP: the unchanged
    portal costs at most 10 % of the first run's requests with identical documents and
    findings, and the report says how many documents were judged from a stored copy; then a
    new document, a document whose list row changed and a document taken off its list."""
    style = make_style("hanweb", seed=2)
    with Testbed(style) as tb:
        key = tb.answer_key()
        doc_paths = {urlsplit(d["url"]).path for d in key["documents"]}
        sites = sites_file(tmp_path, [("hanweb", tb)])
        host = urlsplit(tb.url).netloc

        nightly(tmp_path, sites)
        first = len(tb.answers)
        docs1 = {d["url"]: d for d in export(tmp_path, "documents", 1)}
        findings1 = {(f["code"], f["url"], f["outcome"]) for f in export(tmp_path, "findings", 1)}
        assert "stored_copies" not in result_doc(tmp_path, host)["coverage"]

        tb.answers.clear()
        proc = nightly(tmp_path, sites)
        second = list(tb.answers)
        assert len(second) <= 0.10 * first, (len(second), first)
        # no document page was asked for: list pages only
        assert not [a for a in second if a[1] in doc_paths], [a for a in second if a[1] in doc_paths][:5]
        docs2 = {d["url"]: d for d in export(tmp_path, "documents", 2)}
        assert docs2.keys() == docs1.keys()
        for url, d in docs1.items():
            assert {f: docs2[url][f] for f in DOC_FIELDS} == {f: d[f] for f in DOC_FIELDS}
            assert docs2[url]["fetched_at"] == d["fetched_at"]      # the stored copy's own date
        assert {(f["code"], f["url"], f["outcome"]) for f in export(tmp_path, "findings", 2)} == findings1
        # the auditor sees it: result document and report
        doc = result_doc(tmp_path, host)
        listed = doc["coverage"]["documents"]["listed"]
        copies = doc["coverage"]["stored_copies"]
        assert copies["unread"] == len(docs1) and copies["not_modified"] == 0
        assert copies["read_from"] == min(d["fetched_at"] for d in docs1.values())[:10]
        assert doc["coverage"]["documents"]["fetched"] == 0 and listed == len(docs1)
        html = next((tmp_path / "out").rglob(f"{host.replace(':', '_')}.html")).read_text("utf-8")
        assert f"{len(docs1)} 篇本次未请求" in html and "按此前保存的副本判定" in html
        assert "1 carried unread" not in proc.stderr and f"{len(docs1)} carried unread" in proc.stderr

        # between runs: a new document, one whose list title changes, one taken off its list
        corpus = style.corpus
        zcwj = corpus.column("zcwj")
        new = add_document(style, "d9001", date(2026, 11, 18), date(2026, 11, 16), "明湖市关于按期发布事项的通知")
        plain = [k for k in zcwj.docs if k != "d9001" and not corpus.docs[k].also_in
                 and not corpus.docs[k].interprets and not corpus.docs[k].interpretation]
        renamed = replace_document(style, plain[0], title=corpus.docs[plain[0]].title + "（修订）")
        dropped = corpus.docs[plain[1]]
        zcwj.docs.remove(plain[1])
        style.bind(style.base_url + "/")
        tb.answers.clear()
        nightly(tmp_path, sites)
        third = [(m, p, st) for m, p, st, _ in tb.answers if m == "GET"]
        asked = {p for _, p, _ in third if p in doc_paths | {urlsplit(new.url).path}}
        assert asked == {urlsplit(new.url).path, urlsplit(renamed.url).path}, asked
        docs3 = {d["url"]: d for d in export(tmp_path, "documents", 3)}
        assert docs3[new.url]["title"] == new.title
        assert docs3[renamed.url]["title"] == renamed.title
        assert dropped.url not in docs3
        assert docs3.keys() == (docs1.keys() - {dropped.url}) | {new.url}
        copies = result_doc(tmp_path, host)["coverage"]["stored_copies"]
        assert copies["unread"] == len(docs1) - 2


def test_revisit_window_flag_is_checked():
    proc = run_cli("nightly", "--sites", "x.toml", "--revisit-days", "-1")
    assert proc.returncode == 2 and "--revisit-days: must be between 0 and 3650" in proc.stderr
