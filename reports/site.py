"""The per-site report: one self-contained HTML page (inline CSS and script, no external
resource) rendered only from a result document (docs/result-document.md).

Order: verdict, score and coverage; the change summary; then 单项否决, 扣分项, 提示项, the review
queue, errors, 已整改, and the passes / not-applicable counts folded. Findings are cards; each
section shows ``PAGE_SIZE`` cards and keeps the rest in an inert ``<template>`` the inline
script pages through, filters and sorts (so 10,000 findings do not make a huge live DOM).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Iterable

from reports import evidence as ev
from markupsafe import Markup

from reports.common import css, env, fmt_time, forget_hrefs, num, safe_href, script
from reports.coverage_view import coverage_view, tree_view
from reports.labels import (CHANGE_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, VERDICT_CLASSES,
                            category_of, family_label, source_entry)

PAGE_SIZE = 50

CRAWL_LABELS = (
    ("pages", "抓取页面"),
    ("documents", "文件"),
    ("columns", "栏目"),
    ("blocked", "被拦截"),
    ("errors", "抓取错误"),
    ("duration_s", "耗时（秒）"),
)


def rules_by_code(doc: Mapping) -> dict[str, Mapping]:
    rules: dict[str, Mapping] = {}
    for rule in doc.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("code"):
            rules.setdefault(str(rule["code"]), rule)
    return rules


def listed(doc: Mapping, outcome: str) -> list[Mapping]:
    return [f for f in doc.get("findings") or [] if isinstance(f, Mapping) and f.get("outcome") == outcome]


def counts(doc: Mapping) -> dict[str, int]:
    given = doc.get("counts") or {}
    out = {}
    for outcome in OUTCOME_LABELS:
        if given.get(outcome) is not None:
            out[outcome] = given[outcome]
        else:
            out[outcome] = len(listed(doc, outcome))
    return out


def changes(doc: Mapping) -> dict[str, Any]:
    """新发现 / 持续存在 split by outcome (failures and reviews are never added up silently)."""
    out: dict[str, Any] = {}
    for change in ("new", "persisting"):
        n = {o: sum(1 for f in listed(doc, o) if f.get("change") == change) for o in ("fail", "review")}
        out[change] = {"fail": n["fail"], "review": n["review"]}
    out["fixed"] = len([f for f in doc.get("fixed") or [] if isinstance(f, Mapping)])
    return out


def verdict(doc: Mapping) -> dict:
    score = doc.get("score") or {}
    value = score.get("verdict") or "—"
    vetoes = [str(c) for c in score.get("vetoes") or []]
    points = score.get("score")
    if vetoes or (points is None and value == "不合格"):
        score_text = "单项否决"
    else:
        score_text = num(points)
    return {"verdict": value, "class": VERDICT_CLASSES.get(value, "unknown"), "score": points,
            "score_text": score_text, "vetoed": bool(vetoes), "vetoes": vetoes,
            "review_count": score.get("review_count"), "reason": score.get("reason") or "",
            "not_assessed": [str(r) for r in score.get("not_assessed") or []]}


def _rule_view(code: str, rule: Mapping) -> dict:
    src = source_entry(rule.get("source_id"))
    sev = str(rule.get("severity") or "")
    return {
        "code": code,
        "title": rule.get("title") or "",
        "failure_title": rule.get("failure_title") or rule.get("title") or code,
        "severity_label": SEVERITY_LABELS.get(sev, sev),
        "category": category_of(code),
        "source": rule.get("source") or (f"{src['title']}{src.get('clause', '')}" if src else ""),
        "clause_text": (src or {}).get("text") or "",
        "source_href": safe_href((src or {}).get("url")),
        "rationale": rule.get("rationale") or "",
        "how_to_fix": rule.get("how_to_fix") or "",
    }


def finding_view(f: Mapping, rules: Mapping[str, Mapping], as_of: str | None, change: str | None = None,
                 rule_views: dict | None = None) -> dict:
    """``rule_views``: a dict to keep each rule's :func:`_rule_view` in (one report's findings)."""
    code = str(f.get("code") or "")
    rule = rules.get(code, {})
    if rule_views is None:
        notes = _rule_view(code, rule)
    else:
        notes = rule_views.get(code)
        if notes is None:
            notes = rule_views[code] = _rule_view(code, rule)
    severity = str(f.get("severity") or rule.get("severity") or "advisory")
    change = change or f.get("change") or ""
    outcome = f.get("outcome") or ""
    evidence = f.get("evidence") if isinstance(f.get("evidence"), Mapping) else {}
    path = f.get("column_path") if isinstance(f.get("column_path"), list) else None
    column = f.get("column") or ""
    snapshot = evidence.get("snapshot") if isinstance(evidence.get("snapshot"), str) else None
    if snapshot and not ev.SNAPSHOT.fullmatch(snapshot):
        snapshot = None
    first_seen, age, fixed_on = f.get("first_seen") or "", f.get("age_days"), f.get("fixed_on") or ""
    status_text = CHANGE_LABELS.get(change, "—")
    if first_seen:
        status_text += f"，首次发现于 {first_seen}"
        if age is not None:
            status_text += f"（{'整改前存在' if change == 'fixed' else '已存在'} {age} 天）"
    if fixed_on:
        status_text += f"，{fixed_on} 检查已符合"
    fetched = evidence.get("fetched_at") or evidence.get("checked_at")
    return {
        "code": code,
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS.get(outcome, "其他"),
        "severity": severity,
        "severity_label": SEVERITY_LABELS.get(severity, "提示项"),
        "category": category_of(code),
        "failure_title": rule.get("failure_title") or rule.get("title") or code,
        "source": rule.get("source") or "",
        "clause_text": notes["clause_text"],
        "rationale": notes["rationale"],
        "how_to_fix": notes["how_to_fix"],
        "title": f.get("title") or "",
        "url": f.get("url") or "",
        "href": safe_href(f.get("url")),
        "column": column,
        "column_path": " › ".join(path) if path else column,
        "message": f.get("message") or "",
        "change": change,
        "change_label": CHANGE_LABELS.get(change, "—"),
        "first_seen": first_seen,
        "status_text": status_text,
        "steps": ev.steps(code, evidence, as_of),
        "evidence": ev.rows(evidence),
        "snapshot": snapshot,
        "banner": f"抓取于 {fmt_time(fetched)}" if fetched else ("抓取于（时间未记录）" if snapshot else ""),
    }


def _sort_key(v: dict, order: Mapping[str, int]) -> tuple:
    return (order.get(v["code"], len(order)), v["code"], v["column_path"], v["url"])


class _Strings:
    """Interned strings of a payload (labels, rule titles, columns repeat thousands of times)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def __call__(self, text: Any) -> int:
        if text.__class__ is str:
            found = self.index.get(text)
            if found is not None:
                return found
        text = "" if text is None else str(text)
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]


def _node(n: dict, s: _Strings) -> Any:
    """An evidence node (reports.evidence.node) in the payload's compact form, read by report.js:
    int = text; ["a", text, href(, 1 = monospace)]; ["m", text] monospace; ["e", text] muted; ["d", [[label, node]…]];
    ["l", [node…]]."""
    kind = n["kind"]
    if kind == "dict":
        return ["d", [[s(i["label"]), _node(i["node"], s)] for i in n["items"]]]
    if kind == "list":
        return ["l", [_node(c, s) for c in n["items"]]]
    if kind == "empty":
        return ["e", s(n["text"])]
    if n.get("href"):
        return ["a", s(n["text"]), s(n["href"])] + ([1] if n.get("mono") else [])
    return ["m", s(n["text"])] if n.get("mono") else s(n["text"])


def _card(v: dict, i: int, s: _Strings) -> list:
    """One finding card for report.js (the same content as the ``finding_card`` macro)."""
    return [i, s(f"finding sev-{v['severity']} outcome-{v['outcome']} st-{v['change'] or 'none'}"),
            s(v["code"]), s(v["category"]), s(v["column_path"] or "—"), s(v["outcome_label"]), s(v["change_label"]),
            s(v["first_seen"]), s(v["failure_title"]), s(v["outcome"]), s(v["change"]), s(v["message"]), s(v["title"]),
            s(v["url"]), 1 if v["href"] else 0, s(v["snapshot"] or ""), s(v["banner"]), s(v["status_text"]),
            [s(x) for x in v["steps"]], [[s(r["label"]), _node(r["node"], s)] for r in v["evidence"]], s(v["source"] or "—"),
            s(v["clause_text"]), s(v["rationale"]), s(v["how_to_fix"])]


def _light(f: Mapping, rules: Mapping[str, Mapping], change: str | None) -> dict:
    """What the report orders, splits and filters a finding by — the same values
    :func:`finding_view` gives — without its evidence and text (the full view is made only when
    the finding's card is written: at 10^5 documents one site had 38,962 findings)."""
    code = str(f.get("code") or "")
    rule = rules.get(code, {})
    path = f.get("column_path") if isinstance(f.get("column_path"), list) else None
    column = f.get("column") or ""
    return {"f": f, "change_arg": change, "code": code,
            "severity": str(f.get("severity") or rule.get("severity") or "advisory"),
            "column_path": " › ".join(path) if path else column, "url": f.get("url") or "",
            "category": category_of(code), "outcome_label": OUTCOME_LABELS.get(f.get("outcome") or "", "其他"),
            "change_label": CHANGE_LABELS.get(change or f.get("change") or "", "—")}


def _safe(text: str) -> Markup:
    """JSON text made safe inside ``<script type="application/json">`` (character by character,
    so pieces made safe one by one join to the whole made safe)."""
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class Payload:
    """The cards after the first page as JSON, safe inside ``<script type="application/json">``,
    in pieces the page template writes one after the other (``{% for %}``), made when the
    template reaches them: ``{"s": [strings…], "c": [cards…]}`` in JSON, each
    card serialised as soon as it is made (its view let go) and kept as its compact JSON text
    until the strings table, which comes first, is complete. The text as one string (with its
    escaped copies) and every card as nested lists were the report's peak at 10^5 documents
    (a section of 38,000 findings). Iterable once."""

    CHUNK = 1 << 16      # characters a piece, about

    def __init__(self, views: Iterable[dict], start: int):
        self.views, self.start = views, start

    def __iter__(self):
        s = _Strings()
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        cards = [dumps(_card(v, self.start + i, s)) for i, v in enumerate(self.views)]
        self.views = ()
        buf: list[str] = ['{"s":[']
        size = 0
        for i, text in enumerate(s.items):
            piece = dumps(text)
            buf.append("," + piece if i else piece)
            size += len(piece)
            if size >= self.CHUNK:
                yield _safe("".join(buf))
                buf, size = [], 0
        buf.append('],"c":[')
        for i, card in enumerate(cards):
            buf.append("," + card if i else card)
            size += len(card)
            if size >= self.CHUNK:
                yield _safe("".join(buf))
                buf, size = [], 0
            cards[i] = None
        buf.append("]}")
        yield _safe("".join(buf))


def _section_of(key: str, title: str, note: str, views: list[dict], empty: str, make=None) -> dict:
    """``views``: full finding views, or :func:`_light` items with ``make`` turning one into its
    full view (made one at a time for the cards past the first page, then let go)."""
    make = make or (lambda v: v)
    more = views[PAGE_SIZE:]
    return {"key": key, "title": title, "note": note, "count": len(views), "empty": empty,
            "views": views, "live": [make(v) for v in views[:PAGE_SIZE]], "more": len(more),
            "payload": Payload((make(v) for v in more), PAGE_SIZE) if more else None}


def context(doc: Mapping) -> dict:
    rules = rules_by_code(doc)
    order = {code: i for i, code in enumerate(rules)}
    as_of = doc.get("as_of")
    site = doc.get("site") or {}
    run = doc.get("run") or {}
    tool = doc.get("tool") or {}
    score = doc.get("score") or {}

    def views(items: list[Mapping], change: str | None = None) -> list[dict]:
        return sorted((_light(f, rules, change) for f in items), key=lambda v: _sort_key(v, order))

    rule_views: dict[str, dict] = {}

    def make(light: dict) -> dict:
        return finding_view(light["f"], rules, as_of, light["change_arg"], rule_views)

    def _section(*a):         # every section's cards are made from the light items
        return _section_of(*a, make=make)

    fails = views(listed(doc, "fail"))
    by_sev = {s: [v for v in fails if v["severity"] == s] for s in SEVERITY_ORDER}
    other = [v for v in fails if v["severity"] not in SEVERITY_ORDER]
    by_sev["advisory"] += other
    fixed = views([f for f in doc.get("fixed") or [] if isinstance(f, Mapping)], "fixed")
    sections = [
        _section("veto", "单项否决", "以下问题任一成立即判定网站不合格。", by_sev["veto"], "无单项否决问题。"),
        _section("deduct", "扣分项", "以下问题按数量扣分。", by_sev["deduct"], "无扣分问题。"),
        _section("advisory", "提示项", "以下问题不扣分，建议整改。", by_sev["advisory"], "无提示问题。"),
        _section("review", "待人工复核", "以下事项无法自动判定，请人工核实；每项列出需要复核的原因。",
                 views(listed(doc, "review")), "无待人工复核事项。"),
    ]
    errors = views(listed(doc, "error") + [f for f in doc.get("errors") or [] if isinstance(f, Mapping)])
    if errors:
        sections.append(_section("error", "规则执行错误", "以下规则执行时出错，相应检查项未能检查，既不计为符合也不计为不符合。", errors, ""))
    sections.append(_section(
        "fixed", "已整改", "以下问题在上次检查中存在，本次检查已符合要求。", fixed,
        "首次检查，暂无整改记录。" if run.get("previous_run_id") is None else "本次无已整改问题。"))

    deductions = []
    for d in score.get("deductions") or []:
        if isinstance(d, Mapping):
            code = str(d.get("code") or "")
            rule = rules.get(code, {})
            deductions.append({"code": code, "title": rule.get("failure_title") or rule.get("title") or "",
                               "points": num(d.get("points")), "count": d.get("count")})
    vetoes = [{"code": c, "title": (rules.get(c) or {}).get("failure_title") or (rules.get(c) or {}).get("title") or ""}
              for c in verdict(doc)["vetoes"]]

    crawl = doc.get("crawl") or {}
    crawl_rows = [{"label": label, "value": num(crawl[key])} for key, label in CRAWL_LABELS if key in crawl]

    # per rule: outcome counts (passes and not-applicable are counted, not listed)
    per_rule: dict[str, dict] = {code: {**_rule_view(code, r), "n": {o: 0 for o in OUTCOME_LABELS}}
                                 for code, r in rules.items()}
    given = doc.get("rule_counts") if isinstance(doc.get("rule_counts"), Mapping) else None
    for f in doc.get("findings") or []:
        if isinstance(f, Mapping):
            code = str(f.get("code") or "")
            per_rule.setdefault(code, {**_rule_view(code, {}), "n": {o: 0 for o in OUTCOME_LABELS}})
            if f.get("outcome") in OUTCOME_LABELS:
                per_rule[code]["n"][f["outcome"]] += 1
    if given:
        for code, n in given.items():
            if code in per_rule and isinstance(n, Mapping):
                per_rule[code]["n"].update({o: n[o] for o in OUTCOME_LABELS if o in n})

    all_views = [v for s in sections for v in s["views"]]
    facets = {
        "rule": sorted({v["code"] for v in all_views}, key=lambda c: (order.get(c, len(order)), c)),
        "category": sorted({v["category"] for v in all_views}),
        "column": sorted({v["column_path"] or "—" for v in all_views}),
        "outcome": [OUTCOME_LABELS[o] for o in OUTCOME_LABELS if any(v["outcome_label"] == OUTCOME_LABELS[o] for v in all_views)],
        "status": [CHANGE_LABELS[c] for c in CHANGE_LABELS if any(v["change_label"] == CHANGE_LABELS[c] for v in all_views)],
    }
    rule_titles = {code: per_rule[code]["failure_title"] for code in per_rule}
    return {
        "css": css(),
        "js": script("report.js"),
        "page_title": f"{site.get('name') or site.get('url') or '站点'} 检查报告",
        "site": {"name": site.get("name") or "", "url": site.get("url") or "", "href": safe_href(site.get("url")),
                 "family": family_label(site.get("family"))},
        "run": {"id": run.get("id"), "started": fmt_time(run.get("started_at")),
                "finished": fmt_time(run.get("finished_at")) if run.get("finished_at") else "",
                "previous_run_id": run.get("previous_run_id")},
        "as_of": as_of or "—",
        "tool": {"name": tool.get("name") or "govaudit", "version": tool.get("version") or "",
                 "ruleset": tool.get("ruleset") or ""},
        "verdict": verdict(doc),
        "coverage": coverage_view(doc),
        "tree": tree_view(doc),
        "deductions": deductions,
        "vetoes": vetoes,
        "counts": counts(doc),
        "outcome_labels": OUTCOME_LABELS,
        "crawl": crawl_rows,
        "changes": changes(doc),
        "sections": sections,
        "total_listed": len(all_views),
        "page_size": PAGE_SIZE,
        "facets": facets,
        "rule_titles": rule_titles,
        "rule_rows": sorted(per_rule.values(), key=lambda r: (order.get(r["code"], len(order)), r["code"])),
        "explained": [per_rule[c] for c in facets["rule"] if c in per_rule],
    }


def render_site_report(doc: Mapping) -> str:
    """Full, self-contained HTML page for one result document."""
    try:
        return env().get_template("site_report.html.j2").render(**context(doc))
    finally:
        forget()


def stream_site_report(doc: Mapping, fh) -> None:
    """:func:`render_site_report` written to the text file ``fh`` as Jinja produces it, without
    holding the whole page (50 MB for a site of 17,000 findings at 10^5 documents) as one string."""
    try:
        for chunk in env().get_template("site_report.html.j2").generate(**context(doc)):
            fh.write(chunk)
    finally:
        forget()


def forget() -> None:
    """Let go of what one report remembered to make its cards faster (the evidence nodes and
    links of its findings), so that it is not held while the next site is audited."""
    ev.forget()
    forget_hrefs()


