"""Rule documentation generated from the rule metadata and the rule fixtures.

``python -m rules.docs`` writes ``docs/rules/<CODE>.md`` for every registered rule: what it
checks, why (with the cited source from ``data/sources.toml``), a failing and a passing example
(the first ``fail_*`` and ``pass_*`` fixture of ``tests/fixtures/rules/<CODE>/``, with the finding
the rule gives on it) and how to fix. ``tests/test_docs.py`` fails when a page is missing or stale.

A fixture is a hand-built :class:`~rules.base.SiteArtifacts` input with the expected outcomes::

    {"description": "...", "today": "2026-11-20", "thresholds": {...optional overrides...},
     "site": {"site": URL, "columns": [...], "entries": [...], "documents": [...],
              "fetches": [...], "links": [...], "probes": [...], "bodies": {sha: html}},
     "expect": [{"outcome": "fail", "url": URL, "subject": optional, "message": optional substring}]}

Rows only need the keys a rule reads; :func:`load_fixture` fills the rest. A row with
``"repeat": N`` stands for N copies (probes), and ``"probed_at": "DATE"`` rows get times.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from data import load_toml
from rules.base import Context, Finding, SiteArtifacts
from rules.computed import merge
from rules.registry import all_rules
from rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
DOCS = ROOT / "docs" / "rules"
DOC_DEFAULTS = {"columns": [], "related": [], "deleted": 0, "uncertain": None, "body_text": "",
                "column_name": None, "fetched_at": None, "body_sha": None, "status": 200}
COLUMN_DEFAULTS = {"parent": None, "role": "column", "entries": 0, "placeholder": 0, "status": "ok", "note": None}
FETCH_DEFAULTS = {"method": "GET", "status": 200, "redirects": "[]", "fetched_at": "2026-11-20T09:00:00+08:00",
                  "elapsed_ms": 100, "content_type": "text/html; charset=utf-8", "size": None,
                  "body_sha": None, "error": None, "blocked": None, "kind": "page"}
SEVERITY_CN = {"veto": "单项否决", "deduct": "扣分", "advisory": "提示"}


def fixtures(code: str) -> list[Path]:
    return sorted((FIXTURES / code).glob("*.json"))


def _expand(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        n = row.pop("repeat", 1)
        for i in range(n):
            r = dict(row)
            if "probed_at" in r and len(r["probed_at"]) == 10:     # a date: spread over the day
                r["probed_at"] = f"{r['probed_at']}T{i * 24 // max(n, 1):02d}:{i % 60:02d}:00+08:00"
            out.append(r)
    return out


def load_fixture(path: Path) -> tuple[SiteArtifacts, Context, dict]:
    """The artifacts, the context and the raw fixture of a fixture file."""
    fx = json.loads(path.read_text("utf-8"))
    s = fx["site"]
    url = s["site"]
    bodies = {k: v.encode("utf-8") for k, v in (s.get("bodies") or {}).items()}
    site = SiteArtifacts(
        site=url, name=s.get("name"), family=s.get("family"),
        documents=[{**DOC_DEFAULTS, **d} for d in s.get("documents", [])],
        columns=[{**COLUMN_DEFAULTS, "site": url, **c} for c in s.get("columns", [])],
        entries=[{"date": None, "date_raw": None, "title": None, "position": 0, **e} for e in s.get("entries", [])],
        fetches=[{**FETCH_DEFAULTS, "site": url, "final_url": f["url"], **f} for f in s.get("fetches", [])],
        links=[{"tag": "a", "text": "", **link} for link in s.get("links", [])],
        body=lambda sha: bodies.get(sha or ""),
    )
    if "probes" in s:
        site.probes = [{"ok": 1, "status": 200, "latency_ms": 100, **p} for p in _expand(s["probes"])]
    thresholds = merge(load_toml("thresholds.toml"), fx.get("thresholds") or {})
    ctx = Context(today=date.fromisoformat(fx["today"]), calendar=WorkCalendar(), thresholds=thresholds)
    return site, ctx, fx


def run_fixture(rule_cls, path: Path) -> tuple[list[Finding], dict]:
    site, ctx, fx = load_fixture(path)
    return list(rule_cls().check(site, ctx)), fx


def _example(rule_cls, kind: str) -> str:
    paths = [p for p in fixtures(rule_cls.code) if p.name.startswith(kind + "_")]
    if not paths:
        return "_(no fixture)_\n"
    findings, fx = run_fixture(rule_cls, paths[0])
    shown = [f for f in findings if f.outcome.value == kind] or findings
    lines = [f"{fx['description']} (`tests/fixtures/rules/{rule_cls.code}/{paths[0].name}`, as of {fx['today']})", ""]
    lines += [f"- `{f.outcome.value}` {f.url}: {f.message}" for f in shown[:3]]
    return "\n".join(lines) + "\n"


def _scope(rule_cls) -> str:
    """A rule whose scope is data (``scope_doc``) documents it from ``data/thresholds.toml``."""
    doc = getattr(rule_cls, "scope_doc", None)
    return f"## Scope\n\n{doc(load_toml('thresholds.toml'))}\n" if doc else ""


def render(rule_cls) -> str:
    meta = rule_cls.meta()
    src = load_toml("sources.toml").get(meta["source_id"], {})
    quote = f"\n\n> {src['text']}\n>\n> — {src['title']}{src.get('clause', '')}" if src else ""
    link = f" ({src['url']})" if src.get("url") else ""
    return f"""# {meta['code']} {meta['name']}

<!-- generated by `python -m rules.docs` from the rule metadata and its fixtures: do not edit -->

| | |
|---|---|
| Passing state | {meta['title']} |
| Failing state | {meta['failure_title']} |
| Severity | `{meta['severity']}` ({SEVERITY_CN[meta['severity']]}) |
| Status | {meta['status']} |
| Reads | {', '.join(meta['requires'])} |
| Module | `rules/checks/{rule_cls.__module__.rsplit('.', 1)[-1]}.py` |

## What it checks

{meta['failure_title']}. Outcomes: `fail`, `pass`, `review` when the input is uncertain (the reason
is in the finding), `not_applicable` when there is nothing to assess.

{_scope(rule_cls)}## Why

{meta['rationale']}

Source: {meta['source']}{link}{quote}

## Failing example

{_example(rule_cls, 'fail')}
## Passing example

{_example(rule_cls, 'pass')}
## How to fix

{meta['how_to_fix']}
"""


def write_all(folder: Path = DOCS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for rule_cls in all_rules():
        path = folder / f"{rule_cls.code}.md"
        path.write_text(render(rule_cls), "utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write_all():
        print(p.relative_to(ROOT), file=sys.stdout)
