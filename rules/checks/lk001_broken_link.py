"""LK001 broken-link: a link on the site does not lead to a working page (死链、软404、
跳转至错误页、删除后跳转上级、图片失效). Attachments are LK002, wrong targets LK003.

Judges what the link checker observed of each target (``link_observations``) with
:func:`rules.links.judge` under this audit's [links] thresholds; a run stored before
observations were recorded (or a result cached from an earlier run) keeps the class stored on its
link rows (``links.check_detail``). One finding per target URL, listing every page (the home page
separately, as inspections count them) and anchor text it appears on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.links import FAILURES, judge, thresholds_of
from rules.registry import register

HOME = "首页"
#: the evidence a passing link's finding keeps (it is counted, never listed: no page lists,
#: attempts or hops held for each of a site's tens of thousands of links)
PASS_EVIDENCE = ("classification", "classification_name", "reason", "status", "final_url", "kind", "internal",
                 "checked_at", "origin", "judged", "crawl_class", "on_home_page", "pages")


@dataclass
class LinkTarget:
    url: str
    detail: dict | None       # the link check's result (None: not checked)
    rows: list[dict]          # every link row pointing at it


def link_targets(site: SiteArtifacts, links: dict | None = None) -> list[LinkTarget]:
    """The site's link targets, in page order, each with its check result and link rows. The
    result is judged again from the stored observations under ``links`` (the [links]
    thresholds) where there are observations; else it is the class stored while crawling.
    Computed once per site and thresholds (LK001, LK002 and LK003 all ask; they only read it)."""
    cache = site.__dict__.setdefault("_link_targets", {})
    key = (id(links), id(site.links), len(site.links), len(site.link_observations))
    if key not in cache:
        cache[key] = (links, site.links, _link_targets(site, links))    # (keeps the keys' objects alive)
    return cache[key][2]


def _link_targets(site: SiteArtifacts, links: dict | None) -> list[LinkTarget]:
    found: dict[str, LinkTarget] = {}
    for row in site.links:
        t = found.setdefault(row["url"], LinkTarget(row["url"], None, []))
        t.rows.append(row)
        if t.detail is None and row.get("check_detail"):
            d = row["check_detail"]
            t.detail = d if isinstance(d, dict) else json.loads(d)
    seen = {o["url"]: o for o in site.link_observations}
    thresholds = thresholds_of(links)       # one dict for every target (issue 15: memory)
    for t in found.values():
        o = seen.get(t.url)
        if o is None:
            continue
        stored = t.detail or {"kind": o["kind"], "tag": o["tag"], "internal": bool(o["internal"]),
                              "status": o["observation"].get("status")}
        t.detail = {**stored, **judge(o, links), "judged": "audit", "crawl_class": stored.get("class"),
                    "thresholds": thresholds}
    return list(found.values())


def home_pages(site: SiteArtifacts) -> set[str]:
    """URLs of the home page (as requested and as served)."""
    urls = {c["url"] for c in site.columns if c.get("role") == "home"}
    for f in site.fetches:
        if f.get("kind") == "home":
            urls.update(u for u in (f.get("url"), f.get("final_url")) if u)
    return urls


def occurrences(rows: list[dict], home: set[str]) -> tuple[list[dict], list[dict]]:
    """(on the home page, on other pages): each page with the anchor text used there."""
    on_home, other, seen = [], [], set()
    for r in rows:
        key = (r["page_url"], r.get("text") or "")
        if key in seen:
            continue
        seen.add(key)
        (on_home if r["page_url"] in home else other).append(
            {"page": r["page_url"], "text": r.get("text") or "", "tag": r.get("tag")})
    return on_home, other


def where(on_home: list, other: list) -> str:
    pages = len({o["page"] for o in other})
    if on_home:
        return HOME + (f"及其他 {pages} 个页面" if pages else "")
    return f"{pages} 个页面" if pages > 1 else "页面"


class LinkAvailability(Rule):
    """LK001 and LK002 differ only in which targets they judge."""

    kinds: ClassVar[tuple[str, ...]]
    what: ClassVar[str]               # 链接 / 附件
    requires = ("links",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        targets = link_targets(site, ctx.thresholds.get("links"))
        if targets and not any(t.detail for t in targets):
            yield self.finding(Outcome.REVIEW, site, site.site,
                               f"本次运行未检查链接（共 {len(targets)} 个链接地址），无法判断{self.what}是否可用，请复查。",
                               evidence={"reason": "未运行链接检查", "targets": len(targets)},
                               # about the site's links as a whole: never the same finding as a
                               # link to the home page judged later (the URL alone is the site's)
                               subject="links not checked")
            return
        home = home_pages(site)
        for t in targets:
            if t.detail and t.detail.get("kind") in self.kinds:
                yield self.judge(site, t, home)

    def judge(self, site: SiteArtifacts, t: LinkTarget, home: set[str]) -> Finding:
        d = t.detail or {}
        on_home, other = occurrences(t.rows, home)
        text = next((o["text"] for o in on_home + other if o["text"]), "")
        label = f"{self.what}“{text}”" if text else self.what
        external = "" if d.get("internal", True) else "（外部链接）"
        cls, name, reason = d.get("class"), d.get("name"), d.get("reason") or ""
        evidence = {
            "classification": cls, "classification_name": name, "reason": reason,
            "status": d.get("status"), "final_url": d.get("final_url"), "hops": d.get("hops") or [],
            "error": d.get("error"), "content_type": d.get("content_type"), "size": d.get("size"),
            "checked_at": d.get("checked_at"), "origin": d.get("origin"), "confirmed": d.get("confirmed"),
            "first_failure": d.get("first_failure"), "attempts": d.get("attempts") or [],
            "internal": d.get("internal"), "kind": d.get("kind"), "body_sha": d.get("body_sha"),
            "judged": d.get("judged", "crawl"), "crawl_class": d.get("crawl_class", cls),
            "thresholds": d.get("thresholds"),
            "on_home_page": bool(on_home), "home_page": on_home, "other_pages": other,
            "pages": len({o["page"] for o in on_home + other}),
        }
        if cls == "ok":     # a passing link is counted, never listed or stored: what it was judged on
            evidence = {k: evidence[k] for k in PASS_EVIDENCE}     # is not kept for it (issue 15: memory)
        common = {"evidence": evidence, "column": HOME if on_home else None, "title": text or None}
        hops = f"，跳转过程 {' → '.join(str(h.get('status') or '') + ' ' + h['url'] for h in d['hops'])}" \
            if d.get("hops") else ""
        if cls == "ok":
            return self.finding(Outcome.PASS, site, t.url, f"{label}可正常访问。", **common)
        if cls in FAILURES:
            if d.get("confirmed"):
                how = {"previous_run": "上次检查也失败", "retries": "间隔重试后仍失败"}.get(d["confirmed"], "复查仍失败")
                return self.finding(
                    Outcome.FAIL, site, t.url,
                    f"{where(on_home, other)}上的{label}{external}为{name}：{reason}{hops}（{how}）。", **common)
            return self.finding(
                Outcome.REVIEW, site, t.url,
                f"{where(on_home, other)}上的{label}{external}检查时为{name}（{reason}），但未能复查确认，请人工核对。",
                **common)
        return self.finding(
            Outcome.REVIEW, site, t.url,
            f"{where(on_home, other)}上的{label}{external}{name}：{reason}，无法判断是否可用，请人工核对。", **common)


@register
class BrokenLink(LinkAvailability):
    code = "LK001"
    kinds = ("page", "image", "resource")
    what = "链接"
