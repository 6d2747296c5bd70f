"""Incremental crawling over real HTTP: the testbed answers conditional requests like a static
web server (ETag / Last-Modified, 304); requests are counted on the server side."""
from __future__ import annotations

import dataclasses
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

        nightly(tmp_path, sites)
        first = doc_gets(tb, paths)
        assert first["full"] >= len(paths) and first["conditional"] == 0
        docs1 = {d["url"]: d for d in export(tmp_path, "documents", 1)}
        findings1 = {(f["code"], f["url"], f["outcome"]) for f in export(tmp_path, "findings", 1)}

        tb.answers.clear()
        proc = nightly(tmp_path, sites)
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
        proc = nightly(tmp_path, sites)
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
