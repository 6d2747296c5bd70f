"""ID001 missing-site-identity: the footer lacks 网站标识码, ICP备案, 公安备案, 党政机关标识, 主办单位 or 联系方式."""
from __future__ import annotations

from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import columns_by_role, first_match, footer_text, is_blocked, page_html, page_text
from rules.registry import register


@register
class MissingSiteIdentity(Rule):
    code = "ID001"
    requires = ("fetches", "bodies", "columns")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["identity"]
        home = next(iter(columns_by_role(site, "home")), None)
        url = home["url"] if home else site.site
        html, fetch = page_html(site, url)
        if html is None or is_blocked(fetch) or is_blocked(home) or (fetch and fetch.get("status") != 200):
            reason = ("首页被反爬虫机制拦截" if is_blocked(fetch) or is_blocked(home) else
                      "首页未能正常获取" if fetch else "未记录首页页面")
            yield self.finding(Outcome.REVIEW, site, site.site, f"{reason}，无法核对页面底部标识，请人工核对。",
                               evidence={"reason": reason, "source": cfg["source"], "page": url})
            return
        footer, in_footer = footer_text(html)
        found = {k: first_match(e["patterns"], footer) for k, e in cfg["elements"].items()}
        if in_footer:   # an element shown elsewhere on the page (e.g. a badge in the header) counts
            page = page_text(html)
            for k in [k for k, v in found.items() if not v]:
                found[k] = first_match(cfg["elements"][k]["patterns"], page)
        missing = [cfg["elements"][k]["name"] for k, v in found.items() if not v]
        ev = {"page": url, "footer_found": in_footer, "found": {k: v for k, v in found.items() if v}, "missing": missing,
              "source": cfg["source"], "fetched_at": fetch.get("fetched_at"), "body_sha": fetch.get("body_sha")}
        if missing:
            yield self.finding(Outcome.FAIL, site, site.site, f"首页底部缺少：{'、'.join(missing)}。", evidence=ev)
        else:
            yield self.finding(Outcome.PASS, site, site.site, "首页底部标识码、备案号、党政机关标识、主办单位和联系方式齐全。",
                               evidence=ev)
