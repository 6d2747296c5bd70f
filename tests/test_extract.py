import pytest
from parsel import Selector

from crawler.profiles.extract import (
    absolute_links, clean, find_date, is_placeholder, label_field, label_pairs, meta_tags,
    normalise_label, normalise_value, parse_date,
)


@pytest.mark.parametrize("text, iso", [
    ("2022-05-09", "2022-05-09"),
    ("2022-5-9", "2022-05-09"),
    ("2022/5/9", "2022-05-09"),
    ("2022.05.09", "2022-05-09"),
    ("2022年5月9日", "2022-05-09"),
    ("2022 年 5 月 9 日", "2022-05-09"),
    ("[2022-05-19]", "2022-05-19"),
    ("2022-05-09 17:51", "2022-05-09"),
    ("2022-05-09-17:51:00", "2022-05-09"),
    ("2026-\n01-\n23", "2026-01-23"),
    ("  2022 - 05 - 09 ", "2022-05-09"),
    ("发布日期：2022年5月9日 浏览次数：12", "2022-05-09"),
    ("1652089860", "2022-05-09"),          # epoch seconds (China time)
    ("1652089860000", "2022-05-09"),       # epoch milliseconds
    ("1652025600", "2022-05-09"),          # 2022-05-08T16:00Z is already the 9th in Beijing
    (1652089860, "2022-05-09"),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", [
    "2026-02-00018",                  # 索引号 that looks like a date
    "000014348/2020-35428", "11370300004224423Q/2015-5106004", "PZ00101-1700-2023-00099",
    "2022-02-30", "2022-13-01", "2022年5月", "2022-05", "明政发〔2022〕3号", "", None, "无",
    "12345", "165208986", "2022-05/09",
])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_find_date_keeps_raw():
    assert find_date("<span>2026-\n01-\n23</span>") == ("2026-01-23", "2026- 01- 23")


def test_clean():
    assert clean("  a\u3000b&nbsp;c&ensp;d\n\te\xa0 ") == "a b c d e"


def test_clean_collapses_what_its_pattern_names():
    """``clean`` is made with ``str.split``; its definition is the pattern ``_SPACES`` (every
    whitespace character, the zero-width space and the BOM): the two agree on every character
    either one treats as a space, alone, doubled, inside and at the ends of a text."""
    import sys

    from pagetext import _SPACES

    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() or _SPACES.fullmatch(c)]
    assert {"\u200b", "\ufeff", "\u3000", "\xa0", "\u2002"} <= set(spaces)
    for c in spaces:
        for text in (c, c + c, f"a{c}b", f"{c}a{c}{c}b{c}", f"索引号{c}：{c}X"):
            assert clean(text) == _SPACES.sub(" ", text).strip(), repr(text)
    assert clean(None) == ""


@pytest.mark.parametrize("raw, label", [
    ("索&ensp;引&ensp;号：", "索引号"), ("索 引 号:", "索引号"), ("有\u2002效\u2002性", "有效性"),
    (" 发文字号： ", "发文字号"), ("标&ensp;&ensp;题：", "标题"), ("【发布机构】", "发布机构"),
])
def test_normalise_label(raw, label):
    assert normalise_label(raw) == label


@pytest.mark.parametrize("label, field", [
    ("索引号", "index_no"), ("发布机构", "publisher"), ("发文机关", "publisher"), ("信息来源", "publisher"),
    ("来源：", "publisher"), ("文号", "doc_no"), ("发文字号", "doc_no"), ("文件编号", "doc_no"),
    ("统一编号", None), ("成文日期", "written_date"), ("生成日期", "written_date"), ("发文日期", "written_date"),
    ("印发日期", "written_date"), ("发布日期", "pub_date"), ("发布时间", "pub_date"), ("公开日期", "pub_date"),
    ("上载日期", "pub_date"), ("时间", "pub_date"), ("有效性", "validity"), ("效力状态", "validity"),
    ("主题分类", "category"), ("组配分类", "category"), ("分类", "category"), ("体裁分类", "category"),
    ("标题", "title"), ("名称", "title"), ("浏览次数", None),
])
def test_label_field(label, field):
    assert label_field(label) == field


@pytest.mark.parametrize("value", ["无", "〔〕号", "[] 号", "[]号", "空", "-", "—", "暂无", " 无 ", "明政发〔〕号"])
def test_is_placeholder(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["明政发〔2022〕3号", "有效", "", None, "无锡市人民政府", "2022-05-09"])
def test_is_not_placeholder(value):
    assert not is_placeholder(value)


def test_normalise_value():
    assert normalise_value("doc_no", "〔〕号") is None
    assert normalise_value("written_date", "") is None
    assert normalise_value("pub_date", "2022年5月9日") == "2022-05-09"
    assert normalise_value("index_no", "2026-02-00018") == "2026-02-00018"


def pairs(html):
    return {k: v.text for k, v in label_pairs(html).items()}


def test_label_pairs_table_cells():
    html = """<table>
      <tr><td>索引号：</td><td>000014348/2020-35428</td><td>组配分类</td><td>综合政务</td></tr>
      <tr><td><b>发文机关：</b></td><td>明湖市人民政府</td><td><b>成文日期：</b></td><td> </td></tr>
      <tr><td>统一编号：</td><td>MHSD2022-0001</td><td>文件编号:</td><td>明政发〔2022〕3号</td></tr>
      <tr><td>发布日期：2022-05-09</td></tr>
    </table>"""
    assert pairs(html) == {"index_no": "000014348/2020-35428", "category": "综合政务", "publisher": "明湖市人民政府",
                           "written_date": "", "doc_no": "明政发〔2022〕3号", "pub_date": "2022-05-09"}
    assert label_pairs(html)["written_date"].label == "成文日期："


def test_label_pairs_header_row_is_not_a_pair():
    html = "<table><tr><th>名称</th><th>索引号</th><th>发布日期</th></tr><tr><td>a</td><td>b</td><td>c</td></tr></table>"
    assert pairs(html) == {}


def test_label_pairs_lists_and_spans():
    html = """<div class="index_box"><ul>
      <li>索&ensp;引&ensp;号：<font>PZ00101-1700-2023-00099</font></li>
      <li>发文字号：<font>〔〕号</font></li>
      <li>有&ensp;效&ensp;性：<em class="red_base">有效</em></li>
      <li>标&ensp;&ensp;题：<font>关于印发某某办法的通知</font></li>
    </ul></div>
    <div class="zibo"><span>发布机构:</span>明湖市财政局<span>发文日期:</span>2022-05-01<span>浏览:</span>99</div>
    <dl><dt>主题分类</dt><dd>财政金融</dd></dl>"""
    assert pairs(html) == {"index_no": "PZ00101-1700-2023-00099", "doc_no": "〔〕号", "validity": "有效",
                           "title": "关于印发某某办法的通知", "publisher": "明湖市财政局",
                           "written_date": "2022-05-01", "category": "财政金融"}


def test_label_pairs_two_pairs_in_one_item_and_selector_input():
    sel = Selector(text="<ul><li>标题: 某通知 索引号: 11370300004224423Q/2015-5106004</li></ul>")
    assert pairs(sel) == {"title": "某通知", "index_no": "11370300004224423Q/2015-5106004"}


def test_label_pairs_ignores_running_text():
    assert pairs("<p>发布日期：2022年5月9日 来源：本网</p>") == {}


def test_meta_tags():
    html = """<head><meta name="articletitle" content="标题 "><meta name="PubDate" content="2022-05-09 10:00">
      <meta name="Desctiption" content="d"><meta name="ContentSource" content="市政府">
      <meta name="pubdate" content="later"><meta name="custom" content="x"><meta charset="utf-8"></head>"""
    assert meta_tags(html) == {"ArticleTitle": "标题", "PubDate": "2022-05-09 10:00", "Description": "d",
                               "ContentSource": "市政府", "custom": "x"}


def test_absolute_links():
    html = """<a href="../../a/b.html#top">A</a> <a href="javascript:void(0)">js</a> <a href="mailto:x@y">m</a>
      <a href="tel:123">t</a> <a href="#x">hash</a> <a href="//cdn.example.org/x.pdf">pdf</a>
      <img src="/img/1.png" alt="党政机关"> <iframe src="frame.html"></iframe>
      <map><area href="/area" alt="区"></map> <a href=" ../c.html ">C</a> <a hhref="/typo">typo</a>
      <a href="../../a/b.html">dup</a>"""
    links = absolute_links("https://www.example.org/zwgk/col/x/index.html", html)
    assert [(l.url, l.text, l.tag) for l in links] == [
        ("https://www.example.org/zwgk/a/b.html", "A", "a"),
        ("https://cdn.example.org/x.pdf", "pdf", "a"),
        ("https://www.example.org/img/1.png", "党政机关", "img"),
        ("https://www.example.org/zwgk/col/x/frame.html", "", "iframe"),
        ("https://www.example.org/area", "区", "area"),
        ("https://www.example.org/zwgk/col/c.html", "C", "a"),
    ]
    assert links[0].raw_href == "../../a/b.html#top"


def test_the_file_an_online_viewer_shows_is_a_link_too():
    from crawler.profiles.extract import absolute_links, viewer_file

    page = "http://www.mh.gov.cn/zwgk/zfxxgk/fdzdgknr/tzgg/202601/t20260105_1.html"
    html = ('<iframe src="/generic/web/viewer.html?file=/zwgk/P020260105000001.ofd"></iframe>'
            '<a href="/module/download/downfile.jsp?filename=a.pdf">附件</a>')
    links = {(link.url, link.tag) for link in absolute_links(page, html)}
    assert ("http://www.mh.gov.cn/zwgk/P020260105000001.ofd", "a") in links
    assert ("http://www.mh.gov.cn/generic/web/viewer.html?file=/zwgk/P020260105000001.ofd", "iframe") in links
    assert viewer_file("http://www.mh.gov.cn/module/download/downfile.jsp?filename=a.pdf") is None
    assert viewer_file("http://www.mh.gov.cn/search.html?q=report.pdf") is None     # not a path


def test_absolute_url_agrees_with_urljoin_on_awkward_bases_and_hrefs():
    """absolute_url resolves paths against the base's directory (cached); the stdlib's urljoin
    on the full base is the oracle, over bases without a path, with a query or fragment holding
    slashes, with dot segments and parameters."""
    import itertools
    import re
    from urllib.parse import urldefrag, urljoin

    from crawler.profiles.extract import absolute_url

    bases = ["http://h", "http://h/", "http://h:8080/a/b.html", "http://h/a/b/", "http://h/a/b.html?x=1/2",
             "http://h/a/b.html#f/g", "http://h/a/./b/../c.htm", "https://h/a/b?q", "http://h/a;p/b.html",
             "http://h/a/b.html?u=http://x/y/z", "http://h?x=/a"]
    hrefs = ["c.html", "../c.html", "../../../x", "/r/s", "//o/p", "http://z/y", "?page=2", "./", ".", "..",
             "c.html?x#y", " d e ", "a\\b", "\\c", ";p", "c/../d", "%2Fx", "  ?q=1 ", "c\n.html"]
    for base, href in itertools.product(bases, hrefs):
        want = urldefrag(urljoin(base, re.sub(r"[\r\n\t]", "", href.strip())))[0] or None
        assert absolute_url(base, href) == want, (base, href)
    assert absolute_url("http://h/a/", "javascript:void(0)") is None
    assert absolute_url("http://h/a/", "#top") is None


def test_label_pairs_value_held_inside_the_label_element():
    html = ('<div><span class="ly">来源：<b></b></span><span>访问量：<b>199</b></span></div>'
            '<div><span>信息来源：<b>市统计局</b></span></div>'
            '<div><label><font>索 引 号：</font></label><div class="display-block">0147/2023-1</div></div>')
    pairs = label_pairs(html)
    assert pairs["publisher"][0] == ""          # the empty holder, not the next span
    assert pairs["index_no"][0] == "0147/2023-1"
