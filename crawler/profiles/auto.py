"""Readers chosen per page: the CMS family is a hint, not a lock.

A site's home page may carry no fingerprint (a TRS site whose home page was rebuilt), a hub
may host organ sites built on other systems, and one column may page by script while its
neighbour uses plain links. :class:`AutoProfile` therefore looks at each page for the signals
of every list technique it knows — a Hanweb datastore (wrapped or bare), TRS
``createPageHTML``/``countPage``/``pageChnlInfo``, the ``/gongkai/`` list script, the gkmlpt API,
the gov.cn feed and library search, or nothing special (the generic reader: rows, 下一页 and ``index_N`` links) — runs the
readers whose signals are there, and keeps the reading that found the most. The family
fingerprinted on the home page (``hint``) is tried first and wins ties; it never switches the
others off. Requests a reader asks for carry its name, so their replies go back to it.
"""
from __future__ import annotations

import re

from crawler.items import Column, Document, Link, Listing, RequestSpec
from crawler.profiles.base import Profile
from crawler.profiles.generic import GenericProfile
from crawler.profiles.extract import load_json
from crawler.profiles.gkmlpt import LIST_SIGNAL as GKMLPT_LIST, GkmlptProfile
from crawler.profiles.gongkai import GongkaiProfile, list_config
from crawler.profiles.govcn import LIST_SIGNAL as GOVCN_LIST, GovcnProfile
from crawler.profiles.hanweb import HanwebProfile
from crawler.profiles.trs import TrsProfile

READERS: dict[str, Profile] = {p.family: p for p in (
    HanwebProfile(), TrsProfile(), GongkaiProfile(), GkmlptProfile(), GovcnProfile(), GenericProfile())}

LIST_SIGNALS = {
    "hanweb": re.compile(r"<datastore|\.jpage\s*\(|dataproxy\.jsp|unitbuild\.js|jpaas-publish-server", re.I),
    "trs": re.compile(r"createPageHTML\s*\(|\bvar\s+countPage\s*=|pageChnlInfo|maxStaticIndex|\$showStatic|fjdzapp", re.I),
    "gkmlpt": GKMLPT_LIST,
    "govcn": GOVCN_LIST,
}
#: the readers of JSON replies (each gives nothing for a shape it does not know)
JSON_READERS = ("gkmlpt", "govcn")
READER_KEY = "_reader"
#: which family reads a document page (``AutoProfile.document``)
_GKMLPT_DETAIL = re.compile(r"\bDETAIL\s*[:=]")
_TRS_INDEX_BOX = re.compile(r"""class=["'][^"']*\bindex_box\b""")


def list_readers(url: str, html: str, hint: str | None) -> list[str]:
    """The readers whose list signals this page shows, the hint first, generic last."""
    names = [name for name, signal in LIST_SIGNALS.items() if signal.search(html or "")]
    if list_config(html):
        names.append("gongkai")
    if load_json(html) is not None:      # a JSON reply read as a page: the readers of JSON replies
        names += [name for name in JSON_READERS if name not in names]
    if hint in names:
        names.remove(hint)
        names.insert(0, hint)
    return names + ["generic"]


def _tag(listing: Listing, family: str) -> Listing:
    for spec in listing.more:
        spec.state.setdefault(READER_KEY, family)
    return listing


def _score(listing: Listing) -> tuple[int, int]:
    return len(listing.entries) + len(listing.more), int(listing.placeholder)


class AutoProfile(Profile):
    """Per-page choice among the family readers (see the module docstring)."""

    def __init__(self, hint: str | None = None):
        self.hint = hint if hint in READERS and hint != "generic" else None
        self.family = self.hint or "generic"

    def reader(self, name: str | None) -> Profile:
        return READERS.get(name or "", READERS[self.family])

    # -- discovery --------------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        if load_json(html) is not None:
            return [link for name in JSON_READERS for link in READERS[name].links(url, html)]
        if "DETAIL" in (html or ""):
            return READERS["gkmlpt"].links(url, html)
        return READERS["generic"].links(url, html)

    def section_url(self, url: str, html: str) -> str | None:
        from crawler.discovery import section_candidates

        found = section_candidates(url, html)
        return found[0].url if found else None

    def section_columns(self, url: str, html: str) -> list[Column]:
        """Columns the family readers name on a section page: organ sections of a ``/gongkai/``
        hub, the 法定主动公开内容 nodes of a gkmlpt ``TREE``, and the generic reading."""
        out: dict[str, Column] = {}
        if "/gongkai/" in url or GongkaiProfile.matches(url, html):
            out.update((c.url, c) for c in READERS["gongkai"].section_columns(url, html))
        if "TREE" in (html or ""):
            for c in READERS["gkmlpt"].section_columns(url, html):
                out.setdefault(c.url, c)
        for c in READERS["generic"].section_columns(url, html):
            out.setdefault(c.url, c)
        return list(out.values())

    # -- lists ------------------------------------------------------------------------------
    def is_listing(self, url: str, html: str) -> bool:
        return True

    def listing(self, url: str, html: str) -> Listing:
        best: tuple[tuple[int, int], Listing] | None = None
        for name in list_readers(url, html, self.hint):
            try:
                listing = _tag(self.reader(name).listing(url, html), name)
            except Exception as exc:        # one reader's failure must not hide another's rows
                listing = Listing(uncertain=f"{name} reader failed: {exc}")
            score = _score(listing)
            if best is None or score > best[0]:
                best = (score, listing)
        return best[1]

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        name = spec.state.get(READER_KEY) or self.family
        listing = self.reader(name).parse_more(spec, url, body)
        if not listing.entries and not listing.more and name != "generic":
            # a reply the requesting reader does not understand: read it like a list page
            other = self.listing(url, body)
            if other.entries:
                return other
        return _tag(listing, name)

    # -- documents --------------------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        text = html or ""
        # the literal first: each pattern tries every position of the page
        if "DETAIL" in text and _GKMLPT_DETAIL.search(text):
            name = "gkmlpt"
        elif "index_box" in text and _TRS_INDEX_BOX.search(text):
            name = "trs"
        elif "/gongkai/" in url:
            name = "gongkai"
        else:
            name = self.family
        return self.reader(name).document(url, html)
