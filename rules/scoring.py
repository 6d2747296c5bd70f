"""Site verdict and score in the style of 国办秘函〔2019〕19号 (weights in data/scoring.toml)."""
from __future__ import annotations

from typing import Iterable

from rules.base import Finding, Outcome, Severity


def score(findings: Iterable[Finding], rules_meta: list[dict], weights: dict) -> dict:
    findings = list(findings)
    vetoes = sorted({f.code for f in findings if f.outcome == Outcome.FAIL and f.severity == Severity.VETO})
    veto_review = any(f.outcome == Outcome.REVIEW and f.severity == Severity.VETO for f in findings)
    deductions, total = [], 0.0
    for meta in rules_meta:
        if meta["severity"] != Severity.DEDUCT:
            continue
        n = sum(1 for f in findings if f.code == meta["code"] and f.outcome == Outcome.FAIL)
        if not n:
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
    return {"verdict": verdict, "score": value, "vetoes": vetoes, "deductions": deductions,
            "review_count": sum(1 for f in findings if f.outcome == Outcome.REVIEW),
            "source": weights.get("source")}
