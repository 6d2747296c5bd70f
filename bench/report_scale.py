"""Per-site report at scale: file size, render time, DOM size and time to first paint.

    python bench/report_scale.py [--findings 10000] [--repeat 3] [--out bench/out/report-scale]

Builds a result document with N listed findings spread like a real audit (late postings with
their working-day evidence, dead links with the pages they sit on and their check attempts,
missing metadata, reviews, fixed ones; 40 columns), renders it with ``reports.site``, then opens
it in headless Chromium (Debian ``chromium`` + ``chromium-driver``, driven by selenium) from a
fresh profile each time and reads the browser's own Paint Timing (first-paint,
first-contentful-paint), DOMContentLoaded and load, and the number of live DOM elements.
Figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.render import write_site_report  # noqa: E402
from rules.registry import all_rules  # noqa: E402

SITE = "http://www.example.gov.cn/"


def findings(n: int, seed: int = 1) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    columns = [f"法定主动公开内容 › 栏目{i:02d}" for i in range(40)]
    listed, fixed = [], []
    for i in range(n):
        kind = rng.random()
        col = rng.choice(columns)
        url = f"{SITE}art/2026/{rng.randint(1, 11)}/{rng.randint(1, 28)}/art_{1200 + i % 40}_{i}.html"
        base = {"site": SITE, "url": url, "column": col.split(" › ")[-1], "column_path": col.split(" › "),
                "title": f"关于印发第{i}号工作方案的通知", "fingerprint": f"X:{i:08x}",
                "change": rng.choice(["new", "persisting", "persisting"]), "first_seen": "2026-10-20", "age_days": 31}
        if kind < 0.45:
            f = {**base, "code": "TM001", "name": "late-posting", "outcome": "fail", "severity": "deduct",
                 "message": "发布日期 2026-03-30 晚于成文日期 2026-02-02 后第 20 个工作日（2026-03-03），超期 19 个工作日。",
                 "evidence": {"written_date": "2026-02-02", "written_date_raw": "2026年2月2日", "written_date_source": "table",
                              "pub_date": "2026-03-30", "pub_date_raw": "2026-03-30", "pub_date_source": "meta",
                              "fetched_at": "2026-11-20T09:00:05+08:00", "body_sha": f"{i:040x}",
                              "deadline": "2026-03-03", "workdays_elapsed": 39, "limit_workdays": 20,
                              "limit_source": "tiaoli-26", "calendar": "chinese_calendar"}}
        elif kind < 0.7:
            f = {**base, "code": "LK001", "name": "broken-link", "outcome": "fail", "severity": "deduct",
                 "message": "页面上的链接“政务服务”不可用：HTTP 404。",
                 "evidence": {"classification": "dead", "classification_name": "死链", "reason": "HTTP 404", "status": 404,
                              "final_url": url, "hops": [], "error": None, "content_type": "text/html", "size": 48,
                              "checked_at": "2026-11-20T09:00:05+08:00", "origin": "fetch", "confirmed": "recheck",
                              "first_failure": {"class": "dead", "status": 404}, "attempts": [
                                  {"method": "HEAD", "status": 404, "error": None, "at": "2026-11-20T09:00:01+08:00", "source": "fetch"},
                                  {"method": "GET", "status": 404, "error": None, "at": "2026-11-20T09:00:05+08:00", "source": "fetch"}],
                              "internal": True, "kind": "page", "body_sha": None, "on_home_page": False, "home_page": [],
                              "other_pages": [{"page": f"{SITE}art/2026/3/2/art_1201_{i + k}.html", "text": "政务服务", "tag": "a"}
                                              for k in range(rng.randint(1, 4))], "pages": 2}}
        elif kind < 0.9:
            f = {**base, "code": "MD001", "name": "missing-metadata", "outcome": "fail", "severity": "deduct",
                 "message": "缺少索引号、发布机构。",
                 "evidence": {"index_no": None, "publisher": None, "written_date": "2026-03-02", "pub_date": "2026-03-04",
                              "missing": ["index_no", "publisher"], "unreadable": [], "source": "tiaoli-12",
                              "fetched_at": "2026-11-20T09:00:05+08:00", "body_sha": f"{i:040x}"}}
        else:
            f = {**base, "code": "TM001", "name": "late-posting", "outcome": "review", "severity": "deduct",
                 "message": "页面未标注成文日期，无法判断是否逾期。",
                 "evidence": {"written_date": None, "pub_date": "2026-10-30", "reason": "页面未标注成文日期"}}
        (fixed if rng.random() < 0.05 else listed).append(f)
    for f in fixed:
        f["change"] = "fixed"
    return listed, fixed


def document(n: int) -> dict:
    listed, fixed = findings(n)
    return {"schema": 1, "tool": {"name": "govaudit", "version": "bench", "ruleset": "2026.1"},
            "run": {"id": 2, "started_at": "2026-11-20T09:00:00+08:00", "previous_run_id": 1},
            "as_of": "2026-11-20", "site": {"url": SITE, "name": "示例市人民政府", "family": "hanweb"},
            "score": {"verdict": "不合格", "score": 40.0, "vetoes": [], "deductions": []},
            "counts": {"fail": sum(f["outcome"] == "fail" for f in listed), "review": sum(f["outcome"] == "review" for f in listed),
                       "pass": 0, "not_applicable": 0},
            "rules": [r.meta() for r in all_rules()], "findings": listed, "fixed": fixed}


def browser_figures(path: Path) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        driver.get(path.resolve().as_uri())
        deadline = time.time() + 60
        while time.time() < deadline:
            got = driver.execute_script(
                "const p = {}; performance.getEntriesByType('paint').forEach(e => p[e.name] = e.startTime);"
                "const n = performance.getEntriesByType('navigation')[0];"
                "return {fp: p['first-paint'], fcp: p['first-contentful-paint'],"
                " dcl: n ? n.domContentLoadedEventEnd : null, load: n ? n.loadEventEnd : null,"
                " live: document.getElementsByTagName('*').length};")
            if got["fcp"] is not None and got["load"]:
                got["filter_ms"] = driver.execute_script(
                    "const s = document.querySelector('select[data-facet=column]');"
                    "s.value = s.options[3].value; const t = performance.now();"
                    "s.dispatchEvent(new Event('change', {bubbles: true}));"
                    "return performance.now() - t;")
                got["shown"] = driver.find_element("id", "filter-result").text
                return got
            time.sleep(0.1)
        return got
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "report-scale"))
    args = ap.parse_args()
    doc = document(args.findings)
    out = Path(args.out)
    renders, path = [], None
    for _ in range(args.repeat):
        t = time.perf_counter()
        path = write_site_report(doc, out)
        renders.append(time.perf_counter() - t)
    size = path.stat().st_size
    print(f"findings: {len(doc['findings'])} listed + {len(doc['fixed'])} fixed = {len(doc['findings']) + len(doc['fixed'])}")
    print(f"report: {path} {size / 1e6:.2f} MB; render (incl. writing) median {statistics.median(renders):.2f} s {['%.2f' % r for r in renders]}")
    if shutil.which("chromium") and shutil.which("chromedriver"):
        runs = [browser_figures(path) for _ in range(args.repeat)]
        for key, label in (("fp", "first paint"), ("fcp", "first contentful paint"), ("dcl", "DOMContentLoaded"),
                           ("load", "load"), ("filter_ms", "filter by one column (all sections, all pages)")):
            vals = [r[key] for r in runs if r.get(key) is not None]
            if vals:
                print(f"{label}: median {statistics.median(vals):.0f} ms {[round(v) for v in vals]}")
        print(f"live DOM elements: {runs[-1]['live']}; after the filter: {runs[-1]['shown']}")
    else:
        print("chromium / chromedriver not found: browser figures skipped")


if __name__ == "__main__":
    main()
