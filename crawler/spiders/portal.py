"""The one generic portal spider.

It only routes: home page -> 政府信息公开 section -> 法定主动公开内容 columns -> every list page
(and the script endpoints a family uses) -> every document. Extraction is done by page objects
(``crawler.profiles``) chosen per site by fingerprint. Every response, error and challenge is
recorded as a fetch with its timestamp; bodies are kept by hash.

The spider writes nothing itself: it yields typed items (``crawler.items``: fetch records,
column-tree nodes, list rows, documents, links) beside its requests, and the item pipeline
(``crawler.pipelines.StorePipeline``) writes them through the store's methods.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawler.discovery import (
    DISCLOSURE_WORDS, NavLink, breadcrumb, is_file, looks_like_endpoint, more_links, nav_links, preview_links, role_of, row_links,
    section_candidates, section_nav, section_text, usable_name,
)
from crawler.items import (Column, ColumnNode, ColumnState, DocumentRecord, FetchRecord, Listing, ListRows,
                           PageLinks, SiteRecord)
from crawler.profiles.generic import PAGER_HREF
from crawler.profiles.reading import check_and_list, check_and_read, page_checks, read_document
from crawler.profiles.registry import by_family, resolve
from crawler.profiles.site import SiteProfile, load_site_config
from crawler.reader import ReaderGone, SpiderReader
from pagetext import BODY_XPATHS, element_text, selector
from store import Store, now_iso, sha1

logger = logging.getLogger(__name__)

#: statuses handed to the callbacks (recorded); 3xx are followed by the redirect middleware
HANDLED_STATUSES = list(range(400, 600))
HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml", "application/json",
              "text/plain", "text/javascript", "application/javascript")


def page_text(response: Response) -> str | None:
    """The page as text (None for a file or undecodable garbage). The declared charset is kept
    when the body decodes with it; otherwise the encoding is detected (``crawler.decode``) and
    ``response.meta["encoding"]`` / ``["encoding_note"]`` say what was used."""
    from store.decode import decode_page

    if not isinstance(response, TextResponse):
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype and not any(t in ctype for t in HTML_TYPES):
            return None
        try:
            response = HtmlResponse(response.url, body=response.body, headers=response.headers,
                                    request=response.request)
        except Exception:  # undecodable garbage is recorded, not fatal
            return None
    try:
        text, enc, note = decode_page(response.body, response.encoding,
                                      truncated=bool(response.meta.get("truncated_at")))
    except Exception:
        return None
    response.meta["encoding"], response.meta["encoding_note"] = enc, note
    return text


def body_notes(response: Response) -> dict:
    """m007's fetch columns from a response: truncation, encoding used, an unfollowed refresh."""
    from crawler.antibot import _META_REFRESH

    notes = {"truncated": response.meta.get("truncated_at"), "encoding": response.meta.get("encoding"),
             "encoding_note": response.meta.get("encoding_note")}
    text = response.meta.get("page_text")
    tag = _META_REFRESH.search(text[:20000]) if text else None
    if tag:
        content = re.search(r"""content\s*=\s*["']?([^"'>]*)""", tag.group(0), re.I)
        notes["refresh"] = (content.group(1).strip() if content else tag.group(0))[:500]
    return notes


#: how deep below the section the tree is walked, and how many tree pages a site may take
MAX_DEPTH = 6
MAX_TREE_PAGES = 800
#: distinct query strings followed for one page path (?open=…, ?key=<time> views are endless)
QUERY_VARIANTS = 8


@dataclass
class Node:
    """A page of a section's column tree, as it is requested."""

    url: str
    name: str
    path: tuple[str, ...]          # names from below the section down to this page
    depth: int                     # levels below the section (the section: 0)
    parent_url: str | None
    section: str | None            # the section page this page belongs to (None: the section itself)
    role: str | None = None        # "section", or a role a site profile gave
    alias: str | None = None       # a frame: the page whose column it fills
    how: str = "a"                 # how the link to it was found (crawler.discovery.NavLink.how)
    nav: int = 0                   # navigation links found on it (set when it is read)


@dataclass
class SiteTree:
    """What discovery knows of one site while walking it."""

    home: str
    home_links: set[str] = field(default_factory=set)
    chrome: set[str] = field(default_factory=set)     # header/footer links: on the home and the section page
    seen: set[str] = field(default_factory=set)
    section_names: set[str] = field(default_factory=set)
    home_names: set[str] = field(default_factory=set)
    pages: int = 0


def _is_home_name(name: str) -> bool:
    return name in ("首页", "网站首页", "主页", "返回首页")


def site_key(url: str) -> str:
    """The site a URL belongs to: scheme://host[:port]/ ."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_urls: list[str], db_path: str, run_id: int,
                 family: str | None = None, max_documents: int | None = None,
                 sites_dir: str | None = None, **kw):
        super().__init__(**kw)
        self.start_urls = list(start_urls)
        self.store = Store(db_path)
        self.run_id = run_id
        self.forced_family = family
        self.sites_dir = sites_dir            # site profiles (None: data/sites)
        self.max_documents = max_documents
        self.profiles: dict[str, object] = {}
        self.trees: dict[str, SiteTree] = {}
        # what the crawl remembers of every document URL until its end holds each URL as its
        # 64-bit hash(), an int of ~32 bytes instead of the URL's string of ~130 (10^5 documents:
        # ~9 MiB less); two URLs of one crawl with the same hash: odds ~10^-10 at 10^5 URLs
        self.doc_requested: set[int] = set()      # hash(url) of every document requested
        self.columns_seen: set[str] = set()   # a column listed by several section pages is crawled once
        self.listed: dict[str, set[int]] = {}     # column url -> hash(url) of the documents listed so far
        self.stats_counts = {"pages": 0, "documents": 0, "columns": 0, "blocked": 0, "errors": 0}
        self.allowed_hosts = {urlsplit(u).netloc for u in self.start_urls}
        self.reading = SpiderReader()         # crawler.reader, taken on the first document

    # -- plumbing ---------------------------------------------------------------------
    def _request(self, url: str, callback, *, method: str = "GET", body: str | None = None,
                 headers: dict | None = None, meta: dict | None = None, priority: int = 0,
                 dont_filter: bool = False):
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, method=method, body=body,
            headers=headers, priority=priority, dont_filter=dont_filter,
            meta={"handle_httpstatus_list": HANDLED_STATUSES, **(meta or {})},
        )

    def _record(self, response: Response, kind: str,
                packed: tuple[str, bytes] | None = None) -> tuple[list[FetchRecord], str | None, str | None]:
        """The fetch to store (none when a resumed run replays a stored answer), the body's
        SHA-1 and the blocked reason. ``packed``: the body's SHA-1 and compressed bytes, made
        by the reading worker (``store.pack_body``)."""
        site = response.meta.get("site") or site_key(response.url)
        headers = self._headers(response)
        redirects = response.meta.get("redirect_urls", [])
        req = response.request
        if "checks" in response.meta:           # made in the worker process (parse_document)
            blocked, gone = response.meta["checks"]
        else:
            # a challenge page; a soft 404 or a deleted document redirecting to its parent: not
            # the page (antibot.py); the checks read text, decoded once
            blocked, gone = page_checks(response.url, response.status, headers, self._checked(response),
                                        redirects, response.meta.get("redirect_reasons", []),
                                        self._check_blocked(response))
        response.meta["gone"] = gone
        self._text(response)      # decoded once here: the fetch records how (issue 11)
        sha = packed[0] if packed else sha1(response.body)
        if response.meta.get("replayed_fetch"):      # a resumed run: already stored (crawler.resume)
            self.stats_counts["pages"] += 1
            return [], sha, blocked
        fetch = FetchRecord(
            site, req.meta.get("original_url") or (redirects[0] if redirects else response.url),
            status=response.status, body=response.body, body_sha=sha,
            body_packed=packed[1] if packed else None, method=req.method,
            req_body=req.body.decode("utf-8", "replace") if req.body else None,
            final_url=response.url, redirects=redirects + [response.url] if redirects else [],
            elapsed_ms=int(1000 * response.meta.get("download_latency", 0)),
            content_type=headers.get("content-type"), blocked=blocked, kind=kind, error=gone,
            notes=body_notes(response),
        )
        self.stats_counts["pages"] += 1
        if blocked:
            self.stats_counts["blocked"] += 1
        return [fetch], sha, blocked

    @staticmethod
    def _checked(response: Response):
        """What the block / soft-404 checks read: Scrapy's decoded text (kept for the readers), or
        the bytes of a response that is not text."""
        return response.text if isinstance(response, TextResponse) else response.body

    @staticmethod
    def _check_blocked(response: Response) -> bool:
        """Challenge signatures are looked for on error answers and short pages only."""
        return response.status >= 400 or len(response.body) < 20000

    @staticmethod
    def _headers(response: Response) -> dict[str, str]:
        """The response's headers as text, lower-case names (made once per response)."""
        if "headers_text" not in response.meta:
            response.meta["headers_text"] = {k.decode().lower(): b", ".join(v).decode("latin-1")
                                             for k, v in response.headers.items()}
        return response.meta["headers_text"]

    def _text(self, response: Response) -> str | None:
        if "page_text" not in response.meta:
            response.meta["page_text"] = page_text(response)
        return response.meta["page_text"]

    def _profile(self, site: str):
        return self.profiles.get(site) or by_family("generic")

    def _usable(self, response: Response, blocked: str | None) -> bool:
        return response.status == 200 and not blocked and not response.meta.get("gone")

    def _links(self, site: str, response: Response, html: str):
        """The page's links, to store."""
        try:
            links = self._profile(site).links(response.url, html)
        except Exception as exc:  # extraction must never kill the crawl
            logger.warning("link extraction failed on %s: %s", response.url, exc)
            return
        yield PageLinks(site, response.url, links)

    # -- callbacks --------------------------------------------------------------------
    async def start(self):
        for url in self.start_urls:
            yield self._request(url, self.parse_home, meta={"site": site_key(url), "role": "home"})

    def parse_home(self, response: Response):
        site = response.meta["site"]
        fetch, sha, blocked = self._record(response, "home")
        yield from fetch
        html = self._text(response)
        if not self._usable(response, blocked) or html is None:
            yield SiteRecord(site)
            yield ColumnNode(site, response.url, "首页", None, "home", status="blocked" if blocked else "error",
                             note=blocked or response.meta.get("gone") or f"HTTP {response.status}")
            logger.error("home page %s unusable: %s", response.url, blocked or response.status)
            return
        config = load_site_config(site, self.sites_dir)   # validated by the CLI before the crawl
        profile = resolve(response.url, html, self.forced_family, config)
        self.profiles[site] = profile
        title = response.css("meta[name=SiteName]::attr(content)").get() or \
            (response.css("title::text").get() or "").strip() or None
        yield SiteRecord(site, title, profile.family, profile=str(config.path) if config else None)
        yield from self._links(site, response, html)
        # Dated items on the home page (for home-page freshness), stored as the "首页" column.
        try:
            home = profile.listing(response.url, html)
            n_home = len(home.entries)
        except Exception as exc:
            logger.warning("home page items not readable on %s: %s", response.url, exc)
            home, n_home = None, 0
        if n_home:
            yield ListRows(site, response.url, home.entries)
        yield ColumnNode(site, response.url, "首页", None, "home", entries=n_home)
        tree = self.trees[site] = SiteTree(home=response.url)
        home_nav = nav_links(response.url, html)
        tree.home_links = {link.url for link in home_nav}
        tree.home_names = {link.name for link in home_nav if link.name}
        tree.seen.add(response.url)
        if config and config.section_url:
            candidates = [NavLink(profile.section_url(response.url, html), "政府信息公开", "profile")]
        else:
            candidates = section_candidates(response.url, html)
        if candidates:
            yield self._section_request(site, candidates)
            return
        # the header may sit in a frame: look for the way in there before calling it missing
        frames = [link.url for link in home_nav if link.how in ("iframe", "frame")
                  and urlsplit(link.url).netloc in self.allowed_hosts]
        yield from self._next_home_frame(site, response.url, frames)

    def _next_home_frame(self, site: str, home: str, frames: list[str]):
        if frames:
            yield self._request(frames[0], self.parse_home_frame, priority=10,
                                meta={"site": site, "home": home, "frames": frames[1:]})
            return
        # keyed apart from the home page: the 首页 row must stay as fetched (FR001, ID001)
        yield ColumnNode(site, f"{home}#no-section", "政府信息公开", None, "section",
                         status="missing", note="no 政府信息公开 link on the home page",
                         tree={"kind": "section", "reason": "首页未找到政府信息公开专栏的入口"})

    def parse_home_frame(self, response: Response):
        """A frame of the home page (a header or menu served on its own): the way into the section."""
        site = response.meta["site"]
        fetch, sha, blocked = self._record(response, "home")
        yield from fetch
        html = self._text(response)
        candidates = section_candidates(response.url, html) if self._usable(response, blocked) and html else []
        if candidates:
            self.trees[site].home_links |= {link.url for link in nav_links(response.url, html)}
            yield self._section_request(site, candidates)
        else:
            yield from self._next_home_frame(site, response.meta["home"], response.meta["frames"])

    # -- the column tree ----------------------------------------------------------------------
    def _section_request(self, site: str, candidates: list[NavLink]):
        """Request the best remaining way into the section (the rest are tried if it fails)."""
        first, rest = candidates[0], candidates[1:]
        self.allowed_hosts.add(urlsplit(first.url).netloc)
        tree = self.trees[site]
        tree.seen.add(first.url)
        node = Node(first.url, first.name or "政府信息公开", (), 0, tree.home, None, "section")
        return self._request(first.url, self.parse_node, priority=10,
                             meta={"site": site, "node": node, "candidates": rest})

    def _node_request(self, site: str, node: "Node"):
        tree = self.trees[site]
        tree.seen.add(node.url)
        tree.pages += 1
        self.allowed_hosts.add(urlsplit(node.url).netloc)
        return self._request(node.url, self.parse_node, priority=max(4, 10 - node.depth),
                             meta={"site": site, "node": node})

    def _node(self, site: str, node: "Node", kind: str, reason: str, *, status: str = "ok",
              note: str | None = None, entries: int = 0, placeholder: bool = False,
              rows_stated: int | None = None, pages_stated: int | None = None,
              pages_read: int | None = None) -> ColumnNode:
        """The column-tree row of a page, as classified."""
        role = node.role or role_of(node.name) or \
            {"list": "column", "endpoint": "column"}.get(kind, kind)
        return ColumnNode(
            site, node.alias or node.url, node.name, node.path[-2] if len(node.path) > 1 else None,
            role, entries=entries, placeholder=placeholder, status=status, note=note, section=node.section,
            tree={"kind": kind, "reason": reason, "path": list(node.path), "depth": node.depth,
                  "parent_url": node.parent_url, "rows_stated": rows_stated, "pages_stated": pages_stated,
                  "pages_read": pages_read})

    def parse_node(self, response: Response):
        """A page of the section's tree: classify it (section, category, list, single page,
        endpoint, other), read its rows when it is a list, and walk on to the pages it links."""
        site, node = response.meta["site"], response.meta["node"]
        fetch, sha, blocked = self._record(response, "section" if node.role == "section" else "column")
        yield from fetch
        html = self._text(response)
        tree = self.trees[site]
        if not self._usable(response, blocked) or html is None:
            note = blocked or response.meta.get("gone") or f"HTTP {response.status}"
            if node.role == "section" and node.depth == 0 and response.meta.get("candidates"):
                logger.info("section candidate %s unusable (%s); trying the next", response.url, note)
                yield self._section_request(site, response.meta["candidates"])
                return
            yield self._node(site, node, "section" if node.role == "section" else "other", f"未能读取：{note}",
                             status="blocked" if blocked else "error", note=note)
            return
        yield from self._links(site, response, html)
        profile = self._profile(site)
        if node.role == "section":
            tree.section_names.add(node.name)
        if node.depth == 0 and node.role == "section":
            if crumbs_here := breadcrumb(html):
                tree.section_names.add(crumbs_here[-1])
            here = nav_links(response.url, html)
            shared = tree.home_links & {link.url for link in here}
            kept = section_nav(response.url, html, shared, tree.home_links)
            tree.chrome |= shared - kept
        crumbs = breadcrumb(html)
        if node.depth > 0 and crumbs and not self._in_section(tree, node, crumbs):
            yield self._node(site, node, "other", "不在政府信息公开专栏内（当前位置：" + " > ".join(crumbs)[:200] + "）",
                             status="outside")
            return
        try:
            listing = profile.listing(response.url, html)
        except Exception as exc:        # a reader's failure is recorded, not fatal
            logger.warning("list reading failed on %s: %s", response.url, exc)
            listing = Listing(uncertain=f"list reading failed: {exc}")
        unread_rows = row_links(response.url, html) - {e.url for e in listing.entries}
        not_nav = unread_rows | preview_links(response.url, html)       # rows and previews, not columns
        children = [c for c in self._children(site, response.url, html, node, listing) if c.url not in not_nav]
        if node.role == "section":
            kind, reason = "section", "机构的政府信息公开专栏" if node.depth else "政府信息公开专栏"
        elif looks_like_endpoint(html):
            kind, reason = ("endpoint", "列表数据接口（JSON/XML）") if listing.entries or listing.more else \
                ("endpoint", "列表数据接口，无任何信息") if listing.placeholder else \
                ("other", "JSON/XML 应答中没有列表行")
        elif listing.entries or listing.more:
            previews = more_links(response.url, html, {c.url for c in children})
            if not listing.more and previews >= 2:
                kind, reason = "category", f"以“更多”链接展示{previews}个子栏目，页面上的条目是其预览"
            else:
                kind, reason = "list", f"{len(listing.entries)}条带日期的列表行" + \
                    (f"，另有{len(listing.more)}个分页请求" if listing.more else "")
        elif listing.placeholder:
            kind, reason = "list", "空列表（暂无信息）"
        elif len(unread_rows) >= 2:
            kind, reason = "other", (f"{len(unread_rows)}个链接呈列表行排列，但未识别出日期："
                                     "列表未能读取")
        elif len(children) < 2 and not any(c.how in ("iframe", "frame", "data") for c in children) \
                and self._is_document(profile, response.url, html) or \
                self._is_document(profile, response.url, html, fields_only=True) or \
                role_of(node.name) and self._is_document(profile, response.url, html, any_body=True):
            kind, reason = "single", "导航链接指向的单篇文章（有元数据或正文）"
        elif children or node.nav >= 2:
            kind, reason = "category", f"导航至{node.nav}个页面（其中{len(children)}个新页面），无带日期的列表行"
        else:
            kind, reason = "other", "未识别出列表行、文章或导航" + (f"（{listing.uncertain}）" if listing.uncertain else "")
        if kind in ("list", "endpoint"):
            col = Column(node.alias or node.url, node.name, node.path[-2] if len(node.path) > 1 else None,
                         node.role or role_of(node.name) or "column")
            self.columns_seen.add(col.url)
            self.stats_counts["columns"] += 1
            yield self._node(site, node, kind, reason, entries=len(listing.entries),
                             placeholder=listing.placeholder, status="uncertain" if listing.uncertain else "ok",
                             note=listing.uncertain, rows_stated=listing.total,
                             pages_stated=1 + len(listing.more), pages_read=1 if listing.entries else 0)
            yield from self._follow_listing(site, col, listing, response.url)
        elif not node.alias:        # a frame or menu data with no rows leaves its page's row as it is
            yield self._node(site, node, kind, reason)
        for child in children:
            if kind in ("list", "endpoint") and child.how not in ("iframe", "frame", "data") and not usable_name(child.name):
                continue
            yield self._node_request(site, child)

    def _in_section(self, tree: "SiteTree", node: "Node", crumbs: list[str]) -> bool:
        """A page whose 当前位置 trail names neither the section nor an ancestor, but another part
        of the site (a header link such as 互动交流), lies outside the section."""
        names = tree.section_names | set(node.path)
        if any(c in names for c in crumbs):
            return True
        return not any(c in tree.home_names and c != node.name and not _is_home_name(c) for c in crumbs)

    @staticmethod
    def _is_document(profile, url: str, html: str, fields_only: bool = False, any_body: bool = False) -> bool:
        """An article: metadata with some body text, or (unless ``fields_only``) a long body in
        an article container — in any block when ``any_body`` (a page named 指南 or 制度)."""
        try:
            doc = profile.document(url, html)
        except Exception:
            return False
        fields = sum(1 for f in ("index_no", "publisher", "doc_no", "written_date", "pub_date")
                     if getattr(doc, f).present)
        if fields >= 1 and len(doc.body_text) >= 30:
            return True
        if fields_only:
            return False
        if any_body:
            return len(doc.body_text) >= 80
        # no metadata: an article container (#zoom, TRS_Editor, UCAP-CONTENT, <article>) with
        # text, not whatever block holds the most paragraphs (a footer)
        sel = selector(html)
        return any(len(element_text(el.root)) >= 80 for xp in BODY_XPATHS for el in sel.xpath(xp)[:1])

    def _children(self, site: str, url: str, html: str, node: "Node", listing) -> list["Node"]:
        """The unseen pages this tree page links to by navigation (not rows, files, chrome or
        other sites), as child nodes; organ sections a hub lists become sections of their own."""
        tree = self.trees[site]
        if node.depth >= MAX_DEPTH or tree.pages >= MAX_TREE_PAGES:
            return []
        profile = self._profile(site)
        rows = {e.url for e in listing.entries}
        hosts = self.allowed_hosts
        out: list[Node] = []
        configured = None
        if node.depth == 0 and isinstance(profile, SiteProfile) and (
                profile.config.columns or profile.config.column_links):
            configured = profile.section_columns(url, html)
        try:
            hinted = configured if configured is not None else profile.section_columns(url, html)
        except Exception as exc:
            logger.warning("section reading failed on %s: %s", url, exc)
            hinted = []
        organs = {c.url: c for c in hinted if c.role == "section"}
        section = node.url if node.role == "section" else node.section
        candidates: list[NavLink] = []
        if configured is not None:
            candidates = [NavLink(c.url, c.name, "profile") for c in configured]
        else:
            candidates = nav_links(url, html)
            known = {c.url for c in candidates}
            candidates += [NavLink(c.url, c.name, "hint") for c in hinted
                           if c.url not in known and (c.role == "section" or "/api/" in c.url)]
        roles = {c.url: c.role for c in (configured or [])}
        for link in candidates:
            target = link.url
            parts = urlsplit(target)
            if target in rows or hash(target) in self.doc_requested or is_file(target) \
                    or parts.netloc not in hosts and target not in organs:
                continue
            if target in tree.chrome and (not any(w in link.name for w in DISCLOSURE_WORDS)
                                          or section_text(link.name)):
                continue
            if link.how not in ("iframe", "frame", "data", "profile", "hint") and not usable_name(link.name):
                continue
            if link.how not in ("iframe", "frame", "data") and (
                    link.name == node.name or link.name in node.path or link.name in tree.section_names):
                continue        # a link back to this page or an ancestor (breadcrumb, tab, SPA view)
            if parts.query and sum(1 for u in tree.seen if u.split("?")[0] == target.split("?")[0]) >= QUERY_VARIANTS:
                continue        # endless views of one page (?key=<time>, filters)
            if PAGER_HREF.search(parts.path) or any(w in link.name for w in ("下一页", "上一页", "尾页", "末页")):
                continue
            node.nav += 1               # navigation in the section, new or already known
            if target in tree.seen:
                continue
            if link.how in ("iframe", "frame", "data"):
                # a frame (or the menu data a script loads) is part of this page: its rows and
                # links belong to this column
                child = Node(target, node.name, node.path, node.depth, node.parent_url, node.section,
                             node.role, alias=node.alias or node.url, how=link.how)
            elif target in organs:
                child = Node(target, organs[target].name or link.name, (), node.depth + 1, url, section, "section")
            else:
                name = link.name or (organs.get(target).name if target in organs else "")
                child = Node(target, name, node.path + (name,), node.depth + 1, url, section,
                             roles.get(target) if roles.get(target) not in (None, "column") else None,
                             how=link.how)
            tree.seen.add(target)
            out.append(child)
            if tree.pages + len(out) >= MAX_TREE_PAGES:
                logger.warning("tree page budget (%d) reached on %s", MAX_TREE_PAGES, site)
                break
        return out

    async def parse_more(self, response: Response):
        site, col, spec = response.meta["site"], response.meta["column"], response.meta["spec"]
        # checked and read in the reading process like a document page (crawler.reader), or here
        listing, packed = await self._hand_over(response, check_and_list, spec)
        fetch, sha, blocked = self._record(response, "listing", packed)
        for f in fetch:
            yield f
        text = self._text(response)
        if not self._usable(response, blocked) or text is None:
            yield ColumnState(site, col.url, "blocked" if blocked else "incomplete",
                              blocked or f"list request {response.url} HTTP {response.status}")
            return
        if listing is None:
            listing = self._profile(site).parse_more(spec, response.url, text)
        if listing.uncertain:
            yield ColumnState(site, col.url, "uncertain", listing.uncertain)
        for r in self._follow_listing(site, col, listing, col.url, further_page=True):
            yield r

    def _follow_listing(self, site: str, col: Column, listing, referer: str, further_page: bool = False):
        if listing.entries:
            yield ListRows(site, col.url, listing.entries, further_page=further_page)
        # A pager that runs past its end repeats rows (and offers 下一页 for ever): a list page
        # with no row new to this column yields no further pages.
        keys = [hash(e.url) for e in listing.entries]       # one int object for both sets
        repeats = col.url in self.listed and self.listed[col.url].issuperset(keys)
        self.listed.setdefault(col.url, set()).update(keys)
        for e, key in zip(listing.entries, keys):
            if key in self.doc_requested or urlsplit(e.url).netloc not in self.allowed_hosts:
                continue
            if self.max_documents and len(self.doc_requested) >= self.max_documents:
                break
            self.doc_requested.add(key)
            # incremental runs only (fleet.incremental.FleetSpider overrides carry_unread): a
            # document listed unchanged, stored earlier and inside the revisit window is judged
            # from its stored copy without a request
            carried = self.carry_unread(site, col, e)
            if carried:
                yield carried
                continue
            # a page first met as navigation (and fetched as a tree page) is still a document here
            again = e.url in self.trees.get(site, SiteTree(home="")).seen
            yield self._request(e.url, self.parse_document, meta={"site": site}, priority=3, dont_filter=again)
        if repeats and listing.more:
            logger.info("list page of %s has no new rows: not following its pager", col.url)
            return
        # the column's further list pages before the documents listed so far (priority 4 over
        # 3), so that a long column is not a chain of list-page round trips; "lookahead": the
        # scheduler (crawler.scheduler) holds them aside while PAGER_LOOKAHEAD requests are
        # queued or PAGER_LOOKAHEAD_PAGES such pages are on their way (bounded memory at 10^5)
        for spec in listing.more:
            headers = {"Referer": referer, **spec.headers}
            yield self._request(spec.url, self.parse_more, method=spec.method, body=spec.body,
                                headers=headers, priority=4,
                                meta={"site": site, "column": col, "spec": spec, "lookahead": True})

    def carry_unread(self, site: str, col: Column, entry):
        """Hook for incremental runs (``fleet.incremental``): a ``CarriedDocument`` item when the
        listed document ``entry`` is to be carried into this run from a stored copy instead of
        being requested, else None. A full crawl requests every document."""
        return None

    async def _hand_over(self, response: Response, func, *lead) -> tuple:
        """``(read, packed)`` of ``func(*lead, profile, url, status, headers, checked, redirects,
        reasons, short, html, body)`` (:mod:`crawler.profiles.reading`) in the reading process
        (crawler.reader) while Scrapy goes on fetching, the checks' answer kept in
        ``response.meta["checks"]`` for :meth:`_record`; ``(None, None)`` when the page is to be
        read here (no reading process, it died, or the call failed there)."""
        reader = await self.reading.take(self)
        if reader is None:
            return None, None
        html = self._text(response)
        checked = self._checked(response)
        try:
            # the body goes along: the reading process hashes and compresses it for the store
            response.meta["checks"], read, packed = await reader.call(
                func, *lead, self._profile(response.meta["site"]), response.url, response.status,
                self._headers(response), None if checked == html else checked,
                response.meta.get("redirect_urls", []), response.meta.get("redirect_reasons", []),
                self._check_blocked(response), html,
                None if response.meta.get("replayed_fetch") else response.body)
            return read, packed
        except ReaderGone as exc:            # read here from now on
            self.reading.gone(reader, exc)
        except Exception as exc:             # e.g. a page object that cannot be sent, or raised there: read here
            logger.warning("page %s not read by the reading process (%s: %s): read here", response.url,
                           type(exc).__name__, exc)
        response.meta.pop("checks", None)
        return None, None

    async def parse_document(self, response: Response):
        site = response.meta["site"]
        read, packed = await self._hand_over(response, check_and_read)
        fetch, sha, blocked = self._record(response, "document", packed)
        html = self._text(response)
        if not self._usable(response, blocked) or html is None:
            for f in fetch:
                yield f
            if not blocked:
                self.stats_counts["errors"] += 1
            return
        links, links_error, doc, doc_error = read or read_document(self._profile(site), response.url, html)
        page_links = None
        if links_error:
            logger.warning("link extraction failed on %s: %s", response.url, links_error)
        else:
            page_links = PageLinks(site, response.url, links)
        if doc_error:
            logger.warning("document extraction failed on %s: %s", response.url, doc_error)
            self.stats_counts["errors"] += 1
            for f in fetch:
                yield f
            if page_links is not None:
                yield page_links
            return
        original = response.meta.get("redirect_urls", [response.url])[0]
        doc.url = original
        # one item for the page (most pages of a crawl are documents; each item costs Scrapy's
        # item machinery): its fetch, its links and the document
        yield DocumentRecord(site, doc, now_iso(), sha, response.status,
                             fetch=fetch[0] if fetch else None, links=page_links)
        self.stats_counts["documents"] += 1

    def on_error(self, failure: Failure):
        request = failure.request
        site = request.meta.get("site") or site_key(request.url)
        hops = request.meta.get("redirect_urls", [])    # e.g. a redirect loop cut at REDIRECT_MAX_TIMES
        yield FetchRecord(site, hops[0] if hops else request.url, status=None,
                          method=request.method, final_url=request.url,
                          redirects=hops + [request.url] if hops else [],
                          error=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
                          kind="error")
        self.stats_counts["errors"] += 1
        node = request.meta.get("node")
        if node is not None:                            # a tree page that never answered
            if node.role == "section" and node.depth == 0 and request.meta.get("candidates"):
                yield self._section_request(site, request.meta["candidates"])
                return
            yield self._node(site, node, "section" if node.role == "section" else "other",
                             f"未能读取：{failure.getErrorMessage()[:200]}", status="error",
                             note=failure.getErrorMessage()[:300])
        if request.meta.get("role") == "home":
            yield SiteRecord(site)
            yield ColumnNode(site, request.url, "首页", None, "home",
                             status="error", note=failure.getErrorMessage()[:300])

    def closed(self, reason: str) -> None:
        # the item pipeline has written everything and given the documents their columns
        self.crawl_reason = reason
        self.reading.give_back()
