"""The sites file: every kind of mistake is named with file, line, site and field; exit code 2;
nothing crawled. Line numbers are counted by hand from the texts below."""
from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

from fleet.sitesfile import SitesFileError, load_sites_file
from tests.conftest import run_cli

GOOD = """\
[[site]]
id = "a"
name = "甲市人民政府"
url = "http://a.example/"
region = "浙江省"
level = "市"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sites.toml"
    p.write_text(textwrap.dedent(text), "utf-8")
    return p


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SitesFileError) as exc:
        load_sites_file(write(tmp_path, text))
    return exc.value.problems


def test_example_file_loads():
    f = load_sites_file(Path(__file__).resolve().parent.parent / "data" / "sites.example.toml")
    assert [s.id for s in f.sites] == ["zj-province", "hz-city", "xh-county"]
    assert [s.level for s in f.sites] == ["省", "市", "县"]
    assert f.sites[1].crawl["concurrency"] == 1 and f.sites[1].key == "https://www.hangzhou.gov.cn/"
    assert f.sites[2].thresholds["freshness"] == {"home_days": 7}


def test_missing_field(tmp_path):
    p = problems(tmp_path, GOOD.replace('region = "浙江省"\n', ""))
    assert p == [f"{tmp_path / 'sites.toml'}:1: site 'a' field 'region': missing (required)"]


def test_bad_level_names_line_site_and_field(tmp_path):
    p = problems(tmp_path, GOOD + GOOD.replace('"a"', '"b"').replace("a.example", "b.example")
                 .replace('"市"', '"镇"'))
    assert len(p) == 1
    assert p[0].startswith(f"{tmp_path / 'sites.toml'}:12: site 'b' field 'level':")
    assert "省, 市, 县, 部门" in p[0]


def test_bad_url_duplicate_id_duplicate_host(tmp_path):
    text = GOOD + GOOD.replace("http://a.example/", "ftp://x") + \
        GOOD.replace('"a"', '"c"').replace("a.example/", "A.EXAMPLE/news/")
    p = problems(tmp_path, text)
    assert any(":8: site 'a' field 'id': duplicate: already used by the site at line 1" in x for x in p)
    assert any(":10: site 'a' field 'url': not an http(s) URL" in x for x in p)
    assert any(":16: site 'c' field 'url': the same site (a.example)" in x for x in p)
    assert len(p) == 3


def test_unknown_field_and_wrong_type(tmp_path):
    p = problems(tmp_path, GOOD + 'levle = "市"\n' + "name2 = 1\n")
    assert any(":7: site 'a' field 'levle': unknown field" in x for x in p)
    p = problems(tmp_path, GOOD.replace('name = "甲市人民政府"', "name = 12"))
    assert p == [f"{tmp_path / 'sites.toml'}:3: site 'a' field 'name': must be non-empty text, not 12"]


def test_politeness_needs_valid_values_and_a_reason(tmp_path):
    p = problems(tmp_path, GOOD + "[site.crawl]\nconcurrency = 0\ndelay = -1\n")
    assert any(":8: site 'a' field 'crawl.concurrency': must be a whole number" in x for x in p)
    assert any(":9: site 'a' field 'crawl.delay': must be seconds" in x for x in p)
    assert any("field 'crawl.reason': politeness overrides need a reason" in x for x in p)
    p = problems(tmp_path, GOOD + "[site.crawl]\nreason = 'x'\nburst = 3\n")
    assert p == [f"{tmp_path / 'sites.toml'}:9: site 'a' field 'crawl.burst': unknown field "
                 "(known: concurrency, delay, reason)"]


def test_rule_overrides_need_a_reason_and_known_thresholds(tmp_path):
    p = problems(tmp_path, GOOD + "[site.thresholds.freshness]\nhome_days = 7\n")
    assert any("field 'thresholds.reason': rule overrides need a reason" in x for x in p)
    p = problems(tmp_path, GOOD + "[site.thresholds]\nreason = 'plan'\n[site.thresholds.freshnes]\nhome_days = 7\n")
    assert len(p) == 1 and ":9: site 'a' field 'thresholds.freshnes': not a threshold" in p[0]
    p = problems(tmp_path, GOOD + "[site.thresholds]\nreason = 'plan'\n[site.thresholds.freshness]\nhome_days = 'seven'\n")
    assert p == [f"{tmp_path / 'sites.toml'}:10: site 'a' field 'thresholds.freshness.home_days': "
                 "must be a number, not 'seven'"]


def test_profile_missing_or_wrong(tmp_path):
    p = problems(tmp_path, GOOD + 'profile = "nope.toml"\n')
    assert len(p) == 1 and ":7: site 'a' field 'profile': site profile file not found" in p[0]
    (tmp_path / "bad.toml").write_text("[selectors]\nlist_rows = 'li'\n", "utf-8")
    p = problems(tmp_path, GOOD + 'profile = "bad.toml"\n')
    assert len(p) == 1 and "field 'profile': the profile has a mistake" in p[0] and "list_rows" in p[0]


def test_not_toml_and_empty_and_absent(tmp_path):
    p = problems(tmp_path, GOOD + "level = \n")
    assert p[0].startswith(f"{tmp_path / 'sites.toml'}:7: not valid TOML")
    assert problems(tmp_path, "# nothing\n") == [f"{tmp_path / 'sites.toml'}:1: no [[site]] tables: "
                                                 "a sites file lists at least one site"]
    with pytest.raises(SitesFileError, match="file not found"):
        load_sites_file(tmp_path / "absent.toml")


def test_cli_exit_2_and_nothing_crawled(tmp_path):
    """A bad sites file stops nightly before any request: the listed (live) server sees none."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.settimeout(0.5)
    port = srv.getsockname()[1]
    text = GOOD.replace("http://a.example/", f"http://127.0.0.1:{port}/") + \
        GOOD.replace('"a"', '"b"').replace('"市"', '"村"')
    f = write(tmp_path, text)
    db = tmp_path / "audit.db"
    for cmd in (("nightly", "--out", str(tmp_path / "out")), ("probe",)):
        proc = run_cli(*cmd, "--sites", str(f), "--db", str(db))
        assert proc.returncode == 2, proc.stderr
        assert f"{f}:12: site 'b' field 'level'" in proc.stderr
        assert "Traceback" not in proc.stderr
    with pytest.raises(socket.timeout):
        srv.accept()
    srv.close()
    assert not db.exists()
