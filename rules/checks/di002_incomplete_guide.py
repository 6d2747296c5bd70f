"""DI002 incomplete-guide: the 政府信息公开指南 lacks elements required by 条例 Art. 12."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import SectionScope, disclosure_sections, first_match, is_blocked, main_text, page_html
from rules.registry import register

MIN_TEXT = 60   # characters: less than this is not a guide's text (an attachment, a script page…)


@register
class IncompleteGuide(Rule):
    code = "DI002"
    requires = ("columns", "entries", "documents", "fetches", "bodies")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        for scope in disclosure_sections(site):
            yield from self.check_section(site, ctx, scope)

    def check_section(self, site: SiteArtifacts, ctx: Context, scope: SectionScope) -> Iterable[Finding]:
        """The guide of one section (a site's, or one organ's on a multi-organ hub)."""
        cfg = ctx.thresholds["guide"]
        columns, where, who = scope.columns, scope.target, scope.prefix
        guides = [c for c in columns if c.get("role") == "guide"]
        if not guides:
            yield self.finding(Outcome.NOT_APPLICABLE, site, message=f"{who}未找到政府信息公开指南（见 DI001）。",
                               evidence={"source": cfg["source"]}, **where)
            return
        col = guides[0]
        url, text = col["url"], None
        if is_blocked(col) or col.get("status") in ("error", "pending"):
            reason = "指南页面被反爬虫机制拦截" if is_blocked(col) else f"指南页面未能获取（{col.get('note') or col.get('status')}）"
            yield self.finding(Outcome.REVIEW, site, message=f"{who}{reason}，无法核对指南要素，请人工核对。",
                               evidence={"reason": reason, "source": cfg["source"], "page": url}, **where)
            return
        # a guide column may list the guide as a document: read the newest one
        rows = sorted((e for e in site.entries if e["column_url"] == url), key=lambda e: e.get("date") or "", reverse=True)
        docs = {d["url"]: d for d in site.documents}
        doc = next((docs[e["doc_url"]] for e in rows if e["doc_url"] in docs), None)
        if doc is not None:
            url, text = doc["url"], doc.get("body_text") or ""
        else:
            html, fetch = page_html(site, url)
            text = main_text(html) if html else ""
        ev = {"page": url, "text_chars": len(text), "source": cfg["source"]}
        if len(text) < MIN_TEXT:
            reason = "指南页面正文过短（可能以附件或脚本形式提供）"
            yield self.finding(Outcome.REVIEW, site, message=f"{who}{reason}，无法核对指南要素，请人工核对。",
                               evidence={**ev, "reason": reason}, **where)
            return
        found = {k: first_match(e["patterns"], text) for k, e in cfg["elements"].items()}
        missing = [cfg["elements"][k]["name"] for k, v in found.items() if not v]
        ev.update({"found": {k: v for k, v in found.items() if v}, "missing": missing})
        if missing:
            yield self.finding(Outcome.FAIL, site, message=f"{who}政府信息公开指南（{url}）缺少：{'、'.join(missing)}。",
                               evidence=ev, **where)
        else:
            yield self.finding(Outcome.PASS, site, message=f"{who}指南载明工作机构、地址、办公时间、电话、传真、互联网联系方式和申请方式。",
                               evidence=ev, **where)
