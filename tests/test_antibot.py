"""Challenge / refusal / soft-404 / deleted-document recognition (pure functions)."""
from __future__ import annotations

from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from crawler.antibot import (
    blocked_reason, gone_reason, is_parent, literal_cookie_challenge, meta_refresh_target, soft404_reason,
)
from crawler.middlewares import retry_after_seconds
from testbed.traps import jiasule_page, ruishu_page, soft404_page

FOOTER = "<div class='footer'>主办单位：明湖市人民政府办公室　网站标识码：3711000001</div>"
ARTICLE = ("<p>为深入贯彻落实上级关于政务公开的决策部署，结合我市实际，现就有关事项通知如下。"
           "各单位要高度重视，确保各项任务落到实处。</p>" * 12)


def page(body: str, title: str = "关于进一步加强政务公开工作的通知_明湖市人民政府") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a><a href='/col/col1000/index.html'>政府信息公开</a></div>"
            f"{body}{FOOTER}</body></html>")


# -- blocked ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status, body, expected", [
    (412, ruishu_page("/interact/index.html"), "ruishu-412"),
    (200, ruishu_page("/x"), "ruishu-412"),                 # the signature wins whatever the status
    (521, jiasule_page("1700000000.1|0|abc"), "jiasule-cookie"),
    (200, "<script>document.cookie='acw_sc__v2=5f1d;path=/';location.reload()</script>", "js-cookie-challenge"),
    (403, "<html><body>不合法的参数</body></html>", "waf-page"),
    (405, "<html><body><h2>您的访问请求可能对网站造成安全威胁，已被拦截</h2></body></html>", "waf-page"),
    (200, "<html><body><div id='nc'>请拖动滑块完成验证</div><p>人机验证</p></body></html>", "captcha"),
    (412, "<html><body></body></html>", "challenge status"),
    (521, "", "challenge status"),
    (429, "<h1>429 Too Many Requests</h1>", "rate limited"),
    (403, "<html><body><h1>403 Forbidden</h1></body></html>", "forbidden"),
], ids=lambda v: v if isinstance(v, (int, str)) and len(str(v)) < 20 else "")
def test_challenges_are_blocked(status, body, expected):
    reason = blocked_reason(status, {}, body.encode("utf-8"))
    assert reason is not None and reason.startswith(expected), reason
    assert f"HTTP {status}" in reason


@pytest.mark.parametrize("status, body", [
    # a 留言 form with a 验证码 field and a captcha image on a normal page
    (200, page("<form action='/guestbook/save.jsp'><label>验证码：</label><input name='captcha'>"
               "<img src='/captcha.jpg' alt='captcha'><button>提交</button></form>" + ARTICLE)),
    # a font-size switcher that sets a cookie and reloads, on a normal page
    (200, page(ARTICLE + "<script>function big(){document.cookie='fontsize=18;path=/';location.reload();}</script>")),
    # an article that talks about 人机验证 and 不合法的参数
    (200, page("<p>系统上线人机验证功能，对不合法的参数进行拦截。</p>" + ARTICLE)),
    (200, page(ARTICLE)),
    (404, "<html><body><h1>404 Not Found</h1></body></html>"),     # a dead link, not a challenge
    (500, "<html><body><h1>500 Internal Server Error</h1></body></html>"),
], ids=["captcha-form", "font-cookie-script", "article-mentions-waf", "article", "hard-404", "500"])
def test_normal_pages_are_not_blocked(status, body):
    assert blocked_reason(status, {}, body) is None


def test_literal_cookie_challenge():
    assert literal_cookie_challenge(jiasule_page("1700000000.1|0|abc")) == {"__jsl_clearance_s": "1700000000.1|0|abc"}
    assert literal_cookie_challenge(
        "<script>document.cookie='__jsl_clearance=1699|0|x';location.href=location.pathname</script>"
    ) == {"__jsl_clearance": "1699|0|x"}
    # the obfuscated variant (computed string) is not solved: it stays blocked
    assert literal_cookie_challenge(
        "<script>document.cookie=('_')+('_')+('j')+('s')+('l')+'_clearance_s='+(+[]+'1699');"
        "location.href=location.pathname</script>") is None
    assert literal_cookie_challenge("<script>document.cookie='fontsize=18'</script>") is None


# -- soft 404 and deleted documents ------------------------------------------------------------
def test_soft404():
    assert soft404_reason(200, soft404_page("明湖市人民政府")).startswith("soft404: ")
    assert soft404_reason(200, page("<p>很抱歉，页面不存在！</p>", title="提示")) == "soft404: 页面不存在"
    # a long page whose <title> says so (a full template around the message)
    assert soft404_reason(200, page(ARTICLE, title="404 Not Found")) == "soft404: 404 Not Found"
    # a document that merely mentions 页面不存在 in its text is a document
    assert soft404_reason(200, page("<p>群众反映部分栏目页面不存在的问题已整改。</p>" + ARTICLE)) is None
    assert soft404_reason(200, page("<p>经检索，申请人所申请的信息不存在。</p>", title="政府信息不存在告知书")) is None
    assert soft404_reason(404, soft404_page("x")) is None          # a hard 404 is not soft
    assert soft404_reason(200, page(ARTICLE)) is None


@pytest.mark.parametrize("target, source, expected", [
    ("http://h/a/b/", "http://h/a/b/c.html", True),
    ("http://h/a/", "http://h/a/b/c.html", True),
    ("http://h/", "http://h/a/b/c.html", True),
    ("http://h/a/b/index.html", "http://h/a/b/t1.html", True),
    ("http://h/a/b/c.html", "http://h/a/b/c.html", False),          # 302 to itself (cookie wall)
    ("http://h/a/b/", "http://h/a/b", False),                        # trailing-slash redirect
    ("http://h/a/b/index.html", "http://h/a/b/", False),             # same directory page
    ("http://h/", "http://h/index.html", False),
    ("http://other/a/", "http://h/a/b.html", False),
    ("http://h/x/", "http://h/a/b.html", False),
])
def test_is_parent(target, source, expected):
    assert is_parent(target, source) is expected


def test_gone_reason_meta_refresh_followed_by_scrapy():
    doc = "http://h/xwzx/gzdt/202405/t20240506_990001.html"
    reason = gone_reason("http://h/xwzx/gzdt/", 200, page(ARTICLE), redirect_urls=[doc],
                         redirect_reasons=["meta refresh"], final_url="http://h/xwzx/gzdt/")
    assert reason == "deleted: meta refresh to parent http://h/xwzx/gzdt/"
    reason = gone_reason("http://h/", 200, page(ARTICLE), redirect_urls=["http://h/zwgk/t1.html"],
                         redirect_reasons=[302], final_url="http://h/")
    assert reason == "deleted: redirect to parent http://h/"


def test_gone_reason_meta_refresh_in_body():
    body = '<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>'
    url = "http://h/xwzx/gzdt/202405/t1.html"
    assert meta_refresh_target(url, body) == "http://h/xwzx/gzdt/"
    assert gone_reason(url, 200, body) == "deleted: meta refresh to parent http://h/xwzx/gzdt/"
    # a refresh to another page (a moved document) is a redirect, not a deletion
    moved = '<meta http-equiv="Refresh" content="0; URL=/art/2024/5/6/art_1201_9.html">'
    assert gone_reason(url, 200, moved) is None


def test_gone_reason_keeps_normal_answers():
    url = "http://h/col/col1201/index.html"
    assert gone_reason(url, 200, page(ARTICLE)) is None
    # the CT6T wall: 302 to the same URL, then the page
    assert gone_reason(url, 200, page(ARTICLE), redirect_urls=[url], redirect_reasons=[302], final_url=url) is None
    assert gone_reason("http://h/zwgk", 200, page(ARTICLE), redirect_urls=["http://h/zwgk"],
                       redirect_reasons=[301], final_url="http://h/zwgk/") is None
    assert gone_reason(url, 200, soft404_page("x")).startswith("soft404:")


def test_retry_after_seconds():
    assert retry_after_seconds(b"1", 5.0) == 1.0
    assert retry_after_seconds("120", 5.0) == 120.0
    assert retry_after_seconds(None, 5.0) == 5.0
    assert retry_after_seconds(b"soon", 5.0) == 5.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(later, 5.0) <= 31


# -- the cheap first looks are exact -----------------------------------------------------------
def _phrases() -> list[str]:
    """SOFT404_PHRASES' alternatives, as written (a top-level ``|`` split)."""
    from crawler.antibot import SOFT404_PHRASES

    return SOFT404_PHRASES.pattern.split("|")


@pytest.mark.parametrize("phrase", _phrases())
def test_every_not_found_phrase_passes_the_first_look(phrase):
    """``soft404_reason`` makes a page's visible text only when its source passes
    ``_may_say_not_found``: a phrase added to SOFT404_PHRASES that the look does not know would
    never be seen on a long-titled short page."""
    from crawler.antibot import _may_say_not_found

    shown = phrase.replace(r"\s*", " ").replace(r"\s+", " ")
    assert _may_say_not_found(shown) and _may_say_not_found(shown.upper())


@pytest.mark.parametrize("body, expected", [
    # the phrase split by entities and tags, in the page's text only (its <title> says nothing)
    (page("<h3>PAGE&nbsp;NOT&nbsp;<b>FOUND</b></h3>", title="提示"), "soft404: PAGE NOT FOUND"),
    (page("<p>404</p><p>Not Found</p>", title="明湖市人民政府"), "soft404: 404 Not Found"),
    (page("<p>抱歉，该信息已被删除</p>", title="明湖市人民政府"), "soft404: 该信息已被删除"),
    (page("<p>文章不存在</p>", title="明湖市人民政府"), "soft404: 文章不存在"),
])
def test_soft404_phrase_in_the_text_only(body, expected):
    assert soft404_reason(200, body) == expected


def test_weak_signatures_still_need_a_short_page_or_an_error():
    """blocked_reason looks for the weak signatures before measuring the page: the answer is
    the same as measuring first (a long article naming a 验证码 is a page; a short one is not)."""
    captcha = "<p>请输入验证码后继续访问</p>"
    assert blocked_reason(200, {}, page(captcha + ARTICLE)) is None
    assert blocked_reason(200, {}, page(captcha)) == "captcha (HTTP 200)"
    assert blocked_reason(404, {}, page(captcha + ARTICLE)) == "captcha (HTTP 404)"
    # the first matching signature names it, as before
    both = "<p>请输入验证码后继续访问</p><p>访问过于频繁</p>"
    assert blocked_reason(200, {}, page(both)) == "captcha (HTTP 200)"


@pytest.mark.parametrize("script, expected", [
    ("<script>window.location.href='/a/b/';</script>", "http://h/a/b/"),
    ("<script>location.replace( \"/col/col1/index.html\" )</script>", "http://h/col/col1/index.html"),
    ("<script>top.location = '../';</script>", "http://h/a/"),
    ("<script>location.href='javascript:void(0)'</script>", None),
    ("<script>document.cookie='a=1';location.href='/x'</script>", None),    # a cookie challenge
    ("<p>no script at all</p>", None),
])
def test_script_redirect_target(script, expected):
    from crawler.antibot import script_redirect_target

    assert script_redirect_target("http://h/a/b/c.html", page(script)) == expected
    # a page with text of its own is not sent anywhere by its script
    assert script_redirect_target("http://h/a/b/c.html", page(script + ARTICLE)) is None
