"""DI001 missing-disclosure-section: the 公开 section lacks 指南, 制度, 法定主动公开内容 or 年报."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import SectionScope, disclosure_sections, is_blocked
from rules.registry import register


@register
class MissingDisclosureSection(Rule):
    code = "DI001"
    requires = ("columns",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        for scope in disclosure_sections(site):
            yield from self.check_section(site, ctx, scope)

    def check_section(self, site: SiteArtifacts, ctx: Context, scope: SectionScope) -> Iterable[Finding]:
        """One section (a site's, or one organ's on a multi-organ hub)."""
        cfg = ctx.thresholds["disclosure_sections"]
        section, columns, where, who = scope.section, scope.columns, scope.target, scope.prefix
        page = section["url"] if section else site.site
        if section is None or section.get("status") == "missing" or is_blocked(section) \
                or section.get("status") not in ("ok", None):
            reason = ("未记录政府信息公开专栏" if section is None else
                      "首页未找到“政府信息公开”入口" if section.get("status") == "missing" else
                      "政府信息公开专栏页面被反爬虫机制拦截" if is_blocked(section) else
                      f"政府信息公开专栏页面未能获取（{section.get('note') or section.get('status')}）")
            yield self.finding(Outcome.REVIEW, site, message=f"{who}{reason}，无法核对专栏栏目设置，请人工核对。",
                               evidence={"reason": reason, "source": cfg["source"], "page": page}, **where)
            return
        present = {c["role"] for c in columns} | ({"statutory"} if any(c.get("role") == "column" for c in columns) else set())
        missing = [name for role, name in cfg["required"].items() if role not in present]
        ev = {"missing": missing, "present": sorted(present & set(cfg["required"])), "source": cfg["source"], "page": page}
        if missing:
            yield self.finding(Outcome.FAIL, site, message=f"{who}政府信息公开专栏缺少“{'”“'.join(missing)}”栏目。",
                               evidence=ev, **where)
        else:
            yield self.finding(Outcome.PASS, site, message=f"{who}指南、制度、法定主动公开内容、年报栏目齐全。",
                               evidence=ev, **where)
