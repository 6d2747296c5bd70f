"""Every word an auditor reads comes from the Chinese label table: render every rule fixture's
findings (fail and review as listed findings, pass and not-applicable as fixed ones, so every
evidence table is shown) and fail if a raw identifier from the code reaches the page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reports.labels import VERBATIM_KEYS
from reports.site import render_site_report
from rules.docs import FIXTURES, run_fixture
from rules.registry import all_rules, get

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
URL = re.compile(r"(?:https?://|snapshots/)\S+")
#: identifiers in the code that are also ordinary words of the page (units, acronyms)
ALLOWED = {"HTTP", "GET", "HEAD", "ICP", "TLS", "SSL", "JCMS", "TRS", "WCM", "govaudit", "Cookie"}


def raw_identifiers(value, key=None, out=None) -> set[str]:
    """Keys and enumerated values of an evidence tree (not the page data shown verbatim)."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            if IDENT.fullmatch(str(k)):
                out.add(str(k))
            raw_identifiers(v, str(k), out)
    elif isinstance(value, list):
        for v in value:
            raw_identifiers(v, key, out)
    elif isinstance(value, str) and key == "error":      # "<ExceptionType>: message about a host"
        out.add(value.partition(":")[0].strip())
    elif isinstance(value, str) and key not in VERBATIM_KEYS and not URL.match(value):
        out.update(t for t in IDENT.findall(value) if "_" in t or "-" in t or t.islower())
    return out


def data_words(value, key=None, out=None) -> set[str]:
    """Words inside page or network data shown as it is (content types, host names in errors)."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            data_words(v, str(k), out)
    elif isinstance(value, list):
        for v in value:
            data_words(v, key, out)
    elif isinstance(value, str) and (key in VERBATIM_KEYS or key == "error"):
        out.update(IDENT.findall(URL.sub(" ", value.partition(":")[2] if key == "error" else value)))
    return out


def shown_words(html: str) -> set[str]:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    parts = [soup.get_text(" ")]
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            if attr in ("title", "aria-label", "alt", "placeholder", "value") or (
                    attr.startswith("data-") and attr not in ("data-facet", "data-sort")):
                parts.append(value if isinstance(value, str) else " ".join(value))
    text = URL.sub(" ", " ".join(parts))
    return set(IDENT.findall(text)) - ALLOWED


def fixture_doc(path: Path) -> tuple[dict, set[str]]:
    rule = get(path.parent.name)
    findings, fx = run_fixture(rule, path)
    dicts = [{**f.to_dict(), "change": "new", "first_seen": fx["today"], "age_days": 0} for f in findings]
    raw = {rule.name, rule.source_id, *(str(f.outcome) for f in findings), str(rule.severity)}
    for f in findings:
        raw |= raw_identifiers(f.evidence)
    doc = {
        "schema": 1, "as_of": fx["today"],
        "site": {"url": fx["site"]["site"], "name": "测试站点", "family": "hanweb"},
        "run": {"id": 2, "started_at": fx["today"] + "T09:00:00+08:00", "previous_run_id": 1},
        "score": {"verdict": "不合格", "score": 90.0, "vetoes": [], "deductions": [], "review_count": 0},
        "rules": [rule.meta()],
        "findings": [d for d in dicts if d["outcome"] in ("fail", "review")],
        "fixed": [d for d in dicts if d["outcome"] not in ("fail", "review")],
    }
    return doc, raw - {"hanweb"}


CASES = sorted(FIXTURES.glob("*/*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_raw_identifier_reaches_the_report(path: Path):
    doc, raw = fixture_doc(path)
    html = render_site_report(doc)
    leaked = raw & shown_words(html)
    assert not leaked, f"raw identifiers on the page: {sorted(leaked)}"
    # and every evidence key has a Chinese label (none falls back to the key itself)
    assert "hanweb" not in shown_words(html)


def test_every_rule_has_fixtures_rendered():
    assert {p.parent.name for p in CASES} == {r.code for r in all_rules()}


def test_the_checker_sees_a_raw_identifier():
    """The check above can fail: an unknown evidence key and value show up as leaked."""
    doc, raw = fixture_doc(next(p for p in CASES if p.parent.name == "TM001" and p.stem.startswith("fail")))
    doc["findings"][0]["evidence"]["window_kind"] = "rolling_window"
    raw |= raw_identifiers(doc["findings"][0]["evidence"])
    leaked = raw & shown_words(render_site_report(doc))
    assert leaked == {"window_kind", "rolling_window"}
