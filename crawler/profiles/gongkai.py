"""Shandong/Zibo ``/gongkai/`` 政务公开 platform (multi-organ hub).

The hub ``/gongkai/`` lists organ sites ``/gongkai/site_{initials}/``, each its own 政府信息公开
section: :meth:`GongkaiProfile.section_columns` returns the hub's organ links as
``Column(role="section")``. A channel page is a shell without rows; its inline script holds the
list endpoint and ids (``{siteId, channelId, pageSize, api}``) and pages through a JSON API
(``{"total", "pageNo", "pageSize", "rows": [{title, url, date}]}``). :meth:`listing` returns the
request for page 1; :meth:`parse_more` reads a reply and, on page 1 only, returns the requests
for every other page (so a wrong ``total`` cannot make the crawl loop). Detail pages use the
generic label/value extraction (two ``标题:``/``索引号:`` pairs per row, ASCII colons, and the
``发布日期:`` line of the body header). The list endpoint is the one the page's script names:
no endpoint is assumed (the real platform's list call is not known from a saved page). Document ids in URLs
look like ObjectIds with a timestamp; that timestamp is never used as a date.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin, urlsplit

from crawler.items import Column, ListEntry, Listing, RequestSpec, Value
from crawler.profiles.extract import clean, element_text, find_date, selector
from crawler.profiles.generic import PLACEHOLDER_TEXTS, GenericProfile

FINGERPRINT = re.compile(r"""(?:href|src)=["'](?:https?://[^"'/]+)?/gongkai/|/gongkai/(?:site|channel)_\w""")
ORGAN_PATH = re.compile(r"^/gongkai/site_[A-Za-z0-9_]+/?$")
CONFIG = re.compile(r"\{[^{}]*\bchannelId\s*:[^{}]*\}", re.S)
CONFIG_ITEM = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,{}\s]+))""")


def list_config(html: str) -> dict[str, str] | None:
    """The inline list script's settings (siteId, channelId, pageSize, api), or None."""
    for m in CONFIG.finditer(html or ""):
        config = {k: (sq or dq or bare).strip() for k, sq, dq, bare in CONFIG_ITEM.findall(m.group(0)[1:-1])}
        if config.get("channelId"):
            return config
    return None


class GongkaiProfile(GenericProfile):
    family = "gongkai"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return "/gongkai/" in urlsplit(url or "").path or bool(FINGERPRINT.search(html or ""))

    # -- discovery ----------------------------------------------------------------------
    def section_columns(self, url: str, html: str) -> list[Column]:
        here = urlsplit(url)._replace(query="", fragment="").geturl()
        organs: dict[str, Column] = {}
        for link in self.links(url, html):
            parts = urlsplit(link.url)
            if (link.tag == "a" and link.text and not parts.query and ORGAN_PATH.match(parts.path)
                    and link.url != here and link.url not in organs):
                organs[link.url] = Column(link.url, link.text, None, "section")
        columns = [c for c in super().section_columns(url, html)
                   if c.url not in organs and "key=" not in urlsplit(c.url).query]
        return list(organs.values()) + columns

    # -- lists --------------------------------------------------------------------------
    def listing(self, url: str, html: str) -> Listing:
        config = list_config(html)
        if config is None:
            listing = super().listing(url, html)
            if not listing.entries and self.document(url, html).uncertain is None:
                listing.uncertain = None      # a single-document channel (指南): a titled, dated page
            return listing
        if not config.get("api"):
            return Listing(uncertain="the list script names no endpoint: rows not read")
        text = element_text(selector(html).root)
        return Listing(more=[self.page_request(url, config, 1)],
                       placeholder=any(p in text for p in PLACEHOLDER_TEXTS))

    @staticmethod
    def page_request(url: str, config: dict, page: int) -> RequestSpec:
        """The GET the list script makes for page ``page`` (its ids and state kept in ``state``)."""
        state = {"siteId": config.get("siteId", ""), "channelId": config["channelId"],
                 "api": urljoin(url, config["api"]),
                 "pageNo": page, "pageSize": int(config.get("pageSize") or 15)}
        query = urlencode({k: state[k] for k in ("siteId", "channelId", "pageNo", "pageSize")})
        return RequestSpec(f"{state['api']}?{query}", kind="listing", state=state,
                           headers={"X-Requested-With": "XMLHttpRequest",
                                    "Accept": "application/json, text/javascript, */*"})

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        if "channelId" not in spec.state:
            return super().parse_more(spec, url, body)
        try:
            data = json.loads(body)
            rows, total = data["rows"], int(data["total"])
        except (ValueError, KeyError, TypeError):
            return Listing(uncertain=f"list API reply for page {spec.state.get('pageNo')} is not the expected JSON")
        page = int(spec.state["pageNo"])
        size = int(data.get("pageSize") or spec.state["pageSize"])
        entries = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or not row.get("url"):
                continue
            raw = None if row.get("date") is None else clean(str(row["date"]))
            found = find_date(raw)
            entries.append(ListEntry(urljoin(url, row["url"]), clean(row.get("title")) or None,
                                     Value(found[0] if found else None, raw, "api"), (page - 1) * size + i + 1))
        listing = Listing(entries=entries, total=total, placeholder=total == 0)
        expected = max(0, min(size, total - (page - 1) * size))
        if len(entries) < expected:
            listing.uncertain = f"list API page {page} returned {len(entries)} of {expected} rows"
        if page == 1:
            pages = -(-total // size)
            config = {**spec.state, "pageSize": size}
            listing.more = [self.page_request(url, config, n) for n in range(2, pages + 1)]
        return listing

