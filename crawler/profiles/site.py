"""Site profiles: one site's overrides of discovery and selectors, from ``data/sites/<host>.toml``.

Resolution order: a site profile > the CMS family chosen by fingerprint (or named by the
profile's ``family``) > the generic fallback. A :class:`SiteProfile` wraps the family profile
and replaces only what the file configures; everything else is the family's. The file format
is documented in ``docs/site-profiles.md``; a file with a mistake (unknown key, wrong type,
invalid selector) is refused with a message naming the file and the key, before any crawl.

Selectors are CSS (parsel, with ``::text`` and ``::attr(name)``) or XPath when written
``xpath:…``. Values found by a configured selector are stored with source ``profile``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.items import DOC_FIELDS, Column, Document, ListEntry, RequestSpec, Value
from crawler.profiles.base import Profile
from crawler.profiles.extract import DATE_FIELDS, absolute_url, clean, element_text, find_date, normalise_value, selector
from crawler.profiles.generic import FDZDGK, GenericProfile, _role
from data import read_site_profile

ROLES = ("column", "guide", "rules", "annual_report", "section")
FIELDS = DOC_FIELDS + ("category",)
#: attributes that carry a target URL on elements that are not links (<option value>, data-go…)
URL_ATTRS = ("href", "value", "data-href", "data-url", "data-go", "data-link")
#: keys of each table (the file is refused when it has others: a typo must not pass silently)
SITE_KEYS = {"name", "family", "reason"}
DISCOVERY_KEYS = {"section_url", "columns", "columns_mode", "column_links", "exclude_columns"}
COLUMN_KEYS = {"name", "url", "role", "parent"}
SELECTOR_KEYS = {"home_row", "list_row", "row_link", "row_title", "row_date", "next_page", "body", "fields"}
CRAWL_KEYS = {"concurrency", "delay"}
RULES_KEYS = {"select", "ignore"}
#: top-level tables a site profile may hold ([thresholds] and [rules] are read by the rules)
TABLES = {"site", "discovery", "selectors", "crawl", "thresholds", "rules"}


class SiteProfileError(ValueError):
    """A site profile file with a mistake; the message names the file and the key."""


@dataclass(frozen=True)
class SiteConfig:
    """The validated discovery and selector overrides of one site."""

    path: Path
    site: str
    reason: str
    family: str | None = None
    section_url: str | None = None
    columns: tuple[Column, ...] = ()
    columns_mode: str = "replace"           # replace | add
    column_links: str | None = None
    exclude_columns: tuple[str, ...] = ()
    home_row: str | None = None
    list_row: str | None = None
    row_link: str = "a"
    row_title: str | None = None
    row_date: str | None = None
    next_page: str | None = None
    body: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    #: politeness for this site's host: requests in flight, seconds between requests
    concurrency: int | None = None
    delay: float | None = None

    @property
    def host_limit(self) -> tuple[str, tuple[int, float | None]] | None:
        """``(host, (requests in flight, delay))`` for Scrapy's DOWNLOAD_SLOTS, when set."""
        if self.concurrency is None and self.delay is None:
            return None
        return urlsplit(self.site).hostname or "", (self.concurrency or 1, self.delay)


def _check_selector(path: Path, key: str, expr) -> str:
    if not isinstance(expr, str) or not expr.strip():
        raise SiteProfileError(f"{path}: {key} must be a non-empty selector string")
    try:
        select(Selector(text="<html><body></body></html>"), expr)
    except Exception as exc:  # cssselect / lxml raise several types for a bad expression
        kind = "XPath" if expr.startswith("xpath:") else "CSS selector"
        raise SiteProfileError(f"{path}: {key} = {expr!r} is not a valid {kind}: {exc}") from None
    return expr


def _table(path: Path, raw: dict, name: str, keys: set[str]) -> dict:
    table = raw.get(name) or {}
    if not isinstance(table, dict):
        raise SiteProfileError(f"{path}: [{name}] must be a table")
    unknown = sorted(set(table) - keys)
    if unknown:
        raise SiteProfileError(f"{path}: unknown key(s) in [{name}]: {', '.join(unknown)} "
                               f"(known: {', '.join(sorted(keys))})")
    return table


def _check_rules(path: Path, table: dict) -> None:
    """``[rules] select`` / ``ignore``: lists of rule codes or prefixes that name a rule."""
    from rules.registry import UnknownCode, check_selectors, split_codes

    for key in ("select", "ignore"):
        value = table.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise SiteProfileError(f"{path}: [rules] {key} must be a list of rule codes such as [\"LK\", \"MD001\"]")
        try:
            check_selectors(split_codes(value))
        except UnknownCode as exc:
            raise SiteProfileError(f"{path}: [rules] {key}: {exc}") from None


def parse_site_config(path: Path, site: str, raw: dict) -> SiteConfig | None:
    """Validate a parsed profile file; None when it configures no discovery or selectors
    (a file holding only ``[thresholds]``)."""
    unknown = sorted(set(raw) - TABLES)
    if unknown:
        raise SiteProfileError(f"{path}: unknown table(s) {', '.join(unknown)} (known: {', '.join(sorted(TABLES))})")
    info = _table(path, raw, "site", SITE_KEYS)
    disc = _table(path, raw, "discovery", DISCOVERY_KEYS)
    sels = _table(path, raw, "selectors", SELECTOR_KEYS)
    crawl = _table(path, raw, "crawl", CRAWL_KEYS)
    _check_rules(path, _table(path, raw, "rules", RULES_KEYS))
    if not disc and not sels and not crawl and not info.get("family"):
        return None
    reason = info.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise SiteProfileError(f"{path}: [site] reason is required: say why this site needs a profile")
    family = info.get("family")
    if family is not None:
        from crawler.profiles.families import family_names

        known = family_names()
        if family not in known:
            raise SiteProfileError(f"{path}: [site] family = {family!r} is unknown (known: {', '.join(known)})")
    columns = []
    for i, col in enumerate(disc.get("columns") or []):
        where = f"[[discovery.columns]] #{i + 1}"
        if not isinstance(col, dict):
            raise SiteProfileError(f"{path}: {where} must be a table")
        if extra := sorted(set(col) - COLUMN_KEYS):
            raise SiteProfileError(f"{path}: unknown key(s) in {where}: {', '.join(extra)}")
        if not col.get("name") or not col.get("url"):
            raise SiteProfileError(f"{path}: {where} needs both name and url")
        role = col.get("role", "column")
        if role not in ROLES:
            raise SiteProfileError(f"{path}: {where} role = {role!r} is not one of {', '.join(ROLES)}")
        parent = col.get("parent", FDZDGK if role == "column" else None)
        columns.append(Column(urljoin(site, str(col["url"])), str(col["name"]), parent, role))
    mode = disc.get("columns_mode", "replace")
    if mode not in ("replace", "add"):
        raise SiteProfileError(f"{path}: [discovery] columns_mode must be \"replace\" or \"add\", not {mode!r}")
    exclude = disc.get("exclude_columns") or []
    if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
        raise SiteProfileError(f"{path}: [discovery] exclude_columns must be a list of column names")
    section = disc.get("section_url")
    if section is not None and (not isinstance(section, str) or not section.strip()):
        raise SiteProfileError(f"{path}: [discovery] section_url must be a URL (absolute or relative to the home page)")
    fields = sels.get("fields") or {}
    if not isinstance(fields, dict):
        raise SiteProfileError(f"{path}: [selectors.fields] must be a table")
    if extra := sorted(set(fields) - set(FIELDS)):
        raise SiteProfileError(f"{path}: unknown field(s) in [selectors.fields]: {', '.join(extra)} "
                               f"(known: {', '.join(FIELDS)})")
    concurrency, delay = crawl.get("concurrency"), crawl.get("delay")
    if concurrency is not None and (not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1):
        raise SiteProfileError(f"{path}: [crawl] concurrency must be a whole number of requests, at least 1")
    if delay is not None and (not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0):
        raise SiteProfileError(f"{path}: [crawl] delay must be a number of seconds, 0 or more")
    checked = {k: _check_selector(path, f"[selectors] {k}", v) for k, v in sels.items() if k != "fields"}
    if "column_links" in disc:
        _check_selector(path, "[discovery] column_links", disc["column_links"])
    return SiteConfig(
        path=path, site=site, reason=reason.strip(), family=family,
        section_url=urljoin(site, section) if section else None, columns=tuple(columns),
        columns_mode=mode, column_links=disc.get("column_links"), exclude_columns=tuple(exclude),
        home_row=checked.get("home_row"), list_row=checked.get("list_row"),
        row_link=checked.get("row_link", "a"), row_title=checked.get("row_title"),
        row_date=checked.get("row_date"), next_page=checked.get("next_page"), body=checked.get("body"),
        fields={k: _check_selector(path, f"[selectors.fields] {k}", v) for k, v in fields.items()},
        concurrency=concurrency, delay=float(delay) if delay is not None else None,
    )


def load_site_config(site: str, folder: Path | None = None) -> SiteConfig | None:
    """The site's validated profile from ``<folder>/<host>.toml`` (None when it has none)."""
    try:
        found = read_site_profile(site, folder)
    except ValueError as exc:
        raise SiteProfileError(str(exc)) from None
    if not found:
        return None
    path, raw = found
    return parse_site_config(path, site, raw)


# -- selectors --------------------------------------------------------------------------------
def select(sel: Selector, expr: str):
    """Evaluate a configured selector: ``xpath:…`` is XPath, anything else CSS."""
    return sel.xpath(expr[6:]) if expr.startswith("xpath:") else sel.css(expr)


def first_text(sel: Selector, expr: str) -> str | None:
    """Text of the first match (an element's text, or the string an ``::attr``/``::text``/XPath
    string selects); None when nothing matches."""
    found = select(sel, expr)
    if not found:
        return None
    root = found[0].root
    return clean(root) if isinstance(root, str) else element_text(root)


def target_of(base: str, el) -> str | None:
    """The URL an element points at (``href``, ``<option value>``, ``data-go``…)."""
    for attr in URL_ATTRS:
        if url := absolute_url(base, el.attrib.get(attr)):
            return url
    return None


class SiteProfile(Profile):
    """A family profile with one site's configured overrides on top."""

    def __init__(self, config: SiteConfig, base: Profile):
        self.config, self.base = config, base
        self.family = base.family
        self._primary: str | None = config.section_url

    # -- discovery ------------------------------------------------------------------------
    def links(self, url, html):
        return self.base.links(url, html)

    def section_url(self, url, html):
        return self.config.section_url or self.base.section_url(url, html)

    def section_columns(self, url, html):
        cfg = self.config
        if self._primary is None:
            self._primary = url          # no section_url configured: the first section page
        if url != self._primary or not (cfg.columns or cfg.column_links):
            found = self.base.section_columns(url, html)
        else:
            configured = list(cfg.columns)
            if cfg.column_links:
                for item in select(selector(html), cfg.column_links):
                    target, name = target_of(url, item), element_text(item.root)
                    if target and name and target != url:
                        role = _role(name, False) or "column"
                        configured.append(Column(target, name, FDZDGK if role == "column" else None, role))
            found = configured if cfg.columns_mode == "replace" else \
                self.base.section_columns(url, html) + configured
        out, seen = [], set()
        for col in found:
            if col.url not in seen and col.name not in cfg.exclude_columns:
                seen.add(col.url)
                out.append(col)
        return out

    # -- lists ----------------------------------------------------------------------------
    def _is_home(self, url: str) -> bool:
        return urlsplit(url)._replace(fragment="") == urlsplit(self.config.site)._replace(fragment="")

    def is_listing(self, url, html):
        return self.base.is_listing(url, html)

    def listing(self, url, html):
        cfg = self.config
        rows_expr = cfg.home_row if self._is_home(url) else cfg.list_row
        if not rows_expr:
            return self.base.listing(url, html)
        sel = selector(html)
        entries = [e for e in (self._row(url, row, i + 1) for i, row in enumerate(select(sel, rows_expr))) if e]
        if cfg.next_page:
            more, seen = [], {url}
            for el in select(sel, cfg.next_page):
                target = target_of(url, el)
                if target and target not in seen:
                    seen.add(target)
                    more.append(RequestSpec(target, kind="listing", state={"site_profile": True}))
        else:
            more = [RequestSpec(s.url, kind="listing", state={"site_profile": True})
                    for s in GenericProfile.pager_requests(url, sel)]
        return GenericProfile.finish_listing(url, sel, entries, more,
                                             no_rows=f"site profile selector {rows_expr!r} matched no list rows")

    def _row(self, base: str, row: Selector, position: int) -> ListEntry | None:
        cfg = self.config
        links = select(row, cfg.row_link)
        if not links:
            return None
        # row_link selects the link element, or (::attr / xpath) the URL string itself
        link = None if isinstance(links[0].root, str) else links[0].root
        target = target_of(base, link) if link is not None else absolute_url(base, links[0].get())
        if not target:
            return None
        if cfg.row_title:
            title = first_text(row, cfg.row_title)
        else:
            title = (clean(link.get("title")) or element_text(link)) if link is not None else ""
        if cfg.row_date:
            raw = first_text(row, cfg.row_date)
        else:                # a date in the row's text outside the link
            raw = element_text(row.root)
            if link is not None:
                raw = raw.replace(element_text(link), " ", 1)
        found = find_date(raw or "")
        date = Value(found[0], found[1], "list") if found else Value(None, raw or None, "list")
        return ListEntry(target, title or None, date, position)

    def parse_more(self, spec, url, body):
        if spec.state.get("site_profile"):
            return self.listing(url, body)
        return self.base.parse_more(spec, url, body)

    # -- documents ------------------------------------------------------------------------
    def document(self, url, html) -> Document:
        doc = self.base.document(url, html)
        cfg = self.config
        if not cfg.fields and not cfg.body:
            return doc
        sel = selector(html)
        for name, expr in cfg.fields.items():
            raw = first_text(sel, expr)
            if raw is None:             # the element is not on this page: keep the family's value
                continue
            if name in DATE_FIELDS:
                found = find_date(raw)
                value = found[0] if found else None
            else:
                value = normalise_value(name, raw)
            setattr(doc, name, Value(value, raw, "profile"))
        if cfg.body and (found := select(sel, cfg.body)):
            root = found[0].root
            doc.body_text = clean(root) if isinstance(root, str) else element_text(root, blocks=True)
        # the family's doubts stand, except a missing title or date the profile has now found
        resolved = {"no title found": doc.title.present, "no publication date found": doc.pub_date.present}
        doubts = [d for d in (doc.uncertain or "").split("; ") if d and not resolved.get(d)]
        doubts += [d for d, ok in resolved.items() if not ok and d not in doubts]
        doc.uncertain = "; ".join(doubts) or None
        return doc
