"""Load a run's artifacts from the store, run the rules, and build the result document."""
from __future__ import annotations

import json
import traceback
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from store import Store
from data import load_toml, read_site_profile, tool_version
from rules.base import Context, Finding, Outcome, SiteArtifacts
from rules.computed import site_thresholds
from rules.coverage import column_tree, coverage, judge
from rules.history import annotate_first_seen, score_history
from rules.registry import all_rules, resolve, split_codes
from rules.scoring import score
from rules.workdays import WorkCalendar

RULESET = "2026.1"


def load_artifacts(store: Store, run_id: int, site: str) -> SiteArtifacts:
    """One site of one run, as the rules read it: the store's one interface for them
    (``Store.artifacts``; earlier runs through ``Store.site_history``, rules/history.py)."""
    return SiteArtifacts(**store.artifacts(run_id, site))


def run_rules(artifacts: SiteArtifacts, ctx: Context, codes: Iterable[str] | None = None) -> list[Finding]:
    """Every rule's findings. A rule that raises gives one ``error`` finding carrying the
    exception (and drops what it yielded before: a half-run rule assessed nothing reliably);
    the other rules go on."""
    wanted = set(codes) if codes is not None else None
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


#: run statuses (``runs.status``) as the auditor reads them, when the crawl did not finish
RUN_STATUS_TEXT = {
    "running": "抓取进程未正常结束（被强制终止或仍在运行）",
    "interrupted": "抓取被中断",
    "shutdown": "抓取被信号（SIGINT/SIGTERM）中止",
    "links shutdown": "链接检查被信号（SIGINT/SIGTERM）中止",
    "links None": "链接检查未能进行",
}


def assessability(run: dict, artifacts: SiteArtifacts) -> list[str]:
    """Why no verdict can be given on this site from this run (Chinese, for the verdict block):
    the crawl did not finish, or the home page was never read. Empty when it can be judged."""
    reasons = []
    if run["status"] != "finished":
        reasons.append(f"本次抓取未完成：{RUN_STATUS_TEXT.get(run['status'], '抓取异常结束（' + str(run['status']) + '）')}，"
                       "结论须待抓取完成后给出（可用相同命令和 --jobdir 继续抓取）")
    home = [f for f in artifacts.fetches if f["kind"] in ("home", "error") and f["url"] == artifacts.site]
    if not any(f["status"] == 200 and not f["blocked"] and not f["error"] for f in home):
        last = home[-1] if home else None
        why = (last["blocked"] or last["error"] or f"HTTP {last['status']}") if last else "未能请求"
        reasons.append(f"网站首页无法访问（{why}），网站无法评定")
    return reasons


def rule_codes(site: str, sites_dir: Path | None = None, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None, within: Iterable[str] | None = None) -> list[str]:
    """The codes to run on ``site``: ``select`` (else the site profile's ``[rules] select``, else
    every rule not deprecated) minus ``ignore`` and the profile's ``[rules] ignore``; only those
    in ``within`` when given (a links run has no documents). Raises
    :class:`rules.registry.UnknownCode` for a code that names no rule."""
    found = read_site_profile(site, sites_dir)
    table = (found[1].get("rules") or {}) if found else {}
    chosen = resolve(split_codes(select) or split_codes(table.get("select")),
                     split_codes(ignore) + split_codes(table.get("ignore")))
    return [c for c in chosen if within is None or c in set(within)]


def audit_site(store: Store, run_id: int, site: str, ctx: Context,
               codes: Iterable[str] | None = None, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None, audit_id: int | None = None) -> dict:
    """Run the rules on one site of one run, store the findings and the result document, return
    the document. ``codes`` bounds the rules run; ``select`` / ``ignore`` choose among them
    (:func:`rule_codes`)."""
    doc, store_result = _audit_site(store, run_id, site, ctx, codes, select, ignore, audit_id)
    store_result()
    return doc


def _audit_site(store: Store, run_id: int, site: str, ctx: Context, codes: Iterable[str] | None,
                select: Iterable[str] | None, ignore: Iterable[str] | None,
                audit_id: int | None) -> tuple[dict, Callable[[], None]]:
    """:func:`audit_site`, the result document serialised but stored only when the function
    returned beside it is called (:meth:`store.Store.result_saver`)."""
    ctx = make_context(ctx.today, ctx.calendar, ctx.thresholds, site=site, sites_dir=ctx.sites_dir)
    codes = rule_codes(site, ctx.sites_dir, select, ignore, codes)
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
    # the run's findings, and this audit's (the listed ones), written in one pass
    store.replace_findings(run_id, site, listed + errors, audit_id=audit_id, audit_listed=listed)
    # for the reports: where each finding sits, since when it is open, the score over time
    annotate_first_seen(store, site, run, ctx.today, listed, fixed)
    _add_column_paths(listed + fixed, artifacts.columns)
    rules_meta = [r.meta() for r in all_rules() if r.code in set(codes)]
    columns = artifacts.columns
    weights = load_toml("scoring.toml")
    cov = coverage(artifacts, ctx.thresholds)
    verdict = judge(score(findings, rules_meta, weights), cov, findings, weights, ctx.thresholds)
    not_assessed = assessability(run, artifacts)
    if not_assessed:
        # an incomplete crawl or a home page never read: no verdict and no score (until the
        # crawl is complete), whatever was read so far
        verdict = {**verdict, "verdict": "无法评定", "score": None, "assessable": False,
                   "not_assessed": not_assessed, "reasons": not_assessed + list(verdict.get("reasons") or [])}
    doc = {
        "schema": 1,
        "tool": {"name": "govaudit", "version": tool_version(), "ruleset": RULESET},
        "run": {"id": run_id, "started_at": run["started_at"], "finished_at": run["finished_at"],
                "command": run["command"], "previous_run_id": prev["id"] if prev else None},
        "as_of": ctx.today.isoformat(),
        "site": {"url": site, "name": artifacts.name, "family": artifacts.family},
        "score": verdict,
        "coverage": cov,
        "tree": column_tree(artifacts),
        "counts": counts,
        "crawl": {
            "pages": len(artifacts.fetches), "documents": len(artifacts.documents),
            "columns": sum(1 for c in columns if c["role"] == "column"),
            "blocked": sum(1 for f in artifacts.fetches if f["blocked"]),
            "errors": sum(1 for f in artifacts.fetches if f["error"] or (f["status"] or 0) >= 400),
            "status": run["status"], "complete": run["status"] == "finished",
        },
        "rules": rules_meta,
        "findings": sorted(listed, key=lambda d: (d["outcome"] != "fail", d["code"], d["url"] or "")),
        "fixed": fixed,
        "errors": sorted(errors, key=lambda d: d["code"]),
    }
    if audit_id is not None:
        doc["audit"] = {"id": audit_id, "as_of": ctx.today.isoformat()}
    doc["history"] = score_history(store, site, run_id) + [
        {"run_id": run_id, "date": ctx.today.isoformat(), "score": doc["score"].get("score"),
         "verdict": doc["score"].get("verdict")}]
    # what the document does not hold is let go before it is stored: the site's artifacts and
    # its passing findings (at 10^5 documents the largest site's are ~100 MB)
    del artifacts, findings, now_by_fp, prev_open, columns
    return doc, store.result_saver(run_id, site, doc, audit_id=audit_id)


def _add_column_paths(findings: list[dict], columns: list[dict]) -> None:
    """``column_path``: the column's place in the tree (section › … › column), when known."""
    paths: dict[str, list[str]] = {}
    for c in columns:
        try:
            path = json.loads(c.get("path") or "null")
        except (TypeError, ValueError):
            path = None
        if c.get("name") and isinstance(path, list) and path:
            paths.setdefault(c["name"], [str(p) for p in path])
    for f in findings:
        if f.get("column") in paths:
            f["column_path"] = paths[f["column"]]


def audit_run(store: Store, run_id: int, ctx: Context, codes: Iterable[str] | None = None,
              select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[dict]:
    """Audit every site of the run. Each audit is kept (``audits``, with its as-of date): the
    result documents say which (``doc["audit"]``)."""
    return list(iter_audit_run(store, run_id, ctx, codes, select, ignore))


def iter_audit_run(store: Store, run_id: int, ctx: Context, codes: Iterable[str] | None = None,
                   select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> Iterator[dict]:
    """:func:`audit_run` one site at a time: each result document is yielded as soon as its site
    is audited, so a caller that writes it and lets it go holds one site's artifacts and result
    at a time (the audit of 10^5 documents held every site's result until the end). Each
    document is stored (``results``) when the caller asks for the next one (or stops): after
    it has written the document's reports and let it go, storing it (which holds its text twice
    inside SQLite for a moment) does not come on top of the document."""
    codes = list(codes) if codes else None
    sites = store.sites(run_id)
    for site in sites:       # a site profile naming no rule stops the audit before any site is judged
        rule_codes(site, ctx.sites_dir, select, ignore, codes)
    audit_id = store.start_audit(run_id, ctx.today.isoformat(), codes, tool_version())
    for site in sites:
        doc, store_result = _audit_site(store, run_id, site, ctx, codes, select, ignore, audit_id)
        handed = [doc]
        del doc
        try:
            yield handed.pop()      # not kept here while the caller has it: it can let it go
        finally:
            store_result()
