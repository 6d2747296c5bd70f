"""The link crawl's page-reading process (crawler.reader): what it reads is what the
spider would read itself, and a crawl with it stores what a crawl without it stores.

Expected values come from the generated site (bench.linkcheck.LinkSite: its answer key says
which link is on which page and which targets are broken), not from running the code.
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from urllib.parse import urljoin

import pytest

from bench.linkcheck import ExternalSite, LinkSite
from crawler.linkcheck.page import read_link_page
from crawler.reader import PageReader, ReaderError, ReaderGone
from testbed.server import Testbed
from tests.conftest import ROOT

PAGE = ("<html><head><meta charset='gbk'><title>通知_某市人民政府</title></head><body>"
        "<a href='/a.html'>第一篇</a> <a href='b/c.html'>第二篇</a> <img src='/logo.png' alt='标志'>"
        "<p>正文。</p></body></html>").encode("gbk")


def _boom(what: str):
    raise ValueError(f"no {what}")


def test_reader_answers_as_the_function_does_here():
    async def main():
        reader = await PageReader.start()
        try:
            args = (None, "http://h.example/x/p.html", "http://h.example/x/p.html", 200,
                    {"content-type": "text/html"}, PAGE, "gbk", [], [], True)
            there = await reader.call(read_link_page, *args)
            with pytest.raises(ReaderError, match="ValueError: no page"):
                await reader.call(_boom, "page")
            again = await reader.call(read_link_page, *args)      # still answering after an error
            return there, again
        finally:
            await reader.aclose()

    there, again = asyncio.run(main())
    assert there == again
    # read from the page by hand: its two links and its image, made absolute; GBK decoded
    assert [(link.url, link.text, link.tag) for link in there.links] == [
        ("http://h.example/a.html", "第一篇", "a"), ("http://h.example/x/b/c.html", "第二篇", "a"),
        ("http://h.example/logo.png", "标志", "img")]
    assert there.title == "通知_某市人民政府" and there.blocked is None and there.gone is None
    assert zlib.decompress(there.body_packed) == PAGE


def test_a_reader_that_ends_fails_its_calls():
    async def main():
        reader = await PageReader.start()
        reader.proc.kill()
        await reader.proc.wait()
        with pytest.raises(ReaderGone):
            await reader.call(read_link_page, None, "http://h/", "http://h/", 200, {}, b"<html></html>",
                              "utf-8", [], [], True)
        await reader.aclose()

    asyncio.run(main())


def _crawl(tmp_path, url: str, name: str, workers: int) -> sqlite3.Connection:
    """``govaudit links`` in a subprocess with PARSE_WORKERS = ``workers``."""
    db = tmp_path / f"{name}.db"
    code = ("import sys, crawler.settings as s; s.PARSE_WORKERS = %d; from govaudit.cli import main; "
            "sys.exit(main(sys.argv[1:]))" % workers)
    proc = subprocess.run(
        [sys.executable, "-c", code, "links", url, "--db", str(db), "--out", str(tmp_path / f"out-{name}"),
         "--recheck-delay", "0.3", "--as-of", "2026-11-20"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sqlite3.connect(db)


def test_crawl_with_and_without_the_reader_store_the_same(tmp_path):
    ext = Testbed(ExternalSite(), host="127.0.0.2").start()
    site = LinkSite(ext.url, pages=60, links=12, broken=10, soft404=3, seed=7)
    tb = Testbed(site).start()
    try:
        stored = {}
        for name, workers in (("reader", 1), ("here", 0)):
            site.reset()
            con = _crawl(tmp_path, tb.url, name, workers)
            stored[name] = {
                "links": sorted(con.execute("select page_url, url, text, tag from links")),
                "fetches": sorted(con.execute(
                    "select url, status, final_url, content_type, size, body_sha, blocked, error, kind from fetches")),
                "bodies": {sha: zlib.decompress(data) for sha, data in con.execute("select sha, data from bodies")},
                "classes": dict(con.execute("select url, class from link_checks")),
                "titles": {u: json.loads(d).get("title") for u, d in con.execute("select url, detail from link_checks")},
                "flagged": {u for (u,) in con.execute(
                    "select url from findings where code in ('LK001', 'LK002') and outcome = 'fail'")},
            }
            con.close()
    finally:
        tb.stop()
        ext.stop()
    reader, here = stored["reader"], stored["here"]
    # the answer key: every broken target and every soft 404 flagged, nothing else
    assert reader["flagged"] == set(site.truth.broken) | set(site.truth.traps["soft404"])
    # each page's links as the generator wrote them, in page order (the site's name, the images,
    # the list): a link is taken once per (url, tag), and the store keeps one row per (url,
    # text); the first one wins
    for i, page in enumerate(site.truth.pages):
        by_tag: dict[tuple[str, str], str] = {}
        for u, t, tag in ([(site.base_url + "/", "明湖市人民政府", "a")]
                          + [(u, t, "img") for u, t in site.page_links[i] if u.endswith(".png")]
                          + [(u, t, "a") for u, t in site.page_links[i]]):
            by_tag.setdefault((u, tag), t)
        want: dict[tuple[str, str], str] = {}
        for (u, tag), t in by_tag.items():
            want.setdefault((u, t), tag)
        got = {(urljoin(page, u), t): tag for p, u, t, tag in reader["links"] if p == page}
        assert got == want, page
    # every stored page body is what the site serves for it
    served = {site.base_url + "/": site.render(0).encode("utf-8")}
    served.update({f"{site.base_url}/p/{i}.html": site.render(i).encode("utf-8") for i in range(1, 60)})
    sha_of = {url: sha for url, status, _, _, _, sha, *_ in reader["fetches"] if status == 200}
    for url, body in served.items():
        assert reader["bodies"][sha_of[url]] == body, url
    # read in the second process or here: the same rows. The 429-once pages aside: which of
    # them is asked while the host looks rate limiting (five 429s within a second: retried
    # before the spider sees it, so no 429 row) depends on timing; each ends answered
    busy = set(site.truth.traps["busy429"])
    for run in (reader, here):
        assert {f[0] for f in run["fetches"] if f[0] in busy and f[1] == 200} == busy
        run["fetches"] = [f for f in run["fetches"] if f[0] not in busy]
    for key in ("links", "fetches", "bodies", "classes", "titles", "flagged"):
        assert reader[key] == here[key], key
