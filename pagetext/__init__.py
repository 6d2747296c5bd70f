"""Pure text helpers over HTML, shared by the page objects (``crawler.profiles``) and the rules.

Whitespace cleaning, printed placeholders of a missing value, a parsed page (a parsel
``Selector``, parsed once per page), an element's text, and where a page's main text sits.
Functions of text and lxml trees only: this package imports no other package of the project
(``tests/test_layering.py``), so the rules can use it without reaching into the crawler.
"""
from __future__ import annotations

import html as htmllib
import re

from parsel import Selector

__all__ = ["BLOCK_TAGS", "BODY_XPATHS", "MAIN_XPATHS", "clean", "element_text", "is_placeholder", "selector"]

# --------------------------------------------------------------------------- text

#: what :func:`clean` collapses: every character ``str.isspace`` knows (&ensp; &nbsp; &emsp;, the
#: ideographic space, …), plus the zero-width space and the BOM, which it does not
_SPACES = re.compile(r"[\s\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")


def clean(text: str | None) -> str:
    """Collapse whitespace (incl. &ensp; &nbsp; &emsp; and the ideographic space) and strip:
    what ``_SPACES.sub(" ", text).strip()`` gives, made by ``str.split`` (about twice as fast;
    the text of every element of every page comes through here)."""
    if not text:
        return ""
    if "&" in text:
        text = htmllib.unescape(text)
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


_PLACEHOLDERS = {"无", "空", "-", "—", "——", "--", "/", "暂无", "〔〕号", "[]号", "【】号", "()号", "（）号"}
_EMPTY_DOC_NO = re.compile(r"^\S*[〔\[【（(]\s*[〕\]】）)]\s*号?$")


def is_placeholder(value: str | None) -> bool:
    """True for printed stand-ins of a missing value: 无, 〔〕号, [] 号, 空, -, —, 暂无."""
    s = re.sub(r"\s+", "", clean(value))
    return bool(s) and (s in _PLACEHOLDERS or bool(_EMPTY_DOC_NO.match(s)))


# --------------------------------------------------------------------------- trees

BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "section", "article",
              "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "form", "header", "footer",
              "nav", "blockquote", "pre", "br", "hr"}
_SKIP_TAGS = {"script", "style", "noscript", "template"}

#: article containers that hold a page's main text (#zoom, TRS editors, UCAP-CONTENT, <article>),
#: strongest first: the generic page object reads a document's body from the first found
BODY_XPATHS = (
    '//*[@id="zoom"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_UEDITOR ")]',
    '//*[@id="UCAP-CONTENT"]',
    "//article",
)
#: where the main text of any page usually sits (the rules' page text): the article containers,
#: then ``<main>``
MAIN_XPATHS = BODY_XPATHS + ("//main",)

#: the last pages parsed, as (the very string object, its Selector): a crawled page goes through
#: several readers (links, then the document or each list reader), each asking for a Selector
#: of the same string; it is parsed once. Nothing here modifies a parsed tree.
_PARSED: list[tuple[str, Selector]] = []


def selector(doc) -> Selector:
    """A parsel Selector from an HTML string or a Selector (always parsed as HTML: parsel would
    otherwise turn a JSON-looking body into a JSON selector without ``.root`` elements)."""
    if isinstance(doc, Selector):
        return doc
    for text, sel in _PARSED:
        if text is doc and doc:
            return sel
    sel = Selector(text=doc or "<html></html>", type="html")
    if doc:
        _PARSED.insert(0, (doc, sel))
        del _PARSED[2:]
    return sel


def element_text(el, blocks: bool = False) -> str:
    """Text of an element without script/style. ``blocks``: one line per block element
    (cleaned lines joined by newlines); otherwise one cleaned line."""
    if not blocks and len(el) == 0 and isinstance(el.tag, str) and el.tag not in _SKIP_TAGS:
        return clean(el.text)       # the common case (a link's text): what the walk below gives
    parts: list[str] = []

    def flat(text):     # a newline inside a text node is a space: lines come from block elements
        return (text or "").replace("\n", " ").replace("\r", " ") if blocks else (text or "")

    def walk(e, top=False):
        if isinstance(e.tag, str) and e.tag not in _SKIP_TAGS:
            brk = "\n" if e.tag in BLOCK_TAGS else (" " if e.tag in ("td", "th") else "")
            parts.append(brk)
            parts.append(flat(e.text))
            for child in e:
                walk(child)
            parts.append(brk)
        if not top:
            parts.append(flat(e.tail))

    walk(el, top=True)
    raw = "".join(parts)
    if not blocks:
        return clean(raw)
    return "\n".join(line for line in (clean(x) for x in raw.split("\n")) if line)
