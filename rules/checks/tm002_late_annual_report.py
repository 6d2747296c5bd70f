"""TM002 late-annual-report: last year's 政府信息公开工作年度报告 missing or published late (条例 Art. 49)."""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import SectionScope, disclosure_sections, is_blocked, to_date
from rules.registry import register

REPORT_TITLE = re.compile(r"(\d{4})\s*年\s*度?\s*(?:政府信息公开|政务公开|信息公开)\S{0,6}(?:年度报告|年报)")


@register
class LateAnnualReport(Rule):
    code = "TM002"
    requires = ("columns", "entries", "documents")

    @staticmethod
    def is_government(prefix: str, cfg: dict) -> bool | None:
        """True for a government-level body's own report, False for a department's, None
        when the name does not say (``[annual_report]`` patterns in data/thresholds.toml)."""
        prefix = re.sub(r"^(关于|本机关|本级)", "", prefix.strip(" 　:：-_|·《》“”\""))
        if not prefix:
            return None
        if any(re.search(p, prefix) for p in cfg["government_patterns"]):
            return True
        return False if any(re.search(p, prefix) for p in cfg["department_patterns"]) else None

    @classmethod
    def site_level(cls, name: str | None, cfg: dict) -> bool | None:
        """The level of the site's own identity: its name (``明湖市人民政府门户网站``, or a title
        such as ``首页 - 平潭综合实验区管委会``) without 门户网站 and the like; None when unclear."""
        levels = set()
        for part in re.split(r"\s*[-_|｜—–·]+\s*", name or ""):
            for suffix in cfg["site_name_suffixes"]:
                if part.endswith(suffix) and len(part) > len(suffix):
                    part = part[: -len(suffix)]
                    break
            level = cls.is_government(part, cfg)
            if level is not None:
                levels.add(level)
        return levels.pop() if len(levels) == 1 else None

    def deadline(self, year: int, government: bool | None, cfg: dict) -> date:
        mmdd = cfg["government_deadline"] if government else cfg["department_deadline"]
        return date.fromisoformat(f"{year + 1}-{mmdd}")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        for scope in disclosure_sections(site):
            yield from self.check_section(site, ctx, scope)

    def check_section(self, site: SiteArtifacts, ctx: Context, scope: SectionScope) -> Iterable[Finding]:
        """The annual reports of one section (a site's, or one organ's on a multi-organ hub,
        where only the rows and documents listed in that organ's columns count)."""
        group, several = scope.columns, scope.several
        cfg = ctx.thresholds["annual_report"]
        columns = [c for c in group if c.get("role") == "annual_report"]
        col_urls = {c["url"] for c in columns}
        in_group = {c["url"] for c in group}
        entries = [e for e in site.entries if not several or e["column_url"] in in_group]
        docs = {d["url"]: d for d in site.documents}
        listed = {e["doc_url"] for e in entries}
        reports: dict[str, dict] = {}      # url -> {title, date}
        for e in entries:
            if e["column_url"] in col_urls or REPORT_TITLE.search(e.get("title") or ""):
                d = docs.get(e["doc_url"], {})
                # the page's title, or the list's when only the list names the report's year
                titles = [t for t in (d.get("title"), e.get("title")) if t]
                title = next((t for t in titles if REPORT_TITLE.search(t)), titles[0] if titles else "")
                reports.setdefault(e["doc_url"], {"title": title, "date": d.get("pub_date") or e.get("date")})
        for d in site.documents:
            if REPORT_TITLE.search(d.get("title") or "") and (not several or d["url"] in listed):
                reports.setdefault(d["url"], {"title": d["title"], "date": d.get("pub_date")})
        # a finding about a year: its URL is the site (an organ's section page on a hub) and its
        # subject the year, so that a missing report published later keeps the fingerprint
        where, who = scope.target, scope.prefix
        url = columns[0]["url"] if columns else where["url"]
        if not columns and not reports:
            yield self.finding(Outcome.REVIEW, site, message=f"{who}未找到“政府信息公开年报”栏目，无法核实上一年度报告，请人工核对。",
                               evidence={"reason": "未找到年报栏目", "page": url}, **where)
            return
        # a 年报 column not fully fetched, or not read as a list (a page whose rows no reader
        # understood, or a single article): what it lists is unknown
        bad = [c for c in columns if is_blocked(c) or c.get("status") in ("error", "incomplete", "pending")
               or c.get("kind") in ("single", "other") and not c.get("entries")]
        site_gov = self.site_level(scope.name or site.name, cfg)
        found: dict[int, list[tuple[str, dict, bool | None]]] = {}
        for rurl, r in reports.items():
            m = REPORT_TITLE.search(r["title"])
            if m:
                gov = self.is_government(r["title"][:m.start()], cfg)
                found.setdefault(int(m.group(1)), []).append((rurl, r, site_gov if gov is None else gov))
        year = ctx.today.year - 1
        gov = found[year][0][2] if found.get(year) else site_gov
        if ctx.today <= self.deadline(year, gov, cfg) and not found.get(year):
            year -= 1          # last year's report is not due yet: judge the year before
            gov = found[year][0][2] if found.get(year) else site_gov
        evidence = {"year": year, "source": cfg["source"], "reports_found": sorted(found), "page": url}
        if not found.get(year):
            if bad:
                reason = "年报栏目未能完整获取"
                yield self.finding(Outcome.REVIEW, site, message=f"{who}{reason}，未找到{year}年度报告，请人工核对。",
                                   evidence={**evidence, "reason": reason}, subject=str(year), **where)
                return
            deadline = self.deadline(year, gov, cfg)
            if gov is None and ctx.today <= self.deadline(year, True, cfg):
                reason = "无法判断报告主体是政府还是部门，截止日期可能为3月31日"
                yield self.finding(Outcome.REVIEW, site, message=f"{who}未找到{year}年度报告，{reason}，请人工核对。",
                                   evidence={**evidence, "reason": reason}, subject=str(year), **where)
                return
            yield self.finding(Outcome.FAIL, site,
                               message=f"{who}未找到{year}年度政府信息公开工作年度报告（应于 {deadline} 前公布）。",
                               evidence={**evidence, "deadline": deadline.isoformat()}, subject=str(year), **where)
            return
        rurl, r, rgov = min(found[year], key=lambda x: x[1]["date"] or "9999")
        published = to_date(r["date"])
        deadline = self.deadline(year, rgov, cfg)
        evidence.update({"report_url": rurl, "report_title": r["title"], "pub_date": r["date"],
                         "deadline": deadline.isoformat(),
                         "reporting_body": {True: "政府", False: "部门", None: "不明"}[rgov]})
        if published is None:
            yield self.finding(Outcome.REVIEW, site, message=f"{who}{year}年度报告未识别到发布日期，无法判断是否按时公布，请人工核对。",
                               evidence={**evidence, "reason": "发布日期缺失"}, title=r["title"], subject=str(year), **where)
        elif published > deadline and rgov is None and published <= self.deadline(year, True, cfg):
            reason = "无法判断报告主体是政府还是部门"
            yield self.finding(Outcome.REVIEW, site, message=f"{who}{year}年度报告于 {published} 公布，{reason}，"
                               f"是否逾期（1月31日或3月31日）请人工核对。",
                               evidence={**evidence, "reason": reason}, title=r["title"], subject=str(year), **where)
        elif published > deadline:
            yield self.finding(Outcome.FAIL, site, message=f"{who}{year}年度报告于 {published} 公布，晚于 {deadline} 的法定期限"
                               f"{(published - deadline).days} 天。", evidence=evidence, title=r["title"], subject=str(year), **where)
        else:
            yield self.finding(Outcome.PASS, site, message=f"{who}{year}年度报告于 {published} 公布，在 {deadline} 期限内。",
                               evidence=evidence, title=r["title"], subject=str(year), **where)
