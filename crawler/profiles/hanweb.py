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
import re
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

from crawler.items import Listing, RequestSpec
from crawler.profiles.generic import GenericProfile
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
        if not stores:
            return super().listing(url, html)
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
            if nextgroup:
                listing.uncertain = "jpage call without totalRecord: only the embedded rows were read"
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

    def parse_more(self, spec: RequestSpec, url: str, body: str) -> Listing:
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
