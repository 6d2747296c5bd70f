"""IN002 late-interpretation: a 解读 published more than 3 working days after its document."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import to_date
from rules.interpretation import match_all
from rules.registry import register
from rules.workdays import CalendarNotCovered


@register
class LateInterpretation(Rule):
    code = "IN002"
    requires = ("documents", "links")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["interpretation"]
        limit = cfg["max_workdays"]
        for doc_url, found in match_all(site, ctx.thresholds).items():
            for m in found:
                j, doc = m.interp, m.doc
                url = j["url"]
                common = {"column": (j.get("columns") or [j.get("column_name")])[0], "title": j.get("title"),
                          "subject": doc_url}
                ev = {**m.evidence(), "document_pub_date": doc.get("pub_date"),
                      "interpretation_pub_date": j.get("pub_date"), "limit_workdays": limit,
                      "source": cfg["late_source"]}
                if not m.strong(ctx.thresholds):
                    yield self.finding(Outcome.REVIEW, site, url, f"本解读与《{doc.get('title')}》的对应关系不确定"
                                       f"（置信度 {m.confidence}），无法判断是否按时发布，请人工核对。",
                                       evidence={**ev, "reason": "匹配置信度低"}, **common)
                    continue
                dpub, jpub = to_date(doc.get("pub_date")), to_date(j.get("pub_date"))
                if dpub is None or jpub is None:
                    reason = "文件或解读的发布日期缺失"
                    yield self.finding(Outcome.REVIEW, site, url, f"{reason}，无法判断解读是否按时发布，请人工核对。",
                                       evidence={**ev, "reason": reason}, **common)
                    continue
                try:
                    deadline = ctx.calendar.add_workdays(dpub, limit)
                    elapsed = ctx.calendar.workdays_between(dpub, jpub)
                except CalendarNotCovered as exc:
                    yield self.finding(Outcome.REVIEW, site, url, f"节假日日历未覆盖 {exc.year} 年，无法计算工作日，请补充日历数据后复核。",
                                       evidence={**ev, "reason": f"日历未覆盖{exc.year}年"}, **common)
                    continue
                ev.update({"deadline": deadline.isoformat(), "workdays_elapsed": elapsed})
                if jpub > deadline:
                    yield self.finding(Outcome.FAIL, site, url,
                                       f"文件 {dpub} 发布，解读 {jpub} 才发布，相隔 {elapsed} 个工作日，"
                                       f"超过 {limit} 个工作日的时限（截止 {deadline}）。", evidence=ev, **common)
                else:
                    yield self.finding(Outcome.PASS, site, url,
                                       f"解读在文件发布后第 {elapsed} 个工作日内发布，未超过 {limit} 个工作日。",
                                       evidence=ev, **common)
