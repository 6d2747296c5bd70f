"""The coverage block, the verdict's reasons, the score's weights and the rule errors of a result
document, shaped for ``templates/_coverage.html.j2`` (Chinese labels, no raw identifiers)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KIND_LABELS = {"section": "专栏页", "category": "栏目分类页", "list": "列表栏目", "single": "单页栏目",
               "endpoint": "接口栏目", "other": "其他页面", "unknown": "未能识别的栏目"}
STATUS_LABELS = {"ok": "已读取", "missing": "未找到", "error": "读取出错", "blocked": "被拦截",
                 "pending": "未读取", "uncertain": "未能完全识别"}


def _pct(x: Any) -> str:
    return f"{x * 100:.0f}%" if isinstance(x, (int, float)) else "—"


def _block(b: Mapping) -> dict:
    cols, pages, docs = b.get("columns") or {}, b.get("list_pages") or {}, b.get("documents") or {}
    kinds = cols.get("by_kind") or {}
    return {
        "kinds": [{"label": KIND_LABELS.get(k, k), "n": n} for k, n in kinds.items() if n],
        "columns": f"{cols.get('read', 0)} / {cols.get('expected', 0)}"
                   + (f"（{_pct(cols.get('share'))}）" if cols.get("share") is not None else ""),
        "columns_partial": cols.get("partial") or 0,
        "columns_unread": cols.get("unread") or 0,
        "pages": (f"{pages.get('read')} / {pages.get('stated')}（{_pct(pages.get('share'))}）"
                  if pages.get("stated") is not None else
                  f"{pages.get('read') if pages.get('read') is not None else '—'}（分页器未说明总页数）"),
        "listed": docs.get("listed", 0), "fetched": docs.get("fetched", 0), "parsed": docs.get("parsed", 0),
        "doc_share": _pct(docs.get("share")) if docs.get("share") is not None else "—",
        "not_understood": [{"name": n.get("name") or n.get("url"), "url": n.get("url"), "reason": n.get("reason") or ""}
                           for n in b.get("not_understood") or []],
    }


def coverage_view(doc: Mapping) -> dict | None:
    cov = doc.get("coverage")
    if not isinstance(cov, Mapping):
        return None
    score = doc.get("score") or {}
    rules = {r.get("code"): r for r in doc.get("rules") or [] if isinstance(r, Mapping)}
    fetches = cov.get("fetches") or {}
    sections = [{"name": s.get("name") or "政府信息公开", "url": s.get("url"), "found": s.get("found"),
                 "status": STATUS_LABELS.get(s.get("status"), s.get("status") or "—"), **_block(s)}
                for s in cov.get("sections") or []]
    return {
        "assessable": score.get("assessable", True),
        "reasons": list(score.get("reasons") or []),
        "section_found": cov.get("section_found"),
        "site": _block(cov),
        "blocked": fetches.get("blocked", 0), "errors": fetches.get("errors", 0), "pages": fetches.get("total", 0),
        "sections": sections if cov.get("several_sections") else [],
        "inferred": not cov.get("column_tree"),
        "stored_copies": stored_copies_text(cov.get("stored_copies")),
        "confidence": [c for c in score.get("confidence") or [] if c.get("low")],
        "categories": [{"name": c.get("category"), "codes": "、".join(c.get("codes") or []),
                        "assessed": c.get("assessed"), "reviews": c.get("reviews")}
                       for c in score.get("confidence") or []],
        "label": score.get("label"),
        "pass_mark": score.get("pass_mark"),
        "weights": [{"code": w["code"], "title": (rules.get(w["code"]) or {}).get("title") or
                     ("其他扣分项（默认）" if w["code"] == "default" else ""),
                     "per_finding": w.get("per_finding"), "max": w.get("max")}
                    for w in score.get("weights") or []],
    }


def errors_view(doc: Mapping) -> list[dict]:
    rules = {r.get("code"): r for r in doc.get("rules") or [] if isinstance(r, Mapping)}
    return [{"code": e.get("code"), "title": (rules.get(e.get("code")) or {}).get("title") or "",
             "message": e.get("message") or ""} for e in doc.get("errors") or [] if isinstance(e, Mapping)]


def tree_view(doc: Mapping) -> list[dict]:
    """The column tree of a result document for ``templates/_tree.html.j2``: each page with its
    path, its kind and read state in Chinese, and why."""
    out = []
    for n in doc.get("tree") or []:
        path = [p for p in n.get("path") or [] if p]
        out.append({
            "url": n.get("url"), "name": " › ".join(path) if path else (n.get("name") or ""),
            "depth": len(path), "kind": KIND_LABELS.get(n.get("kind"), "未能识别的栏目"),
            "status": STATUS_LABELS.get(n.get("status"), "不在专栏内" if n.get("status") == "outside" else "—"),
            "entries": n.get("entries") or 0, "reason": n.get("reason") or "",
            "flag": n.get("kind") == "other" and n.get("status") != "outside",
        })
    return out


def stored_copies_text(block: Mapping | None) -> str | None:
    """One sentence for the auditor: how many documents were judged from a stored copy this run
    (not read again), and when those copies were read. None when every document was read."""
    if not isinstance(block, Mapping) or not (block.get("unread") or block.get("not_modified")):
        return None
    parts = []
    if block.get("unread"):
        parts.append(f"{block['unread']} 篇本次未请求（列表中标题、日期未变，尚未到复查周期）")
    if block.get("not_modified"):
        parts.append(f"{block['not_modified']} 篇经条件请求确认未变更（HTTP 304）")
    when = block.get("read_from")
    if when and block.get("read_to") and block["read_to"] != when:
        when = f"{when} 至 {block['read_to']}"
    return ("；".join(parts) + "。以上文件按此前保存的副本判定" + (f"，副本读取于 {when}" if when else "") + "。")
