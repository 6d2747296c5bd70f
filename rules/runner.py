"""Load a run's artifacts from the store, run the rules, and build the result document."""
from __future__ import annotations

import traceback
from datetime import date
from pathlib import Path
from typing import Iterable

from crawler.store import Store
from data import load_toml, tool_version
from rules.base import Context, Finding, Outcome, SiteArtifacts
from rules.computed import site_thresholds
from rules.coverage import column_tree, coverage, judge
from rules.registry import all_rules
from rules.scoring import score
from rules.workdays import WorkCalendar

RULESET = "2026.1"


def load_artifacts(store: Store, run_id: int, site: str) -> SiteArtifacts:
    info = store.site_info(site) or {}
    artifacts = SiteArtifacts(
        site=site, name=info.get("name"), family=info.get("family"),
        documents=store.documents(run_id, site),
        columns=store.table_rows("columns", run_id, site),
        entries=store.table_rows("entries", run_id, site),
        fetches=list(store.fetches(run_id, site)),
        links=store.table_rows("links", run_id, site),
        probes=store.probes(site),          # availability probes of every run (AV001)
        body=store.body,
    )
    return artifacts


def run_rules(artifacts: SiteArtifacts, ctx: Context, codes: Iterable[str] | None = None) -> list[Finding]:
    """Every rule's findings. A rule that raises gives one ``error`` finding carrying the
    exception (and drops what it yielded before: a half-run rule assessed nothing reliably);
    the other rules go on."""
    wanted = set(codes) if codes else None
    findings: list[Finding] = []
    for rule_cls in all_rules():
        if wanted and rule_cls.code not in wanted:
            continue
        rule = rule_cls()
        try:
            findings.extend(list(rule.check(artifacts, ctx)))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not sink the audit
            tb = traceback.extract_tb(exc.__traceback__)
            where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
            findings.append(rule.finding(
                Outcome.ERROR, artifacts, None,
                f"规则执行出错，本项未能检查：{type(exc).__name__}: {exc}",
                evidence={"exception": type(exc).__name__, "detail": str(exc)[:500], "where": where}))
    return findings


def make_context(today: date, calendar: WorkCalendar | None = None,
                 thresholds: dict | None = None, site: str | None = None,
                 sites_dir: Path | None = None) -> Context:
    """``site``: merge that site's overrides (``<sites_dir>/<host>.toml`` [thresholds], with a
    reason; ``sites_dir`` defaults to ``data/sites``)."""
    thresholds = thresholds or load_toml("thresholds.toml")
    if site:
        thresholds = site_thresholds(thresholds, site, sites_dir)
    return Context(today=today, calendar=calendar or WorkCalendar(), thresholds=thresholds,
                   sites_dir=sites_dir)


def audit_site(store: Store, run_id: int, site: str, ctx: Context,
               codes: Iterable[str] | None = None) -> dict:
    """Run the rules on one site of one run, store the findings, return the result document."""
    ctx = make_context(ctx.today, ctx.calendar, ctx.thresholds, site=site, sites_dir=ctx.sites_dir)
    artifacts = load_artifacts(store, run_id, site)
    findings = run_rules(artifacts, ctx, codes)
    run = store.run(run_id)
    prev = store.latest_run(site, before=run_id)
    prev_open = {f["fingerprint"]: f for f in store.findings(prev["id"], site)
                 if f["outcome"] in ("fail", "review")} if prev else {}
    now_by_fp = {f.fingerprint: f for f in findings}
    listed, errors, counts = [], [], {o.value: 0 for o in Outcome}
    for f in findings:
        counts[f.outcome.value] += 1
        d = f.to_dict()
        if f.outcome in (Outcome.FAIL, Outcome.REVIEW):
            d["change"] = "persisting" if f.fingerprint in prev_open else "new"
            listed.append(d)
        elif f.outcome == Outcome.ERROR:
            errors.append(d)
    # Fixed: open last time and assessed again now with a pass (not merely absent).
    fixed = [{**old, "change": "fixed"} for fp, old in prev_open.items()
             if fp in now_by_fp and now_by_fp[fp].outcome == Outcome.PASS]
    store.replace_findings(run_id, site, listed + errors)
    rules_meta = [r.meta() for r in all_rules() if not codes or r.code in set(codes)]
    columns = artifacts.columns
    weights = load_toml("scoring.toml")
    cov = coverage(artifacts, ctx.thresholds)
    doc = {
        "schema": 1,
        "tool": {"name": "govaudit", "version": tool_version(), "ruleset": RULESET},
        "run": {"id": run_id, "started_at": run["started_at"], "finished_at": run["finished_at"],
                "command": run["command"], "previous_run_id": prev["id"] if prev else None},
        "as_of": ctx.today.isoformat(),
        "site": {"url": site, "name": artifacts.name, "family": artifacts.family},
        "score": judge(score(findings, rules_meta, weights), cov, findings, weights, ctx.thresholds),
        "coverage": cov,
        "tree": column_tree(artifacts),
        "counts": counts,
        "crawl": {
            "pages": len(artifacts.fetches), "documents": len(artifacts.documents),
            "columns": sum(1 for c in columns if c["role"] == "column"),
            "blocked": sum(1 for f in artifacts.fetches if f["blocked"]),
            "errors": sum(1 for f in artifacts.fetches if f["error"] or (f["status"] or 0) >= 400),
        },
        "rules": rules_meta,
        "findings": sorted(listed, key=lambda d: (d["outcome"] != "fail", d["code"], d["url"] or "")),
        "fixed": fixed,
        "errors": sorted(errors, key=lambda d: d["code"]),
    }
    store.save_result(run_id, site, doc)
    return doc


def audit_run(store: Store, run_id: int, ctx: Context, codes: Iterable[str] | None = None) -> list[dict]:
    return [audit_site(store, run_id, site, ctx, codes) for site in store.sites(run_id)]
