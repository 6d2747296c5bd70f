"""What the portal crawl reads from a document page or a further list page, in the page-reading process or here.

The spider's process spends about as much CPU reading a document page (metadata pairs, body
text, attachments, related links, every link of the page) as Scrapy spends fetching it; on a
machine with two cores the reading runs beside the fetching. Page objects are pure functions
of ``(url, html)`` (``crawler.profiles.base``), so a page is read in the crawl's reading
process (:mod:`crawler.reader`, :func:`check_and_read`) and only what the store needs comes
back: the :class:`~crawler.items.Document` and the page's links as :class:`LinkRow` tuples
(url, text cut to the stored 200 characters, tag). When the reading process cannot be used
(``PARSE_WORKERS = 0``, it could not be started or it died) the page is read in the spider's
process by the very same functions. A column's further list pages (``parse_more``) go the same
way (:func:`check_and_list`): their checks, their rows and further pages read by the page object,
their body packed.
"""
from __future__ import annotations

from typing import NamedTuple


class LinkRow(NamedTuple):
    """A link as the store keeps it (``store.Store.add_links`` reads ``url``, ``text``, ``tag``)."""

    url: str
    text: str
    tag: str


def read_document(profile, url: str, html: str) -> tuple[list[LinkRow] | None, str | None, object, str | None]:
    """The links of a document page and the document read from it, each with the error that
    stopped it (the other part is still returned): ``(links, links_error, document, document_error)``."""
    links = doc = None
    links_error = doc_error = None
    try:
        links = [LinkRow(link.url, link.text[:200], link.tag) for link in profile.links(url, html)]
    except Exception as exc:        # extraction must never kill the crawl
        links_error = f"{type(exc).__name__}: {exc}"
    try:
        doc = profile.document(url, html)
    except Exception as exc:
        doc_error = f"{type(exc).__name__}: {exc}"
    return links, links_error, doc, doc_error


def page_checks(url: str, status: int, headers: dict, checked, redirects: list, reasons: list,
                short: bool) -> tuple[str | None, str | None]:
    """``(blocked, gone)`` of an answer (``crawler.antibot``): a challenge or refusal page, and
    a soft 404 or a deleted document sent elsewhere. ``short``: the body is short enough (or the
    status an error) for the challenge signatures to be looked for."""
    from crawler.antibot import blocked_reason, gone_reason

    blocked = blocked_reason(status, headers, checked) if short else None
    gone = None if blocked else gone_reason(url, status, checked, redirect_urls=redirects,
                                            redirect_reasons=reasons, final_url=url)
    return blocked, gone


def _checked_answer(url: str, status: int, headers: dict, checked, redirects: list, reasons: list,
                    short: bool, html: str | None, body: bytes | None):
    """What both page hand-overs do first: the answer's checks (:func:`page_checks`; ``checked``
    None: they read ``html``), the body packed for the store when given (:func:`store.pack_body`,
    made here rather than in the crawler's process), and whether the answer is the page to read
    (200, neither blocked nor gone, decoded). Returns ``((blocked, gone), packed or None, page)``."""
    from store import pack_body

    packed = pack_body(body) if body is not None else None
    blocked, gone = page_checks(url, status, headers, html if checked is None else checked,
                                redirects, reasons, short)
    return (blocked, gone), packed, status == 200 and not blocked and not gone and html is not None


def check_and_read(profile, url: str, status: int, headers: dict, checked, redirects: list,
                   reasons: list, short: bool, html: str | None, body: bytes | None = None):
    """A document answer's checks and body (:func:`_checked_answer`), and when it is the page
    what :func:`read_document` reads from it. Returns ``((blocked, gone), read or None, packed
    or None)``."""
    checks, packed, page = _checked_answer(url, status, headers, checked, redirects, reasons, short, html, body)
    return checks, read_document(profile, url, html) if page else None, packed


def check_and_list(spec, profile, url: str, status: int, headers: dict, checked, redirects: list,
                   reasons: list, short: bool, html: str | None, body: bytes | None = None):
    """A further list page's answer (the request ``spec`` a page object asked for): its checks
    and body (:func:`_checked_answer`), and when it is the page the
    :class:`~crawler.items.Listing` the page object reads from it (``profile.parse_more``).
    Returns ``((blocked, gone), listing or None, packed or None)``; what the page object raises
    is raised (the crawler then reads the page itself)."""
    checks, packed, page = _checked_answer(url, status, headers, checked, redirects, reasons, short, html, body)
    return checks, profile.parse_more(spec, url, html) if page else None, packed
