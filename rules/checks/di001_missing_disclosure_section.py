"""DI001 missing-disclosure-section: the 公开 section lacks 指南, 制度, 法定主动公开内容 or 年报."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import columns_by_role, is_blocked, list_columns
from rules.registry import register


@register
class MissingDisclosureSection(Rule):
    code = "DI001"
    name = "missing-disclosure-section"
    title = "政府信息公开专栏栏目设置完整"
    failure_title = "政府信息公开专栏缺少指南、制度、法定主动公开内容或年报栏目"
    severity = Severity.DEDUCT
    source = "国办公开办函〔2019〕61号《关于规范政府信息公开平台有关事项的通知》"
    source_id = "pt61"
    rationale = ("政府信息公开平台应统一设置“政府信息公开指南”“政府信息公开制度”“法定主动公开内容”"
                 "“政府信息公开年报”栏目，方便公众按统一结构查找。")
    how_to_fix = "在政府信息公开专栏中补设缺少的栏目，并使用规范的栏目名称。"
    requires = ("columns",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["disclosure_sections"]
        sections = [c for c in columns_by_role(site, "section") if not c.get("parent")]
        section = sections[0] if sections else None
        # a site-level finding: its URL is the site (stable), the section page is in the evidence
        url = section["url"] if section else site.site
        if section is None or section.get("status") == "missing" or is_blocked(section) \
                or section.get("status") not in ("ok", None):
            reason = ("未记录政府信息公开专栏" if section is None else
                      "首页未找到“政府信息公开”入口" if section.get("status") == "missing" else
                      "政府信息公开专栏页面被反爬虫机制拦截" if is_blocked(section) else
                      f"政府信息公开专栏页面未能获取（{section.get('note') or section.get('status')}）")
            yield self.finding(Outcome.REVIEW, site, site.site, f"{reason}，无法核对专栏栏目设置，请人工核对。",
                               evidence={"reason": reason, "source": cfg["source"], "page": url})
            return
        present = {c["role"] for c in site.columns} | ({"statutory"} if list_columns(site) else set())
        missing = [name for role, name in cfg["required"].items() if role not in present]
        ev = {"missing": missing, "present": sorted(present & set(cfg["required"])), "source": cfg["source"], "page": url}
        if missing:
            yield self.finding(Outcome.FAIL, site, site.site, f"政府信息公开专栏缺少“{'”“'.join(missing)}”栏目。", evidence=ev)
        else:
            yield self.finding(Outcome.PASS, site, site.site, "指南、制度、法定主动公开内容、年报栏目齐全。", evidence=ev)
