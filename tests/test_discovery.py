"""Discovery helpers (crawler.discovery): the ways into the section and navigation targets,
wherever a portal puts them. Expected values are read off the HTML written here by hand in
the shapes portal-structures.md describes (script menus, <select> jumps, onclick, iframes)."""
from __future__ import annotations

from crawler.discovery import (
    breadcrumb, looks_like_endpoint, more_links, nav_links, role_of, section_candidates, usable_name,
)

BASE = "http://www.example.gov.cn/"


def urls(links):
    return [link.url for link in links]


def test_section_entry_by_text_beats_url_hint_and_other_entries():
    html = """<div class=nav><a href="/">首页</a><a href="/zwgk/">政务公开</a>
    <a href="/col/col1000/index.html">政府信息公开</a><a href="/xxgk/nb/">政府信息公开年报</a>
    <a href="/gkml/">专题</a></div>"""
    found = section_candidates(BASE, html)
    assert urls(found)[:3] == [BASE + "col/col1000/index.html", BASE + "zwgk/", BASE + "gkml/"]
    assert BASE + "xxgk/nb/" not in urls(found)        # a 年报 link is not the section


def test_section_entry_on_another_host_and_in_a_select():
    html = """<select onchange="window.open(this.value)"><option value="">部门网站</option>
    <option value="http://xxgk.example.gov.cn/index.html">信息公开</option></select>"""
    assert urls(section_candidates(BASE, html)) == ["http://xxgk.example.gov.cn/index.html"]


def test_section_entry_in_onclick_and_data_attributes():
    html = """<li onclick="location.href='/zfxxgk/index.shtml'">政府信息公开目录</li>
    <span data-href="/gongkai/">主动公开</span>"""
    assert urls(section_candidates(BASE, html)) == [BASE + "zfxxgk/index.shtml", BASE + "gongkai/"]


def test_section_entry_in_a_script_menu():
    html = """<script>var menu = [{"name": "首页", "url": "/"}, {"name": "政府信息公开", "url": "/xxgk/index.jhtml"},
    {"name": "互动交流", "url": "/hdjl/"}]; render(menu);</script>"""
    assert urls(section_candidates(BASE, html)) == [BASE + "xxgk/index.jhtml"]


def test_section_entry_in_document_write_and_js_array():
    html = """<script>document.write('<a href="/zwgk/xxgk.html">信息公开</a>');
    var items = [['机构概况', '/jggk/'], ['政务公开', '/zwgkpt/']];</script>"""
    found = urls(section_candidates(BASE, html))
    assert found == [BASE + "zwgk/xxgk.html", BASE + "zwgkpt/"]


def test_nav_links_iframe_and_base_href():
    html = """<base href="http://www.example.gov.cn/xxgk/"><iframe src="list.html" title="列表"></iframe>
    <a href="fdzdgknr/">法定主动公开内容</a><a href="javascript:void(0)">展开</a>"""
    links = nav_links(BASE + "a/b.html", html)
    assert [(link.url, link.how) for link in links] == [
        (BASE + "xxgk/list.html", "iframe"), (BASE + "xxgk/fdzdgknr/", "a")]


def test_cut_link_text_named_by_title():
    links = nav_links(BASE, '<a href="/c/" title="重大建设项目批准和实施">重大建设项目…</a>')
    assert links[0].name == "重大建设项目批准和实施"


def test_breadcrumb_variants():
    assert breadcrumb('<div class="pos">当前位置：<a href="/">首页</a> &gt; <a href="/x/">政府信息公开</a> &gt; '
                      '<span>法定主动公开内容</span></div>') == ["首页", "政府信息公开", "法定主动公开内容"]
    assert breadcrumb('<p>您的位置: <a>首页</a> » <a>信息公开</a> » 财政信息</p>') == ["首页", "信息公开", "财政信息"]
    assert breadcrumb("<p>没有路径</p>") is None


def test_roles_and_names():
    assert role_of("政府信息公开指南") == "guide"
    assert role_of("政府信息公开年报") == "annual_report"
    assert role_of("政府信息公开工作年度报告") == "annual_report"
    assert role_of("办事指南") is None                      # a service guide is not the 公开指南
    assert role_of("规范性文件") is None
    assert usable_name("规范性文件")
    assert not usable_name("网站地图")
    assert not usable_name("关于印发明湖市城乡环境整治三年行动计划的通知")   # a document title


def test_endpoint_and_more_links():
    assert looks_like_endpoint('  {"total": 3}')
    assert looks_like_endpoint("<datastore><recordset></recordset></datastore>")
    assert not looks_like_endpoint("<!DOCTYPE html><html></html>")
    html = """<div><h3>财政信息</h3><a href="/cz/">更多>></a></div><div><h3>人事</h3><a href="/rs/">更多</a></div>"""
    assert more_links(BASE, html, {BASE + "cz/", BASE + "rs/"}) == 2


def test_more_links_named_by_their_tab_or_heading():
    tabs = """<div class="tabs"><ul class="tab-hd"><li>政府信息公开指南</li><li>法定主动公开内容</li></ul>
    <div class="tab-bd"><div class="tab-panel"><a class="more" href="/zn/">更多&gt;&gt;</a></div>
    <div class="tab-panel"><a class="more" href="/fd/">更多&gt;&gt;</a></div></div></div>"""
    assert [link.name for link in nav_links(BASE, tabs)] == ["政府信息公开指南", "法定主动公开内容"]
    block = '<div class="box"><h3>财政信息</h3><ul><li><a href="/a.html">某文件</a></li></ul><a href="/cz/">+更多</a></div>'
    assert nav_links(BASE, block)[-1].name == "财政信息"


def test_rows_and_previews_are_not_navigation():
    from crawler.discovery import preview_links, row_links

    rows = """<div class="list"><dl><dd><a href="/a/1.html">喆阳区2026年三公经费预算说明</a></dd><dd>[03-13]</dd></dl>
    <dl><dd><a href="/a/2.html">喆阳区2024年度部门决算公开</a></dd><dd>[11-06]</dd></dl></div>"""
    assert row_links(BASE, rows) == {BASE + "a/1.html", BASE + "a/2.html"}
    nav = '<ul><li><a href="/c1/">规范性文件</a></li><li><a href="/c2/">其他文件</a></li></ul>'
    assert row_links(BASE, nav) == set()
    panel = """<div class="panel"><ul><li><a href="/nb/1.html">某区2025年政府信息公开工作年度报告</a></li></ul>
    <a class="more" href="/nb/">更多&gt;&gt;</a></div><div><a href="/x/">规范性文件</a><a href="/y/">更多栏目</a></div>"""
    assert preview_links(BASE, panel) == {BASE + "nb/1.html"}


def test_ztree_nodes_in_a_script():
    html = """<script>var zNodes = [
      {id: 101, pId: 100, name: "政府信息公开指南", url: "zfxxgkzn/202609/t20260910_4101.htm", open: false},
      {id: 104, pId: 100, name: "三公经费预算", url: "sgjfys/", open: false}];</script>"""
    links = nav_links(BASE + "gongkai/", html)
    assert [(link.url, link.name) for link in links] == [
        (BASE + "gongkai/zfxxgkzn/202609/t20260910_4101.htm", "政府信息公开指南"), (BASE + "gongkai/sgjfys/", "三公经费预算")]


def test_name_broken_by_a_line_break_is_one_name():
    """邯郸 政府信息公开指南 page (tests/fixtures/real/trs/hebei_handan_gkzn_nav): a tab's name is
    written 政府信息<br>公开指南; Chinese puts no space between words, so the break is layout."""
    links = nav_links(BASE, '<h3><a href="/zfxxgkzn/"><em></em>政府信息<br>\n    公开指南</a></h3>'
                            '<li><a href="/">首　　页</a></li>')
    assert [link.name for link in links] == ["政府信息公开指南", "首页"]


def test_footer_chrome_does_not_rename_a_column():
    html = '<div class=nav><a href="/zfxxgkzn/">政府信息公开指南</a></div><div class=foot><a href="/zfxxgkzn/">返回首页</a></div>'
    assert [link.name for link in nav_links(BASE, html)] == ["政府信息公开指南"]


def test_in_page_anchor_is_not_a_link_to_the_page():
    """A drop-down header's href="#" (saved by a browser as the page's own URL plus #) names
    nothing: it must not rename the page's own column link."""
    page = BASE + "zfxxgkzn/"
    html = '<a href="http://www.example.gov.cn/zfxxgkzn/">政府信息公开指南</a><a href="http://www.example.gov.cn/zfxxgkzn/#">专题专栏</a>'
    assert [(link.url, link.name) for link in nav_links(page, html)] == [(page, "政府信息公开指南")]


def test_more_link_does_not_rename_its_heading_link():
    """平潭 政务公开 page (tests/fixtures/real/trs/fj_pingtan_zwgk_section): the heading links the
    column and a 更多> under the preview links it again; the column keeps the heading's name."""
    html = ('<div class="zwgk_l_top"><h1><a href="/zxwj/">最新文件</a></h1></div><div class="list_base">'
            '<ul><li><a href="/zxwj/a.htm">平潭综合实验区管委会关于印发某某办法的通知</a><span>2026-06-05</span></li></ul>'
            '<span class="more"><a href="/zxwj/">更多&gt;</a></span></div>')
    assert [link.name for link in nav_links(BASE, html) if link.url == BASE + "zxwj/"] == ["最新文件"]


def test_statutory_category_names_are_column_names():
    """平潭 经济发展局 法定主动公开内容 (tests/fixtures/real/trs/fj_pingtan_fdzdgknr_script_menu): the
    条例's category names are long enumerations; they name columns, and a long document title
    still does not."""
    assert usable_name("扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况")
    assert usable_name("行政许可的事项、依据、条件、数量、程序、期限以及申请行政许可需要提交的全部材料目录及办理情况")
    assert usable_name("机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名")
    assert not usable_name("平潭综合实验区社会事业局关于2025年中小学教育装备产品“双随机、一公开”抽查工作情况的通报")
    assert not usable_name("平潭综合实验区农业农村局、财政金融局关于促进粮油生产十条措施的通知")
    assert not usable_name("区公安局2024年第一季度旅店宾馆、保安单位、烟花爆竹抽查情况")
