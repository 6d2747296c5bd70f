"""FR002 stale-column: a column's newest item is older than its type's window (国办秘函〔2019〕19号)."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import column_type, is_blocked, list_columns, to_date, window_start
from rules.registry import register


@register
class StaleColumn(Rule):
    code = "FR002"
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
