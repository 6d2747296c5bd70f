"""Guangdong's gkmlpt 政府信息公开目录 platform (``/gkmlpt/…``), read the way its scripts read it,
without a browser.

* The section page ``/gkmlpt/index`` carries ``window._CONFIG = {SID:…, TREE:[…]}``; the
  法定主动公开内容 node's children are the columns (category ids) and exist nowhere else on the
  page.
* A column is read from ``/gkmlpt/api/all/{catId}?page=N&sid={SID}`` (JSON with ``total`` and
  ``articles``, each with ``create_time`` in epoch seconds, as public scrapers of gd.gov.cn read
  it); the crawler pages up to ``total`` and never "until an empty page" (past the end the API
  repeats its last page).
* Detail pages (``…/post_{id}.html``) hold everything, the body included, in ``_CONFIG.DETAIL``.

Values read from JSON carry ``source="api"``. Pages without these signals (the 年报 list, the
指南 / 制度 pages) are read like any other page (:class:`GenericProfile`).
"""
from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from crawler.items import Attachment, Column, Document, Link, Listing, RequestSpec, Value
from crawler.profiles.extract import (
    absolute_links, absolute_url, as_int, clean, config_string, element_text, js_value, json_entry, json_link,
    load_json, normalise_value, selector, with_param,
)
from crawler.profiles.generic import FDZDGK, GenericProfile, _role

FINGERPRINT = re.compile(r"/gkmlpt/(?:index|api/|content/)|window\._CONFIG\s*=")
#: what a page whose list the gkmlpt script fills shows (AutoProfile's list signal)
LIST_SIGNAL = re.compile(r"window\._CONFIG\s*=|/gkmlpt/api/")
#: DETAIL key(s) -> Document field, first present wins
DETAIL_FIELDS = {
    "title": ("title",),
    "index_no": ("identifier",),
    "doc_no": ("document_number",),
    "publisher": ("publisher", "source"),
    "written_date": ("compose_time", "compose_date"),
    "pub_date": ("publish_time", "display_publish_time", "date"),
    "validity": ("effective", "validity"),
    "category": ("classify_theme_name",),
}
NODE_URL_KEYS = ("url", "link", "jump_url")
#: keys of an API article that carry its publication time, first present wins
DATE_KEYS = ("create_time", "publish_time", "display_publish_time")
DEFAULT_PER_PAGE = 20
DEFAULT_API = "/gkmlpt/api/all/"
AJAX = {"X-Requested-With": "XMLHttpRequest"}


def row_links(base: str, row: dict) -> list[Link]:
    """An API article's (or DETAIL's) own URL first, then its attachments and related documents."""
    pairs = [(row.get("url"), row.get("title"))] + [
        (a.get("url"), a.get("name") or a.get("title")) for key in ("attachment", "relation")
        for a in (row.get(key) or []) if isinstance(a, dict)]
    return [link for target, text in pairs if (link := json_link(base, target, text))]


def date_key(row: dict) -> str:
    """The row's publication time: ``create_time`` (epoch seconds, as the API gives it), else a
    ``publish_time`` / ``display_publish_time`` string."""
    return next((k for k in DATE_KEYS if row.get(k) not in (None, "")), DATE_KEYS[0])


class GkmlptProfile(GenericProfile):
    family = "gkmlpt"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return bool(FINGERPRINT.search(url or "") or FINGERPRINT.search(html or ""))

    # -- discovery ------------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        data = load_json(html)
        if data is not None:          # an API reply: the documents (and files) it points to
            rows = data.get("articles") if isinstance(data, dict) else None
            return [link for row in rows or [] if isinstance(row, dict) for link in row_links(url, row)]
        links = absolute_links(url, html)
        detail = js_value(html, "DETAIL")
        if isinstance(detail, dict):
            seen = {(link.url, link.tag) for link in links}
            extra = absolute_links(url, detail.get("content") or "") + row_links(url, {**detail, "url": None})
            links += [link for link in extra if (link.url, link.tag) not in seen]
        return links

    def section_columns(self, url: str, html: str) -> list[Column]:
        tree = js_value(html, "TREE")
        found = {c.url: c for c in super().section_columns(url, html)}
        if not isinstance(tree, list):
            return list(found.values())
        api = (config_string(html, "SID"), config_string(html, "API") or DEFAULT_API)
        for node in tree:
            if not isinstance(node, dict):
                continue
            name = clean(node.get("name"))
            if FDZDGK in name:
                for col in self._tree_columns(url, api, node.get("children") or [], FDZDGK):
                    found.setdefault(col.url, col)
            elif (role := _role(name, True)) and (target := self._node_url(url, api, node)):
                if not any(c.role == role for c in found.values()):
                    found.setdefault(target, Column(target, name, None, role))
        return list(found.values())

    def _tree_columns(self, url: str, api: tuple, nodes: list, parent: str) -> list[Column]:
        out = []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            children = [n for n in node.get("children") or [] if isinstance(n, dict)]
            if children and not any(node.get(k) for k in NODE_URL_KEYS):
                out += self._tree_columns(url, api, children, clean(node.get("name")))
            elif target := self._node_url(url, api, node):
                out.append(Column(target, clean(node.get("name")), parent, "column"))
        return out

    @staticmethod
    def _node_url(url: str, api: tuple[str | None, str], node: dict) -> str | None:
        """A tree node's list: its own link, else the first page of the API
        (``api`` = (SID, API path)) for its id."""
        link = next((node[k] for k in NODE_URL_KEYS if isinstance(node.get(k), str) and node[k]), None)
        if link:
            return absolute_url(url, link)
        sid, path = api
        if node.get("id") is None or not sid:
            return None
        return urljoin(url, f"{path.rstrip('/')}/{node['id']}?" + urlencode({"page": 1, "sid": sid}))

    # -- lists ----------------------------------------------------------------------------
    def listing(self, url: str, html: str) -> Listing:
        if load_json(html) is not None:      # a column's URL is its first API page
            return self.parse_more(RequestSpec(url, state={"first": True}), url, html)
        return super().listing(url, html)

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        data = load_json(body)
        if isinstance(data, dict) and "articles" in data:
            return self._api_page(spec, url, data)
        if data is not None:
            return Listing(uncertain=f"unrecognised JSON reply from {url}")
        return super().parse_more(spec, url, body)

    def _api_page(self, spec: RequestSpec, url: str, data: dict) -> Listing:
        rows = [r for r in data.get("articles") or [] if isinstance(r, dict)]
        total = as_int(data.get("total"))
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        page = as_int(spec.state.get("page")) or as_int(query.get("page")) or 1
        per_page = as_int(spec.state.get("per_page")) or len(rows) or DEFAULT_PER_PAGE
        first = (page - 1) * per_page + 1
        entries = [e for i, row in enumerate(rows)
                   if (e := json_entry(url, row, first + i, "url", "title", date_key(row)))]
        listing = Listing(entries=entries, total=total, placeholder=total == 0)
        if total is None:
            listing.uncertain = f"gkmlpt reply without total ({url}): only this page was read"
            return listing
        expected = max(0, min(per_page, total - first + 1))
        if len(entries) < expected:
            listing.uncertain = f"gkmlpt page {page} gave {len(entries)} of {expected} rows ({url})"
        if spec.state.get("first") and page == 1 and total > len(rows) and rows:
            for n in range(2, math.ceil(total / per_page) + 1):
                listing.more.append(RequestSpec(with_param(url, "page", n), headers=dict(AJAX),
                                                state={"page": n, "per_page": per_page, "total": total}))
        return listing

    # -- documents --------------------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        detail = js_value(html, "DETAIL")
        if not isinstance(detail, dict):
            doc = super().document(url, html)
            if re.search(r"\bDETAIL\s*:", html or ""):
                doc.uncertain = "; ".join(filter(None, ["_CONFIG.DETAIL is not readable JSON", doc.uncertain]))
            return doc
        doc = Document(url=url)
        for field, keys in DETAIL_FIELDS.items():
            key = next((k for k in keys if k in detail), None)
            if key is None:
                continue
            raw = detail[key]
            raw = "" if raw is None else str(raw)
            setattr(doc, field, Value(normalise_value(field, raw), raw, "api"))
        if not doc.validity.present and (detail.get("is_abolished") or detail.get("is_expired")):
            flag = "is_abolished" if detail.get("is_abolished") else "is_expired"
            doc.validity = Value("废止" if flag == "is_abolished" else "失效", f"{flag}: true", "api")
        doc.column_name = clean(detail.get("classify_main_name")) or None
        content = selector(f"<html><body>{detail.get('content') or ''}</body></html>")
        doc.body_text = element_text(content.root.find("body"), blocks=True)
        attachments = {a.url: a for a in self.attachments(url, content.root)}
        for a in detail.get("attachment") or []:
            target = absolute_url(url, a.get("url")) if isinstance(a, dict) and isinstance(a.get("url"), str) else None
            if target:
                attachments.setdefault(target, Attachment(target, clean(a.get("name")) or target.rsplit("/", 1)[-1]))
        doc.attachments = list(attachments.values())
        related = {link.url: link for link in self.related(url, content.root) if link.url not in attachments}
        for r in detail.get("relation") or []:
            link = json_link(url, r.get("url"), r.get("title")) if isinstance(r, dict) else None
            if link and link.url not in related:
                related[link.url] = link
        doc.related = list(related.values())
        problems = [msg for ok, msg in ((doc.title.present, "no title in _CONFIG.DETAIL"),
                                        (doc.pub_date.present, "no publication date in _CONFIG.DETAIL")) if not ok]
        doc.uncertain = "; ".join(problems) or None
        return doc
