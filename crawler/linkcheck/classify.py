"""What was seen of a link target, as a record the rules judge. Pure (no Scrapy, no network).

The checker turns a response (or a fetch the portal crawl already made) into an
:class:`Observation`; :meth:`Observation.record` keeps what judging needs (status, headers that
matter, content type, the format the first bytes show, size, hops, timing, the anti-bot and
not-found signs of :mod:`crawler.antibot`, and the comparison with the host's answer to a URL
that cannot exist, :class:`Fingerprint`). The judgement itself is :func:`rules.links.verdict`:
:func:`classify` asks it while crawling (send a GET, retry later, check again, or record), and
``govaudit audit`` asks it again from the stored records with its own thresholds.
"""
from __future__ import annotations

import difflib
import html
import ipaddress
import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from urllib.parse import parse_qsl, urlsplit

from crawler.antibot import blocked_reason, gone_reason, visible_text
from data import load_toml
from rules.links import (FAILURES, FILE_TYPES, IMAGE_FORMATS, IMAGE_TYPES, NAMES, OLE,  # noqa: F401
                         TRANSIENT_STATUSES, ZIP, Verdict, file_ext, is_loopback_host, is_root,
                         link_kind, verdict)

@dataclass
class LinkConfig:
    """Link-check settings (``data/thresholds.toml`` [links]); see that file for each."""

    ttl_days: float = 7.0
    recheck_delay_s: float = 1.0
    retries: int = 2
    backoff_s: float = 1.0
    timeout_s: float = 20.0
    sniff_bytes: int = 65536
    get_below_bytes: int = 20000
    min_file_bytes: int = 64
    fingerprint_similarity: float = 0.9
    connectivity_hosts: list[str] = field(default_factory=lambda: ["www.gov.cn", "www.baidu.com"])

    @property
    def thresholds(self) -> dict:
        """The judging thresholds, as rules.links.verdict reads them."""
        return {"min_file_bytes": self.min_file_bytes, "get_below_bytes": self.get_below_bytes,
                "fingerprint_similarity": self.fingerprint_similarity}

    @classmethod
    def load(cls, **overrides) -> "LinkConfig":
        table = load_toml("thresholds.toml").get("links", {})
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in table.items() if k in known}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE), (b"PK\x03\x04", ZIP), (b"PK\x05\x06", ZIP),
    (b"{\\rtf", "rtf"), (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x00\x00\x01\x00", "ico"), (b"BM", "bmp"),
]
_HTML_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<meta", b"<script", b"<title", b"<?xml",
               b"<!--", b"<div", b"<p>", b"<h1")
#: response headers a judgement (or an auditor reading the evidence) may need
KEPT_HEADERS = ("retry-after", "content-type", "content-length", "content-disposition", "location")


def sniff(head: bytes | None) -> str | None:
    """The format the first bytes of a body show (``pdf``, ``ole``, ``zip``, ``png``…, ``html``)."""
    if not head:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_HTML_START) or b"<html" in start:
        return "html"
    return None


# -- what was seen -----------------------------------------------------------------------
@dataclass
class Observation:
    """One answer to one request for a link target."""

    url: str
    method: str = "GET"
    status: int | None = None
    final_url: str | None = None
    redirect_urls: list[str] = field(default_factory=list)   # hops before final_url
    redirect_reasons: list = field(default_factory=list)     # HTTP status (or "meta refresh") per hop
    content_type: str | None = None
    length: int | None = None        # declared Content-Length, else the bytes read
    body: bytes | None = None        # what was read (None for HEAD)
    text: str | None = None          # the body decoded, for HTML answers
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None         # "<ExceptionType>: message" when there was no answer
    #: dns | refused | timeout | connection | tls | redirect_loop | robots | other
    error_kind: str | None = None
    elapsed_ms: int | None = None    # download latency

    def record(self, fingerprint: dict | None = None) -> dict:
        """What :func:`rules.links.verdict` judges (stored in ``link_observations``): everything
        but the body, which is kept as the format its first bytes show and its size.
        ``fingerprint``: :meth:`Fingerprint.compare` of this answer, when one was needed."""
        answered = not self.error_kind
        return {
            "url": self.url, "method": self.method, "status": self.status,
            "final_url": self.final_url or self.url, "redirect_urls": list(self.redirect_urls),
            "redirect_reasons": list(self.redirect_reasons), "content_type": self.content_type,
            "length": self.length, "read": len(self.body) if self.body is not None else None,
            "format": sniff(self.body), "is_html": answered and self.is_html,
            "headers": {k: v for k, v in self.headers.items() if k in KEPT_HEADERS},
            "elapsed_ms": self.elapsed_ms, "error": self.error, "error_kind": self.error_kind,
            "blocked": self.blocked if answered else None, "gone": self.gone if answered else None,
            "title": self.title if answered else None,
            "fingerprint": fingerprint,
        }

    @property
    def hops(self) -> list[dict]:
        """The redirect chain hop by hop (each URL with the status it answered), final answer
        last; empty when there was no redirect."""
        if not self.redirect_urls:
            return []
        reasons = list(self.redirect_reasons) + [None] * len(self.redirect_urls)
        return [{"url": u, "status": r} for u, r in zip(self.redirect_urls, reasons)] + [
            {"url": self.final_url or self.url, "status": self.status}]

    @cached_property
    def blocked(self) -> str | None:
        """An anti-bot challenge or WAF refusal instead of the target (crawler.antibot)."""
        return blocked_reason(self.status, self.headers, self.text if self.text is not None else self.body)

    @cached_property
    def gone(self) -> str | None:
        """``soft404: …`` or ``deleted: …`` (crawler.antibot.gone_reason), else None."""
        return gone_reason(self.url, self.status, self.text if self.text is not None else self.body,
                           redirect_urls=self.redirect_urls, redirect_reasons=self.redirect_reasons,
                           final_url=self.final_url or self.url)

    @cached_property
    def title(self) -> str | None:
        """The page's title (:func:`page_title`), HTML answers only."""
        return page_title(self.text) if self.is_html else None

    @property
    def is_html(self) -> bool:
        ctype = (self.content_type or "").lower()
        return "html" in ctype or (not ctype and sniff(self.body) == "html")


_ARTICLE_TITLE = re.compile(r"""<meta\b[^>]*\bname\s*=\s*["']?ArticleTitle\b[^>]*>""", re.I)
_CONTENT = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


def page_title(text: str | None) -> str | None:
    """The page's ``ArticleTitle`` meta, else its ``<title>`` (cleaned), else None."""
    if not text:
        return None
    head = text[:30000]
    tag = _ARTICLE_TITLE.search(head)
    m = _CONTENT.search(tag.group(0)) if tag else None
    found = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
    if not found:
        t = _TITLE.search(head)
        found = t.group(1) if t else None
    found = re.sub(r"\s+", " ", html.unescape(found or "")).strip()
    return found or None


_DIGITS_AND_URLS = re.compile(r"[0-9]+|[A-Za-z0-9_\-]*[./][A-Za-z0-9_\-./?=&%]+")


def _normalised(text: str | None) -> str:
    """Visible text without digits and URL-like tokens (a not-found page echoes the path)."""
    return re.sub(r"\s+", " ", _DIGITS_AND_URLS.sub(" ", visible_text(text or ""))).strip()[:3000]


#: the lowest soft-404 similarity a stored observation can be judged at again (rules.links):
#: below it the full comparison is not made
SIMILARITY_FLOOR = 0.75


@dataclass
class Fingerprint:
    """How a host answers a URL that cannot exist (a made-up path): the soft-404 template
    of hosts that answer 200 to everything."""

    status: int | None
    final_url: str | None
    redirected: bool
    title: str | None
    text: str

    @classmethod
    def of(cls, obs: Observation) -> "Fingerprint":
        return cls(obs.status, obs.final_url, bool(obs.redirect_urls), page_title(obs.text),
                   _normalised(obs.text))

    def compare(self, obs: Observation) -> dict | None:
        """How ``obs`` (a 200 HTML answer) compares with this host's not-found answer, for
        :func:`rules.links.verdict`; None when there is nothing to compare (not a 200 template,
        the site's root). ``similarity`` is difflib's ratio of the visible texts, computed only
        where it could reach :data:`SIMILARITY_FLOOR` (same title, lengths close enough, the
        quick upper bound high enough) to spare the full comparison of plainly different pages;
        ``similarity_exact`` is False when it is only that upper bound (or not computed)."""
        if self.status != 200 or is_root(obs.url) or is_root(obs.final_url or obs.url):
            return None
        text = _normalised(obs.text)
        longest = max(len(text), len(self.text), 1)
        out = {"final_url": self.final_url,
               "same_redirect": bool(self.redirected and obs.redirect_urls and obs.final_url == self.final_url),
               "same_title": page_title(obs.text) == self.title,
               "length_diff": round(abs(len(text) - len(self.text)) / longest, 4),
               "similarity": None, "similarity_exact": False}
        if out["same_title"] and out["length_diff"] <= 1 - SIMILARITY_FLOOR:
            matcher = difflib.SequenceMatcher(None, text, self.text)
            ratio = matcher.quick_ratio()          # an upper bound of ratio(), cheap
            if ratio >= SIMILARITY_FLOOR:
                ratio = matcher.ratio()
                out["similarity_exact"] = True
            out["similarity"] = round(ratio, 4)
        return out


def needs_fingerprint(obs: Observation, kind: str) -> bool:
    """Whether judging ``obs`` needs its host's answer to a made-up URL (a 200 HTML page)."""
    return (not obs.error_kind and obs.method == "GET" and obs.status == 200 and obs.is_html
            and kind in ("page", "resource") and not is_root(obs.final_url or obs.url))


def classify(obs: Observation, *, kind: str, cfg: LinkConfig, fingerprint: Fingerprint | None = None,
             offline: bool = False) -> Verdict:
    """The verdict on one answer while crawling (:func:`rules.links.verdict` on its record)."""
    compared = fingerprint.compare(obs) if fingerprint is not None else None
    return verdict(obs.record(compared), kind=kind, cfg=cfg.thresholds, offline=offline)
