"""What an answer to a link means. Pure functions (no Scrapy, no network).

The checker turns a response (or a fetch the portal crawl already made) into an
:class:`Observation` and acts on the :class:`Verdict`: send a GET, retry later, check again,
or record. Anti-bot answers and soft 404 phrases come from :mod:`crawler.antibot`; this module
adds what only a link checker needs: HTTP and network failures, HEAD answers that cannot settle
a link, a host's answer to a URL that cannot exist (:class:`Fingerprint`), redirects to an
error page, and attachments whose bytes are not a file of their type.
"""
from __future__ import annotations

import difflib
import html
import ipaddress
import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from urllib.parse import parse_qsl, urlsplit

from crawler.antibot import blocked_reason, gone_reason, visible_text
from data import load_toml

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


@dataclass
class LinkConfig:
    """Link-check settings (``data/thresholds.toml`` [links]); see that file for each."""

    ttl_days: float = 7.0
    recheck_delay_s: float = 1.0
    retries: int = 2
    backoff_s: float = 1.0
    timeout_s: float = 20.0
    sniff_bytes: int = 65536
    get_below_bytes: int = 20000
    min_file_bytes: int = 64
    fingerprint_similarity: float = 0.9
    connectivity_hosts: list[str] = field(default_factory=lambda: ["www.gov.cn", "www.baidu.com"])

    @classmethod
    def load(cls, **overrides) -> "LinkConfig":
        table = load_toml("thresholds.toml").get("links", {})
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in table.items() if k in known}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


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
_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE), (b"PK\x03\x04", ZIP), (b"PK\x05\x06", ZIP),
    (b"{\\rtf", "rtf"), (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x00\x00\x01\x00", "ico"), (b"BM", "bmp"),
]
_HTML_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<meta", b"<script", b"<title", b"<?xml",
               b"<!--", b"<div", b"<p>", b"<h1")
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


def sniff(head: bytes | None) -> str | None:
    """The format the first bytes of a body show (``pdf``, ``ole``, ``zip``, ``png``…, ``html``)."""
    if not head:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_HTML_START) or b"<html" in start:
        return "html"
    return None


# -- what was seen -----------------------------------------------------------------------
@dataclass
class Observation:
    """One answer to one request for a link target."""

    url: str
    method: str = "GET"
    status: int | None = None
    final_url: str | None = None
    redirect_urls: list[str] = field(default_factory=list)   # hops before final_url
    redirect_reasons: list = field(default_factory=list)     # HTTP status (or "meta refresh") per hop
    content_type: str | None = None
    length: int | None = None        # declared Content-Length, else the bytes read
    body: bytes | None = None        # what was read (None for HEAD)
    text: str | None = None          # the body decoded, for HTML answers
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None         # "<ExceptionType>: message" when there was no answer
    #: dns | refused | timeout | connection | tls | redirect_loop | robots | other
    error_kind: str | None = None

    @property
    def hops(self) -> list[dict]:
        """The redirect chain hop by hop (each URL with the status it answered), final answer
        last; empty when there was no redirect."""
        if not self.redirect_urls:
            return []
        reasons = list(self.redirect_reasons) + [None] * len(self.redirect_urls)
        return [{"url": u, "status": r} for u, r in zip(self.redirect_urls, reasons)] + [
            {"url": self.final_url or self.url, "status": self.status}]

    @cached_property
    def blocked(self) -> str | None:
        """An anti-bot challenge or WAF refusal instead of the target (crawler.antibot)."""
        return blocked_reason(self.status, self.headers, self.text if self.text is not None else self.body)

    @cached_property
    def gone(self) -> str | None:
        """``soft404: …`` or ``deleted: …`` (crawler.antibot.gone_reason), else None."""
        return gone_reason(self.url, self.status, self.text if self.text is not None else self.body,
                           redirect_urls=self.redirect_urls, redirect_reasons=self.redirect_reasons,
                           final_url=self.final_url or self.url)

    @property
    def is_html(self) -> bool:
        ctype = (self.content_type or "").lower()
        return "html" in ctype or (not ctype and sniff(self.body) == "html")


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


_ARTICLE_TITLE = re.compile(r"""<meta\b[^>]*\bname\s*=\s*["']?ArticleTitle\b[^>]*>""", re.I)
_CONTENT = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


def page_title(text: str | None) -> str | None:
    """The page's ``ArticleTitle`` meta, else its ``<title>`` (cleaned), else None."""
    if not text:
        return None
    head = text[:30000]
    tag = _ARTICLE_TITLE.search(head)
    m = _CONTENT.search(tag.group(0)) if tag else None
    found = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
    if not found:
        t = _TITLE.search(head)
        found = t.group(1) if t else None
    found = re.sub(r"\s+", " ", html.unescape(found or "")).strip()
    return found or None


_DIGITS_AND_URLS = re.compile(r"[0-9]+|[A-Za-z0-9_\-]*[./][A-Za-z0-9_\-./?=&%]+")


def _normalised(text: str | None) -> str:
    """Visible text without digits and URL-like tokens (a not-found page echoes the path)."""
    return re.sub(r"\s+", " ", _DIGITS_AND_URLS.sub(" ", visible_text(text or ""))).strip()[:3000]


def _is_root(url: str) -> bool:
    return re.fullmatch(r"/?((index|default)\.(s?html?|jsp|php|aspx?))?", urlsplit(url).path or "/",
                        re.I) is not None


@dataclass
class Fingerprint:
    """How a host answers a URL that cannot exist (a made-up path): the soft-404 template
    of hosts that answer 200 to everything."""

    status: int | None
    final_url: str | None
    redirected: bool
    title: str | None
    text: str

    @classmethod
    def of(cls, obs: Observation) -> "Fingerprint":
        return cls(obs.status, obs.final_url, bool(obs.redirect_urls), page_title(obs.text),
                   _normalised(obs.text))

    def soft404(self, obs: Observation, similarity: float) -> str | None:
        """Why ``obs`` (a 200 HTML answer) is this host's not-found answer, else None."""
        if self.status != 200 or _is_root(obs.url) or _is_root(obs.final_url or obs.url):
            return None
        if self.redirected and obs.redirect_urls and obs.final_url == self.final_url:
            return f"与访问不存在的地址时跳转到同一页面（{self.final_url}）"
        if page_title(obs.text) != self.title:
            return None
        text = _normalised(obs.text)
        longest = max(len(text), len(self.text), 1)
        if abs(len(text) - len(self.text)) > (1 - similarity) * longest:
            return None
        matcher = difflib.SequenceMatcher(None, text, self.text)
        if matcher.quick_ratio() >= similarity and matcher.ratio() >= similarity:
            return "与该站点对不存在地址的返回页面相同（站点对任何地址都返回 200）"
        return None


# -- the verdict -------------------------------------------------------------------------
_ERROR_PATH = re.compile(r"(^|/)(40[0-9]|50[0-9x]|error|errors|err|notfound|not[-_]found|nofound|"
                         r"page404|404page|nopage)(\.[a-z]+)?/?$", re.I)
_NETWORK = {
    "dns": "域名无法解析（DNS 查询失败）",
    "refused": "连接被拒绝",
    "timeout": "请求超时，多次重试均无响应",
    "connection": "连接中断，未收到完整响应",
    "tls": "TLS/SSL 握手失败",
}


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


def classify(obs: Observation, *, kind: str, cfg: LinkConfig, fingerprint: Fingerprint | None = None,
             offline: bool = False) -> Verdict:
    """The verdict on one answer. ``kind`` is :func:`link_kind`'s; ``fingerprint`` is the
    host's answer to a made-up URL (None: not known or not needed); ``offline``: this
    machine could not reach the internet, so an external host's network failure proves nothing."""
    if obs.error_kind:
        return _failed_request(obs, offline)
    status = obs.status or 0
    if status == 429 or (status == 503 and "retry-after" in obs.headers):
        # rate limited, not broken: asked again after the time the server asks for
        return Verdict("blocked", f"服务器限流（HTTP {status}），按 Retry-After 等待重试后仍被拒绝", retry=True)
    if obs.method == "HEAD" and status >= 400:
        return Verdict("dead", f"HEAD 请求返回 HTTP {status}", need_get=True)
    if obs.blocked:
        return Verdict("blocked", f"疑似反爬虫挑战或防火墙拦截：{obs.blocked}")
    if status in TRANSIENT_STATUSES:
        return Verdict("dead", f"HTTP {status}（服务器错误）", retry=True)
    if status >= 400:
        return Verdict("dead", f"HTTP {status}")
    if status < 200 or status >= 300:
        return Verdict("dead", f"HTTP {status}，没有可用的跳转地址" if status else "没有响应")
    final = obs.final_url or obs.url
    if obs.redirect_urls and _ERROR_PATH.search(urlsplit(final).path):
        return Verdict("error_redirect", f"经 {len(obs.redirect_urls)} 次跳转到达错误页 {final}")
    if obs.method == "HEAD":
        return _head(obs, cfg)
    gone = obs.gone
    if gone and gone.startswith("deleted:"):
        how = "以 meta refresh " if "meta refresh" in gone else ("以脚本 " if "script" in gone else "")
        where = "所在栏目的列表页" if "column page" in gone else "上级目录"
        return Verdict("parent_redirect", f"页面已不存在，{how}跳转到{where} {gone.rsplit(' ', 1)[-1]}")
    if kind in ("file", "image"):
        return _file(obs, kind, cfg)
    if obs.length == 0:
        return Verdict("dead", "返回 HTTP 200，但内容为空（0 字节）")
    if not obs.is_html:
        return Verdict("ok")
    if gone:   # soft404: <phrase>
        phrase = gone.split(":", 1)[1].strip()
        if obs.redirect_urls:
            return Verdict("error_redirect", f"跳转后的页面是错误页（“{phrase}”），最终地址 {final}")
        return Verdict("soft404", f"返回 HTTP 200，但页面内容为“{phrase}”")
    if fingerprint is not None:
        why = fingerprint.soft404(obs, cfg.fingerprint_similarity)
        if why:
            return Verdict("error_redirect" if obs.redirect_urls else "soft404", why)
    return Verdict("ok")


def needs_fingerprint(obs: Observation, kind: str) -> bool:
    """Whether judging ``obs`` needs its host's answer to a made-up URL (a 200 HTML page)."""
    return (not obs.error_kind and obs.method == "GET" and obs.status == 200 and obs.is_html
            and kind in ("page", "resource") and not _is_root(obs.final_url or obs.url))


def _failed_request(obs: Observation, offline: bool) -> Verdict:
    host = urlsplit(obs.url).hostname or ""
    if obs.error_kind == "robots":
        return Verdict("unchecked", "网站 robots.txt 不允许访问该地址，未检查")
    if obs.error_kind == "redirect_loop":
        return Verdict("dead", "重定向次数过多（疑似循环重定向）")
    if offline and not is_loopback_host(host) and host.rsplit(".", 1)[-1].lower() not in RESERVED_TLDS:
        return Verdict("unchecked", f"检查时本机无法访问互联网，未能检查该外部链接（{obs.error}）")
    return Verdict("dead", _NETWORK.get(obs.error_kind or "", f"请求失败：{obs.error}"), retry=True)


def _head(obs: Observation, cfg: LinkConfig) -> Verdict:
    """A HEAD answer 2xx: pages and resources (files and images are read with GET: their
    first bytes must be seen)."""
    ctype = (obs.content_type or "").lower()
    if not ctype:
        # no Content-Type: HEAD cannot say it is a page, nor that it is not an error page
        return Verdict("ok", "HEAD 响应未声明内容类型，需读取页面内容判断", need_get=True)
    if "html" in ctype and (obs.redirect_urls or obs.length is None or obs.length < cfg.get_below_bytes):
        return Verdict("ok", "需读取页面内容判断是否为错误页", need_get=True)
    return Verdict("ok")


def _file(obs: Observation, kind: str, cfg: LinkConfig) -> Verdict:
    size = obs.length if obs.length is not None else len(obs.body or b"")
    if kind == "file" and size < cfg.min_file_bytes:
        return Verdict("tiny", f"文件仅 {size} 字节，不是有效的文件")
    ext = file_ext(obs.url) or file_ext(obs.final_url or "")
    expected = FILE_TYPES.get(ext) or IMAGE_TYPES.get(ext) or (IMAGE_FORMATS if kind == "image" else None)
    fmt = sniff(obs.body)
    if expected and fmt not in expected:
        what = "HTML 网页" if fmt == "html" else (f"{fmt.upper()} 格式的内容" if fmt else "无法识别的内容")
        named = f"扩展名为 .{ext}" if ext else "图片地址"
        if kind == "image":
            return Verdict("broken_image", f"{named}，但返回的是{what}")
        return Verdict("wrong_type", f"{named}，但返回的是{what}")
    return Verdict("ok")
