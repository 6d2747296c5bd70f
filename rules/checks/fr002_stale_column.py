"""FR002 stale-column: a column's newest item is older than its type's window (国办秘函〔2019〕19号)."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import column_type, is_blocked, list_columns, to_date, window_start
from rules.registry import register


@register
class StaleColumn(Rule):
    code = "FR002"
    name = "stale-column"
    title = "栏目按期更新"
    failure_title = "栏目超过规定期限未更新"
    severity = Severity.DEDUCT
    source = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“栏目不更新”"
    source_id = "jc19-columns"
    rationale = ("动态、要闻类栏目2周内、通知公告和政策文件类栏目6个月内应有更新；"
                 "应更新而长期未更新的栏目累计达到规定数量即单项否决（本工具在5个及以上时按否决计）。")
    how_to_fix = ("按栏目类型及时发布信息；确无信息可发的栏目应整合或关停，并在栏目中说明；"
                  "历史专题等无需更新的栏目应归档。")
    requires = ("columns", "entries")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        windows = ctx.thresholds["freshness"]["by_type"]
        for col in list_columns(site):
            url, name = col["url"], col["name"]
            common = {"column": name, "subject": None}

            def review(reason: str, **ev):
                return self.finding(Outcome.REVIEW, site, url, f"{reason}，无法判断栏目“{name}”是否按期更新，请人工核对。",
                                    evidence={"reason": reason, **ev}, **common)

            if is_blocked(col):
                yield review("栏目页面被反爬虫机制拦截", note=col.get("note"))
                continue
            if col.get("status") in ("error", "pending"):
                yield review(f"栏目页面未能获取（{col.get('note') or col.get('status')}）")
                continue
            rows = [e for e in site.entries if e["column_url"] == url]
            if not rows:
                yield self.finding(Outcome.NOT_APPLICABLE, site, url, f"栏目“{name}”无信息条目（空白栏目见 FR003）。",
                                   evidence={"entries": 0}, **common)
                continue
            ctype = column_type(name, ctx.thresholds)
            spec = windows.get(ctype or "")
            if spec is None:
                yield review(f"栏目类型不明（“{name}”未对应到已知栏目类型）", column_type=ctype)
                continue
            start, wording = window_start(ctx.today, spec)
            dated = sorted(((d, e) for e in rows if (d := to_date(e.get("date"))) and d <= ctx.today), key=lambda x: x[0])
            undated = len(rows) - len(dated)
            evidence = {"column_type": ctype, "window": wording, "window_start": start.isoformat(),
                        "source": spec["source"], "entries": len(rows), "undated_entries": undated}
            if not dated:
                yield review("栏目列表中未识别到发布日期", **evidence)
                continue
            newest, entry = dated[-1]
            evidence.update({"newest_date": newest.isoformat(), "newest_title": entry.get("title"),
                             "newest_url": entry.get("doc_url")})
            if newest >= start:
                yield self.finding(Outcome.PASS, site, url, f"栏目最新信息发布于 {newest}，在{wording}更新期限内。",
                                   evidence=evidence, **common)
            elif undated or col.get("status") in ("incomplete", "uncertain"):
                yield review(f"栏目最新可识别日期为 {newest}，但有 {undated} 条无日期或列表未完整读取", **evidence)
            else:
                yield self.finding(Outcome.FAIL, site, url,
                                   f"栏目“{name}”最新信息发布于 {newest}，{wording}内（{start} 以来）无更新。",
                                   evidence=evidence, **common)
