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
    requires = ("documents",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        md = ctx.thresholds["metadata"]
        docs = [d for d in disclosure_documents(site)
                if "normative" in doc_types(d, ctx.thresholds) and not is_interpretation(d, ctx.thresholds)]
        yield from check_fields(self, site, docs, md["normative_required"], md["normative_source"], "规范性文件要素")
