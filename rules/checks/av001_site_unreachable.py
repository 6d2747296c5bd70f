"""AV001 site-unreachable: the home page fails ≥ 5% of availability probes over a week (国办秘函〔2019〕19号)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import to_date
from rules.registry import register


def crawl_probes(site: SiteArtifacts, timeout_s: float) -> list[dict]:
    """The crawl's own home-page fetches, as probes (used when the store gave no probes)."""
    out = []
    for f in site.fetches:
        if f.get("kind") != "home" and not (f.get("kind") == "error" and f.get("url") == site.site):
            continue
        ok = (f.get("status") == 200 and not f.get("blocked") and not f.get("error")
              and (f.get("elapsed_ms") or 0) <= timeout_s * 1000)
        out.append({"url": f["url"], "probed_at": f["fetched_at"], "status": f.get("status"),
                    "latency_ms": f.get("elapsed_ms"), "ok": int(ok), "blocked": f.get("blocked"),
                    "error": f.get("error"), "source": "crawl"})
    return out


@register
class SiteUnreachable(Rule):
    code = "AV001"
    requires = ("probes", "fetches")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["availability"]
        probes = site.probes if site.probes is not None else crawl_probes(site, cfg["timeout_s"])
        days = cfg["window_days"]
        first = ctx.today - timedelta(days=days - 1)
        window = [p for p in probes if (d := to_date(p.get("probed_at"))) and first <= d <= ctx.today]
        n = len(window)
        failed = [p for p in window if not p.get("ok")]
        per_day = Counter(to_date(p["probed_at"]).isoformat() for p in window)
        required = cfg["probes_per_day"] * days
        share = len(failed) / max(n, required)
        ev = {"window": f"{first}~{ctx.today}", "probes": n, "failed": len(failed), "required": required,
              "per_day": dict(sorted(per_day.items())), "share": round(len(failed) / n, 4) if n else None,
              "max_failure_share": cfg["max_failure_share"], "source": cfg["source"],
              "failures": [{k: p.get(k) for k in ("probed_at", "status", "latency_ms", "error", "blocked")}
                           for p in failed[:20]]}
        url = site.site
        if not n:
            yield self.finding(Outcome.NOT_APPLICABLE, site, url,
                               f"{first} 至 {ctx.today} 无首页可用性监测记录，无法评估（可用 govaudit probe 连续监测{days}天）。",
                               evidence=ev)
        elif share >= cfg["max_failure_share"]:
            # even if every missing probe had succeeded, the share would reach the threshold
            yield self.finding(Outcome.FAIL, site, url,
                               f"{first} 至 {ctx.today} 共监测 {n} 次，首页无法访问 {len(failed)} 次"
                               f"（按不少于 {required} 次计占 {share:.1%}），达到 {cfg['max_failure_share']:.0%} 的否决线。",
                               evidence=ev)
        elif (n < required or len(per_day) < days or min(per_day.values()) < cfg["probes_per_day"]) \
                and not failed:
            # too few probes to judge, none failed: not assessed (an on-demand check of a healthy
            # site must not be held at 待复核 for want of a week of monitoring)
            yield self.finding(Outcome.NOT_APPLICABLE, site, url,
                               f"{first} 至 {ctx.today} 仅有 {n} 次监测且均正常，未达每天不少于"
                               f" {cfg['probes_per_day']} 次、共 {days} 天的监测要求，未评估可用性。",
                               evidence={**ev, "reason": "监测次数不足"})
        elif n < required or len(per_day) < days or min(per_day.values()) < cfg["probes_per_day"]:
            yield self.finding(Outcome.REVIEW, site, url,
                               f"{first} 至 {ctx.today} 仅有 {n} 次监测（{len(per_day)} 天有记录；标准为每天不少于"
                               f" {cfg['probes_per_day']} 次、共 {days} 天），失败 {len(failed)} 次，监测不足，无法判定。",
                               evidence={**ev, "reason": "监测次数不足"})
        else:
            yield self.finding(Outcome.PASS, site, url,
                               f"{first} 至 {ctx.today} 共监测 {n} 次，失败 {len(failed)} 次（{len(failed) / n:.1%}），"
                               f"低于 {cfg['max_failure_share']:.0%}。", evidence=ev)
