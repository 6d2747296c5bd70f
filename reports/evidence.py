"""Evidence as an auditor reads it: labelled rows (from the one label table in
``reports.labels``), date arithmetic step by step for date rules, and for links the status,
the hops and the pages a broken link sits on."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from reports.common import fmt_time, num, safe_href, to_date
from reports.labels import key_label, source_citation, value_label

#: Saved pages sit next to the report (written by the CLI): a relative link, nothing else.
SNAPSHOT = re.compile(r"snapshots/[0-9a-f]{40}\.html")

#: keys shown in a monospace, break-anywhere style
MONO_KEYS = {"body_sha", "final_url", "redirects", "url", "fetched_at", "checked_at"}
#: keys shown elsewhere in the finding, not in its evidence table
HIDDEN_KEYS = {"snapshot"}
_PERCENT_KEYS = {"share", "max_failure_share"}
_TIME_KEYS = {"fetched_at", "checked_at", "probed_at", "at"}


def _scalar(value: Any, key: str | None) -> dict:
    """A scalar's node. The nodes of strings and numbers are remembered (a report's findings
    repeat the same sources, kinds, thresholds and pages thousands of times): the node returned
    is shared, and nothing changes a node once made."""
    if value.__class__ in _MEMO_TYPES:
        return _memo_scalar(value, key)
    return _make_scalar(value, key)


def forget() -> None:
    """Empty the memo of scalar nodes (after a report is written)."""
    _memo_scalar.cache_clear()


_MEMO_TYPES = {str, int, float, bool}


@lru_cache(maxsize=1 << 16, typed=True)      # typed: 1, 1.0 and True are three nodes
def _memo_scalar(value: Any, key: str | None) -> dict:
    return _make_scalar(value, key)


def _make_scalar(value: Any, key: str | None) -> dict:
    if key == "status" and isinstance(value, int) and not isinstance(value, bool):
        return {"kind": "scalar", "text": f"HTTP {value}"}
    if key in _PERCENT_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"kind": "scalar", "text": f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"}
    if key in _TIME_KEYS and isinstance(value, str):
        return {"kind": "scalar", "text": fmt_time(value), "mono": True}
    shown = value_label(key, value)
    href = safe_href(shown) if isinstance(shown, str) else None
    return {"kind": "scalar", "text": num(shown), "href": href, "mono": key in MONO_KEYS or bool(href)}


def _label_in(key: str, value: Any) -> str:
    """A key's label; ``source`` inside a check attempt names where the answer came from."""
    if key == "source" and value in ("fetch", "crawl", "cache"):
        return "结果来源"
    return key_label(key)


def node(value: Any, key: str | None = None) -> dict:
    """An evidence value as a tree the template renders recursively."""
    if value.__class__ in _MEMO_TYPES and key != "snapshot":      # the common case, first
        return _scalar(value, key)
    if key == "snapshot" and isinstance(value, str) and SNAPSHOT.fullmatch(value):
        return {"kind": "scalar", "text": "查看抓取时的页面原样", "href": value}
    if value.__class__ is dict or isinstance(value, Mapping):
        if not value:
            return {"kind": "empty", "text": "（无）"}
        return {"kind": "dict", "items": [
            {"key": str(k), "label": _label_in(str(k), v), "node": node(v, str(k))} for k, v in value.items()]}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if not items:
            return {"kind": "empty", "text": "（无）"}
        return {"kind": "list", "items": [node(v, key) for v in items]}
    if value is None:
        return {"kind": "empty", "text": "（空）"}
    return _scalar(value, key)


def rows(evidence: Any) -> list[dict]:
    """The evidence table: one labelled row per key (hidden keys left out)."""
    if not isinstance(evidence, Mapping):
        if evidence in (None, "", [], {}):
            return []
        return [{"key": "", "label": "证据", "node": node(evidence)}]
    return [{"key": str(k), "label": key_label(str(k)), "node": node(v, str(k))}
            for k, v in evidence.items() if str(k) not in HIDDEN_KEYS]


# -- step by step --------------------------------------------------------------------------------
def _cite(ev: Mapping, key: str) -> str:
    sid = ev.get(key)
    return f"（依据：{source_citation(sid) or sid}）" if isinstance(sid, str) and sid else ""


def _days(a: date, b: date) -> int:
    return (b - a).days


def _workday_steps(ev: Mapping, start_key: str, start_label: str, end_key: str, end_label: str) -> list[str]:
    start, end, deadline = to_date(ev.get(start_key)), to_date(ev.get(end_key)), to_date(ev.get("deadline"))
    limit = ev.get("limit_workdays")
    if not (start and deadline and isinstance(limit, int)):
        return []
    steps = [f"起算日：{start_label} {start.isoformat()}。",
             f"时限：{limit} 个工作日{_cite(ev, 'limit_source')}，按国务院办公厅公布的节假日安排扣除周末、法定节假日并计入调休上班日。",
             f"截止日期：{start_label}后第 {limit} 个工作日，即 {deadline.isoformat()}。"]
    if end:
        steps.append(f"{end_label}：{end.isoformat()}。")
        elapsed = ev.get("workdays_elapsed")
        if isinstance(elapsed, int):
            over = elapsed - limit
            verdict = (f"超出时限 {over} 个工作日（晚于截止日期 {_days(deadline, end)} 天）。" if over > 0
                       else "未超出时限。")
            steps.append(f"结论：自{start_label}至{end_label}共 {elapsed} 个工作日，{verdict}")
        elif end > deadline:
            steps.append(f"结论：{end_label}晚于截止日期 {_days(deadline, end)} 天。")
    return steps


def _annual_steps(ev: Mapping, as_of: date | None) -> list[str]:
    year, deadline = ev.get("year"), to_date(ev.get("deadline"))
    if not (year and deadline):
        return []
    body = ev.get("reporting_body")
    steps = [f"应公布：{year} 年度政府信息公开工作年度报告{'（报告主体：' + body + '）' if body else ''}。",
             f"截止日期：{deadline.isoformat()}{_cite(ev, 'source')}。"]
    pub = to_date(ev.get("pub_date"))
    if pub:
        late = _days(deadline, pub)
        steps.append(f"发布日期：{pub.isoformat()}。")
        steps.append(f"结论：晚于截止日期 {late} 天。" if late > 0 else "结论：在截止日期前发布。")
    else:
        found = ev.get("reports_found") or []
        seen = "、".join(str(y) for y in found) if found else "无"
        steps.append(f"年报栏目中找到的年度：{seen}；未找到 {year} 年度报告。")
        if as_of and as_of > deadline:
            steps.append(f"结论：截至基准日期 {as_of.isoformat()}，已超过截止日期 {_days(deadline, as_of)} 天。")
    return steps


def _freshness_steps(ev: Mapping, as_of: date | None) -> list[str]:
    start = to_date(ev.get("window_start"))
    if not start:
        return []
    window = ev.get("window") or (f"{ev['window_days']} 天" if ev.get("window_days") else "")
    steps = []
    if as_of:
        steps.append(f"基准日期：{as_of.isoformat()}。")
    steps.append(f"监测期：{window}，即自 {start.isoformat()} 起{_cite(ev, 'source')}。")
    newest = to_date(ev.get("newest_date"))
    if newest:
        steps.append(f"最新可识别信息日期：{newest.isoformat()}。")
        if newest < start:
            age = f"，距基准日期 {_days(newest, as_of)} 天" if as_of else ""
            steps.append(f"结论：最新信息早于监测期起始日 {_days(newest, start)} 天{age}，监测期内无更新。")
        else:
            steps.append("结论：监测期内有更新。")
    return steps


def _validity_steps(ev: Mapping, as_of: date | None) -> list[str]:
    until = to_date(ev.get("valid_until"))
    if not until:
        return []
    steps = [f"有效期表述：{ev.get('statement') or '—'}。", f"有效期至：{until.isoformat()}。"]
    if as_of:
        steps.append(f"基准日期：{as_of.isoformat()}。")
        if as_of > until:
            steps.append(f"结论：已过有效期 {_days(until, as_of)} 天，页面标注的有效性为“{ev.get('validity') or '—'}”。")
    return steps


def _availability_steps(ev: Mapping) -> list[str]:
    probes, failed, share, limit = ev.get("probes"), ev.get("failed"), ev.get("share"), ev.get("max_failure_share")
    if not isinstance(probes, int) or not isinstance(failed, int):
        return []
    steps = [f"监测期：{ev.get('window') or '—'}，应监测 {ev.get('required', '—')} 次，实际监测 {probes} 次。",
             f"无法访问 {failed} 次。"]
    if isinstance(share, (int, float)) and isinstance(limit, (int, float)) and probes:
        steps.append(f"无法访问比例：{failed} ÷ {probes} = {share * 100:.2f}%，"
                     f"{'达到或超过' if share >= limit else '低于'}单项否决比例 {limit * 100:g}%。")
    return steps


def _link_steps(ev: Mapping) -> list[str]:
    if "classification" not in ev and "hops" not in ev:
        return []
    steps = []
    if ev.get("error"):
        steps.append(f"请求结果：{value_label('error', ev['error'])}。")
    elif ev.get("status") is not None:
        steps.append(f"请求结果：HTTP {ev['status']}。")
    hops = ev.get("hops") or []
    if hops:
        chain = " → ".join(f"{h.get('url')}（{'HTTP ' + str(h['status']) if h.get('status') else '—'}）"
                           for h in hops if isinstance(h, Mapping))
        steps.append(f"跳转 {max(len(hops) - 1, 0)} 次：{chain}。")
    else:
        steps.append("没有跳转。")
    if ev.get("classification"):
        steps.append(f"判定：{value_label('classification', ev['classification'])}"
                     f"{'（' + ev['reason'] + '）' if ev.get('reason') else ''}。")
    if ev.get("confirmed"):
        steps.append(f"确认：{value_label('confirmed', ev['confirmed'])}。")
    on = [o for o in (ev.get("home_page") or []) + (ev.get("other_pages") or []) if isinstance(o, Mapping)]
    if on:
        steps.append(f"该链接出现在 {len({o.get('page') for o in on})} 个页面"
                     f"{'（含首页）' if ev.get('on_home_page') else ''}，见下表“首页出现位置”“其他页面出现位置”。")
    return steps


def steps(code: str, evidence: Any, as_of: str | None) -> list[str]:
    """How the finding was reached, one sentence per step (dates, links, availability)."""
    if not isinstance(evidence, Mapping):
        return []
    today = to_date(as_of)
    prefix = (code or "")[:2]
    if code == "TM002":
        return _annual_steps(evidence, today)
    if code == "IN002":
        return _workday_steps(evidence, "document_pub_date", "文件发布日期", "interpretation_pub_date", "解读发布日期")
    if "written_date" in evidence and "deadline" in evidence:
        return _workday_steps(evidence, "written_date", "成文日期", "pub_date", "发布日期")
    if prefix == "FR":
        return _freshness_steps(evidence, today)
    if code == "MD003":
        return _validity_steps(evidence, today)
    if prefix == "AV":
        return _availability_steps(evidence)
    if prefix == "LK":
        return _link_steps(evidence)
    return []
