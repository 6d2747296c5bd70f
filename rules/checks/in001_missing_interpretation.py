"""IN001 missing-interpretation: a 规范性文件 (or other document that requires one) has no 解读."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import column_type, disclosure_documents, doc_types, is_blocked, list_columns
from rules.interpretation import VIA_WORDS, is_interpretation, match_all
from rules.registry import register


@register
class MissingInterpretation(Rule):
    code = "IN001"
    name = "missing-interpretation"
    title = "规范性文件有政策解读"
    failure_title = "规范性文件未发布政策解读"
    severity = Severity.DEDUCT
    source = "国办发〔2016〕80号《〈关于全面推进政务公开工作的意见〉实施细则》二、（一）"
    source_id = "interp-required"
    rationale = ("按照“谁起草、谁解读”的原则，规范性文件等重要政策出台时应同步发布解读材料，"
                 "帮助公众准确理解政策内容。")
    how_to_fix = "由文件起草部门编写并发布政策解读，在文件页面和解读页面相互添加链接。"
    requires = ("documents", "links", "columns")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["interpretation"]
        required = set(cfg["required_types"])
        matches = match_all(site, ctx.thresholds)
        interp_cols = [c for c in list_columns(site) if column_type(c["name"], ctx.thresholds) == "interpretation"]
        unread = [c for c in interp_cols if is_blocked(c) or c.get("status") in ("error", "incomplete", "pending")]
        for doc in disclosure_documents(site):
            if not doc_types(doc, ctx.thresholds) & required or is_interpretation(doc, ctx.thresholds):
                continue
            url = doc["url"]
            common = {"column": (doc.get("columns") or [doc.get("column_name")])[0], "title": doc.get("title")}
            found = matches.get(url, [])
            strong = [m for m in found if m.strong(ctx.thresholds)]
            ev = {"source": cfg["required_source"], "doc_no": doc.get("doc_no"),
                  "candidates": [m.evidence() for m in found]}
            if strong:
                j = strong[0].interp
                yield self.finding(Outcome.PASS, site, url, f"已发布解读《{j.get('title')}》（匹配依据：{'、'.join(VIA_WORDS.get(v, v) for v in strong[0].via)}）。",
                                   evidence=ev, **common)
            elif found:
                j = found[0].interp
                yield self.finding(Outcome.REVIEW, site, url,
                                   f"疑似解读《{j.get('title')}》仅按标题部分相符（置信度 {found[0].confidence}），"
                                   f"无链接或文号佐证，请人工确认是否为本文件的解读。",
                                   evidence={**ev, "reason": "匹配置信度低"}, **common)
            elif unread:
                reason = "政策解读栏目未能完整获取"
                yield self.finding(Outcome.REVIEW, site, url, f"未找到本文件的解读，但{reason}，请人工核对。",
                                   evidence={**ev, "reason": reason}, **common)
            else:
                yield self.finding(Outcome.FAIL, site, url,
                                   f"规范性文件{('（' + doc['doc_no'] + '）') if doc.get('doc_no') else ''}未找到对应的政策解读："
                                   "文件页面无解读链接，解读栏目中也没有引用其标题或文号的解读。",
                                   evidence=ev, **common)
