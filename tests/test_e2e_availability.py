"""AV001 end to end over real HTTP, on every testbed style: the testbed plants home-page outages
(``Testbed(outage=N)``: every N-th request for ``/`` answers 503), real probes (``probe_once``,
what ``govaudit probe`` runs) are stored with the times of a simulated week of monitoring
(20 a day for 7 days; the clock is the one thing injected), and AV001 must fail exactly the
planted failures, pass the near misses and send a short monitoring series with failures to
review."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from crawler.probe import probe_once
from store import CST, Store
from testbed.corpus import AS_OF
from testbed.server import AV001_PROBES, Testbed, make_style
from testbed.styles import STYLES
from rules.base import Outcome, SiteArtifacts
from rules.registry import get
from rules.runner import make_context

#: outage plans: every N-th home request fails. Over a week (140 probes): 14 -> 10 failures
#: (7.1%), 20 -> 7 (exactly 5%, the veto line), 21 -> 6 (4.3%, a near miss), None -> 0.
PLANS = (14, 20, 21, None)


def probe_series(tb: Testbed, db, days: int, per_day: int = 20) -> None:
    """Probe the home page ``days * per_day`` times over HTTP, stored as if spread over the
    ``days`` days up to AS_OF (two probes an hour from 08:00)."""
    store = Store(db)
    for n in range(days):
        day = AS_OF - timedelta(days=days - 1 - n)
        for i in range(per_day):
            at = datetime.combine(day, time(8 + i // 2, 30 * (i % 2)), CST).isoformat(timespec="seconds")
            store.add_probe(tb.url, tb.url, probed_at=at, **probe_once(tb.url, timeout=15))
    store.close()


def av001(db, site: str):
    artifacts = SiteArtifacts(site, None, None, [], [], [], [], [])
    artifacts.probes = Store(db).probes(site)
    [finding] = get("AV001")().check(artifacts, make_context(AS_OF))
    return finding


@pytest.mark.parametrize("style", list(STYLES))
def test_planted_outages_are_judged_over_a_week(style, tmp_path):
    confusion = {"tp": 0, "fp": 0, "fn": 0, "pass": 0}
    for outage in PLANS:
        with Testbed(make_style(style, scale=0.25), outage=outage) as tb:
            key = tb.answer_key()
            db = tmp_path / f"{outage}.db"
            probe_series(tb, db, days=7)
        planted = [v for v in key["violations"] if v["code"] == "AV001"]
        f = av001(db, tb.url)
        assert f.evidence["probes"] == AV001_PROBES
        assert f.evidence["failed"] == (AV001_PROBES // outage if outage else 0)
        if planted:
            confusion["tp" if f.outcome == Outcome.FAIL else "fn"] += 1
            assert f.outcome == Outcome.FAIL, (outage, f.message)
            assert all(x["status"] == 503 for x in f.evidence["failures"])
        else:
            confusion["fp" if f.outcome == Outcome.FAIL else "pass"] += 1
            assert f.outcome == Outcome.PASS, (outage, f.message)
    print(f"\n{style} AV001: tp={confusion['tp']} fp={confusion['fp']} fn={confusion['fn']} "
          f"pass={confusion['pass']} (plans {PLANS})")


@pytest.mark.parametrize("style", list(STYLES))
def test_short_series_with_a_failure_is_review(style, tmp_path):
    """Three days of probes, 2 of 60 failed: below 5% of the week's 140 but too few to clear."""
    with Testbed(make_style(style, scale=0.25), outage=21) as tb:
        probe_series(tb, tmp_path / "p.db", days=3)
    f = av001(tmp_path / "p.db", tb.url)
    assert f.outcome == Outcome.REVIEW and f.evidence["failed"] == 2 and "监测不足" in f.message


def test_the_crawl_is_not_the_outage():
    """The outage counts home requests: the first one (a crawl's home fetch) is always served."""
    with Testbed(make_style("hanweb", scale=0.25), outage=2) as tb:
        first, second = probe_once(tb.url, 15), probe_once(tb.url, 15)
    assert first["ok"] and not second["ok"] and second["status"] == 503
