"""MD001 missing-metadata: a disclosure document lacks 索引号, 发布机构, 成文日期 or 发布日期."""
from __future__ import annotations

from typing import Iterable

from crawler.profiles.extract import is_placeholder
from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import disclosure_documents
from rules.registry import register

#: Chinese names of the metadata fields
FIELD_NAMES = {"index_no": "索引号", "publisher": "发布机构", "written_date": "成文日期",
               "pub_date": "发布日期", "doc_no": "文号", "validity": "有效性", "title": "标题"}
DATE_FIELDS = ("written_date", "pub_date")


def missing_fields(doc: dict, fields: list[str]) -> tuple[list[str], list[str]]:
    """``(missing, unreadable)``: fields absent, blank or a placeholder (无, 〔〕号), and date
    fields whose printed text could not be read as a date."""
    missing, unreadable = [], []
    for f in fields:
        if doc.get(f):
            continue
        raw = (doc.get(f + "_raw") or "").strip()
        if f in DATE_FIELDS and raw and not is_placeholder(raw):
            unreadable.append(f)
        else:
            missing.append(f)
    return missing, unreadable


def shown(doc: dict, fields: list[str]) -> str:
    """``索引号、成文日期（页面显示为“无”）``."""
    parts = []
    for f in fields:
        raw = (doc.get(f + "_raw") or "").strip()
        parts.append(FIELD_NAMES[f] + (f"（页面显示为“{raw}”）" if raw else ""))
    return "、".join(parts)


def check_fields(rule: Rule, site: SiteArtifacts, docs: list[dict], fields: list[str], source: str,
                 what: str) -> Iterable[Finding]:
    """Shared by MD001 and MD002: one finding per document."""
    for doc in docs:
        url = doc["url"]
        common = {"column": (doc.get("columns") or [doc.get("column_name")])[0], "title": doc.get("title")}
        missing, unreadable = missing_fields(doc, fields)
        evidence = {f: doc.get(f) for f in fields} | {f + "_raw": doc.get(f + "_raw") for f in fields} | {
            "missing": missing, "unreadable": unreadable, "source": source,
            "fetched_at": doc.get("fetched_at"), "body_sha": doc.get("body_sha")}
        if unreadable or (missing and doc.get("uncertain")):
            reason = (f"{shown(doc, unreadable)}无法识别为日期" if unreadable
                      else f"页面信息提取不完整（{doc.get('uncertain')}）")
            yield rule.finding(Outcome.REVIEW, site, url, f"{reason}，请人工核对{what}是否齐全。",
                               evidence={**evidence, "reason": reason}, **common)
        elif missing:
            yield rule.finding(Outcome.FAIL, site, url, f"{what}缺少{shown(doc, missing)}。", evidence=evidence, **common)
        else:
            yield rule.finding(Outcome.PASS, site, url, f"{what}齐全。", evidence=evidence, **common)


@register
class MissingMetadata(Rule):
    code = "MD001"
    requires = ("documents",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        md = ctx.thresholds["metadata"]
        yield from check_fields(self, site, disclosure_documents(site), md["required"], md["source"], "公开属性")
