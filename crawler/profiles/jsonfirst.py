"""JSON-first portals: Guangdong's gkmlpt 政府信息公开目录 platform and gov.cn's policy library.

What their scripts do, done without a browser:

* gkmlpt: the section page ``/gkmlpt/index`` carries ``window._CONFIG = {SID:…, TREE:[…]}``; the
  法定主动公开内容 node's children are the columns (category ids) and exist nowhere else on the
  page. A column is read from ``/gkmlpt/api/all/{catId}?page=N&sid={SID}`` (JSON with ``total``
  and ``articles``, each with ``create_time`` in epoch seconds, as public scrapers of gd.gov.cn
  read it); the crawler pages up to ``total`` and never "until an empty page" (past the end the
  API repeats its last page). Detail pages
  (``…/post_{id}.html``) hold everything, the body included, in ``_CONFIG.DETAIL``.
* gov.cn: a column page's script reads a static JSON feed (``[{TITLE, URL, DOCRELPUBTIME}]``) and
  the paged library search (``/search-gov/data`` → ``searchVO.listVO`` / ``totalpage``, ``pubtime``
  in ms). Both are asked for: a search guarded by a computed header token (athena) answers 403,
  which the spider records as blocked, and the feed still yields what it lists. Formal-document
  pages (``/zhengce/content/…``) are plain HTML (``table.bd1``, ``#UCAP-CONTENT``) and use the
  generic extraction.

Values read from JSON carry ``source="api"``.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from crawler.items import Attachment, Column, Document, Link, ListEntry, Listing, RequestSpec, Value
from crawler.profiles.extract import (
    absolute_links, absolute_url, clean, element_text, find_date, normalise_value, selector,
)
from crawler.profiles.generic import FDZDGK, GenericProfile, _role

FINGERPRINT = re.compile(r"/gkmlpt/(?:index|api/|content/)|window\._CONFIG\s*=|ZUIXINZHENGCE\.json|"
                         r"/search-gov/data|zhengcelibrary|/zhengce/content/\d{6}/content_\d+\.htm")
#: DETAIL / article key(s) -> Document field, first present wins
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
#: keys of a gkmlpt API article that carry its publication time, first present wins
GKMLPT_DATE_KEYS = ("create_time", "publish_time", "display_publish_time")
DEFAULT_PER_PAGE = 20
DEFAULT_API = "/gkmlpt/api/all/"


def js_value(text: str, name: str):
    """The JSON value written after ``name:`` or ``name =`` in a script (``TREE: [...]``,
    ``DETAIL: {...}``, ``var listConfig = {...}``), or None when absent or not JSON."""
    decoder = json.JSONDecoder()
    for m in re.finditer(rf"(?<![\w$.]){re.escape(name)}['\"]?\s*[:=]\s*", text or ""):
        try:
            return decoder.raw_decode(text, m.end())[0]
        except ValueError:
            continue
    return None


def config_string(text: str, name: str) -> str | None:
    """A scalar of the page's ``_CONFIG`` literal (``SID: '200001'``, ``API: '/gkmlpt/api/all/'``)."""
    m = re.search(rf"""\b{re.escape(name)}['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|(\w+))""", text or "")
    return next((g for g in m.groups() if g is not None), None) if m else None


def load_json(body: str):
    body = (body or "").strip()
    if not body.startswith(("{", "[")):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def with_param(url: str, name: str, value) -> str:
    """``url`` with query parameter ``name`` set to ``value`` (added when absent)."""
    new, n = re.subn(rf"([?&]{re.escape(name)}=)[^&#]*", rf"\g<1>{value}", url, count=1)
    return new if n else f"{url}{'&' if '?' in url else '?'}{name}={value}"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class JsonFirstProfile(GenericProfile):
    family = "jsonfirst"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return bool(FINGERPRINT.search(url or "") or FINGERPRINT.search(html or ""))

    # -- discovery ------------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        data = load_json(html)
        if data is not None:          # an API reply: the documents (and files) it points to
            return [link for row in self._rows(data) for link in self._row_links(url, row)]
        links = absolute_links(url, html)
        detail = js_value(html, "DETAIL")
        if isinstance(detail, dict):
            seen = {(link.url, link.tag) for link in links}
            extra = absolute_links(url, detail.get("content") or "") + self._row_links(url, {**detail, "url": None})
            links += [link for link in extra if (link.url, link.tag) not in seen]
        return links

    @staticmethod
    def _rows(data) -> list[dict]:
        if isinstance(data, list):
            return [r for r in data if isinstance(r, dict)]
        if isinstance(data, dict):
            rows = data.get("articles") or (data.get("searchVO") or {}).get("listVO") or []
            return [r for r in rows if isinstance(r, dict)]
        return []

    @staticmethod
    def _row_links(base: str, row: dict) -> list[Link]:
        """The row's own URL first, then its attachments and related documents."""
        out = []
        for target, text in [(row.get("url") or row.get("URL"), row.get("title") or row.get("TITLE"))] + [
                (a.get("url"), a.get("name") or a.get("title")) for key in ("attachment", "relation")
                for a in (row.get(key) or []) if isinstance(a, dict)]:
            link = absolute_url(base, target) if isinstance(target, str) else None
            if link:
                out.append(Link(link, clean(text), "a", target))
        return out

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
        """A tree node's list: its own link, else the first page of the gkmlpt API
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
        data = load_json(html)
        if data is not None:
            return self.parse_more(RequestSpec(url, state={"first": True}), url, html)
        config = js_value(html, "listConfig")
        if isinstance(config, dict) and (config.get("feed") or config.get("search")):
            return self._govcn_requests(url, html, config)
        return super().listing(url, html)

    def _govcn_requests(self, url: str, html: str, config: dict) -> Listing:
        """The feed first; its reply asks for the search from the first page the feed does not
        cover (so every reply brings rows new to the column, and a guarded search still leaves
        the feed's rows). Without a feed, the search from page 1."""
        search = None
        if config.get("search"):
            n = _int(config.get("n")) or DEFAULT_PER_PAGE
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
        if isinstance(data, dict) and "articles" in data:
            return self._gkmlpt(spec, url, data)
        if isinstance(data, dict) and isinstance(data.get("searchVO"), dict):
            return self._search(spec, url, data["searchVO"])
        if data is not None:
            return Listing(uncertain=f"unrecognised JSON reply from {url}")
        return super().parse_more(spec, url, body)

    @staticmethod
    def _entry(base: str, row: dict, position: int, url_key: str, title_key: str, date_key: str):
        target = absolute_url(base, row.get(url_key)) if isinstance(row.get(url_key), str) else None
        if not target:
            return None
        raw = row.get(date_key)
        found = find_date(raw) if raw not in (None, "") else None
        date = Value(found[0], str(raw), "api") if found else Value(None, None if raw is None else str(raw), "api")
        return ListEntry(target, clean(row.get(title_key)) or None, date, position)

    def _feed(self, spec: RequestSpec, url: str, rows: list) -> Listing:
        entries = [e for i, row in enumerate(r for r in rows if isinstance(r, dict))
                   if (e := self._entry(url, row, i + 1, "URL", "TITLE", "DOCRELPUBTIME"))]
        listing = Listing(entries=entries)
        if spec.state.get("search"):
            search = RequestSpec(**spec.state["search"])
            page = len(entries) // search.state["per_page"] + 1
            search.url = with_param(search.url, "p", page)
            search.state = {**search.state, "page": page}
            listing.more.append(search)
        return listing

    def _gkmlpt(self, spec: RequestSpec, url: str, data: dict) -> Listing:
        rows = [r for r in data.get("articles") or [] if isinstance(r, dict)]
        total = _int(data.get("total"))
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        page = _int(spec.state.get("page")) or _int(query.get("page")) or 1
        per_page = _int(spec.state.get("per_page")) or len(rows) or DEFAULT_PER_PAGE
        first = (page - 1) * per_page + 1
        entries = [e for i, row in enumerate(rows)
                   if (e := self._entry(url, row, first + i, "url", "title", self._date_key(row)))]
        listing = Listing(entries=entries, total=total, placeholder=total == 0)
        if total is None:
            listing.uncertain = f"gkmlpt reply without total ({url}): only this page was read"
            return listing
        expected = max(0, min(per_page, total - first + 1))
        if len(entries) < expected:
            listing.uncertain = f"gkmlpt page {page} gave {len(entries)} of {expected} rows ({url})"
        if spec.state.get("first") and page == 1 and total > len(rows) and rows:
            for n in range(2, math.ceil(total / per_page) + 1):
                listing.more.append(RequestSpec(with_param(url, "page", n),
                                                headers={"X-Requested-With": "XMLHttpRequest"},
                                                state={"page": n, "per_page": per_page, "total": total}))
        return listing

    @staticmethod
    def _date_key(row: dict) -> str:
        """The row's publication time: ``create_time`` (epoch seconds, as the gkmlpt API gives
        it), else a ``publish_time`` / ``display_publish_time`` string."""
        return next((k for k in GKMLPT_DATE_KEYS if row.get(k) not in (None, "")), GKMLPT_DATE_KEYS[0])

    def _search(self, spec: RequestSpec, url: str, vo: dict) -> Listing:
        rows = [r for r in vo.get("listVO") or [] if isinstance(r, dict)]
        page = _int(spec.state.get("page")) or 1
        per_page = _int(spec.state.get("per_page")) or DEFAULT_PER_PAGE
        pages = _int(vo.get("totalpage"))
        entries = [e for i, row in enumerate(rows)
                   if (e := self._entry(url, row, (page - 1) * per_page + i + 1, "url", "title", "pubtime"))]
        listing = Listing(entries=entries, total=_int(vo.get("totalCount")))
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

    # -- documents --------------------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        detail = js_value(html, "DETAIL")
        if not isinstance(detail, dict):
            if re.search(r"\bDETAIL\s*:", html or ""):
                doc = super().document(url, html)
                doc.uncertain = "; ".join(filter(None, ["_CONFIG.DETAIL is not readable JSON", doc.uncertain]))
                return doc
            return super().document(url, html)
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
            target = absolute_url(url, r.get("url")) if isinstance(r, dict) and isinstance(r.get("url"), str) else None
            if target and target not in related:
                related[target] = Link(target, clean(r.get("title")), "a", r.get("url"))
        doc.related = list(related.values())
        problems = [msg for ok, msg in ((doc.title.present, "no title in _CONFIG.DETAIL"),
                                        (doc.pub_date.present, "no publication date in _CONFIG.DETAIL")) if not ok]
        doc.uncertain = "; ".join(problems) or None
        return doc
