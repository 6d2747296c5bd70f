"""Coverage: how much of a site's 政府信息公开 section the crawl read, and the verdict it allows.

Pure functions over stored artifacts (:class:`~rules.base.SiteArtifacts`). Figures per site and
per organ section (``rules.computed.disclosure_sections``):

* ``section_found``: a section page was read (status ok);
* ``columns``: columns by classification (``kind``: list, category, single, endpoint, other,
  unknown) and how many of the columns that should hold a list or page were read;
* ``list_pages``: list pages (or list requests) read against the count the pagers state;
* ``documents``: distinct documents listed in the section's columns, fetched, parsed;
* ``fetches``: blocked and error fetches;
* ``not_understood``: in-section pages the crawler could not read as a list or page.

The column tree comes from discovery (``columns.kind`` … ``pages_read``, store migration m006).
Runs stored before that have NULLs there: the kind is then inferred from the role and status
(``role`` column -> list, guide/rules -> single, annual_report -> list, ``status`` uncertain ->
not understood), list pages read are the column/listing fetches, and the count stated is unknown.

:func:`judge` turns the coverage and the score into the verdict (``[coverage]`` in
``data/thresholds.toml``, each threshold with its reason).
"""
from __future__ import annotations

import json
from typing import Any

from rules.base import Finding, Outcome
from rules.computed import disclosure_sections

#: kinds of the column tree that should yield rows or a page of their own
LEAF_KINDS = ("list", "single", "endpoint", "unknown")
KINDS = ("section", "category", "list", "single", "endpoint", "other", "unknown")
READ = ("ok",)
PARTIAL = ("uncertain", "incomplete")
UNREAD = ("error", "blocked", "pending", "missing")


def column_kind(col: dict) -> str:
    """The column's classification: discovery's ``kind``, else inferred from role and status."""
    if col.get("kind"):
        # a page that was never read cannot be told apart: it counts as a column not understood
        if col["kind"] == "other" and col.get("status") in UNREAD:
            return "unknown"
        return col["kind"]
    role, status = col.get("role"), col.get("status")
    if role == "section":
        return "section"
    if role in ("guide", "rules"):
        return "single"
    if role == "annual_report":
        return "list"
    if status == "uncertain":
        return "unknown"
    return "list"


def _read_state(col: dict, kind: str) -> str:
    """read | partial | unread for one column (a single page that shows no rows is read)."""
    status = col.get("status") or "ok"
    if status in UNREAD:
        return "unread"
    if kind == "unknown":
        return "unread"
    if status in PARTIAL and kind != "single":
        return "partial"
    return "read"


def _share(num: int | None, den: int | None) -> float | None:
    if num is None or not den:
        return None
    return round(min(num / den, 1.0), 3)


def unfollowed_pager(site, col: dict, pager_texts: list[str]) -> list[str]:
    """Next-page links on the column's list page (a pager link text) that the crawl never
    fetched: the list was not read to its end, whatever pager count was recorded."""
    fetched, by_page = _pager_index(site)
    texts = set(pager_texts)
    return sorted({link["url"] for link in by_page.get(col["url"], ())
                   if (link.get("text") or "").strip() in texts
                   and link["url"] != col["url"] and link["url"] not in fetched})


def _pager_index(site) -> tuple[set, dict[str, list]]:
    """(every URL fetched, as asked or as served; the site's link rows by the page they are on),
    built once per site: every list column asks (it was a walk over all of a site's fetches
    and link rows per column). Built again when either list is replaced or grows."""
    key = (id(site.fetches), len(site.fetches), id(site.links), len(site.links))
    cached = site.__dict__.get("_pager_index")
    if cached is None or cached[0] != key:
        fetched = {f["url"] for f in site.fetches} | {f.get("final_url") for f in site.fetches}
        by_page: dict[str, list] = {}
        for link in site.links:
            by_page.setdefault(link.get("page_url"), []).append(link)
        cached = site.__dict__["_pager_index"] = (key, fetched, by_page)
    return cached[1], cached[2]


def _section_figures(site, cols: list[dict], home_urls: set[str], pager_texts: list[str]) -> dict[str, Any]:
    kinds = {k: 0 for k in KINDS}
    leaf = read = partial = 0
    stated = pages_read = 0
    any_stated = any_read = False
    not_understood = []
    col_urls = set()
    for c in cols:
        kind = column_kind(c)
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind not in LEAF_KINDS:      # a section, a category page, a page out of scope
            continue
        col_urls.add(c["url"])
        leaf += 1
        state = _read_state(c, kind)
        unfollowed = unfollowed_pager(site, c, pager_texts) if state == "read" and kind == "list" else []
        if unfollowed:
            state = "partial"
            not_understood.append({"url": c["url"], "name": c.get("name"),
                                   "reason": f"分页未读完：下一页 {unfollowed[0]} 未读取"})
        short_rows = state == "read" and c.get("rows_stated") and (c.get("entries") or 0) < c["rows_stated"]
        if short_rows:
            state = "partial"
            not_understood.append({"url": c["url"], "name": c.get("name"),
                                   "reason": f"列表称共 {c['rows_stated']} 条，只读到 {c.get('entries') or 0} 条"})
        read += state == "read"
        partial += state == "partial"
        if kind == "unknown" or c.get("status") == "uncertain" and kind != "single":
            not_understood.append({"url": c["url"], "name": c.get("name"),
                                   "reason": c.get("reason") or c.get("note")})
        if c.get("pages_stated") is not None:
            any_stated = True
            got = c.get("pages_read") or 0
            if state == "read":
                # every list page or request the column announced was answered (a failed one
                # marks the column incomplete or blocked); pages_read counts only those with rows,
                # so an empty list (暂无信息) or a shell page before its list request is read too
                got = max(got, c["pages_stated"])
            # a next page seen but never read: the pager says at least one page more than was read
            page_count = max(c["pages_stated"], got + 1) if unfollowed else c["pages_stated"]
            stated += page_count
            pages_read += min(got, page_count)
        elif c.get("pages_read") is not None:
            any_read = True
            pages_read += c["pages_read"]
    listed = {e["doc_url"] for e in site.entries
              if e.get("column_url") in col_urls and e.get("column_url") not in home_urls}
    fetched = {f["url"] for f in site.fetches if f.get("kind") == "document"} & listed
    # parsed: the page gave its title or its publication date; a document stored with neither
    # was fetched but not understood (its metadata layout was not read)
    parsed = {d["url"] for d in site.documents if d.get("title") or d.get("pub_date")} & listed
    return {
        "columns": {"by_kind": kinds, "expected": leaf, "read": read, "partial": partial,
                    "unread": leaf - read - partial, "share": _share(read, leaf)},
        "list_pages": {"read": pages_read if (any_stated or any_read) else None,
                       "stated": stated if any_stated else None,
                       "share": _share(pages_read, stated) if any_stated else None},
        "documents": {"listed": len(listed), "fetched": len(fetched), "parsed": len(parsed),
                      "share": _share(len(parsed), len(listed))},
        "not_understood": not_understood,
    }


def coverage(site, thresholds: dict | None = None) -> dict[str, Any]:
    """The coverage block of the result document (see docs/result-document.md); ``thresholds``
    gives the pager link texts ([coverage] pager_texts)."""
    home_urls = {c["url"] for c in site.columns if c.get("role") == "home"}
    sections = []
    pager_texts = (thresholds or {}).get("coverage", {}).get("pager_texts") or []
    for scope in disclosure_sections(site):
        sec = scope.section
        figures = _section_figures(site, scope.columns, home_urls, pager_texts)
        sections.append({
            "name": (sec or {}).get("name") if scope.several else ((sec or {}).get("name") or "政府信息公开"),
            "url": (sec or {}).get("url"),
            "found": bool(sec) and (sec.get("status") or "ok") == "ok",
            "status": (sec or {}).get("status") or "missing",
            "note": (sec or {}).get("note"),
            **figures,
        })
    found = any(s["found"] for s in sections)
    total = _section_figures(site, [c for c in site.columns if c.get("role") not in ("home",)], home_urls,
                             pager_texts)
    # Old runs: pages read are the column/listing fetches that answered (the pager's count is unknown).
    if total["list_pages"]["read"] is None:
        total["list_pages"]["read"] = sum(1 for f in site.fetches if f.get("kind") in ("column", "listing")
                                          and f.get("status") == 200 and not f.get("blocked"))
    docs_fetched = [f for f in site.fetches if f.get("kind") == "document"]
    total["documents"]["fetched_all"] = len({f["url"] for f in docs_fetched})
    total["documents"]["parsed_all"] = sum(1 for d in site.documents if d.get("title") or d.get("pub_date"))
    return {
        "section_found": found,
        "sections": sections,
        "several_sections": len(sections) > 1,
        **total,
        "fetches": {
            "total": len(site.fetches),
            "blocked": sum(1 for f in site.fetches if f.get("blocked")),
            "errors": sum(1 for f in site.fetches if f.get("error") or (f.get("status") or 0) >= 400),
        },
        "column_tree": any(c.get("kind") for c in site.columns),
        **stored_copies(site),
    }


def stored_copies(site) -> dict[str, Any]:
    """Documents of this run judged from a copy stored by an earlier run (incremental runs,
    ``fleet.incremental``): ``unread`` — listed unchanged inside the revisit window, not
    requested at all this run; ``not_modified`` — the portal answered 304 to a conditional
    request; and the dates those copies were read in full (``read_from`` … ``read_to``).
    Absent (an empty dict) when every document was read in this run."""
    rows = getattr(site, "carried", None) or []
    if not rows:
        return {}
    days = sorted((r.get("read_at") or "")[:10] for r in rows if r.get("read_at"))
    return {"stored_copies": {
        "unread": sum(1 for r in rows if r.get("how") == "unread"),
        "not_modified": sum(1 for r in rows if r.get("how") == "not_modified"),
        "read_from": days[0] if days else None, "read_to": days[-1] if days else None,
        "from_runs": sorted({r["from_run"] for r in rows if r.get("from_run") is not None}),
    }}


def shortfalls(cov: dict, thresholds: dict) -> list[str]:
    """Why the coverage does not allow a verdict (Chinese, each with the threshold's reason)."""
    t = thresholds.get("coverage") or {}
    out = []

    def pct(x: float) -> str:
        return f"{x * 100:.0f}%"

    if t.get("section", {}).get("required", True) and not cov["section_found"]:
        out.append(f"未找到或未能读取政府信息公开专栏。{t.get('section', {}).get('reason', '')}")
    if not cov["section_found"]:
        return out
    for s in cov["sections"]:
        if cov["several_sections"] and not s["found"]:
            out.append(f"{s['name'] or s['url']}的政府信息公开专栏未能读取（{s['status']}）。")
    docs = cov["documents"]
    if "documents" in t and docs["parsed"] < t["documents"]["min"]:
        out.append(f"专栏栏目中解析出的公开文件为 {docs['parsed']} 篇（至少需要 {t['documents']['min']} 篇）。"
                   f"{t['documents']['reason']}")
    cols = cov["columns"]
    if "column_share" in t:
        if not cols["expected"]:
            out.append(f"专栏中未识别出任何栏目。{t['column_share']['reason']}")
        elif cols["share"] is not None and cols["share"] < t["column_share"]["min"]:
            part = f"，部分读取 {cols['partial']} 个" if cols["partial"] else ""
            out.append(f"应读栏目 {cols['expected']} 个，完整读取 {cols['read']} 个（{pct(cols['share'])}，"
                       f"低于 {pct(t['column_share']['min'])}）{part}。{t['column_share']['reason']}")
    pages = cov["list_pages"]
    if "list_page_share" in t and pages["share"] is not None and pages["share"] < t["list_page_share"]["min"]:
        out.append(f"列表页至少 {pages['stated']} 页（分页器所称，或页面上未读取的下一页所示），读取 {pages['read']} 页（{pct(pages['share'])}，"
                   f"低于 {pct(t['list_page_share']['min'])}）。{t['list_page_share']['reason']}")
    if "document_share" in t and docs["listed"] and docs["share"] is not None \
            and docs["share"] < t["document_share"]["min"]:
        out.append(f"栏目列出文件 {docs['listed']} 篇，抓取 {docs['fetched']} 篇，解析 {docs['parsed']} 篇"
                   f"（{pct(docs['share'])}，低于 {pct(t['document_share']['min'])}）。{t['document_share']['reason']}")
    return out


def confidence(findings: list[Finding], weights: dict, thresholds: dict) -> list[dict]:
    """Per JC19 category (``[categories]`` in data/scoring.toml): findings assessed, reviews,
    errors, and whether so many were reviews that the category's confidence is low."""
    t = (thresholds.get("coverage") or {}).get("review_confidence") or {}
    out = []
    for name, codes in (weights.get("categories") or {}).items():
        fs = [f for f in findings if f.code in codes]
        assessed = [f for f in fs if f.outcome in (Outcome.FAIL, Outcome.PASS, Outcome.REVIEW)]
        reviews = sum(1 for f in assessed if f.outcome == Outcome.REVIEW)
        errors = sorted({f.code for f in fs if f.outcome == Outcome.ERROR})
        share = _share(reviews, len(assessed))
        low = bool(errors) or (bool(t) and reviews >= t.get("min_reviews", 1)
                               and share is not None and share > t.get("max_share", 1.0))
        out.append({"category": name, "codes": list(codes), "assessed": len(assessed), "reviews": reviews,
                    "review_share": share, "errors": errors, "low": low,
                    "note": (f"置信度低：{len(assessed)} 项中 {reviews} 项待人工复核" if low and not errors else
                             f"置信度低：规则 {'、'.join(errors)} 执行出错" if errors else None)})
    return out


def judge(result: dict, cov: dict, findings: list[Finding], weights: dict, thresholds: dict) -> dict:
    """The score block with the verdict following coverage.

    * 不合格 from what was read stands (a failed veto is decisive, and a score already below the
      pass mark can only fall as more is read);
    * otherwise, coverage below a threshold, or a rule that raised, makes it 无法评定 with the
      reasons — never 合格;
    * otherwise the score's verdict (合格 / 待复核).
    """
    out = dict(result)
    reasons = shortfalls(cov, thresholds)
    errors = sorted({f.code for f in findings if f.outcome == Outcome.ERROR})
    if errors:
        reasons.append(f"规则 {'、'.join(errors)} 执行出错，相应检查项未能检查。")
    out["assessable"] = not reasons
    out["reasons"] = reasons
    out["confidence"] = confidence(findings, weights, thresholds)
    out["label"] = weights.get("label")
    out["pass_mark"] = weights.get("pass_mark")
    out["weights"] = [{"code": code, "per_finding": w["per_finding"], "max": w["max"]}
                      for code, w in (weights.get("deduct") or {}).items()]
    if reasons and out["verdict"] != "不合格":
        out["verdict"] = "无法评定"
    return out


def coverage_rows(doc: dict) -> list[dict]:
    """Flat rows (one per site, then one per section) for ``govaudit export --what coverage``."""
    cov = doc.get("coverage") or {}
    score = doc.get("score") or {}
    site = (doc.get("site") or {}).get("url")
    rows = []
    for scope, block in [("site", cov)] + [("section", s) for s in cov.get("sections") or []]:
        if not block:
            continue
        cols, pages, docs = block.get("columns") or {}, block.get("list_pages") or {}, block.get("documents") or {}
        rows.append({
            "site": site, "scope": scope,
            "section": block.get("name") if scope == "section" else None,
            "section_url": block.get("url") if scope == "section" else None,
            "section_found": block.get("found") if scope == "section" else cov.get("section_found"),
            "verdict": score.get("verdict"), "assessable": score.get("assessable"),
            "reasons": json.dumps(score.get("reasons") or [], ensure_ascii=False) if scope == "site" else None,
            **{f"columns_{k}": (cols.get("by_kind") or {}).get(k, 0) for k in KINDS},
            "columns_expected": cols.get("expected"), "columns_read": cols.get("read"),
            "columns_partial": cols.get("partial"), "columns_unread": cols.get("unread"),
            "list_pages_read": pages.get("read"), "list_pages_stated": pages.get("stated"),
            "documents_listed": docs.get("listed"), "documents_fetched": docs.get("fetched"),
            "documents_parsed": docs.get("parsed"),
            "fetches_blocked": (cov.get("fetches") or {}).get("blocked") if scope == "site" else None,
            "fetches_errors": (cov.get("fetches") or {}).get("errors") if scope == "site" else None,
            "not_understood": len(block.get("not_understood") or []),
        })
    return rows


COVERAGE_FIELDS = ["site", "scope", "section", "section_url", "section_found", "verdict", "assessable",
                   "reasons", *[f"columns_{k}" for k in KINDS], "columns_expected", "columns_read",
                   "columns_partial", "columns_unread", "list_pages_read", "list_pages_stated",
                   "documents_listed", "documents_fetched", "documents_parsed", "fetches_blocked",
                   "fetches_errors", "not_understood"]


def column_tree(site) -> list[dict[str, Any]]:
    """The column tree as discovery read it, for the result document: every page of every
    section (the home page aside) with its path from the section, its kind and why, its read
    state and rows; sections first, then each section's pages in path order. Runs stored before
    the tree was recorded give their columns with the kind inferred (``column_kind``)."""
    import json

    nodes = []
    for c in site.columns:
        if c.get("role") == "home":
            continue
        try:
            path = json.loads(c["path"]) if c.get("path") else ([] if c.get("role") == "section" else [c.get("name")])
        except ValueError:
            path = [c.get("name")]
        nodes.append({"url": c["url"], "name": c.get("name"), "path": path, "depth": c.get("depth") or len(path),
                      "kind": column_kind(c), "role": c.get("role"), "status": c.get("status"),
                      "reason": c.get("reason") or c.get("note"), "entries": c.get("entries") or 0,
                      "rows_stated": c.get("rows_stated"), "section": c.get("section"),
                      "parent_url": c.get("parent_url")})
    sections = {n["url"]: n for n in nodes if n["kind"] == "section"}
    return sorted(nodes, key=lambda n: (n["kind"] != "section" or bool(n["section"]),
                                        sections.get(n["section"] or "", {}).get("name") or "",
                                        n["kind"] != "section", n["path"]))
