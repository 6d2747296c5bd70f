"""Reading a stored page's bytes as text when its declared charset is wrong (issue 11): the crawler
reads pages with it, the report's snapshots show them with it.

Portals declare UTF-8 and serve GBK (an old template copied into a new CMS), or the reverse.
:func:`decode_page` keeps the declared encoding when the body decodes cleanly with it, and
otherwise asks beautifulsoup4's ``UnicodeDammit`` (BOM, ``<meta>``, then statistical detection
when ``charset-normalizer``/``chardet`` is installed, then common encodings), trying the
encodings UTF-8, GB18030 (a superset of GBK and GB2312) and Big5 before anything else. It
says which encoding was used and why, so the fetch can record it.
"""
from __future__ import annotations

#: tried first when the declared charset fails, in this order: UTF-8 (strict UTF-8 almost
#: never decodes text in another encoding by accident), then what Chinese portals serve
CANDIDATES = ("utf-8", "gb18030", "big5")


def _clean(body: bytes, encoding: str, truncated: bool) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        # a body cut at a size cap may end inside a character: only the last bytes may fail
        if truncated and isinstance(exc, UnicodeDecodeError) and exc.start >= len(body) - 4:
            return body[:exc.start].decode(encoding)
        return None


def decode_page(body: bytes, declared: str | None, *, truncated: bool = False) -> tuple[str, str, str | None]:
    """``(text, encoding used, note)``; note is None when the declared encoding was used."""
    declared = (declared or "utf-8").lower()
    if declared.replace("_", "-") not in ("utf-8", "utf8") and not body.isascii():
        # UTF-8 bytes of Chinese text mostly decode as (garbage) GBK too, while GBK text is
        # almost never valid UTF-8: bytes that are strict UTF-8 are read as UTF-8
        text = _clean(body, "utf-8", truncated)
        if text is not None:
            return text, "utf-8", f"declared {declared}, but the bytes are UTF-8"
    text = _clean(body, declared, truncated)
    if text is not None:
        return text, declared, None
    for enc in (c for c in CANDIDATES if c != declared):
        text = _clean(body, enc, truncated)
        if text is not None:
            return text, enc, f"declared {declared} does not decode; read as {enc}"
    from bs4 import UnicodeDammit      # here: most pages never need it, and bs4 costs ~0.1 s to import

    dammit = UnicodeDammit(body, known_definite_encodings=[], is_html=True, exclude_encodings=[declared])
    if dammit.unicode_markup is not None and dammit.original_encoding:
        return (dammit.unicode_markup, dammit.original_encoding,
                f"declared {declared} does not decode; detected {dammit.original_encoding}")
    return body.decode(declared, "replace"), declared, f"declared {declared} does not decode; undecodable bytes replaced"
