"""Page-object fixtures: every ``tests/fixtures/pages/<Profile>/<case>/`` holds ``input.html``,
``meta.json`` (url, method, and for ``parse_more`` the request spec) and ``expected.json``.
Hanweb cases are recorded from the served style by ``tests/record_fixtures.py`` (which checks
them against the corpus truth first); GenericProfile cases are hand-written pages."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from crawler.items import RequestSpec
from crawler.profiles.registry import PROFILES, by_family, detect

PAGES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p for p in PAGES.glob("*/*") if (p / "meta.json").exists())
PROFILE_CLASSES = {cls.__name__: cls for cls in PROFILES}


def to_json(obj):
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, list):
        return [to_json(x) for x in obj]
    return obj


def run_case(case: Path):
    meta = json.loads((case / "meta.json").read_text("utf-8"))
    html = (case / "input.html").read_text("utf-8")
    profile = PROFILE_CLASSES[case.parent.name]()
    if meta["method"] == "parse_more":
        return profile.parse_more(RequestSpec(**meta["spec"]), meta["url"], html)
    return getattr(profile, meta["method"])(meta["url"], html)


def test_fixture_set_is_complete():
    names = {f"{c.parent.name}/{c.name}" for c in CASES}
    methods = {json.loads((c / "meta.json").read_text("utf-8"))["method"] for c in CASES}
    assert {"document", "listing", "section_columns", "parse_more"} <= methods
    assert "GenericProfile/article_meta_text" in names
    assert sum(n.startswith("HanwebProfile/article_") for n in names) >= 3


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.parent.name}/{c.name}")
def test_fixture(case: Path):
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    assert to_json(run_case(case)) == expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.parent.name}/{c.name}")
def test_detect_picks_the_fixture_family(case: Path):
    url = json.loads((case / "meta.json").read_text("utf-8"))["url"]
    assert type(detect(url, (case / "input.html").read_text("utf-8"))).__name__ == case.parent.name


def test_hanweb_article_values():
    """Spot checks that do not depend on recorded output."""
    doc = run_case(PAGES / "HanwebProfile" / "article_written_blank")
    assert doc.written_date.value is None and doc.written_date.raw == "" and doc.written_date.source == "table"
    doc = run_case(PAGES / "HanwebProfile" / "article_doc_no_wu")
    assert doc.doc_no.value is None and doc.doc_no.raw == "无"
    doc = run_case(PAGES / "HanwebProfile" / "article_normal")
    assert doc.doc_no.value.endswith("号") and not doc.doc_no.value.startswith("MHSD")   # 统一编号 is not doc_no
    assert doc.pub_date.source == "meta" and doc.attachments and doc.related


def test_hanweb_listing_requests_rest_of_column():
    listing = run_case(PAGES / "HanwebProfile" / "column_b_more")
    assert len(listing.entries) == 45 and listing.total == 65
    [spec] = listing.more
    assert spec.method == "POST" and "startrecord=46&endrecord=65" in spec.url
    assert spec.headers["Referer"].endswith("/col/col1202/index.html")
    assert "columnid=1202" in spec.body and "unitid=4412" in spec.body
    more = run_case(PAGES / "HanwebProfile" / "dataproxy_zcwj")
    assert [e.position for e in more.entries] == list(range(46, 66))


def test_hanweb_batches_large_columns():
    from crawler.profiles.hanweb import HanwebProfile

    html = ('<div id="9"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
            'dataproxy.jsp?page=1&webid=7&path=/&columnid=55&unitid=9&webname=X&permissiontype=0"></a>]]>'
            '</nextgroup><recordset></recordset></datastore></script></div>'
            "<script>$('#9').jpage({totalRecord:4895, perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp'});</script>")
    listing = HanwebProfile().listing("http://h/col/col55/index.html", html)
    assert len(listing.more) == 17   # ceil(4895 / 300)
    assert listing.more[-1].url.endswith("startrecord=4801&endrecord=4895&perpage=15")
    assert "webid=7" in listing.more[0].body


def test_registry():
    assert by_family("hanweb").family == "hanweb"
    assert by_family("generic").family == "generic"
    assert PROFILES[-1].family == "generic"
    assert detect("http://x/", "<html><body>hello</body></html>").family == "generic"
    with pytest.raises(KeyError):
        by_family("nope")


def test_jsonfirst_is_an_alias_for_the_two_json_platforms(tmp_path):
    """``jsonfirst`` (the name gkmlpt and gov.cn shared) is still accepted by ``--family`` and a
    site profile, and stands for the platform the home page shows."""
    from crawler.profiles.registry import family_names, resolve
    from crawler.profiles.site import parse_site_config

    assert {"gkmlpt", "govcn", "jsonfirst"} <= set(family_names())
    govcn_home = '<script>var listConfig = {feed: "ZUIXINZHENGCE.json", search: "/search-gov/data"};</script>'
    gkmlpt_home = '<a href="/gkmlpt/index">政府信息公开</a>'
    assert by_family("jsonfirst", "http://x/", govcn_home).family == "govcn"
    assert by_family("jsonfirst", "http://x/", gkmlpt_home).family == "gkmlpt"
    assert by_family("jsonfirst").family == "gkmlpt"                     # no page: the alias's default
    assert resolve("http://x/", govcn_home, "jsonfirst").family == "govcn"
    config = parse_site_config(tmp_path / "x.toml", "http://x/", {"site": {"reason": "r", "family": "jsonfirst"}})
    assert resolve("http://x/", gkmlpt_home, None, config).family == "gkmlpt"


def test_generic_section_discovery():
    from crawler.profiles.generic import GenericProfile

    home = """<ul class="nav"><li><a href="/zwgk/">政务公开</a></li><li><a href="/bszn/">办事指南</a></li>
      <li><a href="/xxgk/">政府信息公开</a></li></ul>"""
    assert GenericProfile().section_url("http://x.gov/", home) == "http://x.gov/xxgk/"
    section = """<div class="top"><a href="/bszn/">办事指南</a><a href="zn/">政府信息公开指南</a>
      <a href="zd/">政府信息公开制度</a></div>
      <div class="box">法定主动公开内容<ul><li><a href="fdzdgknr/">法定主动公开内容</a></li>
      <li><a href="jgzn/">机构职能</a></li><li><a href="zcwj/" title="政策文件">政策文…</a></li></ul></div>
      <p><a href="nb/">政府信息公开工作年度报告</a></p>"""
    cols = GenericProfile().section_columns("http://x.gov/xxgk/", section)
    assert [(c.url.removeprefix("http://x.gov/xxgk/"), c.name, c.parent, c.role) for c in cols] == [
        ("zn/", "政府信息公开指南", None, "guide"), ("zd/", "政府信息公开制度", None, "rules"),
        ("jgzn/", "机构职能", "法定主动公开内容", "column"), ("zcwj/", "政策文件", "法定主动公开内容", "column"),
        ("nb/", "政府信息公开工作年度报告", None, "annual_report")]
