"""Recognise answers that are not the page asked for. Pure functions, no Scrapy.

Two kinds, recorded differently on the fetch (``fetches`` table, see ``store``):

``blocked`` (:func:`blocked_reason`)
    An anti-bot challenge or WAF refusal: 瑞数 412 + ``$_ts``, 加速乐 521 + ``__jsl_clearance``,
    a ``document.cookie=…;location.href=…`` script, a slider/CAPTCHA page, "不合法的参数" 403s,
    429 rate limits. The site may well be fine for people: rules must say ``review``, never
    "broken link" or "missing document". Stored as ``fetches.blocked = "<signature> (HTTP n)"``.

gone (:func:`gone_reason`)
    The server answered, but the page is not there: a *soft 404* (HTTP 200 saying
    页面不存在) or a *deleted document* that redirects (meta refresh or HTTP) to its parent
    directory. Such a page is never stored as a document. Stored as
    ``fetches.blocked = NULL`` and ``fetches.error`` starting with a fixed prefix:

    * ``"soft404: <phrase seen>"``
    * ``"deleted: meta refresh to parent <url>"`` / ``"deleted: redirect to parent <url>"``
    * ``"deleted: <how> to column page <url>"`` (how: redirect, meta refresh, script): a document
      URL sent to a list page that is not a path parent (Hanweb ``/art/2025/11/3/art_1208_1.html``
      -> ``/col/col1208/index.html``)

    Link rules read these prefixes (``GONE_PREFIXES``): soft404 = 软404, deleted = 删除后跳转上级.
    Other fetch errors keep the exception name as prefix, e.g. a redirect loop is
    ``"IgnoreRequest: max redirections reached"`` with ``status = NULL``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from w3lib.encoding import html_to_unicode
from urllib.parse import urljoin, urlsplit

#: prefixes of ``fetches.error`` for answers that are not the page (see module docstring)
GONE_PREFIXES = ("soft404:", "deleted:")

# Signatures that no normal page carries: they count on any page, whatever the status.
_STRONG: list[tuple[str, re.Pattern[str]]] = [
    ("ruishu-412", re.compile(r"\$_ts\s*=|\$_ts\s*\.")),
    ("jiasule-cookie", re.compile(r"__jsl_clearance|__jsluid")),
]
# Signatures a normal page may mention (a 验证码 field, a font-size cookie script): they count
# only on an error status or on a page with almost no text of its own.
_WEAK: list[tuple[str, re.Pattern[str]]] = [
    ("js-cookie-challenge", re.compile(
        r"document\.cookie\s*=.{0,300}?(location\.(href|replace|reload)|window\.location)", re.S)),
    ("captcha", re.compile(r"滑块验证|请完成安全验证|人机验证|拖动滑块|安全验证中|请输入验证码后继续访问")),
    ("waf-page", re.compile(r"访问被拦截|已被拦截|您的访问请求可能对网站造成安全威胁|Web应用防火墙|网站防火墙|"
                            r"不合法的参数|访问过于频繁|请求过于频繁")),
]
CHALLENGE_STATUSES = {412: "challenge status", 521: "challenge status", 512: "challenge status",
                      429: "rate limited"}
SHORT_TEXT = 300        # visible characters below which a page is "almost empty"

_SCRIPT = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"(\s|&nbsp;|&#160;|\u3000)+")


def _decode(body: bytes | str | None, content_type: str | None = None) -> str:
    """Bytes to text the way a browser would (BOM, header charset, <meta> charset, GBK…)."""
    if not isinstance(body, bytes):
        return body or ""
    return html_to_unicode(content_type, body)[1]


@lru_cache(maxsize=2)
def visible_text(html: str) -> str:
    """The text a reader sees (scripts, styles and tags removed, whitespace collapsed). The last
    two kept: the blocked, soft-404 and script-redirect checks of one answer each ask for it."""
    return _WS.sub(" ", _TAG.sub(" ", _SCRIPT.sub(" ", html))).strip()


def blocked_reason(status: int | None, headers: dict[str, str] | None, body: bytes | str | None) -> str | None:
    """Why this response looks like a challenge or refusal rather than the real page, else None.

    ``"<signature> (HTTP <status>)"``; signatures: ruishu-412, jiasule-cookie,
    js-cookie-challenge, captcha, waf-page, challenge status, forbidden, rate limited."""
    text = _decode(body)[:50000]
    for name, pattern in _STRONG:
        if pattern.search(text):
            return f"{name} (HTTP {status})"
    error_status = status is not None and status >= 400
    for name, pattern in _WEAK:     # the pattern first: the page's visible text only when one is there
        if pattern.search(text):
            if error_status or len(visible_text(text)) < SHORT_TEXT:
                return f"{name} (HTTP {status})"
            break
    if status in CHALLENGE_STATUSES:
        return f"{CHALLENGE_STATUSES[status]} (HTTP {status})"
    if status == 403 and len(text) < 5000:
        return "forbidden, probably a WAF or user-agent filter (HTTP 403)"
    return None


# -- challenge solving -------------------------------------------------------------------------
_LITERAL_COOKIE = re.compile(
    r"""document\.cookie\s*=\s*(["'])(__jsl_clearance(?:_s)?)=([^;"'\\]+)[^"']*\1""")


def literal_cookie_challenge(body: bytes | str | None) -> dict[str, str] | None:
    """The cookie of a 加速乐-style challenge whose script sets it as a plain string literal
    (``document.cookie="__jsl_clearance_s=…;path=/";location.href=…``), else None. Obfuscated
    variants (computed strings, external JS) are not solved: they stay ``blocked``."""
    m = _LITERAL_COOKIE.search(_decode(body)[:20000])
    return {m.group(2): m.group(3)} if m else None


# -- soft 404 and deleted documents ------------------------------------------------------------
SOFT404_PHRASES = re.compile(
    r"您访问的页面不存在|访问的页面不存在|页面不存在|页面找不到|找不到该页面|找不到页面|页面已删除|"
    r"文章不存在|该信息已被删除|已被删除或不存在|页面已失效|404\s*Not\s*Found|Page\s+Not\s+Found", re.I)
# (not "信息不存在": 政府信息不存在告知书 is a real 依申请公开 document)
#: a part of every phrase above that the page's source keeps as it is (the visible text only
#: replaces tags, scripts and spaces by a space): a page whose source has none of them cannot show
#: a phrase, and its visible text need not be made. Plain ``in`` tests for the Chinese parts and
#: a character-class pattern for "found" in any case take a third of the time ``re.I`` would.
_SOFT404_HINTS = ("页面", "文章不存在", "删除")
_FOUND = re.compile(r"[Ff][Oo][Uu][Nn][Dd]")
SOFT404_TEXT = 600      # a soft 404 says little besides its template
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*>""", re.I)
_REFRESH_URL = re.compile(r"""content\s*=\s*["']?\s*\d*\s*[;,]?\s*url\s*=\s*['"]?([^"'>\s]*)""", re.I)
_INDEX = re.compile(r"(^|/)(index|default)\.(s?html?|jsp|php|aspx?)$", re.I)


def _may_say_not_found(text: str) -> bool:
    return any(hint in text for hint in _SOFT404_HINTS) or _FOUND.search(text) is not None


def soft404_reason(status: int | None, body: bytes | str | None) -> str | None:
    """``"soft404: <phrase>"`` when a 200 page is an error page: a not-found phrase in its
    ``<title>``, or on a page with little text of its own. A document that merely mentions
    页面不存在 in a long body is not one."""
    if status != 200:
        return None
    text = _decode(body)[:100000]
    title = _TITLE.search(text)
    m = SOFT404_PHRASES.search(title.group(1)) if title else None
    if not m and _may_say_not_found(text):
        visible = visible_text(text)
        m = SOFT404_PHRASES.search(visible) if len(visible) < SOFT404_TEXT else None
    return f"soft404: {m.group(0)}" if m else None


def _dir_of(url: str) -> tuple[str, str]:
    """(host, path) with an index file name removed: ``/a/b/index.html`` -> ``/a/b/``."""
    parts = urlsplit(url)
    return parts.netloc, _INDEX.sub(r"\1", parts.path or "/") or "/"


def is_parent(target: str, source: str) -> bool:
    """True when ``target`` is a directory above (or holding) ``source`` on the same host:
    ``/a/b/`` for ``/a/b/c.html`` or ``/a/b/c/``; not ``/a/b/index.html`` for ``/a/b/``."""
    (th, tp), (sh, sp) = _dir_of(target), _dir_of(source)
    return th == sh and tp.endswith("/") and tp != sp and sp.startswith(tp)


#: a document's file name: carries a number (an id or a date) and is not a list/index page
_DOC_FILE = re.compile(r"/(?!(?:index|default|list)[^/]*$)[^/]*\d[^/]*\.(s?html?|jsp|php|aspx?)$", re.I)


def is_column_page(target: str, source: str) -> bool:
    """True when ``source`` is a document URL (its file name carries a number) and ``target`` a
    list page on the same host that is not a path parent of it: a directory or an index page
    (``/col/col1208/index.html`` for ``/art/2025/11/3/art_1208_99.html``)."""
    (th, tp), (sh, sp) = _dir_of(target), _dir_of(source)
    return (th == sh and tp.endswith("/") and bool(_DOC_FILE.search(urlsplit(source).path))
            and not is_parent(target, source))


def _to_list(target: str, source: str) -> str | None:
    """``parent`` / ``column page`` when ``target`` is where a deleted document sends readers."""
    if is_parent(target, source):
        return "parent"
    return "column page" if is_column_page(target, source) else None


_SCRIPT_JUMP = re.compile(
    r"""(?:window\.|document\.|top\.|self\.|parent\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']|"""
    r"""location\.replace\(\s*["']([^"']+)["']""")


def script_redirect_target(url: str, body: bytes | str | None) -> str | None:
    """The absolute URL an almost empty page's script sends to (``location.href = '…'``), else
    None. A cookie challenge (``document.cookie=…;location.href=…``) is not one."""
    text = _decode(body)[:20000]
    # both forms name "location": a page without it needs neither the pattern nor its visible text
    if "location" not in text or "document.cookie" in text:
        return None
    m = _SCRIPT_JUMP.search(text)
    if m is None or len(visible_text(text)) >= SOFT404_TEXT:
        return None
    target = m.group(1) or m.group(2)
    return urljoin(url, target) if target and not target.lower().startswith("javascript:") else None


def meta_refresh_target(url: str, body: bytes | str | None) -> str | None:
    """The absolute URL a ``<meta http-equiv="refresh">`` on the page sends to, else None."""
    text = _decode(body)[:20000]
    tag = _META_REFRESH.search(text)
    found = _REFRESH_URL.search(tag.group(0)) if tag else None
    return urljoin(url, found.group(1)) if found and found.group(1) else None


def gone_reason(url: str, status: int | None, body: bytes | str | None, *,
                redirect_urls: list[str] | tuple = (), redirect_reasons: list | tuple = (),
                final_url: str | None = None) -> str | None:
    """Why the answer to ``url`` is not the page asked for (see the module docstring), or None.

    ``redirect_urls`` / ``redirect_reasons`` are Scrapy's redirect meta (hops before
    ``final_url``; a reason is an HTTP status or ``"meta refresh"``)."""
    hops = [*redirect_urls, final_url or url]
    for i, reason in enumerate(redirect_reasons):
        if i + 1 < len(hops) and (where := _to_list(hops[i + 1], hops[i])):
            how = "meta refresh" if reason == "meta refresh" else "redirect"
            return f"deleted: {how} to {where} {hops[i + 1]}"
    here = final_url or url
    text = _decode(body)            # once, for every check below
    target = meta_refresh_target(here, text)
    if target and len(visible_text(text)) < SOFT404_TEXT and (where := _to_list(target, here)):
        return f"deleted: meta refresh to {where} {target}"
    target = script_redirect_target(here, text)
    if target and (where := _to_list(target, here)):
        return f"deleted: script to {where} {target}"
    return soft404_reason(status, text)
