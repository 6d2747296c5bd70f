"""LK003 mislinked (错链): a link whose text names a document — a 《title》 or a long title —
opens a page that is a different document.

The target's title is the link check's (``ArticleTitle`` meta, else ``<title>``) or the stored
document's. Clearly different: fail; partly similar: review; the same document: pass.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.checks.lk001_broken_link import HOME, home_pages, link_targets, occurrences
from rules.registry import register

_QUOTED = re.compile(r"《([^《》]{2,})》")
_CUT = re.compile(r"(…+|\.{3,}|。{3,})$")
_PUNCT = re.compile(r"[\s\u3000《》〈〉“”‘’\"'（）()【】\[\]、，,。.：:；;！!？?·—\-_|｜…]+")
_TITLE_SPLIT = re.compile(r"\s*(?:_|｜|\||—|--| - )\s*")


def _norm(text: str | None) -> str:
    return _PUNCT.sub("", text or "")


def named_documents(text: str, cfg: dict) -> list[str]:
    """The document(s) anchor text names: its 《quoted》 titles, else the text itself when it
    reads like a document title (long enough, ending like one or cut with …); else []."""
    quoted = [q for q in _QUOTED.findall(text) if len(_norm(q)) >= 4]
    if quoted:
        return quoted
    core = _CUT.sub("", text.strip())
    norm = _norm(core)
    if len(norm) < cfg["min_title_chars"] or any(g in core for g in cfg["generic_texts"]):
        return []
    if _CUT.search(text.strip()) or norm.endswith(tuple(cfg["title_endings"])):
        return [core]
    return []


def similarity(name: str, title: str) -> float:
    """How well ``name`` (from the link text) matches the target's ``title``: 1.0 when it is
    contained in it (a cut or quoted title), else the best ratio against the title and its parts
    (``标题_栏目_站点`` page titles, 《quoted》 titles)."""
    n = _norm(name)
    parts = [title, *_TITLE_SPLIT.split(title), *_QUOTED.findall(title)]
    best = 0.0
    for part in parts:
        p = _norm(part)
        if not p:
            continue
        if n in p:
            return 1.0
        best = max(best, SequenceMatcher(None, n, p, autojunk=False).ratio())
    return best


@register
class Mislinked(Rule):
    code = "LK003"
    requires = ("links", "documents")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["links"]["mislink"]
        doc_titles = {d["url"]: d.get("title") for d in site.documents if d.get("title")}
        home = home_pages(site)
        for t in link_targets(site, ctx.thresholds.get("links")):
            d = t.detail or {}
            if d.get("class") != "ok" or d.get("kind") != "page" or not d.get("internal"):
                continue
            # the stored document's title (read by its CMS family's page object) over the page's
            # <title>, which on script-rendered pages is often just the site's name
            title = doc_titles.get(t.url) or doc_titles.get(d.get("final_url")) or d.get("title")
            if not title:
                continue
            site_title = bool(site.name) and _norm(title) == _norm(site.name)
            groups: dict[str, list[dict]] = {}
            for r in t.rows:
                if r.get("tag") in ("a", "area") and r["page_url"] != t.url and r.get("text"):
                    groups.setdefault(_norm(r["text"]), []).append(r)
            for rows in groups.values():
                text = rows[0]["text"]
                names = named_documents(text, cfg)
                if names and site_title:
                    yield self.unsure(site, t.url, text, names, title, rows, home)
                elif names:
                    yield self.judge(site, t.url, text, names, title, rows, home, cfg)

    def unsure(self, site, url, text, names, title, rows, home) -> Finding:
        """The target's only title is the site's name (a page filled by script): not judged."""
        on_home, other = occurrences(rows, home)
        reason = "目标页面标题仅为网站名称（内容可能由脚本加载），无法核对是否为链接文字所指的文件"
        evidence = {"link_text": text, "named": names, "target_title": title, "reason": reason,
                    "on_home_page": bool(on_home), "home_page": on_home, "other_pages": other}
        return self.finding(Outcome.REVIEW, site, url, f"链接文字“{text}”的目标页面{reason[6:]}，请人工核对。",
                            evidence=evidence, column=HOME if on_home else None, title=text, subject=text)

    def judge(self, site, url, text, names, title, rows, home, cfg) -> Finding:
        sim = max(similarity(n, title) for n in names)
        on_home, other = occurrences(rows, home)
        evidence = {"link_text": text, "named": names, "target_title": title, "similarity": round(sim, 3),
                    "pass_similarity": cfg["pass_similarity"], "fail_similarity": cfg["fail_similarity"],
                    "on_home_page": bool(on_home), "home_page": on_home, "other_pages": other}
        common = {"evidence": evidence, "column": HOME if on_home else None, "title": text, "subject": text}
        if sim >= cfg["pass_similarity"]:
            return self.finding(Outcome.PASS, site, url, f"链接文字与目标页面标题“{title}”一致。", **common)
        if sim < cfg["fail_similarity"]:
            return self.finding(
                Outcome.FAIL, site, url,
                f"链接文字“{text}”指向的页面是“{title}”，不是链接文字所指的文件（相似度 {sim:.2f}），属于错链。",
                **common)
        evidence["reason"] = "链接文字与目标页面标题部分相似，无法确定是否为同一文件"
        return self.finding(
            Outcome.REVIEW, site, url,
            f"链接文字“{text}”与目标页面标题“{title}”只部分相似（相似度 {sim:.2f}），无法确定是否错链，请人工核对。",
            **common)
