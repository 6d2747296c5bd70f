"""The per-site report and the fleet index in real headless Chromium (selenium): no console
error, a filter shows the right rows, paging works, axe-core finds no serious or critical
violation; screenshots are saved as test artifacts (tests/artifacts/ or $GOVAUDIT_TEST_ARTIFACTS)."""
from __future__ import annotations

import os
import re

import pytest

from reports.common import site_slug
from tests import browser as B

if B.missing() and os.environ.get("GOVAUDIT_REQUIRE_BROWSER"):      # .ci/run: never skip silently
    raise RuntimeError(f"browser tests cannot run: {B.missing()}")
pytestmark = pytest.mark.skipif(B.missing() is not None, reason=B.missing() or "")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.report_runs import shared

    return shared(tmp_path_factory)


@pytest.fixture(scope="module")
def chrome():
    b = B.Browser()
    yield b
    b.quit()


def visible_cards(chrome):
    from selenium.webdriver.common.by import By

    return [c for c in chrome.driver.find_elements(By.CSS_SELECTOR, "article.finding") if c.is_displayed()]


def select(chrome, css: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(chrome.driver.find_element(By.CSS_SELECTOR, css)).select_by_value(text)


def test_site_report_in_chromium(runs, chrome):
    from selenium.webdriver.common.by import By

    chrome.open(runs.out2 / f"{site_slug(runs.url_a)}.html")
    assert chrome.console_errors() == []
    doc = runs.docs(2)[runs.url_a]
    assert len(visible_cards(chrome)) == min(50, len([f for f in doc["findings"] if f["outcome"] == "fail" and f["severity"] == "veto"])) \
        + sum(min(50, n) for n in (
            len([f for f in doc["findings"] if f["outcome"] == "fail" and f["severity"] == "deduct"]),
            len([f for f in doc["findings"] if f["outcome"] == "fail" and f["severity"] == "advisory"]),
            len([f for f in doc["findings"] if f["outcome"] == "review"]),
            len(doc["fixed"])))
    chrome.screenshot("site-report.png")

    # filter: rule TM001, status 新发现 -> exactly the two late postings planted between the runs
    select(chrome, 'select[data-facet="rule"]', "TM001")
    select(chrome, 'select[data-facet="status"]', "新发现")
    shown = visible_cards(chrome)
    links = sorted(c.find_element(By.CSS_SELECTOR, "td.url a").get_attribute("href") for c in shown)
    assert links == sorted(runs.new_tm001)
    assert "共 2 项" in chrome.driver.find_element(By.ID, "filter-result").text
    # a section with nothing left shows no pager
    assert not chrome.driver.find_element(By.CSS_SELECTOR, "#sec-veto .pager").is_displayed()
    chrome.screenshot("site-report-filtered.png")
    # status 已整改 -> the three fixed late postings
    select(chrome, 'select[data-facet="status"]', "已整改")
    links = sorted(c.find_element(By.CSS_SELECTOR, "td.url a").get_attribute("href") for c in visible_cards(chrome))
    assert links == sorted(runs.fixed_tm001)
    assert chrome.console_errors() == []

    chrome.driver.find_element(By.CSS_SELECTOR, 'button[type="reset"]').click()
    violations = chrome.axe()
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]


def test_fleet_index_in_chromium(runs, chrome):
    from selenium.webdriver.common.by import By

    chrome.open(runs.out2 / "index.html")
    assert chrome.console_errors() == []
    rows = lambda: [r for r in chrome.driver.find_elements(By.CSS_SELECTOR, "table.fleet-table tbody tr") if r.is_displayed()]
    assert len(rows()) == 2
    chrome.screenshot("fleet-index.png")
    select(chrome, 'select[data-facet="verdict"]', "不合格")
    assert len(rows()) == 2
    assert chrome.driver.find_element(By.ID, "fleet-result").text == "显示 2 个站点，共 2 个。"
    violations = chrome.axe()
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
    assert chrome.console_errors() == []


def test_paging_and_filter_across_pages(tmp_path, chrome):
    """130 findings: 50 live, the rest paged from the inert template; a filter reaches them all."""
    from selenium.webdriver.common.by import By

    from reports.render import write_site_report
    from tests.test_report import RULES

    findings = [{"code": "TM001", "name": "late-posting", "outcome": "fail", "severity": "deduct",
                 "site": "http://127.0.0.1:9/", "url": f"http://127.0.0.1:9/a{i:03d}.html",
                 "column": "政策文件" if i % 3 else "通知公告", "title": f"文件{i}", "message": f"第 {i} 项",
                 "evidence": {}, "fingerprint": f"TM001:{i}", "change": "new" if i % 2 else "persisting",
                 "first_seen": "2026-11-20", "age_days": 0} for i in range(130)]
    doc = {"site": {"url": "http://127.0.0.1:9/", "name": "分页测试"}, "rules": RULES, "as_of": "2026-11-20",
           "score": {"verdict": "合格", "score": 90.0}, "run": {"id": 2, "previous_run_id": 1},
           "findings": findings, "fixed": []}
    chrome.open(write_site_report(doc, tmp_path))
    assert chrome.console_errors() == []
    assert len(visible_cards(chrome)) == 50
    pager = chrome.driver.find_element(By.CSS_SELECTOR, "#sec-deduct .pager")
    assert pager.find_element(By.CSS_SELECTOR, ".pager-info").text == "第 1–50 项，共 130 项"
    pager.find_element(By.CSS_SELECTOR, "[data-page=next]").click()
    assert pager.find_element(By.CSS_SELECTOR, ".pager-info").text == "第 51–100 项，共 130 项"
    # cards are ordered by rule, column, then page address: the 51st of that order comes first
    order = sorted(findings, key=lambda f: (f["column"], f["url"]))
    assert visible_cards(chrome)[0].find_element(By.CSS_SELECTOR, ".message").text == order[50]["message"]
    # 通知公告 is every third finding (i = 0, 3, …, 129): 44 of them, across all pages
    select(chrome, 'select[data-facet="column"]', "通知公告")
    assert not pager.is_displayed()             # one page left: no pager
    assert chrome.driver.find_element(By.CSS_SELECTOR, "#sec-deduct .shown-count").text == "44"
    assert {c.find_element(By.CSS_SELECTOR, ".message").text for c in visible_cards(chrome)} == {f"第 {i} 项" for i in range(0, 130, 3)}
    chrome.driver.find_element(By.CSS_SELECTOR, 'button[type="reset"]').click()
    assert len(visible_cards(chrome)) == 50

    # print: every card that matches the filters, controls hidden, folded notes open
    chrome.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    chrome.driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert len(visible_cards(chrome)) == 130
    assert not chrome.driver.find_element(By.CSS_SELECTOR, "section.filters").is_displayed()
    assert all(d.get_attribute("open") is not None for d in chrome.driver.find_elements(By.CSS_SELECTOR, "details"))
    chrome.driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    chrome.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert len(visible_cards(chrome)) == 50
    assert chrome.console_errors() == []


def test_cards_built_by_the_script_match_the_server_cards(tmp_path, chrome, monkeypatch):
    """A card the script builds from the page's JSON (page 2) reads exactly like the same card
    rendered on the server (a page size large enough to render every card)."""
    from selenium.webdriver.common.by import By

    import reports.site as site
    from reports.render import write_site_report
    from tests.test_report_labels import CASES, fixture_doc

    # every fixture's evidence, 60+ findings in one section: the later ones go through the script
    docs = [fixture_doc(p)[0] for p in CASES]
    findings = [dict(f, outcome="review", severity="deduct") for d in docs for f in d["findings"] + d["fixed"]] * 2
    findings = [dict(f, fingerprint=f"F:{i}", url=f"{f['url']}#{i}" if f.get("url") else None)
                for i, f in enumerate(findings)]
    assert len(findings) > 2 * site.PAGE_SIZE      # page 1 on the server, pages 2 and 3 by the script
    rules = {r["code"]: r for d in docs for r in d["rules"]}
    doc = {**docs[0], "rules": list(rules.values()), "findings": findings, "fixed": []}

    def card_texts(path, pages):
        chrome.open(path)
        assert chrome.console_errors() == []
        out = {}
        for _ in range(pages):
            for c in chrome.driver.find_elements(By.CSS_SELECTOR, "#sec-review article.finding"):
                out[c.get_attribute("data-i")] = (c.get_attribute("class"), c.get_attribute("innerHTML"))
            nxt = chrome.driver.find_elements(By.CSS_SELECTOR, "#sec-review [data-page=next]")
            if nxt and nxt[0].is_displayed() and nxt[0].is_enabled():
                nxt[0].click()
        return out

    paged = card_texts(write_site_report(doc, tmp_path / "paged"), 1 + len(findings) // site.PAGE_SIZE)
    monkeypatch.setattr(site, "PAGE_SIZE", 10_000)
    whole = card_texts(write_site_report(doc, tmp_path / "whole"), 1)
    assert len(paged) == len(whole) == len(findings)
    norm = lambda html: re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()
    for i, (cls, html) in whole.items():
        if int(i) >= 50:
            assert paged[i][0] == cls
            a, b = norm(paged[i][1]), norm(html)
            at = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            if a != b:
                print("JS:    ", a[max(0, at - 120):at + 160])
                print("SERVER:", b[max(0, at - 120):at + 160])
            assert a == b, i
