"""A same-site page's own work in a link crawl (``govaudit links``), beside Scrapy's event loop.

Each page the link spider follows is decoded, checked (a challenge or refusal page, a soft 404
or a deleted document sent elsewhere: :class:`~crawler.linkcheck.classify.Observation`), its
title read, its links extracted and its body compressed for the store. None of that needs
Scrapy or the store, so the spider hands it to its page-reading process
(:mod:`crawler.reader`) and goes on fetching; only the answers come back
(:class:`PageRead`). When no worker can be used the spider calls :func:`read_link_page`
itself: one function, the same results.
"""
from __future__ import annotations

from typing import NamedTuple

from w3lib.encoding import html_to_unicode

from crawler.linkcheck.classify import Observation, page_title
from crawler.profiles.extract import absolute_links
from crawler.profiles.reading import LinkRow
from store import pack_body


class PageRead(NamedTuple):
    """What :func:`read_link_page` found on one answer."""

    blocked: str | None           # Observation.blocked
    gone: str | None              # Observation.gone (soft404: / deleted: …)
    title: str | None             # the page's title (HTML answers)
    decoded: bool                 # the body could be decoded as text
    links: list[LinkRow] | None   # the page's links (asked for, and the page usable), else None
    links_error: str | None       # why the extraction failed
    body_sha: str                 # the body as the store keeps it (store.pack_body): its hash
    body_packed: bytes            # and its compressed bytes


def read_link_page(profile, target: str, url: str, status: int, headers: dict[str, str], body: bytes,
                   encoding: str, redirect_urls: list, redirect_reasons: list, want_links: bool) -> PageRead:
    """The checks, title, links and stored form of one GET answer to the followed page
    ``target`` (``url``: where it ended). ``encoding``: the response's (Scrapy's
    ``TextResponse.encoding``), decoded as ``TextResponse.text`` does. ``profile``: the
    site's profile (its ``links``), None for :func:`crawler.profiles.extract.absolute_links`."""
    try:
        text = html_to_unicode(f"charset={encoding}", body)[1]
    except Exception:         # undecodable: judged on bytes, as the spider does
        text = None
    obs = Observation(target, "GET", status, url, list(redirect_urls), list(redirect_reasons),
                      headers.get("content-type"), len(body), body, text, headers)
    blocked, gone = obs.blocked, obs.gone
    links = links_error = None
    if want_links and status == 200 and not blocked and not gone and text:
        try:
            links = [LinkRow(link.url, link.text[:200], link.tag)
                     for link in (profile.links if profile else absolute_links)(url, text)]
        except Exception as exc:      # extraction must never kill the crawl
            links_error = f"{type(exc).__name__}: {exc}"
    return PageRead(blocked, gone, page_title(text) if obs.is_html else None, text is not None, links,
                    links_error, *pack_body(body))
