"""拓尔思 TRS WCM, static publishing.

Column pages are ``index.html``, ``index_1.html`` … ``index_{n-1}.html``. The pager may be real
``<a>`` links, or only inline JS that a no-JS crawler cannot follow:
``createPageHTML(n, current, "index", "html")`` or a hand-written ``var countPage = n`` loop
around ``document.write('<a href="index_' + i + '.html">')``. :meth:`TrsProfile.listing` reads
the page count from any of these and asks for every page at once.

"动静结合" columns (Fujian templates) publish the first ``maxStaticIndex`` pages statically and serve
the rest from ``POST /fjdzapp/search`` (form ``channelid, classsql=chnlid=N, sortfield, page,
prepage``) through an avalon.js script. The settings are in ``pageChnlInfo = {recordCount:'107',
prepage:15, maxStaticIndex:5, quickMode:'动静结合', classsql: "" || "chnlid=1780"}`` (values may be
JS ``||`` expressions; :func:`js_literal` evaluates them), the search channel in the page's
``SiteInfo.searchId``. The static pages may all be blocks of one ``index.html`` switched
client-side by ``$showStatic(n)``: then no ``index_N.html`` is asked for. The profile makes the
script's calls and reads the JSON replies as ``{"total", "data": [{"title", "url", "docreltime"}]}``
(that reply shape is the testbed's: no real reply was available to check it against).

The fingerprint takes ``index_box`` among other classes (``class="index_box shadow_base pad_base"``).

Detail pages carry the 信息公开 metadata as ``div.index_box ul li`` with labels padded by
``&ensp;`` (``索&ensp;引&ensp;号：<font>…</font>``); those values win over the ``<meta>`` block.
Pages are often GBK declared as ``gb2312`` with no charset in the HTTP header: Scrapy (w3lib)
reads the ``<meta>`` charset and decodes gb2312 as GB18030, so ``html`` arrives correct.
"""
from __future__ import annotations

import json
import math
import re
from urllib.parse import quote, urlencode, urljoin, urlsplit

from crawler.items import Document, ListEntry, Listing, RequestSpec, Value
from crawler.profiles.extract import absolute_url, clean, find_date, label_pairs, normalise_value, selector
from crawler.profiles.generic import GenericProfile

FINGERPRINT = re.compile(
    r"createPageHTML\s*\(|var\s+countPage\s*=|\bTRS_(?:UEDITOR|Editor)\b|<meta\s+name=[\"'](?:ChnlId|DocId)[\"']"
    r"|/govsearch/simp_gov_list\.jsp|/fjdzapp/search|\bpageChnlInfo\s*=|class=[\"'](?:[^\"']*\s)?index_box(?:\s[^\"']*)?[\"']",
    re.I)
CREATE_PAGE = re.compile(r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*\)""")
COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
COUNT_PAGE_HREF = re.compile(r"""href=\\?["'](\w+)_['"]\s*\+\s*\w+\s*\+\s*['"]\.(\w+)""")
PAGE_HREF = re.compile(r"(?:^|/)(index)_(\d+)\.(s?html?)$")
#: one JS literal: a string in either quotes, or a number
_LITERAL = r"""(?:"[^"\n]*"|'[^'\n]*'|-?\d+(?:\.\d+)?)"""
#: ``key: value`` where value is a literal, a ``||`` chain of literals (``classsql: "" || "chnlid=1780"``)
#: or a dotted name (``channelid: SiteInfo.searchId``)
CONFIG_ITEM = re.compile(rf"""(\w+)\s*:\s*({_LITERAL}(?:\s*\|\|\s*{_LITERAL})*|[A-Za-z_$][\w$]*(?:\.[\w$]+)+)""")
SEARCH_ID = re.compile(r"""\bsearchId['"]?\s*[:=]\s*["']?(\w+)""")
DYNAMIC_MARKERS = ("fjdzapp", "maxStaticIndex", "pageChnlInfo", "quickMode")
DEFAULT_API = "/fjdzapp/search"


def js_literal(expr: str) -> str:
    """The value of a literal or of a ``||`` chain of literals as the browser would compute it:
    the first truthy operand (non-empty string, non-zero number), else the last one."""
    values = []
    for m in re.finditer(_LITERAL, expr):
        token = m.group(0)
        values.append(token[1:-1] if token[0] in "\"'" else token)
    truthy = [v for v in values if v not in ("", "0")]
    return truthy[0] if truthy else (values[-1] if values else "")


def dynamic_config(html: str) -> dict[str, str]:
    """The settings of a "动静结合" column script (``pageChnlInfo = {recordCount, prepage,
    maxStaticIndex, classsql…}`` or an older ``pageConfig``): the ``key: value`` items of the
    script block that names the search endpoint or the static page count, else ``{}``. A value
    naming ``….searchId`` (and a missing ``channelid``) is read from the page's ``SiteInfo`` script."""
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S | re.I):
        if any(marker in script for marker in DYNAMIC_MARKERS):
            config: dict[str, str] = {}
            for key, expr in CONFIG_ITEM.findall(script):
                if key in config:
                    continue
                if re.match(r"[A-Za-z_$]", expr):      # a reference to another script's value
                    if expr.endswith(".searchId") and (found := SEARCH_ID.search(html)):
                        config[key] = found.group(1)
                    continue
                config[key] = js_literal(expr)
            if "channelid" not in config and (found := SEARCH_ID.search(html)):
                config["channelid"] = found.group(1)
            return config
    return {}


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def page_number(url: str) -> int:
    """0 for ``index.html`` or the bare directory, N for ``index_N.html``."""
    m = PAGE_HREF.search(urlsplit(url).path)
    return int(m.group(2)) if m else 0


class TrsProfile(GenericProfile):
    family = "trs"

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return bool(FINGERPRINT.search(url or "") or FINGERPRINT.search(html or ""))

    # -- lists ------------------------------------------------------------------------
    def pages(self, url: str, html: str) -> tuple[int, str, str]:
        """(page count, page name, extension) from the pager links or its script."""
        count, name, ext = 1, "index", "html"
        for m in CREATE_PAGE.finditer(html):
            count, name, ext = max(count, int(m.group(1))), m.group(3), m.group(4)
        m = COUNT_PAGE.search(html)
        if m:
            count = max(count, int(m.group(1)))
            href = COUNT_PAGE_HREF.search(html[m.end():])
            if href:
                name, ext = href.group(1), href.group(2)
        for href in selector(html).xpath("//a/@href").getall():
            target = absolute_url(url, href)
            found = PAGE_HREF.search(urlsplit(target).path) if target else None
            if found and urljoin(target, ".") == urljoin(url, "."):
                count, name, ext = max(count, int(found.group(2)) + 1), found.group(1), found.group(3)
        return count, name, ext

    def listing(self, url: str, html: str) -> Listing:
        listing = super().listing(url, html)
        followed = listing.more       # pager links the generic reading found (下一页, ?page=N…)
        listing.more = []
        page = page_number(url)
        config = dynamic_config(html)
        count, name, ext = self.pages(url, html)
        size = len(listing.entries)
        if config:
            static = _int(config.get("maxStaticIndex")) or 1
            total = _int(config.get("recordCount"))
            size = _int(config.get("prepage")) or size
            listing.total = total
            shown = len(listing.entries)
            if page == 0 and size and shown > size:
                # every static page's rows are in this one page, switched client-side ($showStatic)
                count, static_rows = 1, shown
            else:
                count = max(1, math.ceil(total / size)) if total and size else count
                count = min(count, static)
                static_rows = static * size
            listing.more += self.api_requests(url, config, total, static_rows)
            if total is None:
                listing.uncertain = "动静结合 script without recordCount: only the static pages were read"
        for e in listing.entries:
            e.position += page * size
        for i in range(1, count):
            if i != page:
                listing.more.append(RequestSpec(urljoin(url, f"{name}_{i}.{ext}"), kind="listing",
                                                state={"page": i, "page_size": size}))
        built = {url, *(s.url for s in listing.more)}
        listing.more += [s for s in followed if s.url not in built]
        return listing

    def api_requests(self, url: str, config: dict[str, str], total: int | None,
                     static_rows: int) -> list[RequestSpec]:
        """The POSTs the page script makes for the rows after the static pages."""
        if not total or total <= static_rows:
            return []
        prepage = int(config.get("prepage") or 15)
        api = urljoin(url, DEFAULT_API)
        form = {k: config[k] for k in ("channelid", "classsql", "sortfield") if k in config}
        specs = []
        for page in range(static_rows // prepage + 1, math.ceil(total / prepage) + 1):
            body = urlencode({**form, "page": page, "prepage": prepage}, quote_via=quote)
            specs.append(RequestSpec(
                api, method="POST", body=body, kind="listing",
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                         "X-Requested-With": "XMLHttpRequest", "Accept": "application/json"},
                state={"api": True, "page": page, "prepage": prepage, "total": total}))
        return specs

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        if not spec.state.get("api"):
            listing = super().parse_more(spec, url, body)
            # every page was asked for from the first one; positions follow the page number
            size = int(spec.state.get("page_size") or 0)
            if size and "page" in spec.state:
                for i, e in enumerate(listing.entries):
                    e.position = page_number(url) * size + i + 1
            return listing
        page, prepage = int(spec.state["page"]), int(spec.state["prepage"])
        try:
            reply = json.loads(body)
            rows = reply["data"]
        except (ValueError, KeyError, TypeError):
            return Listing(uncertain=f"search endpoint page {page}: not the expected JSON")
        entries = []
        for i, row in enumerate(rows):
            target = absolute_url(url, row.get("url"))
            if not target:
                continue
            found = find_date(row.get("docreltime"))
            date = Value(found[0], found[1], "api") if found else Value(None, row.get("docreltime"), "api")
            entries.append(ListEntry(target, clean(row.get("title")) or None, date, (page - 1) * prepage + i + 1))
        total = reply.get("total") if isinstance(reply.get("total"), int) else spec.state.get("total")
        listing = Listing(entries=entries, total=total)
        expected = min(prepage, max(0, (total or 0) - (page - 1) * prepage))
        if len(entries) < expected:
            listing.uncertain = f"search endpoint page {page} returned {len(entries)} of {expected} rows"
        return listing

    # -- documents ----------------------------------------------------------------------
    def document(self, url: str, html: str) -> Document:
        doc = super().document(url, html)
        box = selector(html).xpath('//*[contains(concat(" ", normalize-space(@class), " "), " index_box ")]')
        if not box:
            return doc
        for field, (text, _label) in label_pairs(box[0].root).items():
            value = normalise_value(field, text)
            if value is not None or not getattr(doc, field).present:
                setattr(doc, field, Value(value, text, "table"))
        problems = [msg for ok, msg in ((doc.title.present, "no title found"),
                                        (doc.pub_date.present, "no publication date found")) if not ok]
        doc.uncertain = "; ".join(problems) or None
        return doc
