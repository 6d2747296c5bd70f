"""Facts derived from artifacts and shared by several rules (column types, dates, page text).

Everything here is pure: it reads stored rows and bodies, never the network or the clock.
"""
from __future__ import annotations

import calendar as _calendar
import copy
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from data import load_toml, read_site_profile
from pagetext import MAIN_XPATHS, clean, element_text, selector

FOOTER_XPATH = ('//footer | //*[contains(translate(@class, "FOTER", "foter"), "footer") or '
                'contains(translate(@id, "FOTER", "foter"), "footer") or @class="foot" or @id="foot" '
                'or contains(@class, "copyright") or contains(@class, "bottom")]')
CHROME_XPATH = ('//header | //nav | //*[contains(@class, "header") or contains(@class, "nav") '
                'or contains(@class, "bt-position") or contains(@class, "crumb")]')


# -- columns and documents ------------------------------------------------------------------
def column_type(name: str | None, thresholds: dict | None = None) -> str | None:
    """The type of a column from its name (``data/thresholds.toml`` [column_types]), or None."""
    if not name:
        return None
    table = (thresholds or load_toml("thresholds.toml"))["column_types"]
    # memo per table (a site's tens of thousands of documents share a few hundred column names);
    # the table is kept with its answers, so its id is not reused while they are
    memo = _COLUMN_TYPES.get(id(table))
    if memo is None or memo[0] is not table:
        if len(_COLUMN_TYPES) > 64:
            _COLUMN_TYPES.clear()
        memo = _COLUMN_TYPES[id(table)] = (table, {})
    if name.__class__ is not str:
        return _column_type(name, table)
    if name in memo[1]:
        return memo[1][name]
    found = memo[1][name] = _column_type(name, table)
    return found


def _column_type(name, table: dict) -> str | None:
    for ctype, keywords in table.items():
        if any(k in name for k in keywords):
            return ctype
    return None


_COLUMN_TYPES: dict[int, tuple[dict, dict[str, str | None]]] = {}


def list_columns(site) -> list[dict]:
    """The list columns of the 政府信息公开 section (role "column")."""
    return [c for c in site.columns if c.get("role") == "column"]


def columns_by_role(site, role: str) -> list[dict]:
    return [c for c in site.columns if c.get("role") == role]


@dataclass(frozen=True)
class SectionScope:
    """One 政府信息公开 section to judge, with the columns found on it, and where its findings
    point: at the site when it is the site's only section, at the section page (naming the
    organ) when the site is a hub with several."""

    site: str
    section: dict | None              # the section's column row; None when none was recorded
    columns: list[dict]
    several: bool                     # one of several sections (a multi-organ hub)

    @property
    def target(self) -> dict:
        """``url`` (and ``column``) keyword arguments of the section's findings."""
        if self.several and self.section:
            return {"url": self.section["url"], "column": self.section.get("name")}
        return {"url": self.site}

    @property
    def prefix(self) -> str:
        """The organ's name before a finding's message on a hub, else nothing."""
        return f"{self.section.get('name')}：" if self.several and self.section else ""

    @property
    def name(self) -> str | None:
        """Whose section it is: the organ's name on a hub (None for a site's only section)."""
        return self.section.get("name") if self.several and self.section else None


def disclosure_sections(site) -> list[SectionScope]:
    """The site's 政府信息公开 sections, each with the columns found on it.

    A site has one section (the root: the page the home page links to) unless that page is a
    hub listing organ sections (the Shandong ``/gongkai/`` platform): then each organ section is
    judged on its own, and the hub too when it holds columns itself. The root is ``None`` when
    no section was recorded. Runs stored before columns knew their section form one group."""
    sections = columns_by_role(site, "section")
    root = next((s for s in sections if not s.get("section") and not s.get("parent")), None) or \
        (sections[0] if sections else None)
    others = [c for c in site.columns if c.get("role") not in ("section", "home")]
    organs = [s for s in sections if s.get("section") and s is not root]
    if not organs:
        return [SectionScope(site.site, root, others, False)]
    by_section: dict[str | None, list[dict]] = {}
    for c in others:
        by_section.setdefault(c.get("section"), []).append(c)
    groups = [(s, by_section.get(s["url"], [])) for s in organs]
    # the hub is judged too when it holds parts of a section itself (not only pages that are
    # outside, not understood, or categories leading elsewhere)
    if any(c.get("role") not in ("other", "outside", "category") for c in by_section.get(root["url"] if root else None, [])):
        groups.insert(0, (root, by_section[root["url"] if root else None]))
    return [SectionScope(site.site, s, cols, True) for s, cols in groups]


def doc_types(doc: dict, thresholds: dict) -> set[str]:
    """Column types of every column a document is listed in (falls back on its ColumnName)."""
    names = list(doc.get("columns") or []) or [doc.get("column_name")]
    return {t for t in (column_type(n, thresholds) for n in names) if t}


def disclosure_documents(site) -> list[dict]:
    """Documents listed in a 法定主动公开内容 column (not the guide, rules or annual reports),
    without pages that say they were removed."""
    names = {c["name"] for c in list_columns(site)}
    return [d for d in site.documents if not d.get("deleted")
            and (not d.get("columns") or names & set(d.get("columns") or []))]


def is_blocked(row: dict | None) -> bool:
    """A column or fetch whose page was refused by an anti-bot layer."""
    if not row:
        return False
    return bool(row.get("blocked")) or row.get("status") == "blocked"


# -- dates ----------------------------------------------------------------------------------
def to_date(value: str | None) -> date | None:
    """An ISO date stored by the crawler (``YYYY-MM-DD``, maybe with a time), else None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def months_before(d: date, months: int) -> date:
    """The same day ``months`` months earlier (clamped to the month's last day)."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, _calendar.monthrange(y, m + 1)[1]))


def window_start(today: date, spec: dict) -> tuple[date, str]:
    """Start of a freshness window ``{days = N}`` or ``{months = N}`` and its Chinese wording."""
    if "months" in spec:
        return months_before(today, int(spec["months"])), f"{spec['months']}个月"
    return today - timedelta(days=int(spec["days"])), f"{spec['days']}天"


# -- page text ------------------------------------------------------------------------------
def page_html(site, url: str | None) -> tuple[str | None, dict | None]:
    """The stored HTML of the last fetch of ``url`` and that fetch (None when not stored)."""
    fetch = site.fetch_of(url) if url else None
    if not fetch:
        return None, None
    data = site.body(fetch.get("body_sha"))
    if data is None:
        return None, fetch
    ctype = (fetch.get("content_type") or "").lower()
    m = re.search(r"charset=([\w-]+)", ctype) or re.search(rb"charset=[\"']?([\w-]+)", data[:2000])
    charset = m.group(1) if m else "utf-8"
    charset = charset.decode() if isinstance(charset, bytes) else charset
    try:
        return data.decode(charset, "replace"), fetch
    except LookupError:
        return data.decode("utf-8", "replace"), fetch


def _with_alts(el) -> str:
    """Text of an element plus image alt/title texts and link targets (badges are images)."""
    extra = [img.get("alt") or img.get("title") or "" for img in el.iter("img")]
    extra += [a.get("href") or "" for a in el.iter("a")]
    return clean(element_text(el) + " " + " ".join(extra))


def page_text(html: str) -> str:
    """The whole page's text with image alt texts and link targets."""
    return _with_alts(selector(html).root)


def main_text(html: str) -> str:
    """The main content text of a page (without header, navigation and footer)."""
    sel = selector(html)
    for xp in MAIN_XPATHS:
        found = sel.xpath(xp)
        if found:
            return element_text(found[0].root, blocks=True)
    root = copy.deepcopy(sel.root)
    for el in root.xpath(FOOTER_XPATH + " | " + CHROME_XPATH):
        if el.getparent() is not None:
            el.getparent().remove(el)
    body = root.find("body")
    return element_text(body if body is not None else root, blocks=True)


def footer_text(html: str) -> tuple[str, bool]:
    """``(text, found)``: the footer region's text with image alts and link targets, or the
    whole page's when no footer region is recognised (``found`` False)."""
    sel = selector(html)
    regions = [el.root for el in sel.xpath(FOOTER_XPATH)]
    # outermost regions only (a footer often nests a "copyright" div)
    regions = [r for r in regions if not any(a in regions for a in r.iterancestors())]
    if regions:
        return " ".join(_with_alts(r) for r in regions), True
    return _with_alts(sel.root), False


def first_match(patterns: list[str], text: str) -> str | None:
    for p in patterns:
        m = re.search(p, text, re.I)
        if m:
            return m.group(0)
    return None


# -- thresholds -----------------------------------------------------------------------------
def merge(base: dict, override: dict) -> dict:
    """A deep copy of ``base`` with ``override`` merged in (tables merge, values replace)."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def site_thresholds(base: dict, site_url: str, folder: Path | None = None) -> dict:
    """Thresholds for one site: ``base`` with the site profile's ``[thresholds]`` merged in.

    An override must give a ``reason``; it is kept under ``_override`` so findings can cite it.
    """
    found = read_site_profile(site_url, folder)
    if not found:
        return base
    path, profile = found
    over: dict[str, Any] = dict(profile.get("thresholds") or {})
    if not over:
        return base
    reason = over.pop("reason", None)
    if not reason or not str(reason).strip():
        raise ValueError(f"{path}: [thresholds] overrides need a `reason`")
    merged = merge(base, over)
    merged["_override"] = {"file": str(path), "reason": reason, "keys": sorted(over)}
    return merged
