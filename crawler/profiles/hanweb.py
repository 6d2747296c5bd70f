"""大汉 Hanweb JCMS, classic "jpage" lists.

A column page embeds its first rows as CDATA records of a ``<script type="text/xml">``
datastore, then calls ``$('#unit').jpage({totalRecord, perPage, proxyUrl, …})``; the script
fetches the rest by POSTing to ``dataproxy.jsp?startrecord=&endrecord=&perpage=`` with a form
body and the column page as Referer. :meth:`HanwebProfile.listing` returns those POSTs as
:class:`RequestSpec` objects (large ranges, within the usual 300-row server cap) and
:meth:`HanwebProfile.parse_more` reads the XML replies. Detail pages use the generic extraction.
"""
from __future__ import annotations

import html as htmllib
import json
import math
import re
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

from crawler.items import Listing, RequestSpec
from crawler.profiles.generic import ROW_TAGS, GenericProfile
from crawler.profiles.extract import selector

FINGERPRINT = re.compile(r"<datastore>|\.jpage\(|/col/col\d+/|art_\d+_\d+|/module/web/jpage/")
DATASTORE = re.compile(r'(?:<div[^>]*\bid=["\']([\w-]+)["\'][^>]*>\s*)?<script[^>]*type=["\']text/xml["\'][^>]*>'
                       r"\s*(<datastore>.*?</datastore>)\s*</script>", re.S | re.I)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
BARE = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?<datastore\b", re.I)
TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
JPAGE = re.compile(r"""\$\(\s*['"]#([\w-]+)['"]\s*\)\s*\.jpage\(\s*\{""")
CONFIG_ITEM = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,{}]+))""")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


def jpage_config(html: str) -> tuple[str | None, dict[str, str]]:
    """``(unit id, {key: value})`` of the page's jpage call, nested objects such as
    ``ajaxParam`` flattened in (outer keys win), or ``(None, {})``."""
    m = JPAGE.search(html)
    if not m:
        return None, {}
    depth, end = 1, m.end()
    while end < len(html) and depth:
        depth += {"{": 1, "}": -1}.get(html[end], 0)
        end += 1
    config: dict[str, str] = {}
    for key, sq, dq, bare in CONFIG_ITEM.findall(html[m.end():end - 1]):
        config.setdefault(key, (sq or dq or bare).strip())
    return m.group(1), config


#: Hanweb JPaaS 页面构建单元: ``<script src="…/unitbuild.js" url="…" queryData="{'webId':…}">``
UNITBUILD = re.compile(r"<script\b[^>]*\bunitbuild\.js[^>]*>", re.I)
#: its pager: ``<div … count="386" rows="15" pageNo="1">``
JPAAS_PAGER = re.compile(r"""<div\b(?=[^>]*\bcount=["'](\d+)["'])(?=[^>]*\brows=["'](\d+)["'])[^>]*>""", re.I)


def jpaas_config(html: str) -> dict | None:
    """A JPaaS unit's call: ``{"url": endpoint, "query": queryData, "count": rows in the column,
    "rows": page size}`` (count/rows None without a pager div), or None when the page has no unit."""
    tag = UNITBUILD.search(html or "")
    if not tag:
        return None
    attrs = {k.lower(): htmllib.unescape(dq or sq)
             for k, dq, sq in re.findall(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag.group(0))}
    if not attrs.get("url"):
        return None
    query = {k: sq or dq for k, sq, dq in
             re.findall(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)")""", attrs.get("querydata", ""))}
    pager = JPAAS_PAGER.search(html)
    return {"url": attrs["url"], "query": query,
            "count": int(pager.group(1)) if pager else None, "rows": int(pager.group(2)) if pager else None}


class HanwebProfile(GenericProfile):
    family = "hanweb"
    #: rows asked for per dataproxy request (servers silently cut ranges above ~300)
    batch = 300

    @classmethod
    def matches(cls, url: str, html: str) -> bool:
        return bool(FINGERPRINT.search(url or "") or FINGERPRINT.search(html or ""))

    def rows(self, base: str, records: list[str], start: int) -> list:
        entries = []
        for i, record in enumerate(records):
            row = selector(record).root.find("body")
            entry = self.row_entry(base, row, start + i) if row is not None else None
            if entry:
                entries.append(entry)
        return entries

    def listing(self, url: str, html: str) -> Listing:
        stores = DATASTORE.findall(html)
        if not stores and BARE.match(html or ""):
            return self.bare_listing(url, html)
        if not stores and (jpaas := jpaas_config(html)):
            return self.jpaas_listing(url, html, jpaas)
        if not stores:
            listing = super().listing(url, html)
            _unit, config = jpage_config(html)
            data_url = config.get("dataUrl") or config.get("dataurl")
            if data_url and not listing.entries:
                # a jpage unit with no embedded datastore: its script GETs the records page by page
                listing.more.append(self.group_request(url, urljoin(url, htmllib.unescape(data_url)), 1))
                listing.uncertain = None
            return listing
        unit, config = jpage_config(html)
        store = next((s for div, s in stores if unit and div == unit), None) or max(
            (s for _, s in stores), key=lambda s: len(RECORD.findall(s)))
        records = RECORD.findall(store)
        entries = self.rows(url, records, 1)
        nextgroup = NEXTGROUP.search(store)
        href = re.search(r'href=["\']([^"\']+)', nextgroup.group(1)) if nextgroup else None
        query = urlsplit(htmllib.unescape(href.group(1))).query if href else ""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        total = int(config["totalRecord"]) if config.get("totalRecord", "").isdigit() else None
        listing = Listing(entries=entries, total=total)
        if total is None:
            if href:
                # no count: ask for the next group as the script would, until a group is empty
                listing.more.append(self.group_request(url, urljoin(url, htmllib.unescape(href.group(1))), 2))
            return listing
        column = re.search(r"/col/col(\d+)/", url)
        form = {
            "col": "1", "appid": "1",
            "webid": params.get("webid") or config.get("webid") or "1",
            "path": params.get("path") or config.get("path") or "/",
            "columnid": params.get("columnid") or config.get("columnid") or (column.group(1) if column else ""),
            "sourceContentType": "1",
            "unitid": params.get("unitid") or config.get("unitid") or unit or "",
            "webname": params.get("webname") or config.get("webname") or "",
            "permissiontype": params.get("permissiontype") or "0",
        }
        proxy = urljoin(url, config.get("proxyUrl") or DEFAULT_PROXY)
        per_page = config.get("perPage", "15")
        body = urlencode(form, quote_via=quote, safe="/")
        for first in range(len(records) + 1, total + 1, self.batch):
            last = min(first + self.batch - 1, total)
            listing.more.append(RequestSpec(
                url=f"{proxy}?startrecord={first}&endrecord={last}&perpage={per_page}",
                method="POST", body=body, kind="listing",
                headers={"Referer": url, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                         "X-Requested-With": "XMLHttpRequest"},
                state={"startrecord": first, "endrecord": last, "total": total}))
        return listing

    def bare_listing(self, url: str, body: str) -> Listing:
        """A datastore answer served on its own (the list endpoint's XML, no ``<script
        type="text/xml">`` page around it): every record, numbered from the URL's
        ``startrecord`` when it has one. Without ``<totalrecord>`` the column's size is unknown."""
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        start = int(query["startrecord"]) if query.get("startrecord", "").isdigit() else 1
        entries = self.rows(url, RECORD.findall(body), start)
        total = TOTAL.search(body)
        listing = Listing(entries=entries, total=int(total.group(1)) if total else None)
        if not entries:
            listing.placeholder = "<recordset" in body and not RECORD.search(body)
            listing.uncertain = None if listing.placeholder else "datastore answer without readable records"
        elif total is None and NEXTGROUP.search(body):
            listing.uncertain = "datastore answer without <totalrecord>: only its own records were read"
        return listing

    @staticmethod
    def group_request(column_url: str, href: str, page: int) -> RequestSpec:
        """The GET a jpage script makes for group ``page`` of a datastore (the nextgroup or
        ``dataUrl`` address with its ``page`` set): the records of one group, no total."""
        query = {k: v[-1] for k, v in parse_qs(urlsplit(href).query).items()}
        page = max(page, int(query["page"]) if query.get("page", "").isdigit() else 0)
        target = re.sub(r"([?&]page=)\d*", rf"\g<1>{page}", href, count=1) if "page=" in href else \
            f"{href}{'&' if '?' in href else '?'}page={page}"
        return RequestSpec(target, kind="listing", headers={"Referer": column_url, "X-Requested-With": "XMLHttpRequest"},
                           state={"group": page, "base": column_url})

    def group_listing(self, spec: RequestSpec, url: str, body: str) -> Listing:
        """One group's records, linked as the column page would resolve them; while a group
        brings records, the next group is asked for (the spider stops on a group that repeats)."""
        base = spec.state.get("base") or url
        page = int(spec.state["group"])
        records = RECORD.findall(body)
        entries = self.rows(base, records, 1)
        listing = Listing(entries=entries)
        if not records:
            listing.placeholder = page == 1 and "<recordset" in body
            if not listing.placeholder and page == 1:
                listing.uncertain = "datastore answer without readable records"
            return listing
        nextgroup = NEXTGROUP.search(body)
        href = re.search(r'href=["\']([^"\']+)', nextgroup.group(1)) if nextgroup else None
        if href:
            listing.more.append(self.group_request(base, urljoin(url, htmllib.unescape(href.group(1))), page + 1))
        return listing

    # -- JPaaS 页面构建单元 ---------------------------------------------------------------------
    def jpaas_listing(self, url: str, html: str, config: dict) -> Listing:
        """A JPaaS unit: the rows on the page are page 1; the pager div states the row count
        (``count``) and page size (``rows``); later pages come from the unit endpoint with the
        page inside ``paramJson`` (a bare ``pageNo`` is ignored by the server)."""
        listing = GenericProfile.listing(self, url, html)
        listing.more = [s for s in listing.more if "jpaas" not in s.url]
        count, size = config.get("count"), config.get("rows")
        if count is None or not size:
            if not listing.entries:
                listing.uncertain = "JPaaS unit without a row count: rows not read"
            return listing
        listing.total = count
        if count == 0:
            listing.placeholder = True
            listing.uncertain = None
            return listing
        params = {k: v for k, v in config["query"].items() if isinstance(v, (str, int))}
        params = {"webId": params.get("webId", ""), "pageId": params.get("pageId", ""),
                  "parseType": "bulidstatic", "pageType": "column", "tagId": params.get("tagId", ""),
                  "tplSetId": params.get("tplSetId", ""), **{k: v for k, v in params.items()
                                                             if k not in ("webId", "pageId", "tagId", "tplSetId")}}
        endpoint = urljoin(url, config["url"])
        start = 2 if listing.entries else 1
        for page in range(start, math.ceil(count / size) + 1):
            query = urlencode({**params, "paramJson": json.dumps({"pageNo": page, "pageSize": str(size)},
                                                                 separators=(",", ":"))}, quote_via=quote)
            listing.more.append(RequestSpec(f"{endpoint}?{query}", kind="listing",
                                            headers={"X-Requested-With": "XMLHttpRequest",
                                                     "Accept": "application/json, text/javascript, */*"},
                                            state={"jpaas": page, "page_size": size, "base": url, "total": count}))
        return listing

    def jpaas_reply(self, spec: RequestSpec, url: str, body: str) -> Listing:
        page, size = int(spec.state["jpaas"]), int(spec.state["page_size"])
        try:
            data = json.loads(body)
            fragment = data["data"]["html"]
        except (ValueError, KeyError, TypeError):
            return Listing(uncertain=f"JPaaS unit page {page}: not the expected JSON")
        sel = selector(f"<html><body>{fragment or ''}</body></html>")
        base = spec.state.get("base") or url
        entries = []
        for el in sel.root.iter(*ROW_TAGS):
            if any(True for _ in el.iterdescendants(*ROW_TAGS)):
                continue
            entry = self.row_entry(base, el, (page - 1) * size + len(entries) + 1)
            if entry:
                entries.append(entry)
        if not entries:
            entries = self.block_rows(base, sel.root)
            for i, e in enumerate(entries):
                e.position = (page - 1) * size + i + 1
        listing = Listing(entries=entries, total=spec.state.get("total"))
        expected = min(size, max(0, int(spec.state.get("total") or 0) - (page - 1) * size))
        if len(entries) < expected:
            listing.uncertain = f"JPaaS unit page {page} gave {len(entries)} of {expected} rows"
        return listing

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
        if "jpaas" in spec.state:
            return self.jpaas_reply(spec, url, body)
        if "group" in spec.state:
            return self.group_listing(spec, url, body)
        if "<datastore" not in body:
            return super().parse_more(spec, url, body)
        start = int(spec.state.get("startrecord", 1))
        entries = self.rows(url, RECORD.findall(body), start)
        total = TOTAL.search(body)
        listing = Listing(entries=entries, total=int(total.group(1)) if total else spec.state.get("total"))
        expected_last = min(int(spec.state.get("endrecord", start - 1)), listing.total or 0)
        if expected_last >= start and len(entries) < expected_last - start + 1:
            listing.uncertain = (f"dataproxy returned {len(entries)} of {expected_last - start + 1} rows "
                                 f"for records {start}-{expected_last}")
        return listing
