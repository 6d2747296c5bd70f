import copy
import json
import re

import pytest

from reports.render import (
    EVIDENCE_LABELS,
    render_index,
    render_site_report,
    site_slug,
    write_index,
    write_site_report,
)

RULES = [
    {
        "code": "FR003",
        "name": "homepage-dead",
        "title": "首页无法访问",
        "failure_title": "网站首页不可访问",
        "severity": "veto",
        "source": "《政府网站与政务新媒体检查指标》单项否决指标",
    },
    {
        "code": "TM001",
        "name": "late-posting",
        "title": "政府信息逾期公开",
        "failure_title": "政府信息未在20个工作日内公开",
        "severity": "deduct",
        "source": "《中华人民共和国政府信息公开条例》第二十六条",
    },
    {
        "code": "LK002",
        "name": "dead-link",
        "title": "<script>alert('rule')</script>错链",
        "failure_title": "页面存在不可用链接",
        "severity": "advisory",
        "source": "《政府网站发展指引》",
    },
]

TM001_URL = "http://127.0.0.1:8001/art/2026/3/30/art_1201_88.html"
REVIEW_URL = "http://127.0.0.1:8001/col/col1202/index.html"
FIXED_URL = "http://127.0.0.1:8001/art/2026/1/5/art_1201_12.html"
VETO_URL = "http://127.0.0.1:8001/"


def _finding(**kw):
    base = {
        "name": "late-posting",
        "outcome": "fail",
        "severity": "deduct",
        "site": "http://127.0.0.1:8001/",
        "column": "政策文件",
        "fingerprint": "x",
        "change": "new",
        "evidence": {},
    }
    base.update(kw)
    return base


@pytest.fixture
def fail_doc():
    """不合格 with a veto, a deduction, a review, a fixed finding and a hostile title."""
    return {
        "schema": 1,
        "tool": {"name": "govaudit", "version": "0.1.0", "ruleset": "2026.1"},
        "run": {
            "id": 3,
            "started_at": "2026-11-22T10:00:00+08:00",
            "finished_at": "2026-11-22T10:05:12+08:00",
            "command": "check",
            "previous_run_id": 2,
        },
        "as_of": "2026-11-22",
        "site": {"url": "http://127.0.0.1:8001/", "name": "示例市人民政府", "family": "hanweb"},
        "score": {
            "verdict": "不合格",
            "score": None,
            "vetoes": ["FR003"],
            "deductions": [{"code": "TM001", "points": 4.0, "count": 8}],
            "review_count": 1,
        },
        "counts": {"fail": 12, "review": 3, "pass": 40, "not_applicable": 2},
        "crawl": {
            "pages": 512,
            "documents": 300,
            "columns": 10,
            "blocked": 0,
            "errors": 1,
            "duration_s": 12.3,
        },
        "rules": RULES,
        "findings": [
            _finding(
                code="TM001",
                url=TM001_URL,
                title="关于<script>alert(1)</script>印发通知",
                message="发布日期 2026-03-30 晚于成文日期 2026-02-02 后第 20 个工作日（2026-03-03），超期 19 个工作日。",
                evidence={
                    "written_date": "2026-02-02",
                    "pub_date": "2026-03-30",
                    "deadline": "2026-03-03",
                    "workdays_elapsed": 39,
                    "limit_workdays": 20,
                    "fetched_at": "2026-11-22T10:00:05+08:00",
                    "body_sha": "ab12cd34ef56",
                    "calendar": {"source": "国务院办公厅通知", "year": 2026},
                    "redirects": ["http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b"],
                    "custom_note": "未知字段",
                },
                fingerprint="TM001:5f1c",
                change="persisting",
            ),
            _finding(
                code="FR003",
                name="homepage-dead",
                severity="veto",
                url=VETO_URL,
                column="首页",
                title="首页",
                message="首页连续 3 次请求返回 HTTP 503。",
                evidence={"status": 503, "final_url": VETO_URL, "reason": "服务不可用"},
                fingerprint="FR003:1",
                change="new",
            ),
            _finding(
                code="TM001",
                outcome="review",
                url=REVIEW_URL,
                column="通知公告",
                title="关于开展专项检查的公告",
                message="页面未标注成文日期，无法判断是否逾期，需人工核实。",
                evidence={"pub_date": "2026-05-06", "reason": "缺少成文日期"},
                fingerprint="TM001:rev",
                change="new",
            ),
            _finding(code="TM001", outcome="pass", url="http://127.0.0.1:8001/ok.html"),
            # Non-http link must never become an href.
            _finding(
                code="LK002",
                name="dead-link",
                severity="advisory",
                url="javascript:alert(2)",
                title="坏链接",
                message="链接不可用。",
                evidence={"anchor_text": "办事指南", "pages": ["http://127.0.0.1:8001/p1"]},
                fingerprint="LK002:1",
                change="new",
            ),
        ],
        "fixed": [
            _finding(
                code="TM001",
                url=FIXED_URL,
                title="关于调整公交线路的通告",
                message="发布日期 2026-01-30 晚于截止日期 2026-01-28。",
                evidence={"pub_date": "2026-01-30", "deadline": "2026-01-28"},
                fingerprint="TM001:fixed",
                change="persisting",
            )
        ],
    }


@pytest.fixture
def pass_doc():
    return {
        "schema": 1,
        "tool": {"name": "govaudit", "version": "0.1.0", "ruleset": "2026.1"},
        "run": {"id": 1, "started_at": "2026-11-22T11:00:00+08:00", "command": "check",
                "previous_run_id": None},
        "as_of": "2026-11-22",
        "site": {"url": "https://www.example.gov.cn/", "name": "样例县人民政府"},
        "score": {"verdict": "合格", "score": 97.5, "vetoes": [],
                  "deductions": [{"code": "TM001", "points": 2.5, "count": 1}], "review_count": 0},
        "counts": {"fail": 0, "review": 0, "pass": 51, "not_applicable": 1},
        "crawl": {"pages": 80, "documents": 20, "columns": 4, "blocked": 0, "errors": 0,
                  "duration_s": 3.0},
        "rules": RULES,
        "findings": [],
        "fixed": [],
    }


@pytest.fixture
def review_doc(pass_doc):
    doc = copy.deepcopy(pass_doc)
    doc["site"] = {"url": "http://127.0.0.1:8002/", "name": "测试区政务服务网"}
    doc["score"] = {"verdict": "待复核", "score": 100.0, "vetoes": [], "deductions": [],
                    "review_count": 1}
    doc["counts"] = {"fail": 0, "review": 1, "pass": 10, "not_applicable": 0}
    doc["findings"] = [
        _finding(code="TM001", outcome="review", url="http://127.0.0.1:8002/a.html",
                 message="日期格式无法识别，需人工复核。", change="new")
    ]
    return doc


def _attr_values(html, attr):
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)     # the page's own code, not markup
    return re.findall(r'\b' + attr + r'\s*=\s*"([^"]*)"', html)


def assert_self_contained(html):
    lowered = html.lower()
    # one inline script (filters, paging), loading nothing
    assert lowered.count("<script") == 1 and "<script>" in lowered
    script = lowered.split("<script>")[1].split("</script>")[0]
    for loader in ("fetch(", "xmlhttprequest", "import(", ".src", "http://", "https://", "websocket"):
        assert loader not in script, loader
    lowered = lowered.replace(script, "")
    assert "<link" not in lowered
    assert "@import" not in lowered
    assert "url(" not in lowered
    assert " src=" not in lowered
    assert "<iframe" not in lowered and "<img" not in lowered
    assert "javascript:" not in re.sub(r">[^<]*<", "><", lowered)  # not in any tag/attribute
    # every href sits on an <a> element
    assert len(re.findall(r"href=", lowered)) == len(re.findall(r"<a (?:class=\"mono\" )?href=", lowered))
    assert '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html


def test_site_report_contents(fail_doc):
    html = render_site_report(fail_doc)

    assert "示例市人民政府" in html
    assert "不合格" in html
    assert "verdict-fail" in html
    # vetoed: score replaced by 单项否决, veto code and deduction listed
    assert 'class="score-value vetoed">单项否决<' in html
    assert "FR003" in html and "首页无法访问" in html
    assert "扣 4 分（8 处）" in html
    for label in ["检查结论", "得分", "单项否决", "扣分项", "提示项", "待人工复核", "新发现", "持续存在",
                  "已整改", "检查时间", "基准日期", "证据", "栏目", "现网页面", "抓取时原样", "依据"]:
        assert label in html, label
    assert "2026-11-22 10:00:00" in html and "2026-11-22" in html
    assert "0.1.0" in html and "2026.1" in html

    # counts and crawl stats
    assert ">12<" in html and ">40<" in html and ">512<" in html and ">12.3<" in html

    # rule group heading + source, failure title, message, column
    assert "政府信息逾期公开" in html
    assert "《中华人民共和国政府信息公开条例》第二十六条" in html
    assert "政府信息未在20个工作日内公开" in html
    assert "超期 19 个工作日" in html
    assert "政策文件" in html

    # link to the page
    assert f'<a href="{TM001_URL}">{TM001_URL}</a>' in html
    assert f'<a href="{REVIEW_URL}">' in html
    assert f'<a href="{FIXED_URL}">' in html

    # evidence: values and Chinese key labels; unknown keys as-is; nested values
    for value in ["2026-02-02", "2026-03-30", "2026-03-03", ">39<", ">20<", "ab12cd34ef56",
                  "国务院办公厅通知", "http://127.0.0.1:8001/b", "服务不可用", "未知字段"]:
        assert value in html, value
    for key in ["written_date", "pub_date", "deadline", "workdays_elapsed", "limit_workdays",
                "fetched_at", "body_sha", "status", "final_url", "reason", "calendar", "redirects"]:
        assert f">{EVIDENCE_LABELS[key]}<" in html, key
    assert ">HTTP 503<" in html     # a status is shown as an HTTP status
    assert ">custom_note<" in html
    assert '<ol class="ev-list">' in html and '<dl class="ev-dict">' in html

    # review finding explains why; fixed section lists the fixed finding
    assert "页面未标注成文日期，无法判断是否逾期，需人工核实。" in html
    assert "关于调整公交线路的通告" in html
    # the pass finding is counted, not listed
    assert "http://127.0.0.1:8001/ok.html" not in html

    # change summary, failures and reviews apart: new fails = FR003 + LK002, new review = 1,
    # persisting fail = TM001, fixed = 1
    assert re.search(r'tile-new"><span class="tile-num">2<', html)
    assert re.search(r'tile-new-review"><span class="tile-num">1<', html)
    assert re.search(r'tile-persisting"><span class="tile-num">1<', html)
    assert re.search(r'tile-persisting-review"><span class="tile-num">0<', html)
    assert re.search(r'tile-fixed"><span class="tile-num">1<', html)
    assert "二者未相加" in html

    # date arithmetic step by step (TM001: 2026-02-02 + 20 working days = 2026-03-03; 39 used)
    assert "起算日：成文日期 2026-02-02。" in html
    assert "截止日期：成文日期后第 20 个工作日，即 2026-03-03。" in html
    assert "结论：自成文日期至发布日期共 39 个工作日，超出时限 19 个工作日（晚于截止日期 27 天）。" in html


def test_order_of_sections(fail_doc):
    html = render_site_report(fail_doc)
    verdict = html.index('class="verdict ')
    veto = html.index('id="sec-veto"')
    deduct = html.index('id="sec-deduct"')
    advisory = html.index('id="sec-advisory"')
    review = html.index('id="sec-review"')
    fixed = html.index('id="sec-fixed"')
    folded = html.index('<details class="passes">')
    assert verdict < veto < deduct < advisory < review < fixed < folded
    assert veto < html.index("网站首页不可访问", veto) < deduct < html.index("超期 19 个工作日") < advisory
    assert advisory < html.index("页面存在不可用链接", advisory) < review < html.index("页面未标注成文日期") < fixed
    assert fixed < html.index("关于调整公交线路的通告") < folded


def test_escaping_and_self_contained(fail_doc):
    html = render_site_report(fail_doc)
    assert html.count("<script>") == 1          # ours; the hostile titles are escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;rule&#39;)&lt;/script&gt;" in html
    assert_self_contained(html)
    # the only http(s) hrefs are links to the site and to finding pages
    hrefs = _attr_values(html, "href")
    # ... and URLs given as evidence (redirect chain, pages a link sits on), and in-page anchors
    allowed = {TM001_URL, REVIEW_URL, FIXED_URL, VETO_URL, "http://127.0.0.1:8001/",
               "http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b", "http://127.0.0.1:8001/p1"}
    assert {h for h in hrefs if not h.startswith("#")} <= allowed
    anchors = {h[1:] for h in hrefs if h.startswith("#")}
    assert anchors and all(f'id="{a}"' in html for a in anchors)
    # javascript: URL is shown as text only
    assert "javascript:alert(2)" in html
    assert 'href="javascript' not in html


def test_pass_doc_and_empty_states(pass_doc):
    html = render_site_report(pass_doc)
    assert "合格" in html and "verdict-pass" in html
    assert 'class="score-value">97.5<' in html
    assert "扣 2.5 分（1 处）" in html
    assert "无单项否决。" in html
    assert "无单项否决问题。" in html and "无扣分问题。" in html and "无提示问题。" in html
    assert "无待人工复核事项。" in html
    assert "首次检查" in html
    assert_self_contained(html)


def test_review_verdict(review_doc):
    html = render_site_report(review_doc)
    assert "verdict-review" in html and "待复核" in html
    assert 'class="score-value">100<' in html
    assert "日期格式无法识别，需人工复核。" in html
    assert '<a href="http://127.0.0.1:8002/a.html">' in html


def test_minimal_doc_does_not_crash():
    html = render_site_report({"site": {"url": "http://x.gov.cn/"}})
    assert "x.gov.cn" in html
    assert "无单项否决问题。" in html


@pytest.mark.parametrize(
    "url,slug",
    [
        ("http://127.0.0.1:8001/", "127.0.0.1_8001"),
        ("https://www.example.gov.cn/", "www.example.gov.cn"),
        ("https://WWW.Example.GOV.cn", "www.example.gov.cn"),
        ("www.example.gov.cn", "www.example.gov.cn"),
        ("http://中文.政务.cn/", "xn--fiq228c.xn--zfr164b.cn"),
        ("", "site"),
    ],
)
def test_site_slug(url, slug):
    result = site_slug(url)
    assert result == slug
    assert re.fullmatch(r"[A-Za-z0-9._-]+", result)


def test_write_site_report(tmp_path, fail_doc):
    original = copy.deepcopy(fail_doc)
    out = tmp_path / "out"
    html_path = write_site_report(fail_doc, out)
    assert html_path == out / "127.0.0.1_8001.html"
    assert html_path.read_text(encoding="utf-8") == render_site_report(fail_doc)
    json_path = out / "127.0.0.1_8001.json"
    text = json_path.read_text(encoding="utf-8")
    assert "示例市人民政府" in text  # ensure_ascii=False
    assert "\n  " in text  # indent=2
    assert json.loads(text) == fail_doc
    assert fail_doc == original  # rendering must not mutate the document
    # re-rendering from the JSON gives the same page
    assert render_site_report(json.loads(text)) == html_path.read_text(encoding="utf-8")


def test_index(tmp_path, fail_doc, pass_doc, review_doc):
    docs = [fail_doc, pass_doc, review_doc]
    html = render_index(docs)
    assert_self_contained(html)
    for name, slug in [("示例市人民政府", "127.0.0.1_8001"),
                       ("样例县人民政府", "www.example.gov.cn"),
                       ("测试区政务服务网", "127.0.0.1_8002")]:
        assert name in html
        assert f'<a href="{slug}.html">' in html
    for verdict in ["不合格", "合格", "待复核"]:
        assert verdict in html
    assert "单项否决" in html and ">97.5<" in html
    assert ">12<" in html  # fail count of the first site
    for label in ["检查结论", "得分", "不符合", "待复核", "新发现", "已整改", "通报摘要", "排名"]:
        assert label in html
    # ranking: 合格 first (best score first), then 待复核, then 不合格
    table = html[html.index('<table class="fleet-table">'):]
    assert table.index("样例县人民政府") < table.index("测试区政务服务网") < table.index("示例市人民政府")
    # the 通报 paragraph, counted by hand from the three documents
    assert ("本次共检查政府网站 3 个，其中合格 1 个、不合格 1 个、待人工复核 1 个。不合格网站为：示例市人民政府。"
            "共发现不符合项 12 处、待人工复核事项 4 处") in html

    path = write_index(docs, tmp_path)
    assert path == tmp_path / "index.html"
    assert path.read_text(encoding="utf-8") == html
    for doc in docs:
        write_site_report(doc, tmp_path)
    for href in _attr_values(html, "href"):
        if not href.startswith("http"):
            assert (tmp_path / href).is_file()


def test_empty_index():
    html = render_index([])
    assert "暂无检查结果。" in html
    assert_self_contained(html)


def test_coverage_block_sits_next_to_the_verdict(fail_doc):
    """A document with ``coverage`` shows it right after the verdict, before any finding."""
    html = render_site_report(fail_doc)
    assert "检查覆盖情况" not in html
    doc = dict(fail_doc, coverage={"section_found": True, "assessable": True, "reasons": []})
    html = render_site_report(doc)
    assert html.index('class="verdict ') < html.index("检查覆盖情况") < html.index('id="sec-veto"')


def test_new_box_never_adds_reviews_to_failures(fail_doc):
    """新发现 counts failures and reviews apart, and says so."""
    doc = copy.deepcopy(fail_doc)
    for f in doc["findings"]:
        f["change"] = "new"
    html = render_site_report(doc)
    # fails: TM001, FR003, LK002 (3); reviews: 1 — never a tile of 4
    assert re.search(r'tile-new"><span class="tile-num">3<', html)
    assert re.search(r'tile-new-review"><span class="tile-num">1<', html)
    assert "新发现不符合" in html and "新发现待复核" in html and "二者未相加" in html


def test_link_steps_status_hops_and_pages():
    from reports.evidence import steps

    ev = {"classification": "dead", "reason": "HTTP 404", "status": 404, "confirmed": "recheck",
          "hops": [{"url": "http://s/a", "status": 302}, {"url": "http://s/b", "status": 404}],
          "on_home_page": True, "home_page": [{"page": "http://s/", "text": "x", "tag": "a"}],
          "other_pages": [{"page": "http://s/p1", "text": "x", "tag": "a"}, {"page": "http://s/p2", "text": "y", "tag": "a"}]}
    got = steps("LK001", ev, "2026-11-20")
    assert got == ["请求结果：HTTP 404。",
                   "跳转 1 次：http://s/a（HTTP 302） → http://s/b（HTTP 404）。",
                   "判定：死链（HTTP 404）。",
                   "确认：间隔后复查确认。",
                   "该链接出现在 3 个页面（含首页），见下表“首页出现位置”“其他页面出现位置”。"]


def test_freshness_and_annual_report_steps():
    from reports.evidence import steps

    # FR002: 6 months before 2026-11-20 is 2026-05-20; newest 2026-04-20 is 30 days earlier
    got = steps("FR002", {"window": "6个月", "window_start": "2026-05-20", "newest_date": "2026-04-20",
                          "source": "jc19-columns"}, "2026-11-20")
    assert got[-1] == "结论：最新信息早于监测期起始日 30 天，距基准日期 214 天，监测期内无更新。"
    assert "国办秘函〔2019〕19号" in got[1]
    # TM002: a department's 2025 report due 2026-01-31, published 2026-02-10: 10 days late
    got = steps("TM002", {"year": 2025, "deadline": "2026-01-31", "pub_date": "2026-02-10",
                          "reporting_body": "部门", "source": "tiaoli-49"}, "2026-11-20")
    assert got[-1] == "结论：晚于截止日期 10 天。" and "第四十九条" in got[1]
    # no report found: past the deadline by 293 days on 2026-11-20
    got = steps("TM002", {"year": 2025, "deadline": "2026-01-31", "reports_found": [2023, 2024]}, "2026-11-20")
    assert got[-2:] == ["年报栏目中找到的年度：2023、2024；未找到 2025 年度报告。",
                        "结论：截至基准日期 2026-11-20，已超过截止日期 293 天。"]


def test_fleet_groups_and_trend(fail_doc, pass_doc, review_doc):
    fail_doc = dict(fail_doc, site=dict(fail_doc["site"], group={"region": "甲市", "level": "市级"}),
                    history=[{"date": "2026-11-13", "score": 80.0, "verdict": "合格"},
                             {"date": "2026-11-22", "score": None, "verdict": "不合格"}])
    pass_doc = dict(pass_doc, site=dict(pass_doc["site"], group={"region": "乙县", "level": "县级"}))
    review_doc = dict(review_doc, site=dict(review_doc["site"], group={"region": "甲市", "level": "县级"}))
    html = render_index([fail_doc, pass_doc, review_doc])
    assert "按地区统计" in html and "按层级统计" in html
    assert 'data-region="甲市"' in html and '<option value="县级">县级</option>' in html
    assert 'aria-label="得分变化：2026-11-13 80；2026-11-22 单项否决"' in html
    # 甲市: two sites, one 不合格, mean of the scored one (review_doc 100)
    assert re.search(r'<th scope="row">甲市</th><td class="num">2</td><td class="num">1</td><td class="num">100</td>', html)


def test_index_from_summaries_is_the_index_from_full_documents(fail_doc, pass_doc, review_doc):
    """The audit keeps only a summary of each site's result document for the fleet index (so
    the documents are not all held at once): the index must read the same from it."""
    from fleet.publish import index_summary

    docs = [fail_doc, pass_doc, review_doc]
    assert render_index([index_summary(d) for d in docs]) == render_index(docs)
