"""Page-object interfaces.

A *profile* is one CMS family's set of page objects. Page objects take ``(url, html)``
(``html`` already decoded to ``str``) and return typed items from :mod:`crawler.items`;
they never fetch. Where a family fills a list by script from an endpoint, the listing page
returns :class:`~crawler.items.RequestSpec` objects describing the call the script would make,
and the spider hands the reply back to :meth:`Profile.parse_more`.

Resolution order (see ``crawler.profiles.registry``): site profile in ``data/sites`` >
CMS family chosen by :meth:`Profile.matches` fingerprint > the generic fallback.
"""
from __future__ import annotations

from crawler.items import Column, Document, Link, Listing, RequestSpec


class Profile:
    """Base class: a CMS family. Subclasses override what differs from the generic one."""

    #: short ASCII family name stored with the site ("hanweb", "trs", "gongkai", …)
    family = "base"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        """True when this page (usually the home or a column page) is built by this family."""
        return False

    # -- discovery --------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        """Every link on the page (a, img, iframe…), absolute, for link checking."""
        raise NotImplementedError

    def section_url(self, url: str, html: str) -> str | None:
        """On the home page: the URL of the 政府信息公开 section (None when not found)."""
        raise NotImplementedError

    def section_columns(self, url: str, html: str) -> list[Column]:
        """On the 政府信息公开 section page: the 法定主动公开内容 columns and the
        指南 / 制度 / 年报 entries (``Column.role``)."""
        raise NotImplementedError

    # -- lists ------------------------------------------------------------------------
    def is_listing(self, url: str, html: str) -> bool:
        return True

    def listing(self, url: str, html: str) -> Listing:
        """Rows on a column page, plus the requests needed for the rest of the column."""
        raise NotImplementedError

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        """Rows in the reply to a request this profile asked for (XML, JSON, HTML…)."""
        raise NotImplementedError

    # -- detail pages -----------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        raise NotImplementedError
