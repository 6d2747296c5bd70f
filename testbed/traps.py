"""Real-world traps (portal-structures.md §4, §7 "Cross-cutting traps"), switchable on any style.

``with_traps(style, names)`` wraps a style: requests pass through the traps before (and the
answers after) the inner style, and trap links are inserted before ``</body>`` of the inner
style's HTML pages, so the same traps work on every style. Trap paths live under prefixes no
style uses (``answer_key()["traps"]["paths"]``: ``/interact/``, ``/bszx/``, ``/xwzx/gzdt/``,
``/xwzx/wsbs/``, ``/zhuanti/2019/``, ``/wza/``).

Each trap is either something the crawler must *survive* (no missed documents, no false
findings, the crawl ends) or a real problem it must *report*; the latter are planted in the
answer key (``violations``, code LK001 with the dead URL). ``answer_key()["traps"]`` lists
the trap URLs for tests.

=====================  ====================================================================
``ruishu412``          every path under ``/interact/`` answers 412 with an inline ``$_ts``
                       challenge (linked from the home page; a 工作动态 row links a reply
                       there) -> ``blocked``, never a broken link
``jiasule521``         ``/bszx/`` answers 521 with ``document.cookie="__jsl_clearance_s=…";
                       location.href=…`` until that cookie is sent -> solved or ``blocked``
                       (linked from home; with ``endless_pages`` one 工作动态 news document
                       lives under ``/bszx/bsdt/``: a crawler that cannot pass misses it)
``ua403``              a User-Agent without ``Mozilla/`` gets 403 "不合法的参数" everywhere
``cookie302``          no ``CT6T`` cookie -> 302 to the same URL with ``Set-Cookie: CT6T``
``rate429``            more than ``RATE_LIMIT`` requests in one second -> 429, Retry-After: 1
``soft404``            unknown paths answer 200 "您访问的页面不存在"; the home page links one
                       (planted LK001, 软404)
``meta_refresh_deleted``  a deleted document answering ``<meta http-equiv="refresh"
                       content="0;url=../">``, linked from the home page (and listed in 工作动态)
                       (planted LK001, 删除后跳转上级)
``redirect_loop``      a home-page link that 307-redirects in a loop (planted LK001)
``js_links``           ``javascript:void(0)``, ``javascript:;``, ``hhref=`` and ``#`` links on
                       every page -> ignored
``gzip``               every answer gzip-compressed, asked for or not
``endless_pages``      a 工作动态 column (added to the 法定主动公开内容 list, linked from home)
                       of ``NEWS_COUNT`` news documents, ``?page=N``; every page past the last
                       repeats the last page's rows and offers 下一页 again
=====================  ====================================================================
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from datetime import timedelta
from html import escape
from urllib.parse import urlencode

from testbed.corpus import ORG_CODE
from testbed.web import Request, Response, Style, html

TRAPS = ("ruishu412", "jiasule521", "ua403", "cookie302", "rate429", "soft404",
         "meta_refresh_deleted", "redirect_loop", "js_links", "gzip", "endless_pages")

RUISHU_PREFIX = "/interact/"
RUISHU_LINK = "/interact/index.html"
RUISHU_ROW = "/interact/hdjl/reply_2026_118.html"     # a 工作动态 row pointing behind the WAF
JSL_PREFIX = "/bszx/"
JSL_LINK = "/bszx/index.html"
JSL_COOKIE = "__jsl_clearance_s"
CT6T = "CT6T"
RATE_LIMIT = 30                 # requests per second (sliding one-second window)
SOFT404_LINK = "/zhuanti/2019/jgdj/index.html"
SOFT404_ROW = "/xwzx/gzdt/202403/t20240311_990021.html"
DELETED_DOC = "/xwzx/gzdt/202405/t20240506_990001.html"
LOOP_A, LOOP_B = "/xwzx/wsbs/index.html", "/xwzx/wsbs/index.html?from=loop"
HHREF_TARGET = "/wza/index.html"
GZDT = "/xwzx/gzdt/index.html"
GZDT_DIR = "/xwzx/gzdt/"
NEWS_COUNT, PER_PAGE = 25, 10
JSL_NEWS = 4                    # index of the news item served under /bszx/
LAST_PAGE = -(-NEWS_COUNT // PER_PAGE)
HOME_PATHS = ("/", "/index.html", "/index.htm", "/index.shtml")
FDZDGK = "法定主动公开内容"
GZDT_NAME = "工作动态"


class TrappedStyle(Style):
    """A style with traps switched on; delegates everything else to ``inner``."""

    def __init__(self, inner: Style, names: list[str] | None = None):
        super().__init__(inner.corpus)
        unknown = set(names or ()) - set(TRAPS)
        if unknown:
            raise KeyError(f"unknown traps {sorted(unknown)}; known: {', '.join(TRAPS)}")
        self.inner = inner
        self.traps = tuple(t for t in TRAPS if names is None or t in names)
        self.name = inner.name
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self.rate_limited = 0            # 429s served (tests and benches read it)
        self.news = self._news()

    def on(self, trap: str) -> bool:
        return trap in self.traps

    # -- Style interface ------------------------------------------------------------------
    def bind(self, base_url: str) -> None:
        self.inner.bind(base_url)
        self.base_url = self.inner.base_url

    def answer_key(self) -> dict:
        key = self.inner.answer_key()
        url = self.base_url
        home = url + "/"
        planted = []
        if self.on("soft404"):
            planted.append(("trap-soft404", url + SOFT404_LINK, home,
                            "软404：首页链接指向的页面返回HTTP 200并提示“您访问的页面不存在”"))
            if self.on("endless_pages"):
                planted.append(("trap-soft404-row", url + SOFT404_ROW, url + GZDT,
                                "软404：工作动态列表中的文件链接返回“您访问的页面不存在”"))
        if self.on("meta_refresh_deleted"):
            planted.append(("trap-deleted", url + DELETED_DOC, home,
                            "删除后跳转上级：已删除文件以meta refresh跳转至上级目录"))
        if self.on("redirect_loop"):
            planted.append(("trap-redirect-loop", url + LOOP_A, home, "死链：307重定向循环，页面无法打开"))
        key["violations"] = key["violations"] + [
            {"code": "LK001", "key": k, "url": u, "page": page, "note": note} for k, u, page, note in planted]
        if self.on("endless_pages"):
            key["columns"] = key["columns"] + [{"key": "gzdt", "name": GZDT_NAME, "type": "news",
                                                "url": url + GZDT, "documents": len(self.news)}]
            key["documents"] = key["documents"] + [{**n, "url": url + n["path"]} for n in self.news]
            for d in key["documents"][-len(self.news):]:
                d.pop("path")
        key["traps"] = {
            "names": list(self.traps),
            # always a challenge (never a broken link); the 加速乐 one may be solved instead
            "blocked": [url + p for p in (RUISHU_LINK, RUISHU_ROW) if self.on("ruishu412")
                        and (p == RUISHU_LINK or self.on("endless_pages"))],
            "challenged": [url + JSL_LINK] if self.on("jiasule521") else [],
            "not_documents": [u for _, u, _, _ in planted],
            "ignored_links": [url + HHREF_TARGET] if self.on("js_links") else [],
            "paths": [RUISHU_PREFIX, JSL_PREFIX, GZDT_DIR, "/xwzx/wsbs/", "/zhuanti/2019/", "/wza/"],
            "rate_limit": RATE_LIMIT if self.on("rate429") else None,
        }
        return key

    def handle(self, req: Request) -> Response | None:
        resp = self._gate(req) or self._own(req)
        if resp is None:
            resp = self.inner.handle(req)
            if resp is None and self.on("soft404") and req.method in ("GET", "HEAD"):
                resp = html(soft404_page(self.corpus.site_name))
            elif resp is not None:
                resp = self._inject(req, resp)
        if resp is not None and self.on("gzip"):
            resp = Response(resp.status, resp.body, resp.content_type, {**resp.headers, "X-Testbed-Gzip": "1"})
        return resp

    # -- traps in front of every path -----------------------------------------------------------
    def _gate(self, req: Request) -> Response | None:
        if self.on("ua403") and "mozilla/" not in req.headers.get("user-agent", "").lower():
            return html("<html><head><title>403 Forbidden</title></head><body>不合法的参数</body></html>", 403)
        if self.on("rate429") and self._too_fast():
            return Response(429, "<html><body><h1>429 Too Many Requests</h1></body></html>",
                            "text/html; charset=utf-8", {"Retry-After": "1"})
        if self.on("cookie302") and CT6T not in req.cookies:
            value = _token(f"ct6t:{req.path}")[:24]
            query = f"?{urlencode(req.query)}" if req.query else ""
            return Response(302, "", "text/html", {"Location": self.base_url + req.path + query,
                                                   "Set-Cookie": f"{CT6T}={value}; Path=/; HttpOnly"})
        if self.on("ruishu412") and req.path.startswith(RUISHU_PREFIX):
            return Response(412, ruishu_page(req.path), "text/html; charset=utf-8",
                            {"Set-Cookie": f"FSSBBIl1UgzbN7NS={_token(req.path)}; Path=/; HttpOnly"})
        if self.on("jiasule521") and req.path.startswith(JSL_PREFIX):
            if req.cookies.get(JSL_COOKIE) != self.jsl_clearance:
                return Response(521, jiasule_page(self.jsl_clearance), "text/html",
                                {"Set-Cookie": f"__jsluid_s={_token('jsluid')}; max-age=31536000; path=/; HttpOnly"})
        return None

    @property
    def jsl_clearance(self) -> str:
        return f"1700000000.123|0|{_token('clearance')}"

    def _too_fast(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] > 1.0:
                self._recent.popleft()
            self._recent.append(now)
            if len(self._recent) > RATE_LIMIT:
                self.rate_limited += 1
                return True
        return False

    # -- trap-owned pages -----------------------------------------------------------------------
    def _own(self, req: Request) -> Response | None:
        path = req.path
        if self.on("redirect_loop") and path == LOOP_A.split("?")[0]:
            target = LOOP_A if req.query.get("from") else LOOP_B
            return Response(307, "", "text/html", {"Location": self.base_url + target})
        if self.on("meta_refresh_deleted") and path == DELETED_DOC:
            return html('<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>')
        if self.on("jiasule521") and path == JSL_LINK:
            return html(self.shell("政务服务", "<h1>政务服务</h1><p>在线办事、办事指南、便民服务。</p>"))
        if self.on("endless_pages"):
            if path in (GZDT, GZDT_DIR):
                try:
                    page = max(1, int(req.query.get("page") or 1))
                except ValueError:
                    page = 1
                return html(self.news_list(page))
            found = next((n for n in self.news if n["path"] == path), None)
            if found:
                return html(self.news_page(found))
        return None

    def _inject(self, req: Request, resp: Response) -> Response:
        """Trap links before ``</body>`` of the inner style's HTML pages."""
        if resp.status != 200 or not (resp.content_type or "").startswith("text/html"):
            return resp
        text, charset = _decode(resp)
        if text is None:
            return resp
        extra = []
        if self.on("js_links"):
            extra.append('<div class="tools"><a href="javascript:void(0)" onclick="return false;">无障碍浏览</a> '
                         '<a href="javascript:;">登录</a> <a hhref="' + HHREF_TARGET + '">长者模式</a> '
                         '<a href="#">返回顶部</a> <a href="#top">顶部</a></div>')
        if req.path in HOME_PATHS:
            links = [(t, p, text_) for t, p, text_ in (
                ("ruishu412", RUISHU_LINK, "政民互动"), ("jiasule521", JSL_LINK, "政务服务平台"),
                ("soft404", SOFT404_LINK, "机关党建专题"),
                ("meta_refresh_deleted", DELETED_DOC, "关于做好2024年防汛工作的通知"),
                ("redirect_loop", LOOP_A, "网上办事大厅"), ("endless_pages", GZDT, GZDT_NAME)) if self.on(t)]
            if links:
                extra.append('<div class="quick-links"><ul>' + "".join(
                    f'<li><a href="{p}" target="_blank">{escape(t)}</a></li>' for _, p, t in links) + "</ul></div>")
        if self.on("endless_pages") and FDZDGK in text:
            item = f'<li><a href="{GZDT}" target="_blank">{GZDT_NAME}</a></li>'
            at = text.index(FDZDGK)
            ul = re.compile(r"<ul\b[^>]*>", re.I).search(text, at, at + 3000)
            if ul:
                text = text[:ul.end()] + item + text[ul.end():]
            else:
                extra.append(f'<div class="fdzdgk-more"><ul>{item}</ul></div>')
        if extra:
            block = "\n".join(extra) + "\n"
            end = text.lower().rfind("</body>")
            text = text[:end] + block + text[end:] if end >= 0 else text + block
        return Response(resp.status, _encode(text, charset), resp.content_type, resp.headers)

    # -- 工作动态 (endless pager) -------------------------------------------------------------------
    def _news(self) -> list[dict]:
        """The news documents of the 工作动态 column, as answer-key rows (plus their path)."""
        c = self.corpus
        out = []
        day = c.as_of - timedelta(days=1)
        for i in range(NEWS_COUNT):
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            n = 990101 + i
            title = f"明湖市召开第{i + 1}次政务公开工作推进会"
            # with jiasule521 on, one news item sits behind the 加速乐 wall (solved or missed)
            folder = "/bszx/bsdt/" if i == JSL_NEWS and self.on("jiasule521") else "/xwzx/gzdt/"
            out.append({
                "key": f"gzdt{i + 1:03d}", "path": f"{folder}{day:%Y%m}/t{day:%Y%m%d}_{n}.html",
                "kind": "news", "columns": [GZDT_NAME], "title": title,
                "index_no": f"{ORG_CODE.format(1)}/{day.year}-{n}", "publisher": "明湖市人民政府办公室",
                "doc_no": None, "written_date": day.isoformat(), "pub_date": day.isoformat(),
                "validity": None, "interprets": None,
            })
            day -= timedelta(days=2)
        return out

    def news_list(self, page: int) -> str:
        shown = min(page, LAST_PAGE)
        rows = []
        if page == 1:
            if self.on("meta_refresh_deleted"):
                rows.append((DELETED_DOC, "关于做好2024年防汛工作的通知", "2024-05-06"))
            if self.on("soft404"):
                rows.append((SOFT404_ROW, "关于开展2024年春季植树活动的通知", "2024-03-11"))
            if self.on("ruishu412"):
                rows.append((RUISHU_ROW, "关于网民留言反映问题的回复", "2026-10-12"))
        rows += [(n["path"], n["title"], n["pub_date"])
                 for n in self.news[(shown - 1) * PER_PAGE: shown * PER_PAGE]]
        items = "\n".join(f'<li><a href="{p}" title="{escape(t)}" target="_blank">{escape(t)}</a>'
                          f"<span>{d}</span></li>" for p, t, d in rows)
        pager = [f'<a href="{GZDT}?page=1">首页</a>']
        if page > 1:
            pager.append(f'<a href="{GZDT}?page={page - 1}">上一页</a>')
        pager.append(f'<a href="{GZDT}?page={page + 1}">下一页</a>')   # even past the last page
        main = (f'<div class="list"><h2>{GZDT_NAME}</h2><ul>\n{items}\n</ul>'
                f'<div class="page">{" ".join(pager)} 第{page}页</div></div>')
        return self.shell(GZDT_NAME, main)

    def news_page(self, n: dict) -> str:
        rows = (f'<tr><td>索引号：</td><td>{n["index_no"]}</td><td>发布机构：</td><td>{n["publisher"]}</td></tr>'
                f'<tr><td>成文日期：</td><td>{n["written_date"]}</td><td>发布日期：</td><td>{n["pub_date"]}</td></tr>')
        main = (f'<table class="xxgk">{rows}</table><h1>{escape(n["title"])}</h1>'
                f'<div id="zoom"><p>{escape(n["title"])}。会议通报了近期政务公开工作进展，部署下一阶段重点任务。</p></div>')
        meta = {"ArticleTitle": n["title"], "PubDate": f'{n["pub_date"]} 10:00', "ContentSource": n["publisher"]}
        return self.shell(GZDT_NAME, main, meta, title=n["title"])

    def shell(self, column: str, main: str, meta: dict | None = None, title: str | None = None) -> str:
        site = self.corpus.site_name
        metas = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in
                        {"SiteName": site, "ColumnName": column, **(meta or {})}.items())
        return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n<title>{escape(title or column)}_{site}</title>\n'
                f'{metas}</head><body>\n<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="{GZDT if column == GZDT_NAME else "/"}">{escape(column)}</a></div>\n{main}\n'
                f'<div class="footer">主办单位：{site}办公室</div>\n</body></html>')


def with_traps(style: Style, names: list[str] | None = None) -> Style:
    """``style`` with the named traps switched on (all of :data:`TRAPS` when ``names`` is None)."""
    return TrappedStyle(style, names)


# -- pages --------------------------------------------------------------------------------------
def _token(seed: str) -> str:
    return hashlib.sha1(f"govaudit-testbed:{seed}".encode()).hexdigest()


def ruishu_page(path: str) -> str:
    """A 瑞数-like 412 page: inline ``$_ts`` bootstrap plus an external obfuscated script."""
    t = _token(path)
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="{t[:22]}" content="{t}{t}" r="m">'
            f"<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};"
            f'$_ts.nsd={int(t[:6], 16)};$_ts.cd="{t}qqqrrrAlcGWlq";</script>'
            f'<script type="text/javascript" charset="utf-8" src="/interact/{t[:7]}/{t[7:13]}.{t[13:20]}.js" r="m">'
            f"</script></head><body></body></html>")


def jiasule_page(clearance: str) -> str:
    """A 加速乐-like 521 page whose script sets the clearance cookie as a literal."""
    return (f'<html><body><script>document.cookie="{JSL_COOKIE}={clearance};max-age=3600;path=/";'
            "location.href=location.pathname+location.search</script></body></html>")


def soft404_page(site: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在_{site}</title></head>'
            f'<body><div class="error"><img src="/images/404.png" alt=""><p>抱歉，您访问的页面不存在或已被删除！</p>'
            f'<p><a href="/">返回首页</a></p></div></body></html>')


_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w-]+)""", re.I)


def _decode(resp: Response) -> tuple[str | None, str | None]:
    """(text, charset) of an HTML body; charset None when the body was a str."""
    if isinstance(resp.body, str):
        return resp.body, None
    m = _CHARSET.search((resp.content_type or "").encode()) or _CHARSET.search(resp.body[:2048])
    charset = m.group(1).decode().lower() if m else "utf-8"
    if charset in ("gb2312", "gbk"):
        charset = "gb18030"
    try:
        return resp.body.decode(charset), charset
    except (LookupError, UnicodeDecodeError):
        return None, None


def _encode(text: str, charset: str | None) -> str | bytes:
    return text if charset is None else text.encode(charset)
