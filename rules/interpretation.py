"""Matching 政策文件 <-> 解读 (shared by IN001, IN002, IN003).

Evidence, strongest first (confidences in ``data/thresholds.toml`` [interpretation]):

* a link between the two pages, either way (``documents.related`` or any ``<a>`` stored in
  ``links``) — ``link``;
* the document's 文号 quoted in the 解读's title or body — ``doc_no``;
* a 《title》 quoted in the 解读's title or body equal to the document's title (or to the title
  the document itself quotes, as in 关于印发《…》的通知) — ``title``; when several documents
  share that title it is only ``title_ambiguous``;
* a quoted title that is merely contained in the document's title (or the reverse) —
  ``title_partial``.

A 解读 is attached to the document(s) with its best evidence; below ``strong`` the match is
weak and the rules say ``review``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.computed import doc_types

#: how a match was made, as an auditor reads it (messages; reports label the evidence the same way)
VIA_WORDS = {"doc_no": "文号相同", "link": "页面互相链接", "title": "标题相同", "title_partial": "标题部分相同"}

QUOTED = re.compile(r"《([^《》]{4,80})》")
DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【（(]\s*(\d{4})\s*[〕\]］】）)]\s*(\d{1,4})\s*号")
MIN_PARTIAL = 8     # characters a partial title match must share


@dataclass
class Match:
    doc: dict                   # the 政策文件 / 规范性文件
    interp: dict                # its 解读
    confidence: float
    via: list[str] = field(default_factory=list)
    doc_links: bool = False     # the document's page links to the 解读
    interp_links: bool = False  # the 解读's page links back to the document

    def strong(self, thresholds: dict) -> bool:
        return self.confidence >= thresholds["interpretation"]["strong"]

    def evidence(self) -> dict:
        return {"document_url": self.doc["url"], "interpretation_url": self.interp["url"],
                "confidence": self.confidence, "matched_by": self.via,
                "document_links_to_interpretation": self.doc_links,
                "interpretation_links_to_document": self.interp_links}


def doc_no_parts(match: re.Match) -> tuple[str, int, int]:
    """(prefix, year, number) of a 文号 found by :data:`DOC_NO`."""
    prefix = re.sub(r"[\s〔\[［【（(]+$", "", match.group(0)[: match.start(1) - match.start(0)])
    return re.sub(r"\s+", "", prefix), int(match.group(1)), int(match.group(2))


def normalise_doc_no(text: str | None) -> str | None:
    """``明政发[2025] 12号`` -> ``明政发〔2025〕12号``; None when not a 文号."""
    m = DOC_NO.search(text or "")
    if not m:
        return None
    prefix, year, number = doc_no_parts(m)
    return f"{prefix}〔{year}〕{number}号"


def is_interpretation(doc: dict, thresholds: dict) -> bool:
    title = doc.get("title") or ""
    return "interpretation" in doc_types(doc, thresholds) or any(
        w in title for w in thresholds["interpretation"]["title_words"])


def policy_documents(docs: list[dict], thresholds: dict) -> list[dict]:
    return [d for d in docs if not d.get("deleted") and doc_types(d, thresholds) & {"normative", "policy"}
            and not is_interpretation(d, thresholds)]


def _titles(doc: dict) -> set[str]:
    title = (doc.get("title") or "").strip()
    return ({title} if title else set()) | set(QUOTED.findall(title))


def _link_pairs(site) -> set[tuple[str, str]]:
    pairs = {(l["page_url"], l["url"]) for l in site.links if l.get("tag", "a") in ("a", "area")}
    for d in site.documents:
        pairs.update((d["url"], r["url"]) for r in d.get("related") or [])
    return pairs


def match_all(site, thresholds: dict) -> dict[str, list[Match]]:
    """``{document url: [Match, …]}`` for every 政策文件 with at least one candidate 解读,
    best first. Computed once per site and thresholds (IN001, IN002 and IN003 all ask); the
    callers only read the matches."""
    cache = site.__dict__.setdefault("_interpretation_matches", {})
    key = id(thresholds)
    if key not in cache:
        cache[key] = (thresholds, _match_all(site, thresholds))   # (keeps the key's object alive)
    return cache[key][1]


def _match_all(site, thresholds: dict) -> dict[str, list[Match]]:
    conf = thresholds["interpretation"]["confidence"]
    policies = policy_documents(site.documents, thresholds)
    interps = [d for d in site.documents if not d.get("deleted") and is_interpretation(d, thresholds)]
    links = _link_pairs(site)
    # the pages linked with each page, either way: a 解读 is checked against the documents it
    # is linked with, not against every document (10^5 documents made that quadratic)
    linked: dict[str, set[str]] = {}
    for a, b in links:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    policy_at = {p["url"]: p for p in policies}
    position = {p["url"]: i for i, p in enumerate(policies)}
    by_title: dict[str, list[dict]] = {}
    by_no: dict[tuple[int, int], list[tuple[str, dict]]] = {}
    for p in policies:
        for t in _titles(p):
            by_title.setdefault(t, []).append(p)
        if m := DOC_NO.search(p.get("doc_no") or ""):
            prefix, year, number = doc_no_parts(m)
            by_no.setdefault((year, number), []).append((prefix, p))
    out: dict[str, list[Match]] = {}
    for j in interps:
        text = f"{j.get('title') or ''}\n{j.get('body_text') or ''}"
        cands: dict[str, Match] = {}

        def add(p: dict, via: str, c: float) -> None:
            m = cands.setdefault(p["url"], Match(p, j, 0.0))
            if via not in m.via:
                m.via.append(via)
            m.confidence = max(m.confidence, c)

        for p in sorted((policy_at[u] for u in linked.get(j["url"], ()) if u in policy_at),
                        key=lambda p: position[p["url"]]):
            to, back = (p["url"], j["url"]) in links, (j["url"], p["url"]) in links
            add(p, "link", conf["link"])
            cands[p["url"]].doc_links, cands[p["url"]].interp_links = to, back
        for found in DOC_NO.finditer(text):
            # the text before a 文号 may run into it (现就明政发〔2025〕12号): match the tail
            said, year, number = doc_no_parts(found)
            for prefix, p in by_no.get((year, number), []):
                if prefix and said.endswith(prefix):
                    add(p, "doc_no", conf["doc_no"])
        quoted = set(QUOTED.findall(text))
        exact = {p["url"]: p for q in quoted for p in by_title.get(q, [])}
        for p in exact.values():
            add(p, "title", conf["title"] if len(exact) == 1 else conf["title_ambiguous"])
        if not cands:
            for q in (q for q in quoted if len(q) >= MIN_PARTIAL):
                for p in policies:
                    if any(q in t or (len(t) >= MIN_PARTIAL and t in q) for t in _titles(p)):
                        add(p, "title_partial", conf["title_partial"])
        if not cands:
            continue
        best = max(m.confidence for m in cands.values())
        strong = best >= thresholds["interpretation"]["strong"]
        for m in cands.values():
            # a strongly matched 解读 belongs only to its strong documents
            if m.confidence == best or (not strong and m.confidence >= best):
                out.setdefault(m.doc["url"], []).append(m)
    for ms in out.values():
        ms.sort(key=lambda m: (-m.confidence, m.interp.get("pub_date") or "", m.interp["url"]))
    return out


# -- IN001 scope ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Whether a document requires a 解读: ``case`` (normative | own_policy | other | unclear),
    ``required`` (None when unclear -> review) and the reason (Chinese, from the data)."""

    case: str
    required: bool | None
    reason: str
    source: str | None = None


def own_government(site_name: str | None, thresholds: dict) -> str | None:
    """The site's own government as it names itself (``明湖市人民政府`` from
    ``明湖市人民政府门户网站``), or None when the site is not a government's."""
    scope = thresholds["interpretation"]["scope"]
    suffixes = thresholds["annual_report"].get("site_name_suffixes", [])
    for part in re.split(r"\s*[-_|｜—–·]+\s*", site_name or ""):
        for suffix in suffixes:
            if part.endswith(suffix) and len(part) > len(suffix):
                part = part[: -len(suffix)]
                break
        if any(part.endswith(e) for e in scope["government_endings"]):
            return part
    return None


def interpretation_scope(doc: dict, site_name: str | None, thresholds: dict) -> Scope:
    """IN001's scope for one document (``[interpretation.scope]`` in data/thresholds.toml)."""
    cfg = thresholds["interpretation"]
    scope = cfg["scope"]
    types = doc_types(doc, thresholds)
    if types & set(cfg["required_types"]):
        s = scope["normative"]
        return Scope("normative", s["required"], s["reason"], s.get("source"))
    other = scope["other"]
    if not types & set(scope["policy_types"]) or not (doc.get("doc_no") or "").strip():
        return Scope("other", other["required"], other["reason"], other.get("source"))
    own = scope["own_policy"]
    gov = own_government(site_name, thresholds)
    publisher = re.sub(r"\s+", "", doc.get("publisher") or "")
    if publisher:
        if gov and publisher in {gov, *(gov + o for o in scope["own_offices"])}:
            return Scope("own_policy", own["required"], own["reason"], own.get("source"))
        if gov or not any(publisher.endswith(e) or publisher.endswith(e + o) for e in scope["government_endings"]
                          for o in ("", *scope["own_offices"])):
            return Scope("other", other["required"], other["reason"], other.get("source"))
        return Scope("unclear", None, f"文件由{publisher}印发，但无法从网站名称确认其是否为本级政府，"
                                      f"不能判断是否须解读", own.get("source"))
    if any(re.search(p, doc["doc_no"].strip()) for p in scope["government_doc_no"]):
        return Scope("unclear", None, f"文件未标注发布机构，文号（{doc['doc_no']}）显示可能以政府或政府办公室名义印发，"
                                      f"不能判断是否须解读", own.get("source"))
    return Scope("other", other["required"], other["reason"], other.get("source"))
