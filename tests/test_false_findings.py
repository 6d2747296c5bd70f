"""False findings seen on real sites (issue 10): other real wordings of a 指南's elements (DI002),
the public-security filing as real footers write it (ID001), and the reporting body's level for
the annual-report deadline (TM002). Each wording is written here by hand, one at a time, into a
page that otherwise passes; the law's deadlines (条例 Art. 49: 1月31日 / 3月31日) are applied by hand."""
from __future__ import annotations

import json

import pytest

from rules.docs import FIXTURES, load_fixture
from rules.registry import get


def _run(code: str, fixture: str, edit) -> list:
    fx = json.loads((FIXTURES / code / fixture).read_text("utf-8"))
    edit(fx)                       # in place
    path = FIXTURES.parent / "_tmp.json"
    try:
        path.write_text(json.dumps(fx, ensure_ascii=False), "utf-8")
        site, ctx, _ = load_fixture(path)
    finally:
        path.unlink(missing_ok=True)
    return list(get(code)().check(site, ctx))


GUIDE_HOURS = "<p>办公时间：工作日上午9:00-12:00</p>"


@pytest.mark.parametrize("wording, element", [
    ("<p>咨询时间：周一至周五 8:00至12:00</p>", None),
    ("<p>受理时间：周一至周五（法定节假日除外）</p>", None),
    ("<p>工作时间：上午8:30-12:00，下午14:30-17:30</p>", None),
    ("<p>接待时间为每周一至周五</p>", None),
    ("<p>服务时间：工作日</p>", None),
    ("<p>请在上班期间来电。</p>", "办公时间"),            # no opening hours at all
])
def test_guide_hours_synonyms(wording, element):
    def edit(fx):
        body = fx["site"]["bodies"]["g1"]
        assert GUIDE_HOURS in body
        fx["site"]["bodies"]["g1"] = body.replace(GUIDE_HOURS, wording)
    [f] = _run("DI002", "pass_complete_guide.json", edit)
    if element:
        assert f.outcome == "fail" and f.message.endswith(f"缺少：{element}。")
    else:
        assert f.outcome == "pass", f.message


@pytest.mark.parametrize("old, new, element", [
    ("<p>办公地址：明湖市泉城路1号</p>", "<p>受理地点：明湖市泉城路1号</p>", None),
    ("<p>办公地址：明湖市泉城路1号</p>", "<p>通信地址：明湖市泉城路1号</p>", None),
    ("<p>联系电话：0531-12345678</p>", "<p>电　话：0531-12345678</p>", None),
    ("<p>联系电话：0531-12345678</p>", "<p>咨询热线：12345</p>", None),
    ("<p>传真号码：0531-12345679</p>", "<p>传　真：0531-12345679</p>", None),
    ("<p>互联网联系方式：http://www.mh.gov.cn/ysqgk/</p>", "<p>电子信箱：zwgk at mh.gov.cn</p>", None),
    ("<p>办公地址：明湖市泉城路1号</p>", "<p>欢迎来访。</p>", "办公地址"),
    ("<p>联系电话：0531-12345678</p>", "<p>电话另行公布。</p>", "联系电话"),
])
def test_guide_other_element_synonyms(old, new, element):
    def edit(fx):
        body = fx["site"]["bodies"]["g1"]
        assert old in body
        # the footer's own phone number must not stand in for the guide's
        fx["site"]["bodies"]["g1"] = body.replace(old, new).replace("<div class='footer'>联系电话：0531-1</div>", "")
    [f] = _run("DI002", "pass_complete_guide.json", edit)
    if element:
        assert f.outcome == "fail" and f.message.endswith(f"缺少：{element}。"), f.message
    else:
        assert f.outcome == "pass", f.message


POLICE = "鲁公网安备 37110002000123号"


@pytest.mark.parametrize("form, ok", [
    ("鲁公网安备 37110002000123号", True),
    ("闽公网安备35012802000123号", True),
    ("公网安备：35012802000123号", True),
    ("公安备案号：35012899001-19002", True),
    ("公安机关备案号：35010202000123", True),
    ("公安机关备案号：闽公网安备 35010202000123号", True),
    ("公安备案号：", False),
    ("闽公网安备号", False),
    ("公安机关备案", False),
])
def test_public_security_filing_forms(form, ok):
    def edit(fx):
        body = fx["site"]["bodies"]["h1"]
        assert POLICE in body
        fx["site"]["bodies"]["h1"] = body.replace(POLICE, form)
    [f] = _run("ID001", "pass_complete_footer.json", edit)
    if ok:
        assert f.outcome == "pass", f.message
    else:
        assert f.outcome == "fail" and f.message == "首页底部缺少：公安机关备案号。"


@pytest.mark.parametrize("site_name, title, published, outcome", [
    # government-level bodies: deadline 2026-03-31
    ("平潭综合实验区管委会", "平潭综合实验区管委会2025年政府信息公开工作年度报告", "2026-03-20", "pass"),
    ("平潭综合实验区管委会", "2025年政府信息公开工作年度报告", "2026-03-20", "pass"),
    ("首页 - 平潭综合实验区管委会", "2025年政府信息公开工作年度报告", "2026-03-20", "pass"),
    ("闽清县人民政府门户网站", "2025年政府信息公开工作年度报告", "2026-03-30", "pass"),
    ("大兴安岭地区行政公署", "大兴安岭地区行署2025年政府信息公开工作年度报告", "2026-03-31", "pass"),
    ("鼓楼区政府", "2025年度政府信息公开工作年度报告", "2026-02-10", "pass"),
    ("平潭综合实验区管委会", "平潭综合实验区管委会2025年政府信息公开工作年度报告", "2026-04-01", "fail"),
    # departments: deadline 2026-01-31, even on a government's site when the title names them
    ("明湖市财政局", "2025年政府信息公开工作年度报告", "2026-02-10", "fail"),
    ("明湖市人民政府", "明湖市城市管理委员会2025年政府信息公开工作年度报告", "2026-02-10", "fail"),
    ("明湖市人民政府", "明湖市人民政府办公室2025年政府信息公开工作年度报告", "2026-01-30", "pass"),
    # neither the title nor the site says: between the deadlines -> review
    ("明湖在线", "2025年政府信息公开工作年度报告", "2026-02-10", "review"),
])
def test_annual_report_deadline_by_level(site_name, title, published, outcome):
    def edit(fx):
        fx["site"]["name"] = site_name
        fx["site"]["entries"] = [{**fx["site"]["entries"][0], "title": title, "date": published}]
    [f] = _run("TM002", "pass_government_report_in_march.json", edit)
    assert f.outcome == outcome, f.message
