"""IN003 one-way-interpretation-link: a document and its 解读 do not link to each other both ways."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.interpretation import match_all
from rules.registry import register


@register
class OneWayInterpretationLink(Rule):
    code = "IN003"
    requires = ("documents", "links")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        """One finding per pair and direction: the page that must carry the link is the URL,
        the page it must link to is the subject (stable when one side is fixed)."""
        source = ctx.thresholds["interpretation"]["link_source"]
        for doc_url, found in match_all(site, ctx.thresholds).items():
            for m in found:
                j, doc = m.interp, m.doc
                ev = {**m.evidence(), "source": source}
                sides = ((doc, j, m.doc_links, "文件页面未链接其解读《{}》", "相关解读"),
                         (j, doc, m.interp_links, "解读页面未链接回原文件《{}》", "相关文件"))
                for page, other, linked, missing, label in sides:
                    common = {"title": page.get("title"), "subject": other["url"],
                              "column": (page.get("columns") or [page.get("column_name")])[0]}
                    if not m.strong(ctx.thresholds):
                        yield self.finding(Outcome.REVIEW, site, page["url"],
                                           f"文件《{doc.get('title')}》与疑似解读《{j.get('title')}》的对应关系不确定"
                                           f"（置信度 {m.confidence}），请人工确认后核对双向链接。",
                                           evidence={**ev, "reason": "匹配置信度低"}, **common)
                    elif linked:
                        yield self.finding(Outcome.PASS, site, page["url"], f"已通过链接关联《{other.get('title')}》。",
                                           evidence=ev, **common)
                    else:
                        yield self.finding(Outcome.FAIL, site, page["url"],
                                           missing.format(other.get("title")) + f"，应增加“{label}”链接（双向关联）。",
                                           evidence=ev, **common)
