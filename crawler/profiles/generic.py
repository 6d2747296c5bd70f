"""The generic fallback profile for layouts no CMS family claims.

Built only on :mod:`crawler.profiles.extract`; family profiles subclass it and override
what their CMS does differently.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit

from crawler.items import Attachment, Column, Document, Link, ListEntry, Listing, RequestSpec, Value
from crawler.profiles.base import Profile
from pagetext import BODY_XPATHS
from crawler.profiles.extract import (
    DATE_FIELDS, absolute_links, absolute_url, clean, element_text, find_date, find_month_day, label_pairs,
    meta_tags, month_day_date, normalise_label, normalise_value, parse_date, selector, split_pairs, url_date_parts,
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
#: fields of a POST pager form: the page asked for, the page size, the page count
PAGE_FIELD = re.compile(r"^(?:page(?:no|num|index|number|_no)?|cur(?:r|rent)?_?page(?:no)?|pageindex|cp)$", re.I)
PAGE_SIZE_FIELD = re.compile(r"^(?:page_?size|perpage|per_page|rows|pagerows)$", re.I)
PAGE_COUNT_FIELD = re.compile(r"^(?:total_?pages?|page_?count|count_?page|pages)$", re.I)
PAGE_COUNT_TEXT = re.compile(r"共\s*(\d+)\s*页")
ROW_COUNT_TEXT = re.compile(r"共\s*(\d+)\s*条")
#: metadata fields read from the standard <meta> block, in order of preference
META_FIELDS = {"title": ("ArticleTitle",), "pub_date": ("PubDate", "firstpublishedtime"),
               "publisher": ("ContentSource",)}
#: labels whose value, shown on the page, replaces a different value of the <meta> block: the
#: publishing body itself (not a 来源) and the publication date (日期 alone on 国家民委's pages)
OUTRANKING_LABELS = {"publisher": {"发布机构", "发文机关", "发文机构", "发文单位"},
                     "pub_date": {"发布日期", "发布时间", "公开日期", "日期"}}
#: id/class of an element holding the publication date without a label, and what it may hold
PUBTIME_NAME = re.compile(r"pub_?time|pub_?date|publish_?(?:time|date)|release_?(?:time|date)")
SOURCE_LABEL = re.compile(r"(?:信息|文章)?来\s*源\s*[:：]")
DATE_THEN_SOURCE = re.compile(r"\d{4}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
                              r"(?:\s*\d{1,2}\s*:\s*\d{1,2}(?:\s*:\s*\d{1,2})?)?\s*(?:信息|文章)?来\s*源\s*[:：]")
PUBTIME_ALONE = re.compile(r"\d{4}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
                           r"(?:\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?\s*[分秒]?)?")
TEXT_FIELDS = ("index_no", "publisher", "doc_no", "written_date", "pub_date", "validity", "category")
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


def generated_on(meta: dict[str, str]) -> str | None:
    """The day the page was generated, as 开普云 and gov.cn templates state it in
    ``<meta name="others" content="页面生成时间 2022-10-14 10:16:14">``; None when not stated."""
    others = meta.get("others") or ""
    return parse_date(others) if "生成时间" in others else None


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
        more = self.pager_requests(url, sel)
        if entries and not more:
            more = self.form_pager_requests(url, sel, len(entries))
        return self.finish_listing(url, sel, entries, more)

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
    def form_pager_requests(url: str, sel, shown: int) -> list[RequestSpec]:
        """A pager that POSTs a form (``<form method="post"><input type="hidden" name="pageNo">``
        submitted by ``goPage(n)``): one POST per other page, the form's fields kept and the page
        field set. The page count is the form's own total field, else ``共N页`` on the page, else
        ``共N条`` over the page size. A form with a free-text field is a search form, not a pager."""
        for form in sel.root.iter("form"):
            if (form.get("method") or "get").strip().lower() != "post":
                continue
            fields: dict[str, str] = {}
            page_field = size_field = count_field = None
            search_form = False
            for el in form.iter("input", "select", "textarea"):
                name = (el.get("name") or "").strip()
                kind = (el.get("type") or "text").strip().lower()
                if not name or kind in ("submit", "button", "image", "reset", "file", "checkbox", "radio"):
                    continue
                value = el.get("value") or ""
                if el.tag == "select":
                    chosen = [o for o in el.iter("option") if o.get("selected") is not None] or list(el.iter("option"))[:1]
                    value = (chosen[0].get("value") or element_text(chosen[0])) if chosen else ""
                fields[name] = value
                if PAGE_FIELD.match(name):
                    page_field = name
                elif PAGE_SIZE_FIELD.match(name):
                    size_field = name
                elif PAGE_COUNT_FIELD.match(name):
                    count_field = name
                elif el.tag == "textarea" or kind in ("text", "search"):
                    search_form = True
            if not page_field or search_form:
                continue
            current = int(fields[page_field]) if fields[page_field].strip().isdigit() else 1
            size = int(fields[size_field]) if size_field and fields[size_field].strip().isdigit() else shown
            text = element_text(sel.root)
            pages = int(fields[count_field]) if count_field and fields[count_field].strip().isdigit() else None
            if pages is None and (m := PAGE_COUNT_TEXT.search(text)):
                pages = int(m.group(1))
            if pages is None and (m := ROW_COUNT_TEXT.search(text)) and size:
                pages = -(-int(m.group(1)) // size)
            if not pages or pages <= 1:
                return []
            action = absolute_url(url, form.get("action")) or url
            more = []
            for page in range(1, pages + 1):
                if page == current:
                    continue
                body = urlencode({**fields, page_field: page})
                more.append(RequestSpec(action, method="POST", body=body, kind="listing",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                                        state={"form_page": page, "page_size": size}))
            return more
        return []

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
        anchors = []            # (anchor, its URL, its text): each worked out once
        for a in el.iter("a"):
            target = absolute_url(base, a.get("href"))
            if target:
                if len(anchors) == 2:
                    return None
                anchors.append((a, target, element_text(a)))
        if not anchors:
            return None
        a, target, a_text = max(anchors, key=lambda x: len(x[2]))
        rest = element_text(el).replace(a_text, " ", 1)
        found = find_date(rest)
        if found:
            date = Value(found[0], found[1], "list")
        elif len(a_text) >= 4 and (md := GenericProfile.month_day(el, a, rest, target)):
            # ``[03-05]``: the year is the document URL's (/art/2026/3/5/, t20260305_, /202603/), else unknown
            date = Value(month_day_date(md[0], md[1], target), md[2], "list")
        else:
            return None
        title = clean(a.get("title")) or a_text or None
        return ListEntry(target, title, date, position)

    @staticmethod
    def month_day(el, a, rest: str, target: str | None) -> tuple[int, int, str] | None:
        """A yearless row date outside the document link: bracketed (``[03-05]``) anywhere in the
        row's other text, or the whole text of an element of its own (``<span>03-05</span>``) when
        the link is dated in its URL (a bare ``1/5`` may be a page counter)."""
        found = find_month_day(rest)
        if found:
            return found
        if not url_date_parts(target):
            return None
        inside = set(a.iter())
        for child in el.iter():
            if child is el or child in inside or not isinstance(child.tag, str) or len(child):
                continue
            found = find_month_day(element_text(child), alone=True)
            if found:
                return found
        return None

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        listing = self.listing(url, body)
        if "form_page" in spec.state:
            # every page was asked for from the first one; positions follow the page number
            page, size = int(spec.state["form_page"]), int(spec.state.get("page_size") or 0)
            listing.more = [m for m in listing.more if "form_page" not in m.state]
            for i, e in enumerate(listing.entries):
                e.position = (page - 1) * size + i + 1
        return listing

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
        if "pub_date" not in settled and (dated := self.dated_element(root)):
            settle("pub_date", Value(*dated, "text"))
        elif (doc.pub_date.source == "meta" and doc.pub_date.value == generated_on(meta)
              and (dated := self.dated_element(root)) and dated[0] != doc.pub_date.value):
            # PubDate is the page's generation time (页面生成时间 of the others meta: a regenerated
            # 2020 text on 四川's portal says 2022) and the page shows another date where its
            # date stands: the shown one
            settle("pub_date", Value(*dated, "text"))
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
    def dated_element(root) -> tuple[str, str] | None:
        """A publication date printed without a label: the whole text of an element named for it
        (``<span id="pubtime">2020年02月18日 09:15</span>`` on 中央网信办's pages), of an element
        standing beside the article's labelled 来源 (``<li>来源：新华社</li><li>作者：</li>
        <li>2023-12-01 14:43</li>`` on 中国科普网), or opening the line of the 来源 itself
        (``2022-05-07 00:00　来源：…`` on 河北省文化和旅游厅's); read only when nothing labelled
        gave one."""
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "head", "meta") or len(el) > 2:
                continue                # a date's own element holds no more than a span or two
            text = element_text(el)
            if DATE_THEN_SOURCE.match(text):                    # 2022-05-07 00:00　来源：…
                return find_date(text)
            if not PUBTIME_ALONE.fullmatch(text) or not (found := find_date(text)):
                continue
            names = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
            parent = el.getparent()
            beside = parent is not None and any(
                isinstance(sib.tag, str) and sib is not el and SOURCE_LABEL.match(element_text(sib))
                for sib in parent)
            if PUBTIME_NAME.search(names) or beside:
                return found
        return None

    @staticmethod
    def heading(root) -> str | None:
        """The first non-empty ``<h1>``, else the ``<title>`` up to its first ``_`` or ``|`` (or up
        to a ``-`` where the part before it is printed on the page as an element of its own:
        ``习近平主持召开…座谈会-中国科普网`` beside ``<div>习近平主持召开…座谈会</div>``).
        A heading that only names the site (the ``SiteName`` meta, or a ``<title>`` holding
        nothing but the site's name as its logo prints it) is no document title: None."""
        site = {clean(m.get("content")) for m in root.iter("meta") if (m.get("name") or "").lower() == "sitename"}
        text = next((t for t in (element_text(h) for h in root.iter("h1")) if t and t not in site), "")
        if not text:
            title = root.find(".//title")
            whole = element_text(title) if title is not None else ""
            text = clean(re.split(r"[_|｜]| - ", whole)[0])
            cuts = [clean(text[:m.start()]) for m in re.finditer(r"\s*[-—–]\s*", text) if m.start() > 0]
            if cuts:
                shown = {element_text(el) for el in root.iter()
                         if isinstance(el.tag, str) and el.tag not in ("title", "head", "html", "meta", "script", "style")
                         and len(el) == 0}
                text = next((c for c in reversed(cuts) if c in shown), text)
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
