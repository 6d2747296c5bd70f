"""Two real stored runs of two testbed portals, with problems fixed and added between them,
shared by the report, browser and ledger tests.

Run 1 (as of ``AS_OF``): 明湖市 (hanweb, seed 1) and a second portal (hanweb, seed 3) as planted.
Between the runs, on portal A's truth: three late postings (TM001) get an on-time 成文日期
(fixed), two on-time documents get a 成文日期 30 working days before publication (new), the
public-security filing number goes back into the footer (ID001 fixed). Run 2 is a week later
(``AS_OF + 7``): portal A's newest home-page item (2026-11-08) is then older than the 14-day
window starting 2026-11-13, so FR001 (a 单项否决 item) fails and the site is 不合格.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rules.workdays import WorkCalendar
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from tests.conftest import run_cli

AS_OF_2 = AS_OF + timedelta(days=7)


@dataclass
class TwoRuns:
    db: Path
    out1: Path
    out2: Path
    url_a: str
    url_b: str
    key_a: dict                      # answer key of portal A before the changes
    key_b: dict
    fixed_tm001: list[str] = field(default_factory=list)
    new_tm001: list[str] = field(default_factory=list)
    persisting_tm001: list[str] = field(default_factory=list)

    def docs(self, run: int) -> dict[str, dict]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("select site, doc from results where run_id = ?", [run]).fetchall()
        return {site: json.loads(doc) for site, doc in rows}


_BUILT: TwoRuns | None = None


def shared(tmp_path_factory) -> TwoRuns:
    """The two runs, built once per test session (the report, browser and ledger tests read
    them; nothing writes to them)."""
    global _BUILT
    if _BUILT is None:
        _BUILT = build(tmp_path_factory.mktemp("two-runs"))
    return _BUILT


def build(tmp: Path) -> TwoRuns:
    style_a, style_b = make_style("hanweb", seed=1), make_style("hanweb", seed=3)
    with Testbed(style_a) as tb_a, Testbed(style_b) as tb_b:
        return _crawl_twice(tmp, style_a, tb_a, tb_b)


def _crawl_twice(tmp: Path, style_a, tb_a: Testbed, tb_b: Testbed) -> TwoRuns:
    runs = TwoRuns(tmp / "audit.db", tmp / "run1", tmp / "run2", tb_a.url, tb_b.url,
                   tb_a.answer_key(), tb_b.answer_key())
    check = lambda out, as_of: run_cli("check", tb_a.url, tb_b.url, "--db", str(runs.db), "--out", str(out),
                                       "--as-of", as_of.isoformat())
    proc = check(runs.out1, AS_OF)
    assert proc.returncode == 0, proc.stderr[-3000:]

    corpus, cal = style_a.corpus, WorkCalendar()
    late = [v for v in runs.key_a["violations"] if v["code"] == "TM001"]
    by_url = {d.url: d for d in corpus.docs.values()}
    for v in late[:3]:                                   # fixed: written the day it was published
        by_url[v["url"]].written_date = by_url[v["url"]].pub_date
        runs.fixed_tm001.append(v["url"])
    runs.persisting_tm001 = [v["url"] for v in late[3:]]
    on_time = [m for m in runs.key_a["near_misses"] if m["code"] == "TM001" and "第20个工作日" in m["note"]]
    for m in on_time[:2]:                                # new: 30 working days late
        d = by_url[m["url"]]
        day, n = d.pub_date, 0
        while n < 30:
            day -= timedelta(days=1)
            n += cal.is_workday(day)
        d.written_date = day
        runs.new_tm001.append(m["url"])
    corpus.site.footer["police"] = "鲁公网安备 37110002000123号"      # ID001 fixed
    proc = check(runs.out2, AS_OF_2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return runs
