"""Every registered rule has a generated doc that is up to date, a passing and a failing fixture."""
from __future__ import annotations

import pytest

from rules.docs import DOCS, fixtures, render
from rules.registry import all_rules

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_fixtures(rule):
    names = [p.name for p in fixtures(rule.code)]
    assert any(n.startswith("pass_") for n in names), f"no tests/fixtures/rules/{rule.code}/pass_*.json"
    assert any(n.startswith("fail_") for n in names), f"no tests/fixtures/rules/{rule.code}/fail_*.json"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_doc_is_current(rule):
    path = DOCS / f"{rule.code}.md"
    assert path.exists(), f"{path} missing: run python -m rules.docs"
    assert path.read_text("utf-8") == render(rule), f"{path} is stale: run python -m rules.docs"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_metadata_complete(rule):
    from data import load_toml

    meta = rule.meta()
    assert all(meta[k] for k in ("name", "title", "failure_title", "source", "rationale", "how_to_fix"))
    assert meta["severity"] in ("veto", "deduct", "advisory")
    assert meta["source_id"] in load_toml("sources.toml"), f"{rule.code}: source {meta['source_id']} not in data/sources.toml"
    assert rule.__module__.rsplit(".", 1)[-1].startswith(rule.code.lower() + "_")
