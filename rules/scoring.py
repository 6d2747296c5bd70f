"""Site verdict and score in the style of 国办秘函〔2019〕19号 (weights in data/scoring.toml).

* Any failed ``veto`` rule (单项否决) makes the site 不合格 with no score.
* A ``deduct`` rule listed under ``[escalate]`` becomes a veto once ``count`` of its failed
  findings cite ``source`` in their evidence (JC19 “栏目不更新”: five stale 动态 or 政策文件
  columns, ten stale “should-update” columns, five blank columns).
* Otherwise the score is 100 minus the deductions (``per_finding`` each, capped at ``max``
  per rule); below ``pass_mark`` the site is 不合格. ``advisory`` rules never count.
* A veto rule that could only be assessed as ``review`` keeps a passing site at 待复核.
"""
from __future__ import annotations

from typing import Iterable

from rules.base import Finding, Outcome, Severity


def score(findings: Iterable[Finding], rules_meta: list[dict], weights: dict) -> dict:
    findings = list(findings)
    fails: dict[str, int] = {}
    for f in findings:
        if f.outcome == Outcome.FAIL:
            fails[f.code] = fails.get(f.code, 0) + 1
    severity = {m["code"]: m["severity"] for m in rules_meta}
    vetoes = sorted(c for c, n in fails.items() if severity.get(c) == Severity.VETO)
    escalated = []
    for code, rules in (weights.get("escalate") or {}).items():
        if severity.get(code) != Severity.DEDUCT:
            continue
        for rule in rules if isinstance(rules, list) else [rules]:
            n = sum(1 for f in findings if f.code == code and f.outcome == Outcome.FAIL
                    and f.evidence.get("source") == rule["source"])
            if n >= rule["count"]:
                escalated.append({"code": code, "count": n, "threshold": rule["count"], "source": rule["source"]})
    vetoes = sorted(set(vetoes) | {e["code"] for e in escalated})
    veto_review = sorted({f.code for f in findings
                          if f.outcome == Outcome.REVIEW and severity.get(f.code) == Severity.VETO})
    deductions, total = [], 0.0
    for meta in rules_meta:
        n = fails.get(meta["code"], 0)
        if meta["severity"] != Severity.DEDUCT or not n:
            continue
        w = weights["deduct"].get(meta["code"], weights["deduct"]["default"])
        points = min(n * w["per_finding"], w["max"])
        deductions.append({"code": meta["code"], "points": points, "count": n})
        total += points
    value = None if vetoes else round(max(0.0, 100.0 - total), 1)
    if vetoes or (value is not None and value < weights["pass_mark"]):
        verdict = "不合格"
    elif veto_review:
        verdict = "待复核"   # a veto item could not be assessed: no clean pass
    else:
        verdict = "合格"
    return {"verdict": verdict, "score": value, "vetoes": vetoes, "escalated": escalated,
            "veto_review": veto_review, "deductions": deductions,
            "review_count": sum(1 for f in findings if f.outcome == Outcome.REVIEW),
            "source": weights.get("source")}
