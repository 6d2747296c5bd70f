"""TM001 late-posting: 发布日期 later than the deadline after 成文日期 (条例 Art. 26)."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import column_type, disclosure_documents, to_date
from rules.registry import register
from rules.workdays import CalendarNotCovered


@register
class LatePosting(Rule):
    code = "TM001"
    requires = ("documents",)

    def limit_for(self, doc: dict, ctx: Context) -> tuple[int, str]:
        """The strictest deadline among the document's columns, with its source id."""
        posting = ctx.thresholds["posting"]
        best = (posting["default_workdays"], posting["default_source"])
        for name in doc.get("columns") or []:
            rule = posting.get("by_type", {}).get(column_type(name, ctx.thresholds) or "")
            if rule and rule["workdays"] < best[0]:
                best = (rule["workdays"], rule["source"])
        return best

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        # documents of the 法定主动公开内容 columns (annual reports have their own deadline, TM002)
        for doc in disclosure_documents(site):
            url, columns = doc["url"], doc.get("columns") or []
            common = {"column": columns[0] if columns else doc.get("column_name"),
                      "title": doc.get("title")}
            written, pub = to_date(doc.get("written_date")), to_date(doc.get("pub_date"))
            evidence = {
                "written_date": doc.get("written_date"), "written_date_raw": doc.get("written_date_raw"),
                "written_date_source": doc.get("written_date_source"),
                "pub_date": doc.get("pub_date"), "pub_date_raw": doc.get("pub_date_raw"),
                "pub_date_source": doc.get("pub_date_source"),
                "fetched_at": doc.get("fetched_at"), "body_sha": doc.get("body_sha"),
            }
            if pub is None:
                yield self.finding(Outcome.REVIEW, site, url, "未能识别发布日期，无法判断是否按时公开，请人工核对。",
                                   evidence={**evidence, "reason": "发布日期缺失或无法解析"}, **common)
                continue
            if written is None:
                reason = "页面未标注成文日期" if not doc.get("written_date_raw") else "成文日期无法解析"
                yield self.finding(Outcome.REVIEW, site, url, f"{reason}，无法判断是否在时限内公开，请人工核对。",
                                   evidence={**evidence, "reason": reason}, **common)
                continue
            if pub < written:
                yield self.finding(Outcome.REVIEW, site, url,
                                   f"发布日期 {pub} 早于成文日期 {written}，日期可能填写有误，请人工核对。",
                                   evidence={**evidence, "reason": "发布日期早于成文日期"}, **common)
                continue
            limit, source_id = self.limit_for(doc, ctx)
            try:
                deadline = ctx.calendar.add_workdays(written, limit)
                elapsed = ctx.calendar.workdays_between(written, pub)
            except CalendarNotCovered as exc:
                yield self.finding(Outcome.REVIEW, site, url,
                                   f"节假日日历未覆盖 {exc.year} 年，无法计算工作日，请补充日历数据后复核。",
                                   evidence={**evidence, "reason": f"日历未覆盖{exc.year}年"}, **common)
                continue
            evidence.update({"deadline": deadline.isoformat(), "workdays_elapsed": elapsed,
                             "limit_workdays": limit, "limit_source": source_id,
                             "calendar": ctx.calendar.source(written.year)})
            if pub > deadline:
                yield self.finding(
                    Outcome.FAIL, site, url,
                    f"成文日期 {written}，发布日期 {pub}，相隔 {elapsed} 个工作日，超过 {limit} 个工作日的"
                    f"公开时限（截止 {deadline}），超期 {elapsed - limit} 个工作日。",
                    evidence=evidence, **common)
            else:
                yield self.finding(Outcome.PASS, site, url,
                                   f"成文后第 {elapsed} 个工作日发布，在 {limit} 个工作日时限内。",
                                   evidence=evidence, **common)
