"""Typed items produced by page objects and stored by the pipeline.

Page objects (``crawler.profiles``) take ``(url, html)`` and return these; they never fetch.
Every extracted metadata value is a :class:`Value` that remembers the raw text it was
parsed from and where it came from, so rules and auditors can weigh it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Where an extracted value came from, strongest first ("profile": a selector configured in
#: the site's profile, ``crawler.profiles.site``).
Source = Literal["profile", "meta", "table", "list", "api", "url", "text"]

#: The metadata fields of a disclosure document (public export interface: keep stable); the
#: store's documents table has a value, raw text and source column for each.
from store.schema import DOC_FIELDS  # noqa: E402,F401  (re-exported)


@dataclass
class Value:
    """One extracted value: normalised ``value`` (None when missing or a placeholder such
    as 无 / 〔〕号), the ``raw`` text as found on the page, and its ``source``."""

    value: str | None
    raw: str | None = None
    source: Source | None = None

    @property
    def present(self) -> bool:
        return self.value is not None


@dataclass
class RequestSpec:
    """A request a page object asks the spider to make (as the page's own script would)."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: what the response is: "listing" (more rows of the same column), "document", "section"
    kind: str = "listing"
    #: opaque state handed back to the page object with the response (e.g. page number)
    state: dict = field(default_factory=dict)


@dataclass
class Link:
    """A link found on a page (for link checking and discovery)."""

    url: str           # absolute, fragment removed
    text: str          # anchor text (or alt / title for images)
    tag: str = "a"     # a | img | iframe | script | link | area
    raw_href: str = ""


@dataclass
class ListEntry:
    """One row of a column list."""

    url: str
    title: str | None
    date: Value = field(default_factory=lambda: Value(None))
    position: int = 0


@dataclass
class Listing:
    """What a column (list) page yields: rows, and how to get more."""

    entries: list[ListEntry] = field(default_factory=list)
    more: list[RequestSpec] = field(default_factory=list)
    total: int | None = None          # total rows the page claims, when it says
    placeholder: bool = False         # the page shows 暂无信息 or similar
    uncertain: str | None = None      # why the listing could not be read fully (-> review)


@dataclass
class Column:
    """A column (栏目) found during discovery."""

    url: str
    name: str
    parent: str | None = None        # name of the parent group, e.g. 法定主动公开内容
    role: str = "column"             # column | guide | rules | annual_report | section | home


@dataclass
class Attachment:
    url: str
    name: str


@dataclass
class Document:
    """A disclosure document (detail page)."""

    url: str
    title: Value = field(default_factory=lambda: Value(None))
    index_no: Value = field(default_factory=lambda: Value(None))
    publisher: Value = field(default_factory=lambda: Value(None))
    doc_no: Value = field(default_factory=lambda: Value(None))
    written_date: Value = field(default_factory=lambda: Value(None))
    pub_date: Value = field(default_factory=lambda: Value(None))
    validity: Value = field(default_factory=lambda: Value(None))
    category: Value = field(default_factory=lambda: Value(None))
    column_name: str | None = None        # ColumnName meta / breadcrumb, as the page says
    body_text: str = ""                   # main text (for 解读 matching, validity periods)
    attachments: list[Attachment] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)   # 相关解读 / 原文 / 相关文件 links
    deleted: bool = False                 # page says it was removed (meta refresh to parent…)
    uncertain: str | None = None          # extraction doubt, in English (-> review)


# -- what the spider yields for the store ---------------------------------------------------------
# The portal spider writes nothing itself: it yields these and the item pipeline
# (``crawler.pipelines.StorePipeline``) writes each through the store's methods, in the order
# yielded, into the spider's run.

@dataclass
class FetchRecord:
    """One answer (or failure) to a request, as it was received."""

    site: str
    url: str                          # the URL requested (before redirects)
    status: int | None
    body: bytes | None = None
    body_sha: str | None = None       # the body's SHA-1 (the spider needs it before the row is written)
    body_packed: bytes | None = None  # the body compressed as the store keeps it (store.pack_body, with body_sha)
    method: str = "GET"
    req_body: str | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    elapsed_ms: int | None = None
    content_type: str | None = None
    error: str | None = None
    blocked: str | None = None
    kind: str = "page"                # home | section | column | listing | document | error
    notes: dict = field(default_factory=dict)     # truncated, encoding, encoding_note, refresh


@dataclass
class SiteRecord:
    """The audited site: its name, the CMS family read from its home page, the site profile used."""

    site: str
    name: str | None = None
    family: str | None = None
    profile: str | None = None


@dataclass
class ColumnNode:
    """A page of a section's column tree as discovery classified it (or the home page)."""

    site: str
    url: str
    name: str
    parent: str | None
    role: str
    entries: int = 0
    placeholder: bool = False
    status: str = "ok"
    note: str | None = None
    section: str | None = None
    #: kind, reason, path (list of names), depth, parent_url, rows_stated, pages_stated, pages_read
    tree: dict = field(default_factory=dict)


@dataclass
class ColumnState:
    """A column's state changed after it was stored (a later list request blocked, a doubt)."""

    site: str
    url: str
    status: str
    note: str | None


@dataclass
class ListRows:
    """The rows one list page (or list request) gave a column."""

    site: str
    column_url: str
    entries: list[ListEntry]
    further_page: bool = False        # a list page after the column's first


@dataclass
class PageLinks:
    """The links found on one page."""

    site: str
    page_url: str
    links: list[Link]


@dataclass
class DocumentRecord:
    """A document page as read: the document, and the page's fetch and links when they are to
    be stored with it (written in that order: fetch, links, document)."""

    site: str
    document: Document
    fetched_at: str
    body_sha: str | None
    status: int | None
    fetch: FetchRecord | None = None
    links: PageLinks | None = None


@dataclass
class UnchangedDocument:
    """A document the server says is unchanged (304): the fetch points at the stored body, and
    the stored document (with its page's links) is carried into this run from ``from_run``."""

    site: str
    url: str
    body_sha: str
    from_run: int
    elapsed_ms: int | None = None


@dataclass
class CarriedDocument:
    """A listed document judged from its stored copy without a request (the revisit window,
    ``fleet.incremental``): carried into this run from ``from_run``, recorded as unread."""

    site: str
    url: str
    from_run: int
