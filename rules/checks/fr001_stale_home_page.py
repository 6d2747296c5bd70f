"""FR001 stale-home-page: no new item on the home page for 2 weeks (国办秘函〔2019〕19号)."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import columns_by_role, is_blocked, to_date
from rules.registry import register


@register
class StaleHomePage(Rule):
    code = "FR001"
    requires = ("columns", "entries", "fetches")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        home = next(iter(columns_by_role(site, "home")), None)
        url = home["url"] if home else site.site
        if home is None or is_blocked(home) or home.get("status") not in (None, "ok", "uncertain"):
            reason = ("首页被反爬虫机制拦截" if is_blocked(home) else
                      f"首页未能正常获取（{home.get('note') or home.get('status')}）" if home else "未记录首页抓取")
            yield self.finding(Outcome.REVIEW, site, site.site, f"{reason}，无法判断首页更新情况，请人工核对。",
                               evidence={"reason": reason, "page": url})
            return
        days = ctx.thresholds["freshness"]["home_days"]
        rows = [e for e in site.entries if e["column_url"] == home["url"]]
        dated = sorted(((d, e) for e in rows if (d := to_date(e.get("date"))) and d <= ctx.today), key=lambda x: x[0])
        evidence = {"page": url, "items": len(rows), "dated_items": len(dated), "window_days": days,
                    "source": ctx.thresholds["freshness"]["home_source"]}
        if not dated:
            reason = "首页未识别到带日期的信息条目" if rows else "首页未识别到信息列表"
            yield self.finding(Outcome.REVIEW, site, site.site, f"{reason}，无法判断是否在{days}天内更新，请人工核对。",
                               evidence={**evidence, "reason": reason})
            return
        newest, entry = dated[-1]
        age = (ctx.today - newest).days
        evidence.update({"newest_date": newest.isoformat(), "newest_title": entry.get("title"),
                         "newest_url": entry.get("doc_url"), "age_days": age,
                         "window_start": (ctx.today - timedelta(days=days)).isoformat()})
        if age > days:
            yield self.finding(Outcome.FAIL, site, site.site,
                               f"首页最新信息发布于 {newest}（“{entry.get('title') or ''}”），距检查日已 {age} 天，"
                               f"超过 {days} 天未更新。", evidence=evidence)
        else:
            yield self.finding(Outcome.PASS, site, site.site, f"首页最新信息发布于 {newest}，{age} 天前，在 {days} 天内。",
                               evidence=evidence)
