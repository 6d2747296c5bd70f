"""Render audit result documents (docs/result-document.md) as self-contained HTML.

Input is only the JSON-able result document: no database, no network, no scrapy.
Output pages are single files: the CSS from ``templates/report.css`` is inlined, and
there is no JavaScript and no external resource of any kind.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from reports.coverage_view import coverage_view, errors_view, tree_view

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: Chinese labels for common evidence keys; unknown keys are shown as-is.
EVIDENCE_LABELS: dict[str, str] = {
    "written_date": "成文日期",
    "pub_date": "发布日期",
    "deadline": "截止日期",
    "workdays_elapsed": "已用工作日",
    "limit_workdays": "时限（工作日）",
    "fetched_at": "抓取时间",
    "body_sha": "页面快照哈希",
    "status": "HTTP状态",
    "final_url": "最终地址",
    "redirects": "跳转链",
    "pages": "出现页面",
    "anchor_text": "链接文字",
    "reason": "原因",
    "source": "数据来源",
    "calendar": "日历来源",
    "url": "地址",
    "title": "标题",
    "column": "栏目",
    "count": "数量",
    "date": "日期",
    "expected": "应为",
    "actual": "实际",
}

#: What an extraction ``*_source`` value means, for auditors.
SOURCE_LABELS = {"profile": "站点配置的选择器", "meta": "页面元数据标签", "table": "信息公开元数据表", "list": "栏目列表",
                 "api": "页面数据接口", "url": "网址中的日期", "text": "正文文字"}
_SUFFIX_LABELS = (("_raw", "（页面原文）"), ("_source", "（提取来源）"))
EVIDENCE_LABELS.update({"limit_source": "时限依据", "classification": "判定类型",
                        "home_pages": "首页出现位置", "other_pages": "其他页面出现位置"})


#: Saved pages sit next to the report (written by the CLI): a relative link, nothing else.
_SNAPSHOT = re.compile(r"snapshots/[0-9a-f]{40}\.html")
EVIDENCE_LABELS["snapshot"] = "页面快照"


def evidence_label(key: str) -> str:
    """Chinese label of an evidence key; ``x_raw`` / ``x_source`` derive from ``x``."""
    if key in EVIDENCE_LABELS:
        return EVIDENCE_LABELS[key]
    for suffix, label in _SUFFIX_LABELS:
        if key.endswith(suffix) and key[: -len(suffix)] in EVIDENCE_LABELS:
            return EVIDENCE_LABELS[key[: -len(suffix)]] + label
    return key


#: Evidence keys whose values are shown in a monospace, break-anywhere style.
_MONO_KEYS = {"body_sha", "final_url", "redirects", "url", "pages", "fetched_at"}

SEVERITY_ORDER = ("veto", "deduct", "advisory")
SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分项", "advisory": "提示项"}
OUTCOME_LABELS = {
    "fail": "不符合",
    "review": "待人工复核",
    "pass": "符合",
    "not_applicable": "不适用",
}
CHANGE_LABELS = {"new": "新发现", "persisting": "持续存在", "fixed": "已整改"}
VERDICT_CLASSES = {"合格": "pass", "不合格": "fail", "待复核": "review", "无法评定": "cannot"}
_VERDICT_RANK = {"不合格": 0, "无法评定": 1, "待复核": 2, "合格": 3}
CRAWL_LABELS = (
    ("pages", "抓取页面"),
    ("documents", "文件"),
    ("columns", "栏目"),
    ("blocked", "被拦截"),
    ("errors", "抓取错误"),
    ("duration_s", "耗时（秒）"),
)


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _css() -> Markup:
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    # The stylesheet is ours, but never let it close the <style> element early.
    return Markup(css.replace("</", "<\\/"))


def _num(value: Any) -> str:
    """72.0 -> "72", 72.5 -> "72.5", None -> "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _fmt_time(value: Any) -> str:
    """ISO timestamp -> "2026-11-22 10:00:00"; +08:00 is implied, other offsets are shown."""
    if not value:
        return "—"
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    out = moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() != 8 * 3600:
        total = int(offset.total_seconds() // 60)
        sign = "+" if total >= 0 else "-"
        out += f"（UTC{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}）"
    return out


def _safe_href(url: Any) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:, …) stays text."""
    if not isinstance(url, str) or not url.strip():
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def site_slug(url: str) -> str:
    """Filesystem-safe ASCII name for a site: host plus port, e.g. "127.0.0.1_8001".

    >>> site_slug("http://127.0.0.1:8001/")
    '127.0.0.1_8001'
    >>> site_slug("https://www.example.gov.cn/")
    'www.example.gov.cn'
    """
    text = (url or "").strip()
    parts = urlsplit(text if "://" in text else "//" + text)
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # leave as is; non-ASCII is replaced below
    pieces = [host]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        pieces.append(str(port))
    slug = "_".join(p for p in pieces if p)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", slug)
    slug = re.sub(r"_+", "_", slug).strip("._-")
    return slug[:120] or "site"


def _evidence_node(value: Any, key: str | None = None) -> dict:
    """Turn an evidence value into a tree the template renders recursively."""
    mono = key in _MONO_KEYS
    if key == "snapshot" and isinstance(value, str) and _SNAPSHOT.fullmatch(value):
        return {"kind": "scalar", "text": "查看抓取时的页面原样", "href": value}
    if isinstance(value, Mapping):
        if not value:
            return {"kind": "empty", "text": "（无）"}
        return {
            "kind": "dict",
            "items": [
                {
                    "key": str(k),
                    "label": evidence_label(str(k)),
                    "node": _evidence_node(v, str(k)),
                }
                for k, v in value.items()
            ],
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if not items:
            return {"kind": "empty", "text": "（无）"}
        return {"kind": "list", "items": [_evidence_node(v, key) for v in items]}
    if value is None:
        return {"kind": "empty", "text": "（空）"}
    if key.endswith("_source") and value in SOURCE_LABELS:
        value = SOURCE_LABELS[value]
    return {"kind": "scalar", "text": _num(value), "mono": mono}


def _evidence_rows(evidence: Any) -> list[dict]:
    if not isinstance(evidence, Mapping):
        if evidence in (None, "", [], {}):
            return []
        return [{"key": "", "label": "证据", "node": _evidence_node(evidence)}]
    return [
        {
            "key": str(k),
            "label": evidence_label(str(k)),
            "node": _evidence_node(v, str(k)),
        }
        for k, v in evidence.items()
    ]


def _rules_by_code(doc: Mapping) -> dict[str, Mapping]:
    rules: dict[str, Mapping] = {}
    for rule in doc.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("code"):
            rules.setdefault(str(rule["code"]), rule)
    return rules


def _finding_view(f: Mapping, rules: Mapping[str, Mapping], change: str | None = None) -> dict:
    code = str(f.get("code") or "")
    rule = rules.get(code, {})
    severity = str(f.get("severity") or rule.get("severity") or "advisory")
    change = change or f.get("change")
    return {
        "code": code,
        "name": f.get("name") or rule.get("name") or "",
        "outcome": f.get("outcome") or "",
        "outcome_label": OUTCOME_LABELS.get(f.get("outcome") or "", f.get("outcome") or ""),
        "severity": severity,
        "severity_label": SEVERITY_LABELS.get(severity, severity),
        "failure_title": rule.get("failure_title") or rule.get("title") or f.get("name") or code,
        "rule_title": rule.get("title") or "",
        "title": f.get("title") or "",
        "url": f.get("url") or "",
        "href": _safe_href(f.get("url")),
        "column": f.get("column") or "",
        "message": f.get("message") or "",
        "change": change or "",
        "change_label": CHANGE_LABELS.get(change or "", change or ""),
        "evidence": _evidence_rows(f.get("evidence")),
        "fingerprint": f.get("fingerprint") or "",
    }


def _severity_sort_key(severity: str) -> tuple[int, str]:
    try:
        return (SEVERITY_ORDER.index(severity), "")
    except ValueError:
        return (len(SEVERITY_ORDER), severity)


def _group_by_rule(views: list[dict], rules: Mapping[str, Mapping]) -> list[dict]:
    """Group finding views by rule code, rules in doc["rules"] order, then by code."""
    rule_order = {code: i for i, code in enumerate(rules)}
    groups: dict[str, dict] = {}
    for v in views:
        code = v["code"]
        if code not in groups:
            rule = rules.get(code, {})
            groups[code] = {
                "code": code,
                "title": rule.get("title") or v["failure_title"] or code,
                "failure_title": v["failure_title"],
                "source": rule.get("source") or "",
                "severity": v["severity"],
                "severity_label": v["severity_label"],
                "findings": [],
            }
        groups[code]["findings"].append(v)
    return sorted(
        groups.values(), key=lambda g: (rule_order.get(g["code"], len(rule_order)), g["code"])
    )


def _group_fails(views: list[dict], rules: Mapping[str, Mapping]) -> list[dict]:
    by_sev: dict[str, list[dict]] = {}
    for v in views:
        by_sev.setdefault(v["severity"], []).append(v)
    return [
        {
            "severity": sev,
            "label": SEVERITY_LABELS.get(sev, sev),
            "count": len(by_sev[sev]),
            "rules": _group_by_rule(by_sev[sev], rules),
        }
        for sev in sorted(by_sev, key=_severity_sort_key)
    ]


def _listed(doc: Mapping, outcome: str) -> list[Mapping]:
    return [
        f
        for f in doc.get("findings") or []
        if isinstance(f, Mapping) and f.get("outcome") == outcome
    ]


def _counts(doc: Mapping) -> dict[str, int]:
    counts = doc.get("counts") or {}
    out = {}
    for outcome in OUTCOME_LABELS:
        if outcome in counts and counts[outcome] is not None:
            out[outcome] = counts[outcome]
        else:
            out[outcome] = len(_listed(doc, outcome))
    return out


def _changes(doc: Mapping) -> dict[str, int]:
    listed = _listed(doc, "fail") + _listed(doc, "review")
    return {
        "new": sum(1 for f in listed if f.get("change") == "new"),
        "persisting": sum(1 for f in listed if f.get("change") == "persisting"),
        "fixed": len([f for f in doc.get("fixed") or [] if isinstance(f, Mapping)]),
    }


def _verdict(doc: Mapping) -> dict:
    score = doc.get("score") or {}
    verdict = score.get("verdict") or "—"
    vetoes = [str(c) for c in score.get("vetoes") or []]
    value = score.get("score")
    if vetoes or (value is None and verdict == "不合格"):
        score_text = "单项否决"
    else:
        score_text = _num(value)
    return {
        "verdict": verdict,
        "class": VERDICT_CLASSES.get(verdict, "unknown"),
        "score": value,
        "score_text": score_text,
        "vetoed": bool(vetoes),
        "vetoes": vetoes,
        "review_count": score.get("review_count"),
    }


def _site_context(doc: Mapping) -> dict:
    rules = _rules_by_code(doc)
    site = doc.get("site") or {}
    run = doc.get("run") or {}
    tool = doc.get("tool") or {}
    score = doc.get("score") or {}

    fails = [_finding_view(f, rules) for f in _listed(doc, "fail")]
    reviews = [_finding_view(f, rules) for f in _listed(doc, "review")]
    fixed = [
        _finding_view(f, rules, change="fixed")
        for f in doc.get("fixed") or []
        if isinstance(f, Mapping)
    ]

    deductions = []
    for d in score.get("deductions") or []:
        if not isinstance(d, Mapping):
            continue
        code = str(d.get("code") or "")
        rule = rules.get(code, {})
        deductions.append(
            {
                "code": code,
                "title": rule.get("title") or rule.get("failure_title") or "",
                "points": _num(d.get("points")),
                "count": d.get("count"),
            }
        )
    vetoes = [
        {"code": c, "title": (rules.get(c) or {}).get("title") or ""}
        for c in _verdict(doc)["vetoes"]
    ]

    crawl = doc.get("crawl") or {}
    crawl_rows = [
        {"key": key, "label": label, "value": _num(crawl[key])}
        for key, label in CRAWL_LABELS
        if key in crawl
    ]
    crawl_rows += [
        {"key": str(k), "label": str(k), "value": _num(v)}
        for k, v in crawl.items()
        if k not in dict(CRAWL_LABELS) and not isinstance(v, (Mapping, list))
    ]

    # Per-rule overview (appendix): all rules plus any code seen only in findings.
    per_rule: dict[str, dict] = {}
    for code, rule in rules.items():
        sev = str(rule.get("severity") or "")
        per_rule[code] = {
            "code": code,
            "title": rule.get("title") or "",
            "severity_label": SEVERITY_LABELS.get(sev, sev),
            "source": rule.get("source") or "",
            "n": {o: 0 for o in OUTCOME_LABELS},
        }
    has_pass_rows = False
    for f in doc.get("findings") or []:
        if not isinstance(f, Mapping):
            continue
        code = str(f.get("code") or "")
        if code not in per_rule:
            sev = str(f.get("severity") or "")
            per_rule[code] = {
                "code": code,
                "title": f.get("name") or "",
                "severity_label": SEVERITY_LABELS.get(sev, sev),
                "source": "",
                "n": {o: 0 for o in OUTCOME_LABELS},
            }
        outcome = f.get("outcome")
        if outcome in per_rule[code]["n"]:
            per_rule[code]["n"][outcome] += 1
            has_pass_rows = has_pass_rows or outcome in ("pass", "not_applicable")

    return {
        "css": _css(),
        "page_title": f"{site.get('name') or site.get('url') or '站点'} 检查报告",
        "site": {
            "name": site.get("name") or "",
            "url": site.get("url") or "",
            "href": _safe_href(site.get("url")),
            "family": site.get("family") or "",
        },
        "run": {
            "id": run.get("id"),
            "started": _fmt_time(run.get("started_at")),
            "finished": _fmt_time(run.get("finished_at")) if run.get("finished_at") else "",
            "command": run.get("command") or "",
            "previous_run_id": run.get("previous_run_id"),
        },
        "as_of": doc.get("as_of") or "—",
        "tool": {
            "name": tool.get("name") or "govaudit",
            "version": tool.get("version") or "",
            "ruleset": tool.get("ruleset") or "",
        },
        "verdict": _verdict(doc),
        "coverage": coverage_view(doc),
        "tree": tree_view(doc),
        "rule_errors": errors_view(doc),
        "deductions": deductions,
        "vetoes": vetoes,
        "counts": _counts(doc),
        "outcome_labels": OUTCOME_LABELS,
        "crawl": crawl_rows,
        "changes": _changes(doc),
        "fail_groups": _group_fails(fails, rules),
        "fail_count": len(fails),
        "review_groups": _group_by_rule(reviews, rules),
        "review_count": len(reviews),
        "fixed": fixed,
        "rule_rows": sorted(
            per_rule.values(),
            key=lambda r: (list(rules).index(r["code"]) if r["code"] in rules else len(rules), r["code"]),
        ),
        "show_pass_columns": has_pass_rows,
    }


# --------------------------------------------------------------------------- API


def render_site_report(doc: dict) -> str:
    """Full, self-contained HTML page for one result document."""
    return _env().get_template("site_report.html.j2").render(**_site_context(doc))


def write_site_report(doc: dict, out_dir: Path) -> Path:
    """Write ``<slug>.html`` and ``<slug>.json`` (the document itself) into *out_dir*.

    Returns the path of the HTML file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = site_slug((doc.get("site") or {}).get("url") or "")
    html_path = out_dir / f"{slug}.html"
    json_path = out_dir / f"{slug}.json"
    json_path.write_text(
        json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    html_path.write_text(render_site_report(doc), encoding="utf-8")
    return html_path


def _index_row(doc: Mapping) -> dict:
    site = doc.get("site") or {}
    run = doc.get("run") or {}
    counts = _counts(doc)
    changes = _changes(doc)
    verdict = _verdict(doc)
    return {
        "name": site.get("name") or "",
        "url": site.get("url") or "",
        "href": _safe_href(site.get("url")),
        "report": f"{site_slug(site.get('url') or '')}.html",
        "verdict": verdict,
        "fail": counts["fail"],
        "review": counts["review"],
        "new": changes["new"],
        "fixed": changes["fixed"],
        "started": _fmt_time(run.get("started_at")),
        "as_of": doc.get("as_of") or "—",
    }


def render_index(docs: list[dict]) -> str:
    """Fleet dashboard: one row per site, in the order given."""
    rows = [_index_row(d) for d in docs if isinstance(d, Mapping)]
    totals = {
        "sites": len(rows),
        "合格": sum(1 for r in rows if r["verdict"]["verdict"] == "合格"),
        "不合格": sum(1 for r in rows if r["verdict"]["verdict"] == "不合格"),
        "待复核": sum(1 for r in rows if r["verdict"]["verdict"] == "待复核"),
        "无法评定": sum(1 for r in rows if r["verdict"]["verdict"] == "无法评定"),
        "fail": sum(int(r["fail"] or 0) for r in rows),
        "review": sum(int(r["review"] or 0) for r in rows),
    }
    as_of = sorted({r["as_of"] for r in rows if r["as_of"] != "—"})
    versions = sorted(
        {
            f"{(d.get('tool') or {}).get('name') or 'govaudit'} {(d.get('tool') or {}).get('version') or ''}"
            f" / 规则集 {(d.get('tool') or {}).get('ruleset') or '—'}"
            for d in docs
            if isinstance(d, Mapping)
        }
    )
    return _env().get_template("index.html.j2").render(
        css=_css(),
        page_title="政府网站检查总览",
        rows=rows,
        totals=totals,
        as_of=as_of,
        versions=versions,
    )


def write_index(docs: list[dict], out_dir: Path) -> Path:
    """Write ``index.html`` into *out_dir* and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(render_index(docs), encoding="utf-8")
    return path


__all__ = [
    "EVIDENCE_LABELS",
    "render_index",
    "render_site_report",
    "site_slug",
    "write_index",
    "write_site_report",
]
