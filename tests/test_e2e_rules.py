"""End to end over real HTTP, for every rule code: crawl each testbed style with `govaudit check`
and compare the findings with the planted truth (answer key): every planted case `fail`, nothing
else `fail` (precision and recall 100%), planted uncertain cases `review`.

Run with ``-s`` to see the confusion counts per style and code (tp/fp/fn/review)."""
from __future__ import annotations

import pytest

from store import Store
from testbed.corpus import AS_OF
from testbed.build import build_corpus
from testbed.plant_rules import SITE_CODES
from testbed.styles import STYLES, style_class
from rules.registry import all_rules
from rules.runner import load_artifacts, make_context, run_rules
from tests.conftest import Crawled

#: every code (the crawls check links too: LK001-LK003 are judged on the same runs)
CODES = [r.code for r in all_rules()]
#: one finding per site: compared by code, not by URL
SITE_LEVEL = {"AV001", "ID001", "DI001", "DI002", "FR001", "TM002"}
#: codes judged on probes over a week, planted by testbed outages (tests/test_e2e_availability.py):
#: after one crawl (one probe, far below 20 a day for 7 days) they must say review or
#: not_applicable, never pass or fail
NOT_ASSESSABLE = {"AV001"}


#: seed 1 at full size (the demo corpus), seeds 2-4 smaller: each seed plants another site-level
#: plan (testbed.plant_rules.SITE_PLANS), so every style carries several failing and
#: passing cases of each site-level code
SEEDS = ((1, 1.0), (2, 0.25), (3, 0.25), (4, 0.25))


@pytest.fixture(scope="module", params=[(name, seed, scale) for name in STYLES for seed, scale in SEEDS],
                ids=lambda p: f"{p[0]}-seed{p[1]}")
def crawled(request, tmp_path_factory):
    name, seed, scale = request.param
    try:
        style_class(name)
    except Exception as exc:  # a style still being written must not hide the others
        pytest.skip(f"style {name!r} does not import yet: {type(exc).__name__}: {exc}")
    if name == "hanweb" and seed == 1:      # shared with test_e2e_hanweb (one crawl per session)
        yield request.getfixturevalue("crawled_hanweb")
        return
    c = Crawled(name, tmp_path_factory.mktemp(f"{name}-{seed}"), seed=seed, scale=scale)
    c.seed = seed
    yield c
    c.testbed.stop()


def assessed(crawled) -> list[dict]:
    """Every finding (passes too) of the stored run, by re-running the rules on what
    `govaudit check` stored; the fail/review ones must equal what it exported."""
    if not hasattr(crawled, "all_findings"):
        store = Store(crawled.db)
        run = store.latest_run()
        site = store.sites(run["id"])[0]
        ctx = make_context(AS_OF, site=site)
        crawled.all_findings = [f.to_dict() for f in run_rules(load_artifacts(store, run["id"], site), ctx)]
        exported = sorted((f["fingerprint"], f["outcome"]) for f in crawled.export("findings"))
        again = sorted((f["fingerprint"], f["outcome"]) for f in crawled.all_findings
                       if f["outcome"] in ("fail", "review"))
        assert exported == again
    return crawled.all_findings


def confusion(crawled, code: str) -> dict:
    """Findings against the truth, by URL: a document or column for document-level codes; the
    site for site-level ones, or the organ's section page on a multi-organ hub (DI001, DI002,
    TM002 are judged per section there)."""
    findings = [f for f in assessed(crawled) if f["code"] == code]
    key = crawled.key
    planted = [v for v in key["violations"] if v["code"] == code]
    uncertain = [v for v in key["near_misses"] if v["code"] == code and "复核" in v["note"]]
    failed = {f["url"] for f in findings if f["outcome"] == "fail"}
    reviewed = {f["url"] for f in findings if f["outcome"] == "review"}
    planted_urls = {v["url"] for v in planted}
    uncertain_urls = {v["url"] for v in uncertain}
    return {
        "tp": len(failed & planted_urls), "fp": sorted(failed - planted_urls),
        "fn": sorted(planted_urls - failed), "review": len(reviewed),
        "uncertain_not_review": sorted(uncertain_urls - reviewed),
        "planted": len(planted_urls), "findings": len(findings),
    }


@pytest.mark.parametrize("code", CODES)
def test_rule_against_planted_truth(crawled, code):
    c = confusion(crawled, code)
    print(f"\n{crawled.testbed.style.name} seed {getattr(crawled, 'seed', 1)} {code}: tp={c['tp']} fp={len(c['fp'])} fn={len(c['fn'])} "
          f"review={c['review']} (planted {c['planted']}, findings {c['findings']})")
    assert not c["fp"], f"{code} failed where nothing was planted: {c['fp'][:5]}"
    assert not c["fn"], f"{code} missed planted cases: {c['fn'][:5]}"
    assert not c["uncertain_not_review"], f"{code} did not send uncertain cases to review: {c['uncertain_not_review']}"
    if code in NOT_ASSESSABLE:
        assert {f["outcome"] for f in assessed(crawled) if f["code"] == code} <= {"review", "not_applicable"}


def test_site_level_outcomes_follow_the_plan(crawled):
    """The site-level codes that fail are exactly the planted ones; the demo corpus (seed 1)
    fails some and passes others."""
    outcomes = {(f["code"], f["outcome"]) for f in assessed(crawled) if f["code"] in SITE_LEVEL - NOT_ASSESSABLE}
    planted = {v["code"] for v in crawled.key["violations"] if v["code"] in SITE_LEVEL}
    assert {c for c, o in outcomes if o == "fail"} == planted
    if getattr(crawled, "seed", 1) == 1:
        assert {"fail", "pass"} <= {o for _, o in outcomes}, outcomes


def test_site_level_plans_plant_several_cases_of_each_code():
    """Over the seeds crawled here, every site-level code is planted failing at least twice
    (each time another way) and passing at least twice (near misses)."""
    fails, passes = {}, {}
    for seed, scale in SEEDS:
        corpus = build_corpus(seed, scale=scale)
        for v in corpus.violations:
            if v.key == "site":
                fails.setdefault(v.code, set()).add(v.note)
        for v in corpus.near_misses:
            if v.key == "site" and "复核" not in v.note:
                passes.setdefault(v.code, set()).add((seed, v.note))
    for code in SITE_CODES:
        assert len(fails.get(code, ())) >= 2 and len(passes.get(code, ())) >= 2, (code, fails.get(code), passes.get(code))
