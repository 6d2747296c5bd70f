"""Family-independent extraction helpers (pure functions, no fetching).

Every profile builds on these: date parsing, text cleaning, metadata label/value pairs,
the standard gov ``<meta>`` block, absolute links, and the JSON that script-built pages carry
in their scripts or fetch as replies. Inputs are HTML strings or
:class:`parsel.Selector` objects.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from parsel import Selector

from crawler.items import Link, ListEntry, Value
# the text helpers the rules share (one copy, in the neutral module); re-exported here
from pagetext import BLOCK_TAGS, clean, element_text, is_placeholder, selector  # noqa: F401

CHINA_TZ = timezone(timedelta(hours=8))

# --------------------------------------------------------------------------- text

_LABEL_NOISE = re.compile(r"[\s:：【】\[\]]+")


@lru_cache(maxsize=4096)
def normalise_label(text: str | None) -> str:
    """``索&ensp;引&ensp;号：`` -> ``索引号``: no spaces, colons or 【】 brackets. Kept for the
    last 4,096 texts: a portal's pages repeat the same few dozen labels."""
    return _LABEL_NOISE.sub("", clean(text))


# --------------------------------------------------------------------------- dates

_DATE_SEP = re.compile(r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_DATE_CN = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)\s*日?")
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})\s*$")


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return value.isoformat() if 1949 <= value.year <= 2100 else None


def parse_date(text) -> str | None:
    """The first calendar date in ``text`` as ISO ``YYYY-MM-DD``, or None when unsure.

    Accepts ``2022-05-09``, ``2022-5-9``, ``2022/5/9``, ``2022.05.09``, ``2022年5月9日``,
    ``[2022-05-09]``, a trailing time, dates split over lines, and 10/13-digit epoch
    seconds/milliseconds (China time). Index numbers such as ``2026-02-00018`` and
    impossible dates give None.
    """
    found = find_date(text)
    return found[0] if found else None


def find_date(text) -> tuple[str, str] | None:
    """Like :func:`parse_date` but returns ``(iso_date, matched_text)`` (whitespace cleaned)."""
    if text is None:
        return None
    s = str(text)
    epoch = _EPOCH.match(s)
    if epoch:
        n = int(epoch.group(1))
        seconds = n / 1000 if len(epoch.group(1)) == 13 else n
        try:
            moment = datetime.fromtimestamp(seconds, CHINA_TZ)
        except (OverflowError, OSError, ValueError):
            return None
        return (moment.date().isoformat(), epoch.group(1)) if 1990 <= moment.year <= 2100 else None
    found = [m for m in (_DATE_SEP.search(s), _DATE_CN.search(s)) if m]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())
    y, mo, d = (m.group(1), m.group(3), m.group(4)) if m.re is _DATE_SEP else m.groups()
    iso = _iso(y, mo, d)
    return (iso, clean(m.group(0))) if iso else None


#: a list row's month and day without a year (``[03-05]``, ``(3/5)``, ``03月05日``), bracketed
_MONTH_DAY_BRACKETED = re.compile(r"[\[［(（【]\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*[\]］)）】]")
#: the same as the whole text of its own element (``<span>03-05</span>``)
_MONTH_DAY_ALONE = re.compile(r"[\[［(（【]?\s*(\d{1,2})\s*(?:([-/])|月)\s*(\d{1,2})\s*日?\s*[\]］)）】]?")
#: dates written in document URLs, most precise first: ``t20260305_``, ``/20260305/``;
#: ``/art/2026/3/5/``; ``/202603/``, ``/2026-03/``; ``/2026/``
_URL_DATES = (
    re.compile(r"(?:^|[/_\-t])((?:19|20)\d{2})(0[1-9]|1[0-2])([0-3]\d)(?=[/_\-.]|$)"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-?(0[1-9]|1[0-2])/"),
    re.compile(r"/((?:19|20)\d{2})/"),
)


def url_date_parts(url: str | None) -> tuple[int, int | None, int | None] | None:
    """The (year, month, day) a document URL's path is dated with (month and day may be None):
    ``…/202603/t20260305_1.html`` -> (2026, 3, 5), ``/art/2026/3/5/art_1_2.html`` -> (2026, 3, 5),
    ``content/202603/content_9.htm`` -> (2026, 3, None); None when the path names no date."""
    path = urlsplit(url or "").path
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m:
            parts = [int(g) for g in m.groups()] + [None, None]
            y, mo, d = parts[:3]
            if mo is not None and not 1 <= mo <= 12:
                continue
            return y, mo, d
    return None


def month_day_date(month: int, day: int, url: str | None) -> str | None:
    """A list date written without its year (``[03-05]``), dated with the year of the document
    URL (``/art/2026/3/5/…``, ``t20260305_…``, ``/202603/``). When the URL also has a month, the
    year is the one that puts the date nearest the URL's date (a page created 2025-12-30 and
    listed ``[01-02]`` is 2026-01-02). None when the URL names no year: the year is never guessed."""
    parts = url_date_parts(url)
    if not parts:
        return None
    year, u_month, u_day = parts
    if u_month is None:
        return _iso(str(year), str(month), str(day))
    anchor = date(year, u_month, min(u_day or 15, 28))
    best = None
    for y in (year - 1, year, year + 1):
        iso = _iso(str(y), str(month), str(day))
        if iso and (best is None or abs(date.fromisoformat(iso) - anchor) < abs(date.fromisoformat(best) - anchor)):
            best = iso
    return best


def find_month_day(text: str | None, alone: bool = False) -> tuple[int, int, str] | None:
    """``(month, day, matched text)`` of a yearless list date: bracketed anywhere in ``text``
    (``标题 [03-05]``), or with ``alone`` the whole of ``text`` (``03-05``, ``3月5日``)."""
    s = clean(text)
    m = _MONTH_DAY_ALONE.fullmatch(s) if alone else _MONTH_DAY_BRACKETED.search(s)
    if not m:
        return None
    month, day = (int(m.group(1)), int(m.group(3))) if alone else (int(m.group(1)), int(m.group(2)))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return month, day, clean(m.group(0))


# --------------------------------------------------------------------------- labels

#: metadata label (normalised) -> field of :class:`crawler.items.Document`
LABEL_FIELDS: dict[str, str] = {
    "索引号": "index_no", "索取号": "index_no", "信息索引": "index_no",
    "发布机构": "publisher", "发文机关": "publisher", "发文机构": "publisher", "发文单位": "publisher",
    "信息来源": "publisher", "来源": "publisher",
    "文号": "doc_no", "发文字号": "doc_no", "文件编号": "doc_no",
    "成文日期": "written_date", "生成日期": "written_date", "发文日期": "written_date",
    "印发日期": "written_date",
    "发布日期": "pub_date", "发布时间": "pub_date", "公开日期": "pub_date",
    "上载日期": "pub_date", "时间": "pub_date", "日期": "pub_date",
    "有效性": "validity", "效力状态": "validity",
    "主题分类": "category", "组配分类": "category", "分类": "category", "体裁分类": "category",
    "标题": "title", "名称": "title", "信息名称": "title",
}
DATE_FIELDS = ("written_date", "pub_date")
#: metadata labels that name no field read here but end the value before them (Zhejiang's
#: ``文件编号 X 统一编号 ZJ…``): without them a value would run on into the next label
OTHER_LABELS = ("统一编号", "登记编号", "主题词", "关键词", "公开方式", "公开范围", "公开时限", "生效日期",
                "失效日期", "废止日期", "服务对象", "内容概述", "所属主题", "备注", "信息类别",
                # the article line's furniture after 发布时间 / 来源 (``信息来源：　字体：[大 中 小]
                # 浏览次数：35``): an empty 来源 is not "字体：…"
                "字体", "字号", "浏览次数", "浏览量", "访问量", "访问次数", "点击数", "点击量", "阅读次数",
                "阅读量", "作者", "责任编辑", "分享到")
_ALL_LABELS = sorted({*LABEL_FIELDS, *OTHER_LABELS}, key=len, reverse=True)

_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, label)) for label in _ALL_LABELS)
_LABEL_RE = re.compile("(?P<label>" + _LABEL_ALT + r")\s*[:：]")
#: the same, where a label of three or more characters may also be followed by a space instead
#: of a colon (``索 引 号 ABC``); shorter labels (来源, 时间, 名称…) are ordinary words in prose
_LONG_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, label))
                           for label in _ALL_LABELS if len(label) >= 3)
_LABEL_BARE_RE = re.compile(r"(?P<label>" + _LABEL_ALT + r")\s*[:：]|(?P<bare>" + _LONG_LABEL_ALT + r")\s")

def label_field(text: str | None) -> str | None:
    """The field a label stands for (``发文字号：`` -> ``doc_no``), None when not a known label."""
    return LABEL_FIELDS.get(normalise_label(text))


def is_label(text: str | None) -> bool:
    """True for a metadata label, whether or not it names a field read here (统一编号)."""
    label = normalise_label(text)
    return label in LABEL_FIELDS or label in OTHER_LABELS or bool(_LABEL_RE.match(clean(text)))


def normalise_value(field: str, text: str | None) -> str | None:
    """Field value as stored in ``Value.value``: ISO dates, None for blanks and placeholders."""
    text = clean(text)
    if not text or is_placeholder(text):
        return None
    return parse_date(text) if field in DATE_FIELDS else text


class Pair(NamedTuple):
    """A metadata value found next to a label: cleaned value text and the label as printed."""

    text: str
    label: str


def split_pairs(text: str, anchored: bool = True, bare: bool = False) -> list[tuple[str, str, str]]:
    """``索引号：X 发布机构：Y`` -> [(field, value, label), …]. Labels need a colon (``：`` or
    ``:``), or with ``bare`` a space after a label of three or more characters (``索 引 号 X``).
    ``anchored``: the text must start with a label."""
    text = clean(text)
    matches = list((_LABEL_BARE_RE if bare else _LABEL_RE).finditer(text))
    if not matches or (anchored and matches[0].start() != 0):
        return []
    out = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        value = text[m.end(): nxt.start() if nxt else len(text)].strip()
        label = m.group("label") or m.group("bare")
        field = LABEL_FIELDS.get(normalise_label(label))
        if field:                   # a label naming no field only ends the value before it
            out.append((field, value, clean(m.group(0))))
    return out


# --------------------------------------------------------------------------- trees

def _root(doc):
    if isinstance(doc, (str, Selector)) or doc is None:
        return selector(doc).root
    return doc  # an lxml element


LABEL_TAGS = ("span", "b", "strong", "label", "em", "i", "font")


def _value_after(el) -> str:
    """Text after a label element, up to the next sibling that looks like a label; a colon
    written after the element (``<strong>索引号</strong>：V``) is not part of the value."""
    parts = [el.tail or ""]
    for sib in el.itersiblings():
        if isinstance(sib.tag, str):
            text = element_text(sib)
            # ``<span>【字体：大 中 小】</span>``: a bracketed item of the line is a label too
            if sib.tag in LABEL_TAGS and (is_label(text.lstrip("【[〔（(")) or re.search(r"[:：]$", text)):
                break
            parts.append(" " if sib.tag == "br" else text)
        parts.append(sib.tail or "")
    return re.sub(r"^[:：]\s*", "", clean("".join(parts)))   # <strong>索引号</strong>：V


def label_pairs(doc) -> dict[str, Pair]:
    """Metadata label/value pairs on a page: ``{field: Pair(value_text, label)}``, first wins.

    Finds table cells (``<td>L：</td><td>V</td>``, ``<td><b>L</b></td>``, several pairs per
    row, ``<td>L：V</td>``), ``<dt>L</dt><dd>V</dd>``, list items starting with a label
    (``<li>L：<font>V</font></li>``, two pairs in one item) and label elements followed by
    their value (``<span>L:</span>V``, ``<b>L：</b><span>V</span>``) or holding it in a child
    (``<span>来源：<b>V</b></span>``, also when V is empty). A label and value in
    one running text (``<p>发布日期：2022年5月9日</p>``) is left to text patterns.
    """
    root = _root(doc)
    pairs: dict[str, Pair] = {}

    def add(field, value, label):
        pairs.setdefault(field, Pair(clean(value), clean(label)))

    header_rows = _column_header_pairs(root, add)
    for tr in root.iter("tr"):
        if tr in header_rows:
            continue
        cells = [c for c in tr if c.tag in ("td", "th")]
        i = 0
        while i < len(cells):
            text = element_text(cells[i])
            field = label_field(text) if len(text) <= 12 else None
            if field and i + 1 < len(cells):
                value = element_text(cells[i + 1])
                if not is_label(value) and not split_pairs(value):   # not the next "L: V" cell
                    add(field, value, text)
                    i += 2
                    continue
            if not any(True for _ in cells[i].iter("table")):
                for f, v, label in split_pairs(text, bare=True):
                    add(f, v, label)
            i += 1
    for dt in root.iter("dt"):
        dd = dt.getnext()
        field = label_field(element_text(dt))
        if field and dd is not None and dd.tag == "dd":
            add(field, element_text(dd), element_text(dt))
    for el in root.iter("li"):
        if not any(d.tag in BLOCK_TAGS and d.tag != "br" for d in el.iterdescendants() if isinstance(d.tag, str)):
            own = clean(el.text)
            if len(el) and own and (field := label_field(own)):       # <li>索引号<font>V</font></li>
                add(field, clean("".join(element_text(c) + (c.tail or "") for c in el)), own)
            for f, v, label in split_pairs(element_text(el), bare=True):
                add(f, v, label)
    for el in root.iter(*LABEL_TAGS):
        field = label_field(element_text(el))
        if field and not any(True for _ in el.iterancestors("td", "th", "li", "dt")):
            own = clean(el.text)
            if own and label_field(own) and any(isinstance(c.tag, str) and c.tag != "br" for c in el):
                # <span>来源：<b></b></span>: the value has its own (here empty) element inside
                # the label's; what follows the label element is the next pair, not its value
                add(field, clean("".join(element_text(c) + (c.tail or "") for c in el)), own)
            else:
                add(field, _value_after(el), element_text(el))
    return pairs


#: what a value under a column label must look like for the header row to be read as labels
_COLUMN_VALUE_CHECKS = {
    "index_no": lambda v: bool(re.fullmatch(r"[0-9A-Za-z]+(?:[-/][0-9A-Za-z]+)+", v)) and any(c.isdigit() for c in v),
    "doc_no": lambda v: v.endswith("号") and any(c.isdigit() for c in v),
    "written_date": lambda v: parse_date(v) is not None,
    "pub_date": lambda v: parse_date(v) is not None,
}


def _column_header_pairs(root, add) -> set:
    """A metadata table written as a row of labels over one row of values (Shanghai's
    ``索取号 | 发布时间 | 发布机构 | 文件编号`` / ``V | | V | V``): the values paired by column. Read
    only when the values row is the table's last and at least two of its values look like
    what their labels name (an index number, a 〔〕号 document number, a date), so that the
    header of a list table (many rows, or values of another kind) is not taken for labels.
    Returns the rows read."""
    used = set()
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr")
                if next((a for a in tr.iterancestors("table")), None) is table]
        for head, values in zip(rows, rows[1:]):
            if values is not rows[-1]:
                continue
            labels = [element_text(c) for c in head if c.tag in ("td", "th")]
            cells = [element_text(c) for c in values if c.tag in ("td", "th")]
            if (len(labels) < 3 or len(labels) != len(cells) or not all(is_label(t) for t in labels)
                    or any(is_label(t) for t in cells if t)):
                continue
            fields = [label_field(t) for t in labels]
            checked = sum(1 for f, v in zip(fields, cells) if v and f in _COLUMN_VALUE_CHECKS
                          and _COLUMN_VALUE_CHECKS[f](clean(v)))
            if checked < 2:
                continue
            for field, label, value in zip(fields, labels, cells):
                if field:
                    add(field, value, label)
            used.update((head, values))
    return used


# --------------------------------------------------------------------------- meta

#: the standard gov-website <meta> names (plus TRS and gov.cn extras), canonical spelling
META_NAMES = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
    "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
    "Url", "Image", "DocId", "ChnlId", "SiteId", "manuscriptId", "firstpublishedtime",
    "lastmodifiedtime", "lanmu",
)
_META_CANON = {n.lower(): n for n in META_NAMES} | {"desctiption": "Description"}


def meta_tags(doc) -> dict[str, str]:
    """``<meta name=… content=…>`` as a dict; known names in canonical spelling
    (matched case-insensitively, ``Desctiption`` -> Description), first occurrence wins."""
    out: dict[str, str] = {}
    for m in selector(doc).xpath("//meta[@name]"):
        name = (m.attrib.get("name") or "").strip()
        content = m.attrib.get("content")
        if not name or content is None:
            continue
        out.setdefault(_META_CANON.get(name.lower(), name), clean(content))
    return out


# --------------------------------------------------------------------------- links

_LINK_ATTRS = (("a", "href"), ("area", "href"), ("img", "src"), ("iframe", "src"),
               ("frame", "src"), ("script", "src"), ("link", "href"))
_LINK_ATTR = dict(_LINK_ATTRS)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, fragment dropped; None for javascript:/mailto:/tel:/#."""
    href = (href or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    return _join(_base_dir(base) if href[0] != "?" and "\\" not in href else base, href)


def _base_dir(base: str) -> str:
    """``base`` up to the last ``/`` of its path: a path (relative or not) resolves against the
    directory alone, so the same nav and list links on every page of a folder are resolved
    once (``_join`` is cached). ``base`` itself when it has no path."""
    start = base.find("//")
    path_at = base.find("/", start + 2) if start >= 0 else -1
    if path_at < 0:
        return base
    end = len(base)
    for c in "?#":
        i = base.find(c, path_at)
        if i >= 0:
            end = min(end, i)
    return base[:base.rfind("/", path_at, end) + 1]


@lru_cache(maxsize=8192)
def _join(base: str, href: str) -> str | None:
    return urldefrag(urljoin(base, re.sub(r"[\r\n\t]", "", href)))[0] or None


def page_base(url: str, base_href: str | None) -> str:
    """The URL relative links of the page at ``url`` resolve against: its ``<base href>`` when
    that stays on the page's own host and is http(s), else the page's URL. A base that leaves
    the site (``<base href="http://169.254.169.254/">`` on a hostile page) is ignored: it would
    send every relative image and attachment link elsewhere."""
    if not base_href or not base_href.strip():
        return url
    base = urljoin(url, re.sub(r"[\r\n\t]", "", base_href.strip()))
    page, target = urlsplit(url), urlsplit(base)
    if target.scheme not in ("http", "https") or target.netloc.lower() != page.netloc.lower():
        return url
    return base


def absolute_links(url: str, doc) -> list[Link]:
    """Every link on the page (a, area, img, iframe, frame, script, link), absolute,
    deduplicated by (url, tag), in document order. Honours ``<base href>`` (:func:`page_base`)."""
    sel = selector(doc)
    base = page_base(url, sel.xpath("//base/@href").get())
    out: list[Link] = []
    seen = set()
    for el in sel.root.iter(*(tag for tag, _ in _LINK_ATTRS)):
        attr = _LINK_ATTR[el.tag]
        raw = el.get(attr)
        target = absolute_url(base, raw)
        if not target or (target, el.tag) in seen:
            continue
        seen.add((target, el.tag))
        if el.tag in ("img", "iframe", "frame"):
            text = clean(el.get("alt") or el.get("title") or "")
        else:
            text = element_text(el) or clean(el.get("title") or "")
            if not text and el.tag in ("a", "area"):
                img = next(iter(el.iter("img")), None)
                text = clean(el.get("alt") or (img.get("alt") if img is not None else "") or "")
        out.append(Link(url=target, text=text, tag=el.tag, raw_href=raw or ""))
        viewed = viewer_file(target)
        if viewed and (viewed, "a") not in seen:   # the file an online viewer shows is linked too
            seen.add((viewed, "a"))
            out.append(Link(url=viewed, text=text or "在线阅读", tag="a", raw_href=raw or ""))
    return out


#: an online viewer page (``web/viewer.html?file=/a/b.ofd``): the file in its query
_VIEWER_PAGE = re.compile(r"\.(s?html?|xhtml)$", re.I)
_VIEWED_FILE = re.compile(r"\.(pdf|ofd|docx?|xlsx?|wps|et|zip|rar)$", re.I)


def viewer_file(url: str) -> str | None:
    """The attachment an online viewer page shows (its ``file=``-like query value naming a
    document file by path or URL), absolute; None for other URLs."""
    if "?" not in url:          # no query, nothing to show (most links: checked before parsing)
        return None
    parts = urlsplit(url)
    if not _VIEWER_PAGE.search(parts.path):
        return None
    for _, value in parse_qsl(parts.query):
        value = value.strip()
        if _VIEWED_FILE.search(urlsplit(value).path) and value.startswith(("/", "http://", "https://", "./", "../")):
            return absolute_url(url, value)
    return None



# --------------------------------------------------------------------------- JSON in scripts and replies


def load_json(body: str | None):
    """``body`` parsed as JSON when it is an object or an array, else None."""
    body = (body or "").strip()
    if not body.startswith(("{", "[")):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def js_value(text: str | None, name: str):
    """The JSON value written after ``name:`` or ``name =`` in a script (``TREE: [...]``,
    ``DETAIL: {...}``, ``var listConfig = {...}``), or None when absent or not JSON."""
    decoder = json.JSONDecoder()
    for m in re.finditer(rf"(?<![\w$.]){re.escape(name)}['\"]?\s*[:=]\s*", text or ""):
        try:
            return decoder.raw_decode(text, m.end())[0]
        except ValueError:
            continue
    return None


def config_string(text: str | None, name: str) -> str | None:
    """A scalar of a script's object literal (``SID: '200001'``, ``API: '/gkmlpt/api/all/'``)."""
    m = re.search(rf"""\b{re.escape(name)}['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|(\w+))""", text or "")
    return next((g for g in m.groups() if g is not None), None) if m else None


def with_param(url: str, name: str, value) -> str:
    """``url`` with query parameter ``name`` set to ``value`` (added when absent)."""
    new, n = re.subn(rf"([?&]{re.escape(name)}=)[^&#]*", rf"\g<1>{value}", url, count=1)
    return new if n else f"{url}{'&' if '?' in url else '?'}{name}={value}"


def as_int(value) -> int | None:
    """``value`` as an int (a JSON number or numeric string), None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def json_link(base: str, target, text) -> Link | None:
    """A link named by a JSON row (``url`` and title/name values), absolute; None without a URL."""
    url = absolute_url(base, target) if isinstance(target, str) else None
    return Link(url, clean(text), "a", target) if url else None


def json_entry(base: str, row: dict, position: int, url_key: str, title_key: str,
               date_key: str) -> ListEntry | None:
    """A list row read from a JSON reply's record: its URL, title and date (``source="api"``;
    epoch seconds / milliseconds and date strings alike); None when the record has no URL."""
    target = absolute_url(base, row.get(url_key)) if isinstance(row.get(url_key), str) else None
    if not target:
        return None
    raw = row.get(date_key)
    found = find_date(raw) if raw not in (None, "") else None
    date = Value(found[0], str(raw), "api") if found else Value(None, None if raw is None else str(raw), "api")
    return ListEntry(target, clean(row.get(title_key)) or None, date, position)
