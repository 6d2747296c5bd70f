"""MD002 incomplete-normative-document: a 规范性文件 lacks 文号, 成文日期, 发布日期 or 有效性."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Rule, Severity, SiteArtifacts
from rules.checks.md001_missing_metadata import check_fields
from rules.computed import disclosure_documents, doc_types
from rules.interpretation import is_interpretation
from rules.registry import register


@register
class IncompleteNormativeDocument(Rule):
    code = "MD002"
    name = "incomplete-normative-document"
    title = "规范性文件公开要素齐全"
    failure_title = "规范性文件缺少文号、成文日期、发布日期或有效性"
    severity = Severity.DEDUCT
    source = "政务公开工作要点（行政规范性文件统一公开要求）"
    source_id = "normative-meta"
    rationale = ("行政规范性文件须标注文号、成文日期、发布日期和有效性，公众才能确认文件身份和是否仍然有效；"
                 "“〔〕号”“无”等占位内容视同缺失。")
    how_to_fix = "在规范性文件页面补全文号、成文日期、发布日期，并标注有效性（有效、失效、废止或已修改）。"
    requires = ("documents",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        md = ctx.thresholds["metadata"]
        docs = [d for d in disclosure_documents(site)
                if "normative" in doc_types(d, ctx.thresholds) and not is_interpretation(d, ctx.thresholds)]
        yield from check_fields(self, site, docs, md["normative_required"], md["normative_source"], "规范性文件要素")
