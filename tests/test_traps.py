"""Real-world traps (testbed/traps.py) over real HTTP: each one served as specified,
then a `govaudit check` crawl of the Hanweb style with every trap on."""
from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import sqlite3
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from crawler import settings
from crawler.antibot import blocked_reason, gone_reason, literal_cookie_challenge, soft404_reason
from crawler.profiles.extract import absolute_links
from crawler.profiles.generic import GenericProfile
from testbed import traps as T
from testbed.corpus import AS_OF
from testbed.server import Request, make_style
from testbed.server import Testbed as Served    # (a "Test…" name would be collected)
from testbed.styles import STYLES
from tests.conftest import run_cli

BROWSER = settings.USER_AGENT
OWN_PATHS = [T.RUISHU_LINK, T.RUISHU_ROW, T.JSL_LINK, T.SOFT404_LINK, T.SOFT404_ROW, T.DELETED_DOC,
             T.LOOP_A.split("?")[0], T.HHREF_TARGET, T.GZDT, T.GZDT_DIR]


def get(tb: Served, path: str, ua: str = BROWSER, cookies: str | None = "CT6T=test",
        extra: dict | None = None) -> tuple[int, dict, str]:
    """One raw GET (no redirects followed, no Accept-Encoding); body gunzipped and decoded."""
    parts = urlsplit(tb.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"User-Agent": ua, **({"Cookie": cookies} if cookies else {}), **(extra or {})}
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    raw, hdrs = resp.read(), {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    if hdrs.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return resp.status, hdrs, raw.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def trapped():
    """Hanweb with every trap but the rate limit (tested on its own testbed)."""
    tb = Served(make_style("hanweb", traps=[t for t in T.TRAPS if t != "rate429"])).start()
    yield tb
    tb.stop()


def planted(tb: Served) -> dict[str, dict]:
    return {v["url"]: v for v in tb.answer_key()["violations"] if v["code"] == "LK001"}


def test_unknown_trap_name_is_refused():
    with pytest.raises(KeyError):
        make_style("hanweb", traps=["no_such_trap"])


@pytest.mark.parametrize("name", sorted(STYLES))
def test_trap_paths_do_not_collide_with_styles(name):
    style = make_style(name, traps=True)
    style.bind("http://127.0.0.1:1/")
    served = [p for p in OWN_PATHS if style.inner.handle(Request("GET", p, {}, {"user-agent": BROWSER}))]
    assert not served, f"style {name} serves trap paths {served}"


@pytest.mark.parametrize("name", sorted(STYLES))
def test_traps_work_on_every_style(name):
    with Served(make_style(name, traps=[t for t in T.TRAPS if t != "rate429"])) as tb:
        status, headers, home = get(tb, "/")
        assert status == 200 and headers.get("content-encoding") == "gzip"
        for path in (T.RUISHU_LINK, T.JSL_LINK, T.SOFT404_LINK, T.DELETED_DOC, T.LOOP_A, T.GZDT):
            assert f'href="{path}"' in home
        assert get(tb, T.RUISHU_LINK)[0] == 412
        assert get(tb, T.JSL_LINK)[0] == 521
        assert get(tb, "/", ua="python-requests/2.32")[0] == 403
        assert get(tb, "/", cookies=None)[0] == 302
        assert "您访问的页面不存在" in get(tb, "/no/such/page.html")[2]


# -- each trap as specified -------------------------------------------------------------------------
def test_ruishu412(trapped):
    for path in (T.RUISHU_LINK, "/interact/hdjl/list.html", T.RUISHU_ROW):
        status, headers, body = get(trapped, path)
        assert status == 412 and "$_ts" in body and "set-cookie" in headers
        assert blocked_reason(status, headers, body).startswith("ruishu-412")
    assert trapped.answer_key()["traps"]["blocked"] == [trapped.url + T.RUISHU_LINK[1:], trapped.url + T.RUISHU_ROW[1:]]
    key = trapped.answer_key()
    doc = key["documents"][0]["url"]                      # documents are not behind the challenge
    assert get(trapped, urlsplit(doc).path)[0] == 200


def test_jiasule521(trapped):
    status, headers, body = get(trapped, T.JSL_LINK)
    assert status == 521 and "__jsluid_s=" in headers["set-cookie"]
    assert blocked_reason(status, headers, body).startswith("jiasule-cookie")
    cookie = literal_cookie_challenge(body)
    assert list(cookie) == ["__jsl_clearance_s"]
    assert get(trapped, T.JSL_LINK, cookies="CT6T=1; __jsl_clearance_s=wrong")[0] == 521
    passed = get(trapped, T.JSL_LINK, cookies=f"CT6T=1; __jsl_clearance_s={cookie['__jsl_clearance_s']}")
    assert passed[0] == 200 and "政务服务" in passed[2]


def test_ua403(trapped):
    for ua in ("python-urllib/3.11", "curl/8.5.0", "Scrapy/2.19 (+https://scrapy.org)", ""):
        status, headers, body = get(trapped, "/", ua=ua)
        assert status == 403 and "不合法的参数" in body
        assert blocked_reason(status, headers, body) is not None
    assert get(trapped, "/", ua=BROWSER)[0] == 200                     # our agent is browser-like
    doc = urlsplit(trapped.answer_key()["documents"][0]["url"]).path
    assert get(trapped, doc, ua="python-urllib/3.11")[0] == 403        # on every path


def test_cookie302(trapped):
    path = T.GZDT + "?page=2"
    status, headers, _ = get(trapped, path, cookies=None)
    assert status == 302 and headers["location"] == trapped.url + path[1:]
    assert headers["set-cookie"].startswith("CT6T=")
    # without a cookie jar it loops; with one it gets the page
    no_jar = urllib.request.build_opener()
    with pytest.raises(urllib.error.HTTPError) as err:
        no_jar.open(urllib.request.Request(trapped.url, headers={"User-Agent": BROWSER}), timeout=10)
    assert err.value.code == 302
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    assert jar.open(urllib.request.Request(trapped.url, headers={"User-Agent": BROWSER}), timeout=10).status == 200


def test_rate429():
    with Served(make_style("hanweb", traps=["rate429"])) as tb:
        statuses = []
        for _ in range(T.RATE_LIMIT * 2):
            status, headers, _ = get(tb, "/images/dzjg.png")
            statuses.append(status)
            if status == 429:
                assert headers["retry-after"] == "1"
        assert 429 in statuses and statuses[:T.RATE_LIMIT] == [200] * T.RATE_LIMIT
        time.sleep(1.1)
        assert get(tb, "/")[0] == 200                                  # after Retry-After: served again
        assert tb.answer_key()["traps"]["rate_limit"] == T.RATE_LIMIT


def test_soft404(trapped):
    status, _, body = get(trapped, "/no/such/page.html")
    assert status == 200 and "您访问的页面不存在" in body and len(body) < 2048
    assert soft404_reason(status, body).startswith("soft404:")
    assert f'href="{T.SOFT404_LINK}"' in get(trapped, "/")[2]
    assert get(trapped, T.SOFT404_LINK)[0] == 200
    got = planted(trapped)
    assert "软404" in got[trapped.url + T.SOFT404_LINK[1:]]["note"]
    assert trapped.url + T.SOFT404_ROW[1:] in got                      # the 工作动态 row to one


def test_meta_refresh_deleted(trapped):
    status, _, body = get(trapped, T.DELETED_DOC)
    assert status == 200 and 'http-equiv="refresh" content="0;url=../"' in body
    url = trapped.url + T.DELETED_DOC[1:]
    assert gone_reason(url, status, body) == f"deleted: meta refresh to parent {trapped.url}xwzx/gzdt/"
    assert f'href="{T.DELETED_DOC}"' in get(trapped, "/")[2]
    assert "删除后跳转上级" in planted(trapped)[url]["note"]


def test_redirect_loop(trapped):
    status, headers, _ = get(trapped, T.LOOP_A)
    assert status == 307 and headers["location"] == trapped.url + T.LOOP_B[1:]
    status, headers, _ = get(trapped, T.LOOP_B)
    assert status == 307 and headers["location"] == trapped.url + T.LOOP_A[1:]
    assert trapped.url + T.LOOP_A[1:] in planted(trapped)


def test_js_links(trapped):
    home = get(trapped, "/")[2]
    column = get(trapped, urlsplit(trapped.answer_key()["columns"][0]["url"]).path)[2]
    for page in (home, column):
        for raw in ('href="javascript:void(0)"', 'href="javascript:;"', f'hhref="{T.HHREF_TARGET}"', 'href="#"'):
            assert raw in page
    links = {link.url for link in absolute_links(trapped.url, home)}
    assert not [u for u in links if u.startswith("javascript") or u.endswith("#") or T.HHREF_TARGET in u]
    assert get(trapped, T.HHREF_TARGET)[0] == 200                      # a soft 404 if ever followed


def test_gzip(trapped):
    parts = urlsplit(trapped.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/", headers={"User-Agent": BROWSER, "Cookie": "CT6T=1"})   # no Accept-Encoding
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    assert resp.getheader("Content-Encoding") == "gzip" and raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw).decode("utf-8").rstrip().endswith("</html>")


def test_endless_pages(trapped):
    rows = {}
    for page in (1, 2, 3, 4, 50):
        status, _, body = get(trapped, f"{T.GZDT}?page={page}")
        assert status == 200 and f'href="{T.GZDT}?page={page + 1}">下一页' in body
        rows[page] = [e.url for e in GenericProfile().listing(trapped.url + T.GZDT[1:], body).entries]
    news = [e for e in rows[1] + rows[2] + rows[3] if "/interact/" not in e and "990001" not in e and "990021" not in e]
    assert len(news) == len(set(news)) == T.NEWS_COUNT
    assert rows[4] == rows[50] == rows[3]                              # past the end: the last page again
    # the column is listed under 法定主动公开内容 on the section page
    key = trapped.answer_key()
    section = get(trapped, "/col/col1000/index.html")[2]
    columns = GenericProfile().section_columns(trapped.url + "col/col1000/index.html", section)
    assert any(c.name == "工作动态" and c.parent == "法定主动公开内容" and c.url.endswith(T.GZDT) for c in columns)
    gzdt = [d for d in key["documents"] if d["columns"] == ["工作动态"]]
    assert len(gzdt) == T.NEWS_COUNT and any("/bszx/" in d["url"] for d in gzdt)


# -- end to end -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("traps")
    style = make_style("hanweb", traps=True)
    tb = Served(style).start()
    db = tmp / "audit.db"
    proc = run_cli("check", tb.url, "--db", str(db), "--out", str(tmp / "out"), "--as-of", AS_OF.isoformat())
    yield tb, style, proc, db
    tb.stop()


def rows(db, sql, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_crawl_with_every_trap_finishes(crawled):
    tb, style, proc, db = crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert rows(db, "select status from runs")[-1]["status"] == "finished"
    # the endless pager was stopped on its first repeated page, long before DEPTH_LIMIT
    pages = [r["url"] for r in rows(db, "select url from fetches where kind in ('column', 'listing') "
                                        "and url like ?", f"%{T.GZDT}%")]
    assert len(pages) == T.LAST_PAGE + 1, pages
    # the redirect loop, if requested, ended as an error (never as a page)
    assert not rows(db, "select * from fetches where url like ? and status is not null", f"%{T.LOOP_A}%")


def test_every_document_stored_despite_traps(crawled):
    tb, style, proc, db = crawled
    stored = {r["url"] for r in rows(db, "select url from documents")}
    key = tb.answer_key()
    missing = [d["url"] for d in key["documents"] if d["url"] not in stored]
    assert not missing, f"{len(missing)} documents missed, e.g. {missing[:3]}"
    # the 工作动态 item behind the 加速乐 wall was reached by solving the literal cookie
    assert any("/bszx/bsdt/" in u for u in stored)
    # no document from a soft 404, a deleted page or a challenge
    traps = key["traps"]
    wrong = stored & set(traps["not_documents"] + traps["blocked"])
    assert not wrong, wrong
    gone = rows(db, "select url, error from fetches where error like 'soft404:%' or error like 'deleted:%'")
    assert {r["url"] for r in gone} >= {tb.url + T.SOFT404_ROW[1:], tb.url + T.DELETED_DOC[1:]}, gone
    assert not stored & {r["url"] for r in gone}
    deleted = next(r for r in gone if r["url"].endswith(T.DELETED_DOC))
    assert deleted["error"].startswith("deleted: meta refresh to parent")


def test_challenges_recorded_as_blocked(crawled):
    tb, style, proc, db = crawled
    blocked = rows(db, "select url, status, blocked from fetches where blocked is not null")
    row = next(r for r in blocked if r["url"].endswith(T.RUISHU_ROW))
    assert row["status"] == 412 and row["blocked"].startswith("ruishu-412")
    # rate limiting tripped, every 429 was retried: none recorded, none blocked
    assert style.rate_limited > 0
    assert not rows(db, "select url from fetches where status = 429")
    # the CT6T cookie wall was passed: no 302 recorded, every fetch after it carried the cookie
    assert not rows(db, "select url from fetches where status between 300 and 399")


def test_no_false_findings_on_trap_paths(crawled):
    tb, style, proc, db = crawled
    key = tb.answer_key()
    planted_urls = {v["url"] for v in key["violations"]}
    prefixes = tuple(tb.url + p[1:] for p in key["traps"]["paths"])
    stray = [(f["code"], f["url"]) for f in rows(db, "select code, url, outcome from findings")
             if f["outcome"] == "fail" and (f["url"] or "").startswith(prefixes) and f["url"] not in planted_urls]
    assert not stray, stray
    links = {r["url"] for r in rows(db, "select url from links")}
    assert not [u for u in links if u.startswith("javascript") or T.HHREF_TARGET in u]


def test_trap_links_reported_correctly(crawled):
    """The link check of `check` sees the traps as the answer key says: challenges `blocked`
    (never broken), the solved 加速乐 page fine, each planted dead link failing."""
    from crawler.linkcheck.classify import FAILURES
    from rules.registry import all_rules

    tb, style, proc, db = crawled
    key = tb.answer_key()
    checks = {r["url"]: r["class"] for r in rows(db, "select url, class from link_checks")}
    for url in key["traps"]["blocked"]:
        assert checks.get(url) == "blocked", (url, checks.get(url))
    for url in key["traps"]["challenged"]:
        assert checks.get(url) in ("ok", "blocked"), (url, checks.get(url))
    planted = [v["url"] for v in key["violations"] if v["code"] == "LK001" and v["key"].startswith("trap-")]
    assert len(planted) == 4
    assert all(checks.get(url) in FAILURES for url in planted), {u: checks.get(u) for u in planted}
    every_planted = {v["url"] for v in key["violations"]}
    assert not [u for u, c in checks.items() if c in FAILURES and u not in every_planted and u.startswith(tb.url)]
    if "LK001" in {r.code for r in all_rules()}:      # the rule reports each one as a failure
        failed = {f["url"] for f in rows(db, "select url from findings where code = 'LK001' and outcome = 'fail'")}
        assert set(planted) <= failed, set(planted) - failed
