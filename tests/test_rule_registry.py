"""The rule table (codes with status) and choosing rules with --select / --ignore and a site
profile's [rules]: what is chosen is what a run stores and reports; an unknown code is a usage
error (exit 2)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govaudit import api
from rules.registry import TABLE, UnknownCode, all_rules, resolve, split_codes
from tests.conftest import run_cli

ALL = sorted(TABLE)


def test_table_is_every_rule():
    assert sorted(r.code for r in all_rules()) == ALL
    assert set(TABLE.values()) <= {"preview", "stable", "deprecated"}
    for r in all_rules():
        assert r.meta()["status"] == TABLE[r.code]


def test_resolve_codes_and_prefixes():
    assert resolve() == [c for c in ALL if TABLE[c] != "deprecated"]
    assert resolve(["LK"]) == ["LK001", "LK002", "LK003"]
    assert resolve(["lk002, md001"]) == ["LK002", "MD001"]
    assert resolve(["LK"], ["LK003"]) == ["LK001", "LK002"]
    assert "LK001" not in resolve(ignore=["LK"]) and "TM001" in resolve(ignore=["LK"])
    assert resolve(["TM00"], ["TM002"]) == ["TM001"]
    assert split_codes(" lk , ,MD001") == ["LK", "MD001"]


def test_unknown_code_is_refused():
    with pytest.raises(UnknownCode, match="XX1"):
        resolve(["XX1"])
    with pytest.raises(UnknownCode, match="LK009"):
        resolve(ignore=["LK009"])


def test_deprecated_runs_only_by_exact_code(monkeypatch):
    monkeypatch.setitem(TABLE, "LK003", "deprecated")
    assert "LK003" not in resolve() and "LK003" not in resolve(["LK"])
    assert resolve(["LK003"]) == ["LK003"]


def test_rules_command_shows_status():
    proc = run_cli("rules")
    assert proc.returncode == 0
    lines = {line.split()[0]: line.split()[1] for line in proc.stdout.splitlines() if line.strip()}
    assert lines == TABLE


@pytest.mark.parametrize("args", [("--select", "LK,QQ7"), ("--ignore", "ZZ")])
def test_unknown_code_is_a_usage_error(tmp_path, args):
    proc = run_cli("audit", "--db", str(tmp_path / "none.db"), *args)
    assert proc.returncode == 2
    assert "unknown rule code" in proc.stderr and "Traceback" not in proc.stderr


def _audit(db: Path, out: Path, **options) -> tuple[set[str], set[str], set[str]]:
    """Audit the stored run again (``govaudit.api.audit``): (codes of stored findings, codes the
    result document lists as rules, codes of the findings the result document reports)."""
    result = api.audit(db, out=out, **options)
    assert result.code == 0, result.reason
    stored = {f["code"] for f in api.export(db, what="findings").rows}
    [doc_path] = sorted(out.glob("*.json"))
    doc = json.loads(doc_path.read_text("utf-8"))
    return stored, {r["code"] for r in doc["rules"]}, {f["code"] for f in doc["findings"]}


@pytest.fixture
def stored_run(crawled_hanweb, tmp_path) -> Path:
    """A copy of the Hanweb testbed crawl (auditing it again replaces its findings)."""
    db = tmp_path / "audit.db"
    shutil.copy(crawled_hanweb.db, db)
    return db


def test_select_and_ignore_change_what_is_stored_and_reported(stored_run, tmp_path, crawled_hanweb):
    planted = {v["code"] for v in crawled_hanweb.key["violations"]}
    assert {"LK001", "LK002", "TM001"} <= planted      # findings of several families to choose among
    stored, listed, reported = _audit(stored_run, tmp_path / "all")
    assert {"LK001", "LK002", "TM001"} <= stored and listed == set(resolve())
    stored, listed, reported = _audit(stored_run, tmp_path / "lk", select=split_codes("LK"))
    assert stored and {c[:2] for c in stored} == {"LK"} and listed == {"LK001", "LK002", "LK003"}
    assert {c[:2] for c in reported} == {"LK"}
    stored, listed, reported = _audit(stored_run, tmp_path / "nolk", ignore=split_codes("LK,TM001"))
    assert not {c for c in stored | listed | reported if c.startswith("LK") or c == "TM001"}
    assert "TM002" in listed and stored


def test_site_profile_rules(stored_run, tmp_path, crawled_hanweb):
    from data import site_profile_path

    sites = tmp_path / "sites"
    sites.mkdir()
    profile = site_profile_path(crawled_hanweb.testbed.url, sites)
    profile.write_text('[rules]\nselect = ["LK", "TM"]\nignore = ["LK003"]\n', "utf-8")
    stored, listed, _ = _audit(stored_run, tmp_path / "p", sites_dir=str(sites))
    assert listed == {"LK001", "LK002", "TM001", "TM002"} and stored <= listed
    # the command line's --select replaces the profile's; its --ignore adds to the profile's
    _, listed, _ = _audit(stored_run, tmp_path / "q", sites_dir=str(sites), select=["LK"], ignore=["LK001"])
    assert listed == {"LK002"}
    profile.write_text('[rules]\nignore = ["LK", "NOPE"]\n', "utf-8")
    with pytest.raises(api.ApiError, match="NOPE") as refused:
        api.audit(stored_run, out=tmp_path / "r", sites_dir=str(sites))
    assert refused.value.code == 2


def test_site_profile_rules_validated():
    from crawler.profiles.site import SiteProfileError, parse_site_config

    path = Path("x.toml")
    assert parse_site_config(path, "http://x/", {"rules": {"select": ["LK"]}}) is None
    for bad in ({"rules": {"select": "LK"}}, {"rules": {"select": ["QQ"]}}, {"rules": {"only": ["LK"]}}):
        with pytest.raises(SiteProfileError, match=r"\[rules\]"):
            parse_site_config(path, "http://x/", bad)


def test_check_refuses_an_unknown_code_before_crawling(tmp_path):
    db = tmp_path / "a.db"
    proc = run_cli("check", "http://127.0.0.1:9/", "--db", str(db), "--out", str(tmp_path / "o"),
                   "--select", "LK", "--ignore", "XY123")
    assert proc.returncode == 2 and "XY123" in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists()      # nothing was crawled or stored
