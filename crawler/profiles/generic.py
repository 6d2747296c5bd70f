"""The generic fallback profile for layouts no CMS family claims.

Built only on :mod:`crawler.profiles.extract`; family profiles subclass it and override
what their CMS does differently.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.items import Attachment, Column, Document, Link, ListEntry, Listing, RequestSpec, Value
from crawler.profiles.base import Profile
from crawler.profiles.extract import (
    DATE_FIELDS, absolute_links, absolute_url, clean, element_text, find_date, label_pairs,
    meta_tags, normalise_label, normalise_value, selector, split_pairs,
)

SECTION_NAMES = {"政府信息公开": 0, "信息公开": 1, "政务公开": 2}
FDZDGK = "法定主动公开内容"
ROLE_WORDS = (("指南", "guide"), ("制度", "rules"), ("年报", "annual_report"), ("年度报告", "annual_report"))
PLACEHOLDER_TEXTS = ("暂无信息", "暂无数据", "暂无内容", "暂无相关信息", "没有相关信息")
#: elements that hold one list row: ``li``, a table row, or a ``dl`` (Fujian TRS:
#: ``<dl><dd><a>title</a></dd><dd>2026-03-10</dd></dl>``); the innermost one is the row
ROW_TAGS = ("li", "tr", "dl")
PAGER_TEXTS = ("下一页", "尾页", "末页", "下页", "›", "»", ">", "＞")
PAGER_HREF = re.compile(r"index_\d+\.(?:s?html?|jhtml)$")
#: metadata fields read from the standard <meta> block, in order of preference
META_FIELDS = {"title": ("ArticleTitle",), "pub_date": ("PubDate", "firstpublishedtime"),
               "publisher": ("ContentSource",)}
#: labels whose value, shown on the page, replaces a different value of the <meta> block: the
#: publishing body itself (not a 来源) and the publication date
OUTRANKING_LABELS = {"publisher": {"发布机构", "发文机关", "发文单位"},
                     "pub_date": {"发布日期", "发布时间", "公开日期"}}
TEXT_FIELDS = ("index_no", "publisher", "doc_no", "written_date", "pub_date", "validity", "category")
BODY_XPATHS = (
    '//*[@id="zoom"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_UEDITOR ")]',
    '//*[@id="UCAP-CONTENT"]',
    "//article",
)
FILE_EXT = re.compile(r"\.(pdf|docx?|xlsx?|ofd|wps|et|zip|rar|7z|jpe?g|png)$", re.I)
DOWNLOAD_PATH = re.compile(r"down(load)?file|download|/attach", re.I)
RELATED_WORDS = ("相关解读", "相关文件", "关联文件", "原文", "解读")
#: link texts that name a column or a tab rather than a related document
GENERIC_RELATED_NAMES = {"解读", "政策解读", "文字解读", "图片解读", "图文解读", "视频解读", "解读回应",
                         "政策文件", "原文链接", "相关文件", "相关解读"}


def _role(name: str, strict: bool) -> str | None:
    """Column role from a link text; outside the 法定主动公开内容 block (``strict``) the text
    must also mention 公开, so that 办事指南 or 财务制度 are not taken for the section's entries."""
    if strict and "公开" not in name:
        return None
    return next((role for word, role in ROLE_WORDS if word in name), None)


def _link_name(a) -> str:
    text = element_text(a)
    title = clean(a.get("title"))
    return title if title and (not text or text.endswith(("…", "...", ".."))) else text


class GenericProfile(Profile):
    """Fallback for unknown layouts. Never claims a page by fingerprint (``matches`` is
    False); the registry falls back to it."""

    family = "generic"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return False

    # -- discovery ----------------------------------------------------------------------
    def links(self, url: str, html: str) -> list[Link]:
        return absolute_links(url, html)

    def section_url(self, url: str, html: str) -> str | None:
        best: tuple[int, str] | None = None
        for link in absolute_links(url, html):
            if link.tag not in ("a", "area"):
                continue
            text = normalise_label(link.text)
            rank = SECTION_NAMES.get(text, 3 if "政府信息公开" in text and len(text) <= 10 else None)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, link.url)
        return best[1] if best else None

    def section_columns(self, url: str, html: str) -> list[Column]:
        root = selector(html).root
        block = self._block(root, FDZDGK)
        inside = set(block.iter("a")) if block is not None else set()
        columns: dict[str, Column] = {}
        for a in root.iter("a"):
            target = absolute_url(url, a.get("href"))
            name = _link_name(a)
            if not target or not name or target == url or target in columns or FDZDGK in name:
                continue
            if a in inside:
                columns[target] = Column(target, name, FDZDGK, _role(name, False) or "column")
            elif role := _role(name, True):
                columns[target] = Column(target, name, None, role)
        return list(columns.values())

    @staticmethod
    def _block(root, phrase: str):
        """The smallest element holding links around a heading whose own text has ``phrase``;
        among several headings, the block with the most links."""
        best, best_n = None, 0
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "meta"):
                continue
            own = (el.text or "") + "".join(c.tail or "" for c in el)
            if phrase not in own:
                continue
            chain = list(el.iterancestors()) if el.tag == "a" else [el, *el.iterancestors()]
            for anc in chain:
                if anc.tag in ("body", "html"):
                    break
                n = sum(1 for a in anc.iter("a") if a.get("href") and phrase not in element_text(a))
                if n:
                    if n > best_n:
                        best, best_n = anc, n
                    break
        return best

    # -- lists ------------------------------------------------------------------------
    def listing(self, url: str, html: str) -> Listing:
        sel = selector(html)
        entries = []
        for el in sel.root.iter(*ROW_TAGS):
            if any(True for _ in el.iterdescendants(*ROW_TAGS)):
                continue
            entry = self.row_entry(url, el, len(entries) + 1)
            if entry:
                entries.append(entry)
        if not entries:
            entries = self.block_rows(url, sel.root)
        return self.finish_listing(url, sel, entries, self.pager_requests(url, sel))

    def block_rows(self, url: str, root) -> list[ListEntry]:
        """Rows written as ``<div>``/``<p>`` blocks (``div.list-item > div.title > a`` beside
        ``div.date``): the innermost blocks holding one or two links and a date."""
        found = []
        for el in root.iter("div", "p", "section", "article"):
            entry = self.row_entry(url, el, 0)
            if entry:
                found.append((el, entry))
        rows = {el for el, _ in found}
        entries, seen = [], set()
        for el, entry in found:
            if any(d in rows for d in el.iterdescendants("div", "p", "section", "article")) or entry.url in seen:
                continue
            seen.add(entry.url)
            entry.position = len(entries) + 1
            entries.append(entry)
        return entries

    @staticmethod
    def pager_requests(url: str, sel) -> list[RequestSpec]:
        """Further list pages linked as 下一页 / 尾页 or ``index_N.html``."""
        more, seen = [], {url}
        sel = selector(sel)
        base = absolute_url(url, sel.xpath("//base/@href").get() or "") or url
        for a in sel.root.iter("a"):           # every anchor: 下一页 often repeats a page number's URL
            target = absolute_url(base, a.get("href"))
            if target and target not in seen and (
                    element_text(a) in PAGER_TEXTS or PAGER_HREF.search(urlsplit(target).path)):
                seen.add(target)
                more.append(RequestSpec(target, kind="listing"))
        return more

    @staticmethod
    def finish_listing(url: str, sel, entries: list[ListEntry], more: list[RequestSpec],
                       no_rows: str = "no list rows found") -> Listing:
        """A listing from its rows: with no rows, either a 暂无信息 placeholder or uncertain."""
        text = element_text(sel.root)
        placeholder = not entries and any(p in text for p in PLACEHOLDER_TEXTS)
        return Listing(entries=entries, more=more, placeholder=placeholder,
                       uncertain=None if entries or placeholder else no_rows)

    @staticmethod
    def row_entry(base: str, el, position: int) -> ListEntry | None:
        """A list row: one or two links (the longest text is the document) and a date
        outside the link text. None when the element is not such a row."""
        anchors = [a for a in el.iter("a") if absolute_url(base, a.get("href"))]
        if not anchors or len(anchors) > 2:
            return None
        a = max(anchors, key=lambda x: len(element_text(x)))
        rest = element_text(el).replace(element_text(a), " ", 1)
        found = find_date(rest)
        if not found:
            return None
        title = clean(a.get("title")) or element_text(a) or None
        return ListEntry(absolute_url(base, a.get("href")), title, Value(found[0], found[1], "list"), position)

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        return self.listing(url, body)

    # -- documents ----------------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        sel = selector(html)
        root = sel.root
        doc = Document(url=url)
        settled: set[str] = set()

        def settle(field: str, value: Value) -> None:
            settled.add(field)
            setattr(doc, field, value)

        meta = meta_tags(sel)
        for field, names in META_FIELDS.items():
            raw = next((meta[n] for n in names if meta.get(n)), None)
            value = normalise_value(field, raw)
            if value:
                settle(field, Value(value, raw, "meta"))

        def outranks_meta(field: str, label: str, value) -> bool:
            """A labelled value shown on the page replaces a different <meta> one for the fields
            of :data:`OUTRANKING_LABELS`: a row naming the publishing body over ContentSource
            (where the text came from: a 公众号, another government's bulletin), a visible
            发布日期 over PubDate (rewritten when a rebuilt site regenerates its pages)."""
            current = getattr(doc, field)
            return (current.source == "meta" and normalise_label(label) in OUTRANKING_LABELS.get(field, ())
                    and bool(value) and value != current.value)

        for field, (text, label) in label_pairs(root).items():
            if field not in settled:
                settle(field, Value(normalise_value(field, text), text, "table"))
            elif outranks_meta(field, label, value := normalise_value(field, text)):
                settle(field, Value(value, text, "table"))
        page_text = element_text(root.find("body") if root.find("body") is not None else root, blocks=True)
        for line in page_text.split("\n"):
            for field, text, label in split_pairs(line, anchored=False) or split_pairs(line, bare=True):
                if field not in TEXT_FIELDS or (field in settled and field not in OUTRANKING_LABELS):
                    continue
                if field in DATE_FIELDS:
                    found = find_date(text)
                    value, raw = found if found else (None, text)
                else:
                    raw = text.split(" ")[0] if text else ""
                    value = normalise_value(field, raw)
                if value and (field not in settled or outranks_meta(field, label, value)):
                    settle(field, Value(value, raw, "text"))
        if "title" not in settled and (heading := self.heading(root)):
            settle("title", Value(heading, heading, "text"))

        doc.column_name = meta.get("ColumnName") or None
        doc.body_text = self.body_text(sel)
        doc.attachments = self.attachments(url, root)
        attached = {a.url for a in doc.attachments}
        doc.related = [link for link in self.related(url, root) if link.url not in attached]
        refresh = sel.xpath('//meta[translate(@http-equiv, "REFSH", "refsh")="refresh"]/@content').get()
        doc.deleted = bool(refresh and "url" in refresh.lower() and len(page_text) < 200)
        problems = [msg for ok, msg in ((doc.title.present, "no title found"),
                                        (doc.pub_date.present, "no publication date found")) if not ok]
        doc.uncertain = "; ".join(problems) or None
        return doc

    @staticmethod
    def heading(root) -> str | None:
        """The first non-empty ``<h1>``, else the ``<title>`` up to its first ``_`` or ``|``.
        A heading that only names the site (the ``SiteName`` meta, or a ``<title>`` holding
        nothing but the site's name as its logo prints it) is no document title: None."""
        site = {clean(m.get("content")) for m in root.iter("meta") if (m.get("name") or "").lower() == "sitename"}
        text = next((t for t in (element_text(h) for h in root.iter("h1")) if t and t not in site), "")
        if not text:
            title = root.find(".//title")
            whole = element_text(title) if title is not None else ""
            text = clean(re.split(r"[_|｜]| - ", whole)[0])
            logo = any(clean(element_text(el)) == text for el in root.iter()
                       if isinstance(el.tag, str) and "logo" in (el.get("class") or el.get("id") or "").lower())
            if text in site or text == clean(whole) and logo:
                text = ""
        return text or None

    @staticmethod
    def body_text(sel) -> str:
        for xp in BODY_XPATHS:
            el = sel.xpath(xp)
            if el:
                return element_text(el[0].root, blocks=True)
        best, best_len = None, 0
        for el in sel.root.iter("div", "td", "section"):
            n = sum(len(element_text(p)) for p in el if p.tag == "p")
            if n > best_len:
                best, best_len = el, n
        body = best if best is not None else sel.root.find("body")
        return element_text(body, blocks=True) if body is not None else ""

    @staticmethod
    def attachments(url: str, root) -> list[Attachment]:
        out: dict[str, Attachment] = {}
        for a in root.iter("a"):
            target = absolute_url(url, a.get("href"))
            if not target or target in out:
                continue
            parts = urlsplit(target)
            if FILE_EXT.search(parts.path) or DOWNLOAD_PATH.search(parts.path):
                name = _link_name(a) or parts.path.rsplit("/", 1)[-1]
                out[target] = Attachment(target, name)
        return list(out.values())

    @staticmethod
    def related(url: str, root) -> list[Link]:
        """Links to a 解读 / 原文 / 相关文件: by their own text, or by a label such as
        ``相关解读：`` written just before them."""
        out: dict[str, Link] = {}
        for a in root.iter("a"):
            target = absolute_url(url, a.get("href"))
            text = element_text(a)
            if not target or target in out or not text:
                continue
            prev = a.getprevious()
            before = (prev.tail if prev is not None else a.getparent().text) or ""
            if not clean(before) and prev is not None and prev.tag in ("span", "b", "strong", "label", "em"):
                before = element_text(prev)
            label = normalise_label(before)
            by_text = any(w in text for w in RELATED_WORDS) and normalise_label(text) not in GENERIC_RELATED_NAMES
            by_label = len(label) <= 8 and any(w in label for w in RELATED_WORDS)
            if by_text or by_label:
                out[target] = Link(target, text, "a", a.get("href") or "")
        return list(out.values())
