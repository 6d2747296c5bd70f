"""The fleet index (``index.html``) over every site of a run: a 通报-style summary paragraph,
the ranking table (verdict, score, counts by category, coverage, score trend as inline SVG,
link to each report), grouping by region or level (``site.group`` in the result document,
when the sites file gives it), and per-rule counts across sites."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from reports.common import css, env, fmt_time, num, safe_href, script, site_slug
from reports.labels import CATEGORY_LABELS, OUTCOME_LABELS, category_of
from reports.site import changes, counts, rules_by_code, verdict

GROUP_KEYS = (("region", "地区"), ("level", "层级"))
TREND_W, TREND_H = 120, 32


def group_of(doc: Mapping) -> dict[str, str]:
    """``{"region": …, "level": …}`` from ``site.group`` (or a top-level ``group``)."""
    site = doc.get("site") or {}
    g = site.get("group") if isinstance(site.get("group"), Mapping) else doc.get("group")
    if not isinstance(g, Mapping):
        return {}
    return {k: str(g[k]) for k, _ in GROUP_KEYS if g.get(k)}


def coverage_text(cov: Any) -> str:
    """A short line about coverage for the ranking table (the report shows it in full)."""
    if not isinstance(cov, Mapping) or not cov:
        return "—"
    if cov.get("section_found") is False:
        return "未找到信息公开专栏"
    cols, docs = cov.get("columns"), cov.get("documents")
    if isinstance(cols, Mapping) and isinstance(docs, Mapping) and cols.get("expected") is not None:
        return (f"栏目 {cols.get('read', 0)}/{cols.get('expected', 0)}，"
                f"文件 {docs.get('parsed', 0)}/{docs.get('listed', 0)}")
    for key in ("summary", "text", "label"):
        if isinstance(cov.get(key), str) and cov[key]:
            return cov[key]
    for key in ("share", "ratio", "fraction"):
        if isinstance(cov.get(key), (int, float)) and not isinstance(cov.get(key), bool):
            return f"{cov[key] * 100:.0f}%"
    return "见站点报告"


def trend_svg(history: Any) -> dict | None:
    """Points of the score trend (0–100; a veto is drawn at 0 in red)."""
    if not isinstance(history, list):
        return None
    pts = [h for h in history if isinstance(h, Mapping)]
    if not pts:
        return None
    n = len(pts)
    step = (TREND_W - 8) / max(n - 1, 1)
    points, dots, words = [], [], []
    for i, h in enumerate(pts):
        score = h.get("score")
        value = float(score) if isinstance(score, (int, float)) else 0.0
        x = 4 + i * step
        y = 4 + (TREND_H - 8) * (1 - max(0.0, min(100.0, value)) / 100)
        points.append(f"{x:.1f},{y:.1f}")
        vetoed = score is None and h.get("verdict") == "不合格"
        dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "bad": vetoed or h.get("verdict") == "不合格"})
        words.append(f"{h.get('date') or '—'} {('单项否决' if vetoed else num(score))}")
    return {"w": TREND_W, "h": TREND_H, "points": " ".join(points), "dots": dots,
            "label": "得分变化：" + "；".join(words)}


def _row(doc: Mapping) -> dict:
    site = doc.get("site") or {}
    run = doc.get("run") or {}
    c = counts(doc)
    ch = changes(doc)
    v = verdict(doc)
    by_cat = Counter(category_of(str(f.get("code") or "")) for f in doc.get("findings") or []
                     if isinstance(f, Mapping) and f.get("outcome") == "fail")
    group = group_of(doc)
    score = v["score"] if isinstance(v["score"], (int, float)) and not v["vetoed"] else None
    return {
        "name": site.get("name") or site.get("url") or "未命名站点",
        "url": site.get("url") or "",
        "href": safe_href(site.get("url")),
        "report": f"{site_slug(site.get('url') or '')}.html",
        "verdict": v,
        "score_sort": -score if score is not None else 1000,
        "fail": c["fail"], "review": c["review"], "error": c.get("error", 0),
        "new": ch["new"], "fixed": ch["fixed"],
        "by_category": by_cat,
        "coverage": coverage_text(doc.get("coverage")),
        "group": group,
        "trend": trend_svg(doc.get("history")),
        "started": fmt_time(run.get("started_at")),
        "as_of": doc.get("as_of") or "—",
    }


def _rank_key(r: dict) -> tuple:
    order = {"合格": 0, "待复核": 1, "不合格": 2, "无法评定": 3}
    return (order.get(r["verdict"]["verdict"], 4), r["score_sort"], r["name"])


def _rule_counts(docs: list[Mapping]) -> list[dict]:
    rules: dict[str, Mapping] = {}
    for d in docs:
        for code, rule in rules_by_code(d).items():
            rules.setdefault(code, rule)
    out: dict[str, dict] = {}
    for d in docs:
        for f in d.get("findings") or []:
            if not isinstance(f, Mapping) or f.get("outcome") not in ("fail", "review"):
                continue
            code = str(f.get("code") or "")
            rule = rules.get(code, {})
            r = out.setdefault(code, {"code": code, "title": rule.get("failure_title") or rule.get("title") or code,
                                      "category": category_of(code), "fail": 0, "review": 0, "sites": set()})
            r[f["outcome"]] += 1
            if f["outcome"] == "fail":
                r["sites"].add((d.get("site") or {}).get("url"))
    rows = [{**r, "sites": len(r["sites"])} for r in out.values()]
    return sorted(rows, key=lambda r: (-r["sites"], -r["fail"], -r["review"], r["code"]))


def _groups(rows: list[dict]) -> list[dict]:
    out = []
    for key, label in GROUP_KEYS:
        values = sorted({r["group"][key] for r in rows if key in r["group"]})
        if not values:
            continue
        lines = []
        for value in values:
            members = [r for r in rows if r["group"].get(key) == value]
            scores = [-r["score_sort"] for r in members if r["score_sort"] != 1000]
            lines.append({"value": value, "sites": len(members),
                          "failed": sum(1 for r in members if r["verdict"]["verdict"] == "不合格"),
                          "mean": num(round(sum(scores) / len(scores), 1)) if scores else "—"})
        out.append({"key": key, "label": label, "values": values, "lines": lines})
    return out


def summary_paragraph(rows: list[dict], rule_rows: list[dict], changes_total: dict) -> str:
    """A 通报-style paragraph an office can paste into its circular."""
    if not rows:
        return "本次未检查任何网站。"
    n = Counter(r["verdict"]["verdict"] for r in rows)
    parts = [f"本次共检查政府网站 {len(rows)} 个，其中合格 {n.get('合格', 0)} 个、不合格 {n.get('不合格', 0)} 个"]
    if n.get("待复核"):
        parts.append(f"、待人工复核 {n['待复核']} 个")
    if n.get("无法评定"):
        parts.append(f"、无法评定 {n['无法评定']} 个")
    text = "".join(parts) + "。"
    names = Counter(r["name"] for r in rows)
    failed = [r["name"] if names[r["name"]] == 1 else f"{r['name']}（{r['url']}）"
              for r in rows if r["verdict"]["verdict"] == "不合格"]
    if failed:
        text += "不合格网站为：" + "、".join(failed) + "。"
    fails = sum(r["fail"] for r in rows)
    reviews = sum(r["review"] for r in rows)
    text += f"共发现不符合项 {fails} 处、待人工复核事项 {reviews} 处"
    text += (f"；与上次检查相比，新发现不符合项 {changes_total['new_fail']} 处、已整改 {changes_total['fixed']} 处。"
             if changes_total["compared"] else "。")
    top = [r for r in rule_rows if r["fail"]][:3]
    if top:
        text += "问题较多的是：" + "；".join(f"{r['title']}（涉及 {r['sites']} 个网站，共 {r['fail']} 处）" for r in top) + "。"
    return text


def context(docs: list[Mapping]) -> dict:
    docs = [d for d in docs if isinstance(d, Mapping)]
    rows = sorted((_row(d) for d in docs), key=_rank_key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    rule_rows = _rule_counts(docs)
    compared = any((d.get("run") or {}).get("previous_run_id") is not None for d in docs)
    changes_total = {"compared": compared, "new_fail": sum(r["new"]["fail"] for r in rows),
                     "fixed": sum(r["fixed"] for r in rows)}
    totals = Counter(r["verdict"]["verdict"] for r in rows)
    categories = [c for c in CATEGORY_LABELS.values() if any(r["by_category"].get(c) for r in rows)]
    versions = sorted({f"{(d.get('tool') or {}).get('name') or 'govaudit'} {(d.get('tool') or {}).get('version') or ''}"
                       f" / 规则集 {(d.get('tool') or {}).get('ruleset') or '—'}" for d in docs})
    return {
        "css": css(), "js": script("report.js"), "page_title": "政府网站检查总览",
        "rows": rows, "totals": {"sites": len(rows), **{k: totals.get(k, 0) for k in ("合格", "不合格", "待复核", "无法评定")},
                                 "fail": sum(r["fail"] for r in rows), "review": sum(r["review"] for r in rows)},
        "as_of": sorted({r["as_of"] for r in rows if r["as_of"] != "—"}),
        "versions": versions, "categories": categories, "groups": _groups(rows), "rule_rows": rule_rows,
        "summary": summary_paragraph(rows, rule_rows, changes_total),
        "verdicts": [v for v in ("合格", "待复核", "不合格", "无法评定") if totals.get(v)],
        "outcome_labels": OUTCOME_LABELS,
    }


def render_index(docs: list[Mapping]) -> str:
    """Fleet index over every site of a run."""
    return env().get_template("index.html.j2").render(**context(list(docs)))
