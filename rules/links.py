"""Link judgement: what the link checker's observations of a target mean (正常, 死链, 软404,
跳转至错误页, 删除后跳转上级, 附件过小, 附件类型不符, 图片失效, 访问受限, 未能检查).

Pure functions over plain observation records (no Scrapy, no network, nothing from
``crawler``). The checker (``crawler.linkcheck``) records what it saw — status, the headers that
matter, content type, the format its first bytes show, size, hops, timings, the anti-bot and
not-found signs the page text shows, and how the answer compares with the host's answer to a
URL that cannot exist — in the ``link_observations`` table, and asks :func:`verdict` while
crawling (to know whether to send a GET, retry or re-check). ``govaudit audit`` asks it again
with the thresholds of that audit (``data/thresholds.toml`` [links] and a site profile's
``[thresholds]``), so changing ``min_file_bytes`` or ``fingerprint_similarity`` re-judges the
stored links without the network. Runs stored before observations were recorded keep the class
judged while crawling.

An observation record (``link_observations.observation``, and ``first`` for the first failure
of a target checked twice) holds: ``url``, ``method``, ``status``, ``final_url``,
``redirect_urls``, ``redirect_reasons``, ``content_type``, ``length`` (declared, else read),
``read`` (bytes read), ``format`` (first bytes: pdf, ole, zip, png… html, or null), ``is_html``,
``headers`` (retry-after, content-type, content-length, content-disposition, location),
``elapsed_ms``, ``error`` / ``error_kind`` (no answer), ``blocked`` (an anti-bot sign),
``gone`` (``soft404: <phrase>`` or ``deleted: …``), ``title`` and ``fingerprint`` (null, or
``same_redirect``, ``final_url``, ``same_title``, ``length_diff``, ``similarity``: the
SequenceMatcher ratio of the visible text with the host's not-found page, ``similarity_exact``:
False when the checker only computed an upper bound because the pages could not reach 0.75 —
so stored runs can be re-judged at a ``fingerprint_similarity`` of 0.75 or more; below that a
bound never makes a soft 404).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlsplit

#: classification -> the name an auditor reads
NAMES = {
    "ok": "正常",
    "dead": "死链",
    "soft404": "软404",
    "error_redirect": "跳转至错误页",
    "parent_redirect": "删除后跳转上级",
    "wrong_type": "附件类型不符",
    "tiny": "附件过小",
    "broken_image": "图片失效",
    "blocked": "访问受限（疑似反爬虫或防火墙拦截）",
    "unchecked": "未能检查",
}
#: classifications that make a link broken (reported once a second check agrees)
FAILURES = frozenset({"dead", "soft404", "error_redirect", "parent_redirect", "wrong_type", "tiny",
                      "broken_image"})
#: answers worth asking again after a pause (429 and 503 + Retry-After: after the time asked)
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 522, 524})
#: RFC 6761 names that never resolve: a DNS failure there is certain, online or not
RESERVED_TLDS = ("invalid", "test", "example", "localhost")
#: the [links] thresholds a verdict reads (data/thresholds.toml)
DEFAULTS = {"min_file_bytes": 64, "get_below_bytes": 20000, "fingerprint_similarity": 0.9}

# -- what a URL should be ----------------------------------------------------------------
OLE, ZIP = "ole", "zip"
IMAGE_FORMATS = ("jpeg", "png", "gif", "bmp", "tiff", "webp", "ico")
#: extension -> formats its bytes may have. Lenient where real files legitimately vary (a .doc
#: saved as RTF or DOCX still opens); what is never right is an HTML page or a 2-byte body.
FILE_TYPES = {
    "pdf": ("pdf",), "ofd": (ZIP,), "zip": (ZIP,), "rar": ("rar",), "7z": ("7z",),
    "doc": (OLE, ZIP, "rtf"), "docx": (ZIP, OLE), "xls": (OLE, ZIP), "xlsx": (ZIP, OLE),
    "ppt": (OLE, ZIP), "pptx": (ZIP, OLE), "wps": (OLE, ZIP), "et": (OLE, ZIP), "dps": (OLE, ZIP),
}
IMAGE_TYPES = {ext: IMAGE_FORMATS for ext in ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp")}
_EXT = re.compile(r"\.([A-Za-z0-9]{1,5})$")
#: a static page named in the path: a file named in its query is what the page shows (an online
#: viewer, ``web/viewer.html?file=x.ofd``), not what the URL returns
_PAGE_PATH = re.compile(r"\.(s?html?|xhtml)$", re.I)


def file_ext(url: str) -> str | None:
    """The file type a URL names: its path's extension, or a query value's
    (``downfile.jsp?filename=ab12.pdf``, but not a viewer page's ``viewer.html?file=x.ofd``);
    None when it names no known file type."""
    parts = urlsplit(url)
    query = [] if _PAGE_PATH.search(parts.path) else [v for _, v in parse_qsl(parts.query)]
    for candidate in [parts.path, *query]:
        m = _EXT.search(candidate.strip())
        if m and m.group(1).lower() in FILE_TYPES.keys() | IMAGE_TYPES.keys():
            return m.group(1).lower()
    return None


def link_kind(url: str, tag: str | None) -> str:
    """``file`` (an attachment: LK002), ``image``, ``page`` or ``resource`` (script, frame…)."""
    ext = file_ext(url)
    if ext in FILE_TYPES:
        return "file"
    if ext in IMAGE_TYPES or tag == "img":
        return "image"
    return "page" if tag in (None, "", "a", "area", "iframe", "frame") else "resource"


def is_root(url: str) -> bool:
    """The site's root page (``/``, ``/index.html``…): never a soft 404."""
    return re.fullmatch(r"/?((index|default)\.(s?html?|jsp|php|aspx?))?", urlsplit(url).path or "/",
                        re.I) is not None


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses (the testbed)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- the verdict -------------------------------------------------------------------------
@dataclass
class Verdict:
    cls: str
    reason: str = ""                 # Chinese, for the auditor
    retry: bool = False              # transient: ask again after a pause
    need_get: bool = False           # a HEAD answer that cannot settle the link

    @property
    def name(self) -> str:
        return NAMES[self.cls]

    @property
    def failed(self) -> bool:
        return self.cls in FAILURES


_ERROR_PATH = re.compile(r"(^|/)(40[0-9]|50[0-9x]|error|errors|err|notfound|not[-_]found|nofound|"
                         r"page404|404page|nopage)(\.[a-z]+)?/?$", re.I)
_NETWORK = {
    "dns": "域名无法解析（DNS 查询失败）",
    "refused": "连接被拒绝",
    "timeout": "请求超时，多次重试均无响应",
    "connection": "连接中断，未收到完整响应",
    "tls": "TLS/SSL 握手失败",
}


def thresholds_of(links: Mapping[str, Any] | None) -> dict:
    """The thresholds a verdict reads, from a [links] table (missing keys: the defaults)."""
    links = links or {}
    return {k: links.get(k, v) for k, v in DEFAULTS.items()}


def verdict(o: Mapping[str, Any], *, kind: str, cfg: Mapping[str, Any] | None = None,
            offline: bool = False) -> Verdict:
    """The verdict on one observation. ``kind`` is :func:`link_kind`'s; ``cfg`` the [links]
    thresholds; ``offline``: the checking machine could not reach the internet, so an external
    host's network failure proves nothing."""
    cfg = thresholds_of(cfg)
    if o.get("error_kind"):
        return _failed_request(o, offline)
    status = o.get("status") or 0
    method = o.get("method") or "GET"
    headers = o.get("headers") or {}
    if status == 429 or (status == 503 and "retry-after" in headers):
        # rate limited, not broken: asked again after the time the server asks for
        return Verdict("blocked", f"服务器限流（HTTP {status}），按 Retry-After 等待重试后仍被拒绝", retry=True)
    if method == "HEAD" and status >= 400:
        return Verdict("dead", f"HEAD 请求返回 HTTP {status}", need_get=True)
    if o.get("blocked"):
        return Verdict("blocked", f"疑似反爬虫挑战或防火墙拦截：{o['blocked']}")
    if status in TRANSIENT_STATUSES:
        return Verdict("dead", f"HTTP {status}（服务器错误）", retry=True)
    if status >= 400:
        return Verdict("dead", f"HTTP {status}")
    if status < 200 or status >= 300:
        return Verdict("dead", f"HTTP {status}，没有可用的跳转地址" if status else "没有响应")
    hops = o.get("redirect_urls") or []
    final = o.get("final_url") or o["url"]
    if hops and _ERROR_PATH.search(urlsplit(final).path):
        return Verdict("error_redirect", f"经 {len(hops)} 次跳转到达错误页 {final}")
    if method == "HEAD":
        return _head(o, cfg)
    gone = o.get("gone")
    if gone and gone.startswith("deleted:"):
        how = "以 meta refresh " if "meta refresh" in gone else ("以脚本 " if "script" in gone else "")
        where = "所在栏目的列表页" if "column page" in gone else "上级目录"
        return Verdict("parent_redirect", f"页面已不存在，{how}跳转到{where} {gone.rsplit(' ', 1)[-1]}")
    if kind in ("file", "image"):
        return _file(o, kind, cfg)
    if o.get("length") == 0:
        return Verdict("dead", "返回 HTTP 200，但内容为空（0 字节）")
    if not o.get("is_html"):
        return Verdict("ok")
    if gone:   # soft404: <phrase>
        phrase = gone.split(":", 1)[1].strip()
        if hops:
            return Verdict("error_redirect", f"跳转后的页面是错误页（“{phrase}”），最终地址 {final}")
        return Verdict("soft404", f"返回 HTTP 200，但页面内容为“{phrase}”")
    why = _like_not_found(o.get("fingerprint"), cfg["fingerprint_similarity"])
    if why:
        return Verdict("error_redirect" if hops else "soft404", why)
    return Verdict("ok")


def _like_not_found(fp: Mapping[str, Any] | None, similarity: float) -> str | None:
    """Why an answer is its host's not-found answer (the comparison the checker recorded)."""
    if not fp:
        return None
    if fp.get("same_redirect"):
        return f"与访问不存在的地址时跳转到同一页面（{fp.get('final_url')}）"
    if not fp.get("same_title") or (fp.get("length_diff") or 0) > 1 - similarity:
        return None
    if fp.get("similarity_exact", True) and (fp.get("similarity") or 0) >= similarity:
        return "与该站点对不存在地址的返回页面相同（站点对任何地址都返回 200）"
    return None


def _failed_request(o: Mapping[str, Any], offline: bool) -> Verdict:
    host = urlsplit(o["url"]).hostname or ""
    kind = o.get("error_kind")
    if kind == "policy":        # refused by the outbound request policy (crawler/outbound.py)
        why = (o.get("error") or "").split(":", 2)[-1].strip()
        return Verdict("unchecked", f"出于安全策略未访问：该地址指向本机、内网或保留地址，或不是 http(s) 地址（{why}）")
    if kind == "robots":
        return Verdict("unchecked", "网站 robots.txt 不允许访问该地址，未检查")
    if kind == "redirect_loop":
        return Verdict("dead", "重定向次数过多（疑似循环重定向）")
    if offline and not is_loopback_host(host) and host.rsplit(".", 1)[-1].lower() not in RESERVED_TLDS:
        what = _NETWORK.get(kind or "", "请求失败")
        return Verdict("unchecked", f"检查时本机无法访问互联网，未能检查该外部链接（{host}：{what}）")
    # the exception text itself stays in the evidence (``error``); the reason is for auditors
    return Verdict("dead", _NETWORK.get(kind or "", f"请求失败（{host}）"), retry=True)


def _head(o: Mapping[str, Any], cfg: Mapping[str, Any]) -> Verdict:
    """A HEAD answer 2xx: pages and resources (files and images are read with GET: their
    first bytes must be seen)."""
    ctype = (o.get("content_type") or "").lower()
    if not ctype:
        # no Content-Type: HEAD cannot say it is a page, nor that it is not an error page
        return Verdict("ok", "HEAD 响应未声明内容类型，需读取页面内容判断", need_get=True)
    length = o.get("length")
    if "html" in ctype and (o.get("redirect_urls") or length is None or length < cfg["get_below_bytes"]):
        return Verdict("ok", "需读取页面内容判断是否为错误页", need_get=True)
    return Verdict("ok")


def _file(o: Mapping[str, Any], kind: str, cfg: Mapping[str, Any]) -> Verdict:
    size = o["length"] if o.get("length") is not None else (o.get("read") or 0)
    if kind == "file" and size < cfg["min_file_bytes"]:
        return Verdict("tiny", f"文件仅 {size} 字节，不是有效的文件")
    ext = file_ext(o["url"]) or file_ext(o.get("final_url") or "")
    expected = FILE_TYPES.get(ext) or IMAGE_TYPES.get(ext) or (IMAGE_FORMATS if kind == "image" else None)
    fmt = o.get("format")
    if expected and fmt not in expected:
        what = "HTML 网页" if fmt == "html" else (f"{fmt.upper()} 格式的内容" if fmt else "无法识别的内容")
        named = f"扩展名为 .{ext}" if ext else "图片地址"
        if kind == "image":
            return Verdict("broken_image", f"{named}，但返回的是{what}")
        return Verdict("wrong_type", f"{named}，但返回的是{what}")
    return Verdict("ok")


# -- judging a stored target ---------------------------------------------------------------
def judge(row: Mapping[str, Any], links: Mapping[str, Any] | None) -> dict:
    """The class of a target from its stored observations (a ``link_observations`` row with
    ``observation`` and ``first`` parsed) under the [links] thresholds ``links``: class, name,
    reason and how a failure was confirmed (seen again by the re-check, by the retries, or in
    the previous run). A failure seen once is not confirmed (the rules make it a review)."""
    kind, offline = row["kind"], bool(row.get("offline"))
    v = verdict(row["observation"], kind=kind, cfg=links, offline=offline)
    if v.need_get:     # judged from HEAD alone, and today's thresholds would have read the page
        v = Verdict("unchecked", "检查时只发送了 HEAD 请求；按现行阈值需读取页面内容才能判断，请重新检查链接")
    confirmed = None
    if v.failed:
        first = row.get("first")
        if first and verdict(first, kind=kind, cfg=links, offline=offline).failed:
            confirmed = "recheck"
        elif row.get("previous_class") in FAILURES:
            confirmed = "previous_run"
        elif v.retry and row.get("retries"):
            confirmed = "retries"
    return {"class": v.cls, "name": v.name, "reason": v.reason, "confirmed": confirmed}
