"""Reports, fleet index and 问题台账 from real stored runs of the testbed: two portals crawled
twice into one database, with problems fixed and added between the runs (tests/report_runs.py)."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from reports.common import site_slug
from govaudit import api
from tests.conftest import run_cli
from tests.report_runs import AS_OF_2, shared
from tests.test_report_labels import data_words, raw_identifiers, shown_words
from testbed.corpus import AS_OF


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return shared(tmp_path_factory)


def html_of(runs, run: int, url: str) -> str:
    return ((runs.out1 if run == 1 else runs.out2) / f"{site_slug(url)}.html").read_text("utf-8")


def cards(html: str) -> list:
    return BeautifulSoup(html, "lxml").select("article.finding")


def test_verdicts(runs):
    # Run 1, portal A (seed 1) has only deduct violations (answer key, counted below); by
    # data/scoring.toml (points per finding, capped per rule):
    # TM001 9×0.5 + MD001 6×0.5 + IN003 5×0.5 + LK001 4×0.5 + MD003 3×1 + IN002 3×0.5 + MD002 3×0.5
    # + IN001 min(6×1, 5) + LK002 3×0.5 + FR003 2×2 + LK003 2×0.5 + ID001 2 + DI001 5 + FR002 2 = 38.5
    from collections import Counter
    assert sorted(Counter(v["code"] for v in runs.key_a["violations"]).items()) == [
        ("DI001", 1), ("FR002", 1), ("FR003", 2), ("ID001", 1), ("IN001", 6), ("IN002", 3), ("IN003", 5),
        ("LK001", 4), ("LK002", 3), ("LK003", 2), ("MD001", 6), ("MD002", 3), ("MD003", 3), ("TM001", 9)]
    one, two = runs.docs(1), runs.docs(2)
    a1 = one[runs.url_a]["score"]
    assert (a1["verdict"], a1["score"], a1["vetoes"]) == ("合格", 61.5, [])
    # portal B (seed 3) plants a stale home page: FR001, a 单项否决 item
    assert "FR001" in {v["code"] for v in runs.key_b["violations"]}
    for doc in (one[runs.url_b], two[runs.url_b]):
        assert doc["score"]["verdict"] == "不合格" and "FR001" in doc["score"]["vetoes"]
    # Run 2 is dated 2026-11-27: A's newest home item (2026-11-08) is before 2026-11-13
    # (14-day window), so FR001 fails: 不合格
    a2 = two[runs.url_a]
    assert a2["as_of"] == AS_OF_2.isoformat() == "2026-11-27"
    assert (a2["score"]["verdict"], a2["score"]["vetoes"]) == ("不合格", ["FR001"])
    assert [h["verdict"] for h in a2["history"]] == ["合格", "不合格"]
    assert [h["date"] for h in a2["history"]] == ["2026-11-20", "2026-11-27"]
    html = html_of(runs, 2, runs.url_a)
    assert '<div class="verdict-value">不合格</div>' in html and 'score-value vetoed">单项否决<' in html


def test_each_finding_and_status(runs):
    a2 = runs.docs(2)[runs.url_a]
    tm = {f["url"]: f for f in a2["findings"] if f["code"] == "TM001" and f["outcome"] == "fail"}
    assert set(tm) == set(runs.persisting_tm001) | set(runs.new_tm001)
    for url in runs.persisting_tm001:
        assert (tm[url]["change"], tm[url]["first_seen"], tm[url]["age_days"]) == ("persisting", "2026-11-20", 7)
    for url in runs.new_tm001:
        assert (tm[url]["change"], tm[url]["first_seen"], tm[url]["age_days"]) == ("new", "2026-11-27", 0)
    fixed = {(f["code"], f["url"]) for f in a2["fixed"]}
    assert {("TM001", u) for u in runs.fixed_tm001} | {("ID001", runs.url_a)} <= fixed
    fr001 = [f for f in a2["findings"] if f["code"] == "FR001"]
    assert [(f["outcome"], f["change"]) for f in fr001] == [("fail", "new")]

    # the report shows every listed finding once, in its section, with its status
    html = html_of(runs, 2, runs.url_a)
    found = cards(html)
    listed = a2["findings"] + a2["fixed"]
    assert len(found) == len(listed)
    by_key = {}
    for c in found:
        link = c.select_one("td.url a")
        by_key[(c["data-rule"], link["href"] if link else None, c["data-status"])] = c
    for f in listed:
        status = {"new": "新发现", "persisting": "持续存在", "fixed": "已整改"}[f["change"]]
        assert (f["code"], f["url"], status) in by_key, (f["code"], f["url"], status)
    for url in runs.persisting_tm001:
        text = by_key[("TM001", url, "持续存在")].get_text(" ")
        assert "首次发现于 2026-11-20（已存在 7 天）" in text
        assert "判定过程" in text and "超出时限" in text
    for url in runs.new_tm001:
        # 30 working days before publication, 20 allowed: 10 over
        assert "共 30 个工作日，超出时限 10 个工作日" in by_key[("TM001", url, "新发现")].get_text(" ")
    soup = BeautifulSoup(html, "lxml")
    fixed_section = soup.select_one("#sec-fixed")
    for url in runs.fixed_tm001:
        assert fixed_section.select_one(f'a[href="{url}"]') is not None
    veto = soup.select_one("#sec-veto").get_text(" ")
    assert "FR001" in veto and "2026-11-08" in veto and "2026-11-13" in veto
    # the 新发现 box: failures and reviews apart
    new_fail = sum(1 for f in a2["findings"] if f["outcome"] == "fail" and f["change"] == "new")
    new_review = sum(1 for f in a2["findings"] if f["outcome"] == "review" and f["change"] == "new")
    assert re.search(rf'tile-new"><span class="tile-num">{new_fail}<', html)
    assert re.search(rf'tile-new-review"><span class="tile-num">{new_review}<', html)


def test_snapshot_beside_live_url(runs):
    html = html_of(runs, 2, runs.url_a)
    tm = [c for c in cards(html) if c["data-rule"] == "TM001" and c["data-status"] == "持续存在"][0]
    snap = tm.select_one('a[href^="snapshots/"]')
    assert snap is not None and (runs.out2 / snap["href"]).is_file()
    assert re.search(r"抓取于 2026-\d\d-\d\d \d\d:\d\d:\d\d", tm.get_text(" "))
    assert tm.select_one("td.url a")["href"].startswith(runs.url_a)


def test_no_raw_identifier_in_real_reports(runs):
    for run in (1, 2):
        for url, doc in runs.docs(run).items():
            raw, data = set(), set()
            for f in doc["findings"] + doc["fixed"]:
                raw |= raw_identifiers(f["evidence"])
                data |= data_words(f["evidence"])
                raw.add(f["name"])
            raw |= {r["source_id"] for r in doc["rules"]}
            # a word of the page's own data (a host in an error, a content type) is not a leak
            leaked = (raw - data) & shown_words(html_of(runs, run, url))
            assert "tiaoli-26" in raw and "written_date" in raw     # the check has teeth
            assert not leaked, (run, url, sorted(leaked))


def test_fleet_index(runs):
    html = (runs.out2 / "index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    rows = soup.select("table.fleet-table tbody tr")
    assert [r["data-verdict"] for r in rows] == ["不合格", "不合格"]
    for r in rows:
        svg = r.select_one("svg.trend")
        assert svg is not None and len(svg.select("circle")) == 2      # two runs
        assert (runs.out2 / r.select_one("a")["href"]).is_file()
    summary = soup.select_one(".summary-text").get_text()
    assert summary.startswith("本次共检查政府网站 2 个，其中合格 0 个、不合格 2 个。")
    a2, b2 = runs.docs(2)[runs.url_a], runs.docs(2)[runs.url_b]
    fails = sum(1 for d in (a2, b2) for f in d["findings"] if f["outcome"] == "fail")
    assert f"共发现不符合项 {fails} 处" in summary
    assert "问题较多的是：" in summary
    # per-rule counts across sites: TM001 fails on both
    tm = [r for r in soup.select(".rule-counts tbody tr") if r.select_one("td.code").get_text() == "TM001"][0]
    cells = [td.get_text() for td in tm.select("td")]
    tm_fails = sum(1 for d in (a2, b2) for f in d["findings"] if f["code"] == "TM001" and f["outcome"] == "fail")
    assert cells[3] == "2" and cells[4] == str(tm_fails)


def _ledger(runs, fmt):
    written = io.StringIO()
    api.export(runs.db, what="ledger", format=fmt, stream=written)
    return written.getvalue()


def test_ledger_xlsx_csv_json(runs, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "台账.xlsx"
    api.export(runs.db, format="xlsx", output=path)
    wb = load_workbook(path)
    ws = wb["问题台账"]
    header = [c.value for c in ws[1]]
    assert header == ["序号", "单位/站点", "栏目", "问题类型", "问题描述", "页面地址", "发现时间", "状态", "整改时限", "依据"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:J")
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJ")
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    two = runs.docs(2)
    expected = sum(len([f for f in d["findings"] if f["outcome"] in ("fail", "review")]) + len(d["fixed"])
                   for d in two.values())
    assert len(rows) == expected and [r["序号"] for r in rows] == list(range(1, expected + 1))
    by_url = {}
    for i, r in enumerate(rows, 2):
        by_url.setdefault((r["页面地址"], r["问题类型"]), []).append((r, ws.cell(row=i, column=6)))
    title = {r["code"]: r["failure_title"] for r in two[runs.url_a]["rules"]}["TM001"]
    for urls, status, seen in ((runs.persisting_tm001, "持续存在", "2026-11-20"), (runs.new_tm001, "新发现", "2026-11-27"),
                               (runs.fixed_tm001, "已整改", "2026-11-20")):
        for url in urls:
            (row, cell), = by_url[(url, title)]
            assert (row["状态"], row["发现时间"]) == (status, seen)
            assert cell.hyperlink is not None and cell.hyperlink.target == url
            assert row["依据"].startswith("《中华人民共和国政府信息公开条例》")
            assert row["整改时限"] == ("—" if status == "已整改" else "2026-12-18")   # 11-27 + 15 working days
    # a review row says so in its type and is due for verification in 10 working days (11-27 -> 12-11)
    review = next(f for f in two[runs.url_a]["findings"] if f["outcome"] == "review")
    rtitle = {r["code"]: r["failure_title"] for r in two[runs.url_a]["rules"]}[review["code"]]
    rrow = next(r for r in rows if r["页面地址"] == review["url"] and r["问题类型"] == rtitle + "（待人工复核）")
    assert rrow["整改时限"] == "2026-12-11"
    summary = wb["站点汇总"]
    srows = list(summary.iter_rows(min_row=2, values_only=True))
    assert len(srows) == 2 and {r[2] for r in srows} == {"不合格"}

    # CSV and JSON carry the same rows
    data = json.loads(_ledger(runs, "json"))
    assert [(d["url"], d["status"], d["first_seen"]) for d in data] == [(r["页面地址"], r["状态"], r["发现时间"]) for r in rows]
    text = _ledger(runs, "csv")
    got = list(csv.reader(io.StringIO(text)))
    assert got[0] == header and len(got) == len(rows) + 1
    assert [g[5] for g in got[1:]] == [r["页面地址"] for r in rows]


def test_export_findings_unchanged(runs):
    """The existing findings export keeps its field names."""
    data = api.export(runs.db, what="findings").rows
    assert set(data[0]) == {"code", "name", "outcome", "severity", "site", "url", "column", "title", "message",
                            "evidence", "fingerprint", "change", "run_id"}


def test_export_xlsx_needs_a_file(runs):
    proc = run_cli("export", "--db", str(runs.db), "--format", "xlsx")
    assert proc.returncode == 2 and "-o FILE.xlsx" in proc.stderr and "Traceback" not in proc.stderr
