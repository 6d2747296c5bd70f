"""gov.cn's policy library (国务院政策文件库 and the columns built like it), read the way its
scripts read it, without a browser.

* A column page's script (``var listConfig = {feed, search, t, n, cat}``) reads a static JSON
  feed (``[{TITLE, URL, DOCRELPUBTIME}]``) and the paged library search (``/search-gov/data`` →
  ``searchVO.listVO`` / ``totalpage``, ``pubtime`` in ms). Both are asked for: a search guarded
  by a computed header token (athena) answers 403, which the spider records as blocked, and the
  feed still yields what it lists.
* Formal-document pages (``/zhengce/content/…``) are plain HTML (``table.bd1``,
  ``#UCAP-CONTENT``) and use the generic extraction.

Values read from JSON carry ``source="api"``.
"""
from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode, urljoin

from crawler.items import Link, Listing, RequestSpec
from crawler.profiles.extract import (
    as_int, element_text, js_value, json_entry, json_link, load_json, selector, with_param,
)
from crawler.profiles.generic import GenericProfile

#: the library's feed and search, on a page or in its URL
FINGERPRINT = re.compile(r"ZUIXINZHENGCE\.json|/search-gov/data|zhengcelibrary")
#: a formal-document page's own URL (a link to one is no sign: sites everywhere link gov.cn policies)
DOCUMENT_URL = re.compile(r"/zhengce/content/\d{6}/content_\d+\.htm")
#: what a page whose list the library script fills shows (AutoProfile's list signal)
LIST_SIGNAL = re.compile(r"\blistConfig\b|/search-gov/data")
DEFAULT_PER_PAGE = 20


def reply_rows(data) -> list[dict]:
    """The records of a feed (a JSON array) or of a search reply (``searchVO.listVO``)."""
    if isinstance(data, dict):
        data = (data.get("searchVO") or {}).get("listVO") if isinstance(data.get("searchVO"), dict) else None
    return [r for r in data or [] if isinstance(r, dict)] if isinstance(data, list) else []


class GovcnProfile(GenericProfile):
    family = "govcn"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return bool(DOCUMENT_URL.search(url or "") or FINGERPRINT.search(url or "") or FINGERPRINT.search(html or ""))

    # -- discovery ------------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        data = load_json(html)
        if data is not None:          # a feed or search reply: the documents it lists
            return [link for row in reply_rows(data)
                    if (link := json_link(url, row.get("url") or row.get("URL"), row.get("title") or row.get("TITLE")))]
        return super().links(url, html)

    # -- lists ----------------------------------------------------------------------------
    def listing(self, url: str, html: str) -> Listing:
        if load_json(html) is not None:
            return self.parse_more(RequestSpec(url, state={"first": True}), url, html)
        config = js_value(html, "listConfig")
        if isinstance(config, dict) and (config.get("feed") or config.get("search")):
            return self._requests(url, html, config)
        return super().listing(url, html)

    def _requests(self, url: str, html: str, config: dict) -> Listing:
        """The feed first; its reply asks for the search from the first page the feed does not
        cover (so every reply brings rows new to the column, and a guarded search still leaves
        the feed's rows). Without a feed, the search from page 1."""
        search = None
        if config.get("search"):
            n = as_int(config.get("n")) or DEFAULT_PER_PAGE
            params = {"t": config.get("t") or "zhengcelibrary", "p": 1, "n": n, "cat": config.get("cat") or ""}
            search = RequestSpec(urljoin(url, config["search"]) + "?" + urlencode(params),
                                 headers={"X-Requested-With": "XMLHttpRequest"},
                                 state={"form": "search", "page": 1, "per_page": n, "first": True})
        if config.get("feed"):
            state = {"form": "feed", "search": dataclasses.asdict(search) if search else None}
            more = [RequestSpec(urljoin(url, config["feed"]), state=state)]
        else:
            more = [search] if search else []
        placeholder = "暂无信息" in element_text(selector(html).root)
        return Listing(more=more, placeholder=placeholder)

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        data = load_json(body)
        if isinstance(data, list):
            return self._feed(spec, url, data)
        if isinstance(data, dict) and isinstance(data.get("searchVO"), dict):
            return self._search(spec, url, data["searchVO"])
        if data is not None:
            return Listing(uncertain=f"unrecognised JSON reply from {url}")
        return super().parse_more(spec, url, body)

    def _feed(self, spec: RequestSpec, url: str, rows: list) -> Listing:
        entries = [e for i, row in enumerate(r for r in rows if isinstance(r, dict))
                   if (e := json_entry(url, row, i + 1, "URL", "TITLE", "DOCRELPUBTIME"))]
        listing = Listing(entries=entries)
        if spec.state.get("search"):
            search = RequestSpec(**spec.state["search"])
            page = len(entries) // search.state["per_page"] + 1
            search.url = with_param(search.url, "p", page)
            search.state = {**search.state, "page": page}
            listing.more.append(search)
        return listing

    def _search(self, spec: RequestSpec, url: str, vo: dict) -> Listing:
        rows = [r for r in vo.get("listVO") or [] if isinstance(r, dict)]
        page = as_int(spec.state.get("page")) or 1
        per_page = as_int(spec.state.get("per_page")) or DEFAULT_PER_PAGE
        pages = as_int(vo.get("totalpage"))
        entries = [e for i, row in enumerate(rows)
                   if (e := json_entry(url, row, (page - 1) * per_page + i + 1, "url", "title", "pubtime"))]
        listing = Listing(entries=entries, total=as_int(vo.get("totalCount")))
        if pages is None:
            listing.uncertain = f"search reply without totalpage ({url}): only this page was read"
        elif spec.state.get("first"):
            listing.placeholder = pages == 0
            for n in range(page + 1, pages + 1):
                listing.more.append(RequestSpec(with_param(url, "p", n),
                                                headers=spec.headers,
                                                state={**spec.state, "page": n, "first": False}))
        if pages and page <= pages and not entries:
            listing.uncertain = f"search page {page} of {pages} came back empty ({url})"
        return listing
