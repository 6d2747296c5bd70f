"""FR003 empty-column: a column has no items, or only a 暂无信息 placeholder (国办秘函〔2019〕19号)."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import is_blocked, list_columns
from rules.registry import register


@register
class EmptyColumn(Rule):
    code = "FR003"
    requires = ("columns", "entries")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        for col in list_columns(site):
            url, name = col["url"], col["name"]
            n = sum(1 for e in site.entries if e["column_url"] == url)
            ev = {"entries": n, "placeholder": bool(col.get("placeholder")), "status": col.get("status"),
                  "note": col.get("note"), "source": ctx.thresholds["empty_column"]["source"]}
            if n:
                yield self.finding(Outcome.PASS, site, url, f"栏目有 {n} 条信息。", evidence=ev, column=name)
            elif is_blocked(col) or col.get("status") in ("error", "pending", "incomplete"):
                reason = "栏目页面被反爬虫机制拦截" if is_blocked(col) else f"栏目页面未能完整获取（{col.get('note') or col.get('status')}）"
                yield self.finding(Outcome.REVIEW, site, url, f"{reason}，无法判断栏目“{name}”是否为空，请人工核对。",
                                   evidence={**ev, "reason": reason}, column=name)
            elif col.get("placeholder"):
                yield self.finding(Outcome.FAIL, site, url, f"栏目“{name}”无任何信息，仅显示“暂无信息”类提示。",
                                   evidence=ev, column=name)
            elif col.get("status") == "uncertain":
                reason = "栏目页面未识别到列表（可能由脚本加载或版式未识别）"
                yield self.finding(Outcome.REVIEW, site, url, f"{reason}，无法判断栏目“{name}”是否为空，请人工核对。",
                                   evidence={**ev, "reason": reason}, column=name)
            else:
                yield self.finding(Outcome.FAIL, site, url, f"栏目“{name}”列表为空，无任何信息。", evidence=ev, column=name)
