"""Coverage and the verdict that follows it (rules/coverage.py), and the ``error`` outcome.

Hand-built artifacts: the expected figures are counted by hand from the rows written here."""
from __future__ import annotations

from datetime import date

import pytest

from data import load_toml
from rules.base import Finding, Outcome, SiteArtifacts
from rules.coverage import coverage, judge
from rules.registry import all_rules, get
from rules.runner import make_context, run_rules
from rules.scoring import score

SITE = "http://www.mh.gov.cn/"
SEC = SITE + "xxgk/"


def _site(columns, entries=(), fetches=(), documents=()) -> SiteArtifacts:
    cols = [{"site": SITE, "parent": None, "entries": 0, "placeholder": 0, "status": "ok", "note": None,
             "section": None, **c} for c in columns]
    return SiteArtifacts(site=SITE, name="明湖市人民政府", family="generic", documents=list(documents),
                         columns=cols, entries=list(entries), fetches=list(fetches), links=[])


def _home_and_section():
    return [{"url": SITE, "name": "首页", "role": "home"},
            {"url": SEC, "name": "政府信息公开", "role": "section"}]


def _column(i, status="ok", **kw):
    return {"url": f"{SEC}col{i}/", "name": f"栏目{i}", "role": "column", "parent": "法定主动公开内容",
            "section": SEC, "status": status, **kw}


def _docs(col_i, n, fetched=True, parsed=True):
    urls = [f"{SEC}col{col_i}/art_{k}.html" for k in range(n)]
    entries = [{"column_url": f"{SEC}col{col_i}/", "doc_url": u} for u in urls]
    fetches = [{"url": u, "final_url": u, "kind": "document", "status": 200, "blocked": None, "error": None}
               for u in urls] if fetched else []
    docs = [{"url": u, "title": f"关于第{k}号事项的通知", "pub_date": "2026-05-01"}
            for k, u in enumerate(urls)] if parsed else []
    return entries, fetches, docs


def _verdict(site, findings=()):
    t = load_toml("thresholds.toml")
    w = load_toml("scoring.toml")
    meta = [r.meta() for r in all_rules()]
    return judge(score(list(findings), meta, w), coverage(site), list(findings), w, t)


def test_no_section_cannot_be_assessed_even_with_a_clean_score():
    site = _site([{"url": SITE, "name": "政府信息公开", "role": "section", "status": "missing",
                   "note": "no 政府信息公开 link on the home page"}])
    cov = coverage(site)
    assert cov["section_found"] is False
    v = _verdict(site)
    assert v["score"] == 100.0 and v["verdict"] == "无法评定"
    assert any("未找到或未能读取政府信息公开专栏" in r for r in v["reasons"])


def test_section_found_but_zero_documents_is_not_assessable():
    site = _site(_home_and_section() + [_column(1), _column(2)])
    v = _verdict(site)
    assert v["verdict"] == "无法评定"
    assert any("解析出的公开文件为 0 篇" in r for r in v["reasons"])


def test_a_fraction_of_the_columns_read_is_not_assessable():
    # 10 list columns: 3 read with 5 documents each, 7 failed (error/blocked/pending)
    cols, entries, fetches, docs = _home_and_section(), [], [], []
    for i in range(10):
        cols.append(_column(i, status="ok" if i < 3 else ("error", "blocked", "pending")[i % 3]))
        if i < 3:
            e, f, d = _docs(i, 5)
            entries += e; fetches += f; docs += d
    site = _site(cols, entries, fetches, docs)
    cov = coverage(site)
    assert cov["columns"]["expected"] == 10 and cov["columns"]["read"] == 3 and cov["columns"]["unread"] == 7
    assert cov["documents"] == {**cov["documents"], "listed": 15, "fetched": 15, "parsed": 15}
    v = _verdict(site)
    assert v["verdict"] == "无法评定"
    assert any("应读栏目 10 个，完整读取 3 个（30%" in r for r in v["reasons"]), v["reasons"]


def test_everything_read_is_assessable():
    cols, entries, fetches, docs = _home_and_section(), [], [], []
    for i in range(4):
        cols.append(_column(i))
        e, f, d = _docs(i, 3)
        entries += e; fetches += f; docs += d
    v = _verdict(_site(cols, entries, fetches, docs))
    assert v["reasons"] == [] and v["verdict"] == "合格"


def test_documents_listed_but_not_parsed():
    cols, entries, fetches, docs = _home_and_section() + [_column(0)], [], [], []
    e, f, d = _docs(0, 10)
    entries += e; fetches += f[:6]; docs += d[:4]          # 10 listed, 6 fetched, 4 parsed
    cov = coverage(_site(cols, entries, fetches, docs))
    assert (cov["documents"]["listed"], cov["documents"]["fetched"], cov["documents"]["parsed"]) == (10, 6, 4)
    v = _verdict(_site(cols, entries, fetches, docs))
    assert v["verdict"] == "无法评定"
    assert any("栏目列出文件 10 篇，抓取 6 篇，解析 4 篇（40%" in r for r in v["reasons"])


def test_a_document_stored_without_title_or_date_is_fetched_not_parsed():
    cols, (e, f, d) = _home_and_section() + [_column(0)], _docs(0, 4)
    d[1] = {"url": d[1]["url"], "title": None, "pub_date": None}      # its metadata layout was not read
    d[2] = {**d[2], "title": None}                                   # a date alone still says what it is
    cov = coverage(_site(cols, e, f, d))
    assert (cov["documents"]["fetched"], cov["documents"]["parsed"]) == (4, 3)


def test_column_tree_pages_stated_against_read():
    cols = _home_and_section() + [
        # a list request failed after 4 of the 10 pages its pager announced
        _column(0, status="incomplete", kind="list", pages_stated=10, pages_read=4, rows_stated=200),
        _column(1, kind="list", pages_stated=2, pages_read=2),
        _column(4, kind="list", pages_stated=1, pages_read=0, placeholder=1),     # 暂无信息: read, no rows
        _column(2, kind="category"),
        _column(3, kind="unknown", reason="no rows, no pager, no document links"),
    ]
    e, f, d = _docs(0, 5)
    cov = coverage(_site(cols, e, f, d))
    assert cov["list_pages"] == {"read": 7, "stated": 13, "share": round(7 / 13, 3)}
    assert cov["columns"]["by_kind"]["category"] == 1 and cov["columns"]["expected"] == 4
    assert [n["reason"] for n in cov["not_understood"]] == ["no rows, no pager, no document links"]
    v = _verdict(_site(cols, e, f, d))
    assert any("列表页至少 13 页（分页器所称，或页面上未读取的下一页所示），读取 7 页（54%" in r for r in v["reasons"]), v["reasons"]


def test_a_next_page_link_never_followed_means_the_list_was_not_read_to_its_end():
    # discovery recorded one page stated and read, but each page links "›" to ?p=2, never fetched
    cols = _home_and_section() + [_column(i, kind="list", pages_stated=1, pages_read=1) for i in range(3)]
    entries, fetches, docs = [], [], []
    for i in range(3):
        e, f, d = _docs(i, 12)
        entries += e; fetches += f; docs += d
    site = _site(cols, entries, fetches, docs)
    site.links = [{"page_url": f"{SEC}col{i}/", "url": f"{SEC}col{i}/?p=2", "text": "›"} for i in range(2)]
    t = load_toml("thresholds.toml")
    cov = coverage(site, t)
    assert (cov["columns"]["read"], cov["columns"]["partial"]) == (1, 2)
    assert cov["list_pages"] == {"read": 3, "stated": 5, "share": 0.6}
    assert [n["reason"] for n in cov["not_understood"]] == [f"分页未读完：下一页 {SEC}col0/?p=2 未读取",
                                                            f"分页未读完：下一页 {SEC}col1/?p=2 未读取"]
    w = load_toml("scoring.toml")
    v = judge(score([], [r.meta() for r in all_rules()], w), cov, [], w, t)
    assert v["verdict"] == "无法评定"
    assert any("完整读取 1 个（33%，低于 90%），部分读取 2 个" in r for r in v["reasons"]), v["reasons"]
    # once the next pages were fetched, the lists count as read
    site.fetches += [{"url": f"{SEC}col{i}/?p=2", "final_url": f"{SEC}col{i}/?p=2", "kind": "listing",
                      "status": 200, "blocked": None, "error": None} for i in range(2)]
    assert coverage(site, t)["columns"]["read"] == 3


def test_a_list_stating_more_rows_than_were_read_is_partial():
    cols = _home_and_section() + [_column(0, kind="list", pages_stated=1, pages_read=1, rows_stated=30, entries=12),
                                  _column(1, kind="list", pages_stated=1, pages_read=1, rows_stated=12, entries=12)]
    cov = coverage(_site(cols), load_toml("thresholds.toml"))
    assert (cov["columns"]["read"], cov["columns"]["partial"]) == (1, 1)
    assert [n["reason"] for n in cov["not_understood"]] == ["列表称共 30 条，只读到 12 条"]


def test_a_failed_veto_stays_not_compliant_under_low_coverage():
    site = _site([{"url": SITE, "name": "政府信息公开", "role": "section", "status": "missing"}])
    veto = next(r for r in all_rules() if r.severity == "veto")
    f = Finding(veto.code, veto.name, Outcome.FAIL, veto.severity, SITE, SITE, "m")
    v = _verdict(site, [f])
    assert v["verdict"] == "不合格" and v["reasons"]


def test_many_reviews_in_a_category_lower_its_confidence():
    cols, entries, fetches, docs = _home_and_section() + [_column(0)], [], [], []
    e, f, d = _docs(0, 3)
    rule = get("TM001")
    findings = [Finding("TM001", rule.name, Outcome.REVIEW, rule.severity, SITE, f"{SITE}{i}", "m")
                for i in range(4)] + [Finding("TM001", rule.name, Outcome.PASS, rule.severity, SITE, SITE + "p", "m")]
    v = _verdict(_site(cols, e, f, d), findings)
    cat = next(c for c in v["confidence"] if "TM001" in c["codes"])
    assert cat["low"] and cat["reviews"] == 4 and cat["assessed"] == 5
    assert "置信度低" in cat["note"]
    assert all(not c["low"] for c in v["confidence"] if "TM001" not in c["codes"])


def test_score_is_labelled_as_the_tools_own_weighting_with_weights():
    cols, entries, fetches, docs = _home_and_section() + [_column(0)], [], [], []
    e, f, d = _docs(0, 3)
    v = _verdict(_site(cols, e, f, d))
    assert "自定权重" in v["label"] and "19号" in v["label"]
    w = {x["code"]: x for x in v["weights"]}
    assert w["TM002"]["per_finding"] == 5.0 and w["TM002"]["max"] == 5.0


def test_a_raising_rule_is_an_error_and_the_others_go_on(monkeypatch):
    from rules.docs import FIXTURES, load_fixture

    site, ctx, _ = load_fixture(FIXTURES / "TM001" / "fail_late_and_review_undated.json")
    before = {f.code for f in run_rules(site, ctx)}

    def boom(self, site, ctx):
        yield self.finding(Outcome.PASS, site, site.site, "half-way")
        raise KeyError("publisher")

    monkeypatch.setattr(get("TM001"), "check", boom)
    findings = run_rules(site, ctx)
    errs = [f for f in findings if f.outcome == Outcome.ERROR]
    assert [e.code for e in errs] == ["TM001"]
    assert "KeyError" in errs[0].message and "publisher" in errs[0].message
    assert not [f for f in findings if f.code == "TM001" and f.outcome != Outcome.ERROR]
    assert {f.code for f in findings} == before | {"TM001"}
    v = judge(score(findings, [r.meta() for r in all_rules()], load_toml("scoring.toml")),
              coverage(site), findings, load_toml("scoring.toml"), ctx.thresholds)
    assert v["verdict"] != "合格"
    assert any("TM001 执行出错" in r for r in v["reasons"])
