"""Site profiles (``data/sites/<host>.toml``): discovery and selector overrides for a site no
CMS family reads. The bespoke testbed portal (``testbed.bespoke``) is crawled over real
HTTP without and with a profile; profile files with mistakes are refused before any crawl."""
from __future__ import annotations

import re
import sqlite3
import tomllib
from pathlib import Path

import pytest

from crawler.items import Column
from crawler.profiles.base import Profile
from crawler.profiles.registry import resolve
from crawler.profiles.site import SiteProfile, SiteProfileError, load_site_config, parse_site_config
from testbed.bespoke import PROFILE as BESPOKE_PROFILE, BespokeStyle
from testbed.corpus import AS_OF
from testbed.build import build_corpus
from testbed.server import Testbed, make_style
from data import site_profile_path
from govaudit import api
from tests.conftest import ROOT, metadata_wrong, run_cli



class CrawledBespoke:
    def __init__(self, tmp: Path, profile: str | None):
        self.testbed = Testbed(BespokeStyle(build_corpus(1, scale=0.25))).start()
        self.key = self.testbed.answer_key()
        self.sites = tmp / "sites"
        self.sites.mkdir()
        if profile:
            site_profile_path(self.testbed.url, self.sites).write_text(profile, "utf-8")
        self.db = tmp / "audit.db"
        self.proc = run_cli("check", self.testbed.url, "--db", str(self.db), "--out", str(tmp / "out"),
                            "--as-of", AS_OF.isoformat(), "--sites-dir", str(self.sites))
        assert self.proc.returncode == 0, self.proc.stderr[-3000:]
        self.documents = api.export(self.db, what="documents").rows
        self.findings = api.export(self.db, what="findings").rows

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def with_profile(tmp_path_factory):
    c = CrawledBespoke(tmp_path_factory.mktemp("bespoke-profile"), BESPOKE_PROFILE)
    yield c
    c.testbed.stop()


@pytest.fixture(scope="module")
def without_profile(tmp_path_factory):
    c = CrawledBespoke(tmp_path_factory.mktemp("bespoke-none"), None)
    yield c
    c.testbed.stop()


# -- end to end ----------------------------------------------------------------------------------
def test_without_a_profile_rows_are_read_but_not_the_metadata_and_nothing_false_fails(without_profile):
    """Discovery finds the section through its ``<span data-go>`` and every column; the
    generic reader reads the ``<div>`` rows and follows the bare ``›`` pager, so every
    document is stored — but the metadata sits in unlabelled ``<li>`` elements no reader
    understands: no 索引号 is read, the documents' title falls back to nothing (the page's
    ``<title>`` only names the site), and no rule fails on what was not read."""
    c = without_profile
    stored = {d["url"]: d for d in c.documents}
    missing = [k["url"] for k in c.key["documents"] if k["url"] not in stored]
    assert not missing, missing[:3]
    assert not any(d["index_no"] for d in stored.values())
    assert not any(d["title"] == "明湖市人民政府" for d in stored.values())
    [(status,)] = c.query("select status from columns where role = 'section'")
    assert status == "ok"
    planted = {(v["code"], v["url"]) for v in c.key["violations"]}
    false = [(f["code"], f["url"]) for f in c.findings if f["outcome"] == "fail"
             and f["code"].startswith(("MD", "TM", "IN", "FR00")) and f["code"] != "FR001"
             and (f["code"], f["url"]) not in planted]
    assert not false


def test_with_the_profile_every_document_is_found(with_profile):
    c = with_profile
    stored = {d["url"] for d in c.documents}
    missing = [k["url"] for k in c.key["documents"] if k["url"] not in stored]
    assert not missing, f"{len(missing)} of {len(c.key['documents'])} missing, e.g. {missing[:3]}"


def test_with_the_profile_metadata_matches_the_key(with_profile):
    c = with_profile
    total, wrong = metadata_wrong(c.key["documents"], c.documents)
    accuracy = 1 - len(wrong) / total
    print(f"\nbespoke + site profile metadata accuracy: {accuracy:.4%} ({total - len(wrong)}/{total}), {wrong[:3]}")
    assert accuracy >= 0.99, wrong[:10]
    doc = next(d for d in c.documents if d["index_no"])
    assert doc["index_no_source"] == "profile" and doc["pub_date_source"] == "profile"


def test_with_the_profile_site_level_rules_see_the_section(with_profile):
    c = with_profile
    [(profile, family)] = c.query("select profile, family from sites")
    assert profile.endswith(".toml") and family == "generic"       # recorded with the site
    assert "site profile for" in c.proc.stderr
    outcomes = {f["code"]: f["outcome"] for f in c.findings}
    planted = {v["code"] for v in c.key["violations"] if v["key"] == "site"}
    for code in ("ID001", "DI001", "DI002", "FR001"):
        assert (outcomes.get(code) == "fail") == (code in planted), (code, outcomes.get(code), planted)
    columns = {name for (name,) in c.query("select name from columns where role = 'column'")}
    assert {col.name for col in BespokeStyle(build_corpus(1, scale=0.25)).corpus.columns} <= columns


# -- files with mistakes -------------------------------------------------------------------------
def _config(tmp_path: Path, text: str):
    path = tmp_path / "www.example.gov.cn.toml"
    path.write_text(text, "utf-8")
    return load_site_config("http://www.example.gov.cn/", tmp_path)


@pytest.mark.parametrize("text, message", [
    ("[discovery]\nsection_url = '/x/'\n", r"\[site\] reason is required"),
    ("[site]\nreason = 'r'\n[selectors]\nlist_rows = 'li'\n", r"unknown key\(s\) in \[selectors\]: list_rows"),
    ("[site]\nreason = 'r'\n[selectors]\nlist_row = 'div[['\n", r"list_row = 'div\[\[' is not a valid CSS selector"),
    ("[site]\nreason = 'r'\n[selectors]\nlist_row = 'xpath://div[['\n", r"is not a valid XPath"),
    ("[site]\nreason = 'r'\nfamily = 'wordpress'\n", r"family = 'wordpress' is unknown"),
    ("[site]\nreason = 'r'\n[[discovery.columns]]\nname = 'a'\nurl = '/a/'\nrole = 'blog'\n", r"role = 'blog' is not one of"),
    ("[site]\nreason = 'r'\n[[discovery.columns]]\nname = 'a'\n", r"needs both name and url"),
    ("[site]\nreason = 'r'\n[selectors.fields]\nauthor = 'p'\n", r"unknown field\(s\) in \[selectors.fields\]: author"),
    ("[sitee]\nreason = 'r'\n", r"unknown table\(s\) sitee"),
    ("[site\nreason = 'r'\n", r"not valid TOML"),
    ("[site]\nreason = 'r'\n[crawl]\nconcurrency = 0\n", r"\[crawl\] concurrency must be"),
    ("[site]\nreason = 'r'\n[crawl]\ndelay = 'slow'\n", r"\[crawl\] delay must be"),
])
def test_mistakes_are_refused_with_file_and_key(tmp_path, text, message):
    with pytest.raises(SiteProfileError, match=message) as exc:
        _config(tmp_path, text)
    assert "www.example.gov.cn.toml" in str(exc.value)


def test_a_thresholds_only_file_is_no_discovery_profile(tmp_path):
    assert _config(tmp_path, "[thresholds]\nreason = 'r'\n[thresholds.freshness]\nhome_days = 7\n") is None


def test_cli_refuses_a_bad_profile_before_crawling(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "127.0.0.1_9.toml").write_text("[site]\nreason = 'r'\n[selectors]\nbody = 'div[['\n", "utf-8")
    db = tmp_path / "a.db"
    proc = run_cli("check", "http://127.0.0.1:9/", "--db", str(db), "--sites-dir", str(sites))
    assert proc.returncode == 2
    assert "site profile" in proc.stderr and "127.0.0.1_9.toml" in proc.stderr and "body" in proc.stderr
    assert "Traceback" not in proc.stderr and not db.exists()      # refused before a run was started


# -- resolution order ------------------------------------------------------------------------------
class FamilyStub(Profile):
    """A family whose discovery answers are known (to see what the site profile keeps)."""
    family = "stub"

    def section_url(self, url, html):
        return url + "family-section/"

    def section_columns(self, url, html):
        return [Column(url + "a/", "政策文件", "法定主动公开内容"), Column(url + "b/", "人事信息", "法定主动公开内容")]


def _wrapped(tmp_path, text) -> SiteProfile:
    path = tmp_path / "x.toml"
    config = parse_site_config(path, "http://www.example.gov.cn/", tomllib.loads(text))
    return SiteProfile(config, FamilyStub())


def test_site_profile_overrides_only_what_it_configures(tmp_path):
    p = _wrapped(tmp_path, "[site]\nreason = 'r'\n[discovery]\ncolumns_mode = 'add'\nexclude_columns = ['人事信息']\n"
                           "[[discovery.columns]]\nname = '政府信息公开指南'\nurl = '/zn/'\nrole = 'guide'\n")
    home = "http://www.example.gov.cn/"
    assert p.section_url(home, "") == home + "family-section/"          # not configured: the family's
    cols = p.section_columns(home + "s/", "<html></html>")
    assert [(c.name, c.role) for c in cols] == [("政策文件", "column"), ("政府信息公开指南", "guide")]
    assert cols[1].url == home + "zn/"                                   # relative to the home page
    p = _wrapped(tmp_path, "[site]\nreason = 'r'\n[discovery]\nsection_url = '/gk/'\n"
                           "[[discovery.columns]]\nname = '通知公告'\nurl = 'http://www.example.gov.cn/tz/'\n")
    assert p.section_url(home, "") == home + "gk/"
    assert [c.name for c in p.section_columns(home + "gk/", "")] == ["通知公告"]   # replace (default)
    assert p.family == "stub"


def test_resolution_order_profile_family_then_detected(tmp_path):
    hanweb_home = (ROOT / "tests/fixtures/hanweb/home/input.html")
    html = hanweb_home.read_text("utf-8") if hanweb_home.exists() else "<html></html>"
    config = parse_site_config(tmp_path / "x.toml", "http://www.example.gov.cn/",
                               {"site": {"reason": "r", "family": "trs"}})
    assert resolve("http://www.example.gov.cn/", html, None, config).family == "trs"        # profile's family
    assert resolve("http://www.example.gov.cn/", html, "govcn", config).family == "govcn"  # --family wins
    assert isinstance(resolve("http://www.example.gov.cn/", html, None, config), SiteProfile)
    assert not isinstance(resolve("http://www.example.gov.cn/", html, None, None), SiteProfile)


def test_checked_in_profiles_and_the_documented_example_are_valid():
    for path in sorted((ROOT / "data/sites").glob("*.toml")):
        host = path.stem.replace("_", ":")
        load_site_config(f"http://{host}/", path.parent)                 # raises on a mistake
    doc = (ROOT / "docs/site-profiles.md").read_text("utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert blocks and BESPOKE_PROFILE.strip() in [b.strip() for b in blocks]
    for block in blocks:
        parse_site_config(Path("doc.toml"), "http://www.example.gov.cn/", tomllib.loads(block))


def test_profile_politeness_holds_on_a_real_crawl(tmp_path):
    """``[crawl] concurrency = 1`` in the profile: never more than one request in flight to the
    site (loopback targets otherwise get 8)."""
    with Testbed(make_style("hanweb", scale=0.25)) as tb:
        sites = tmp_path / "sites"
        sites.mkdir()
        site_profile_path(tb.url, sites).write_text(
            "[site]\nreason = '门户在高并发下返回503，主办单位要求单线程抓取'\n[crawl]\nconcurrency = 1\ndelay = 0\n", "utf-8")
        proc = run_cli("check", tb.url, "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "out"),
                       "--as-of", AS_OF.isoformat(), "--sites-dir", str(sites), "--no-links")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert len(tb.requests) > 50 and tb.max_in_flight == 1
    config = load_site_config(tb.url, sites)
    assert config.host_limit == ("127.0.0.1", (1, 0.0))
