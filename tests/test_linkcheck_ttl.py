"""Between runs: internal links and links that failed last time are checked again; an external
link that passed is not requested again until its result is older than the TTL; a failure
seen by the previous run needs no second check in this one."""
from __future__ import annotations

import json
import sqlite3

import pytest

from testbed.server import Request, Response, Style, Testbed, html
from tests.conftest import run_cli


class Host(Style):
    """Serves ``pages`` (path -> html), 404 elsewhere; counts requests per path; ``flap`` is
    404 while ``broken`` is true."""

    def __init__(self, pages: dict[str, str]):
        super().__init__(corpus=None)
        self.pages = pages
        self.broken = True
        self.hits: list[tuple[str, str]] = []

    def handle(self, req: Request) -> Response | None:
        self.hits.append((req.method, req.path))
        if req.path == "/flap.html" and not self.broken:
            return html("<html><head><title>恢复</title></head><body>" + "<p>恢复正常。</p>" * 50 + "</body></html>")
        return html(self.pages[req.path]) if req.path in self.pages else None

    def answer_key(self) -> dict:
        return {}

    def take_hits(self) -> list[tuple[str, str]]:
        hits, self.hits = self.hits, []
        return hits


def body(title: str, links: list[str] = ()) -> str:
    items = "".join(f'<li><a href="{u}">链接{i}</a></li>' for i, u in enumerate(links))
    return f"<html><head><title>{title}</title></head><body><ul>{items}</ul>" + "<p>正文内容。</p>" * 50 + "</body></html>"


@pytest.fixture(scope="module")
def sites():
    ext_style = Host({"/ok.html": body("外部网站")})
    ext = Testbed(ext_style, host="127.0.0.2").start()
    links = ["/ok.html", "/dead.html", ext.url + "ok.html", ext.url + "dead.html", ext.url + "flap.html"]
    home_style = Host({"/": body("首页", links), "/ok.html": body("内部页面")})
    home = Testbed(home_style).start()
    yield home, ext
    home.stop()
    ext.stop()


def run_links(home: Testbed, db, tmp, *extra: str) -> dict[str, dict]:
    proc = run_cli("links", home.url, "--db", str(db), "--out", str(tmp / "out"), "--recheck-delay", "0.3", *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(db)
    run = con.execute("select max(id) from runs").fetchone()[0]
    rows = {u: {**json.loads(d), "run": run} for u, d in con.execute(
        "select url, detail from link_checks where run_id = ?", [run])}
    rows["_fails"] = {u for (u,) in con.execute(
        "select url from findings where run_id = ? and outcome = 'fail'", [run])}
    con.close()
    return rows


def test_ttl_and_rechecks(sites, tmp_path):
    home, ext = sites
    db, e = tmp_path / "ttl.db", ext.url

    first = run_links(home, db, tmp_path)
    first_hits = ext.style.take_hits()
    assert first[e + "ok.html"]["origin"] == "fetch" and ("GET", "/ok.html") in first_hits
    assert first[e + "dead.html"]["confirmed"] == "recheck"
    assert {e + "dead.html", e + "flap.html", home.url + "dead.html"} == first["_fails"]

    ext.style.broken = False          # the flapping link is repaired before the nightly run
    second = run_links(home, db, tmp_path)
    hits = ext.style.take_hits()
    # external link that passed: not requested again, its result carried with its check time
    assert not any(p == "/ok.html" for _, p in hits)
    assert second[e + "ok.html"]["origin"] == "cache"
    assert second[e + "ok.html"]["checked_at"] == first[e + "ok.html"]["checked_at"]
    with sqlite3.connect(db) as con:      # what was seen then comes along, for the rules to judge
        seen = dict(con.execute("select run_id, observation from link_observations where url = ?",
                                [e + "ok.html"]).fetchall())
    assert seen[second[e + "ok.html"]["run"]] == seen[first[e + "ok.html"]["run"]]
    assert json.loads(seen[first[e + "ok.html"]["run"]])["status"] == 200
    # links that failed last time are checked again: still dead (confirmed by the previous run,
    # no second check needed), or repaired (not reported)
    assert [m for m, p in hits if p == "/dead.html"] == ["GET"]
    assert second[e + "dead.html"]["confirmed"] == "previous_run"
    assert second[e + "flap.html"]["class"] == "ok"
    # internal links are always checked again
    assert second[home.url + "ok.html"]["origin"] == "fetch"
    assert second["_fails"] == {e + "dead.html", home.url + "dead.html"}

    third = run_links(home, db, tmp_path, "--link-ttl-days", "0")     # results older than the TTL
    assert third[e + "ok.html"]["origin"] == "fetch"
    assert ("GET", "/ok.html") in ext.style.take_hits()
