"""The meta refresh middleware (crawler.middlewares.HopMetaRefreshMiddleware) passes a page
naming no refresh on without Scrapy's check, and still follows every refresh Scrapy follows:
pages written by hand below, their targets and delays read off them."""
from __future__ import annotations

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.crawl import build_settings
from crawler.middlewares import HopMetaRefreshMiddleware

URL = "http://127.0.0.1:9/xxgk/tzgg/art_1.html"


def middleware() -> HopMetaRefreshMiddleware:
    crawler = get_crawler(Spider, {"METAREFRESH_MAXDELAY": 1})
    crawler.spider = Spider.from_crawler(crawler, "t")
    return HopMetaRefreshMiddleware.from_crawler(crawler)


def page(head: str, body: str = "<p>正文</p>", encoding: str = "utf-8") -> HtmlResponse:
    html = f"<html><head><meta charset='{encoding}'>{head}</head><body>{body}</body></html>"
    return HtmlResponse(URL, body=html.encode(encoding), encoding=encoding, request=Request(URL))


def test_refreshes_are_followed():
    mw = middleware()
    cases = [
        ('<meta http-equiv="refresh" content="0;url=../">', "http://127.0.0.1:9/xxgk/"),
        ("<META HTTP-EQUIV='Refresh' CONTENT='0; URL=/index.html'>", "http://127.0.0.1:9/index.html"),
        ('<meta content="0;url=moved.html" http-equiv="REFRESH">', "http://127.0.0.1:9/xxgk/tzgg/moved.html"),
    ]
    for head, target in cases:
        out = mw.process_response(Request(URL), page(head))
        assert isinstance(out, Request), head
        assert out.url == target and out.dont_filter       # a hop of this fetch
        assert out.meta["redirect_reasons"] == ["meta refresh"]
    # GBK page: the refresh is read from the decoded text as well
    out = mw.process_response(Request(URL), page('<meta http-equiv="refresh" content="0;url=/旧版/">', encoding="gbk"))
    assert isinstance(out, Request) and out.url == "http://127.0.0.1:9/%E6%97%A7%E7%89%88/"
    # UTF-16: the word is not in the bytes as ASCII; the text is read instead
    html = "<html><head><meta http-equiv='refresh' content='0;url=/utf16.html'></head><body></body></html>"
    for enc in ("utf-16", "utf-16-be"):
        utf16 = HtmlResponse(URL, body=html.encode(enc), encoding=enc, request=Request(URL))
        out = mw.process_response(Request(URL), utf16)
        # (Scrapy makes the URL safe in the page's encoding: with UTF-16 a BOM ends up as a query)
        assert isinstance(out, Request) and out.url.split("?")[0] == "http://127.0.0.1:9/utf16.html", enc


def test_pages_without_a_refresh_pass_unchanged():
    mw = middleware()
    plain = page("<title>通知</title>")
    assert mw.process_response(Request(URL), plain) is plain
    # a delay above METAREFRESH_MAXDELAY (1 s) is not followed (the fetch records it)
    slow = page('<meta http-equiv="refresh" content="5;url=/gone/moved-here.html">')
    assert mw.process_response(Request(URL), slow) is slow
    # the word alone, not in a meta element: nothing to follow
    word = page("<title>refresh</title>", "<p>refresh the page</p>")
    assert mw.process_response(Request(URL), word) is word
    # Scrapy reads the first 4096 characters only: a refresh further down is not followed
    late = page("<title>x</title>", "<p>" + "字" * 5000 + "</p><meta http-equiv='refresh' content='0;url=/'>")
    assert mw.process_response(Request(URL), late) is late


def test_offsite_and_auth_middlewares_are_off():
    """No spider has allowed_domains or http_user: Scrapy's offsite and HTTP auth middlewares
    are not loaded (the portal spider keeps to its hosts itself: crawler.outbound)."""
    s = build_settings(["http://127.0.0.1:9/"])
    mws = s.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert mws["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is None
    assert mws["scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware"] is None
    assert s.getwithbase("SPIDER_MIDDLEWARES")["scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware"] is None
