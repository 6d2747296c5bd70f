"""Page objects on real pages: the shared set (read from ``shared/real-pages`` where it lies) and
the pages collected under ``tests/fixtures/real``. Expected values were read from each page by
a person (see each case's ``meta.json`` / the shared ``NN.json``), never recorded from the code.

Every case runs through the profile of the family the page belongs to and through the profile
the registry detects from the page itself (the reader a crawl without a site profile would use).
"""
from __future__ import annotations

import json
import os

import pytest

from crawler.discovery import nav_links, section_candidates, usable_name
from crawler.items import DOC_FIELDS
from crawler.profiles.registry import by_family, detect
from tests.real_pages import FIXTURES, fixture_cases, shared_cases, shared_dir

#: real pages the readers still read differently from the person who read them, each with the
#: reason it is left so; strict: the test fails the day a reader starts to agree (then drop it here)
KNOWN_DISAGREEMENTS = {
    "generic/ln_liaoyang_news": (
        "the visible 信息来源 (辽阳日报) differs from <meta name=ContentSource> (辽阳网站, the site's default); "
        "the readers keep the meta tag over a 来源 line by design (test_reader_fixes."
        "test_content_source_kept_without_a_publisher_row): letting 来源 outrank it misread 图文来源 lines "
        "and run-on 来源 cells on other real pages (xa_huyi_news, cz_xinbei_news)"),
    "jsonfirst/govcn_gongbao_2007_23": (
        "the page has no heading element: its title is the bold first paragraph of the text, split by <br>; the "
        "readers fall back to the <title>, which carries a stray ideographic space (2007　年末). Taking a bold "
        "first paragraph for the title is not a rule the other pages support"),
}

SHARED = shared_dir()
MISSING = ("shared/real-pages not found: set GOVAUDIT_REAL_PAGES or keep shared/ beside the repository "
           "(CI clones the repository next to it)")
SHARED_CASES = shared_cases(SHARED) if SHARED and SHARED.is_dir() else []
FIXTURE_CASES = fixture_cases()
#: pages read by the profiles (rows, documents) and pages read by discovery (ways into the
#: section, sub-column links)
READ_CASES = [c for c in SHARED_CASES + FIXTURE_CASES if c.kind in ("list", "document")]
NAV_CASES = [c for c in FIXTURE_CASES if c.kind in ("home", "section")]


def test_shared_real_pages_are_found():
    if not SHARED_CASES:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    assert len(SHARED_CASES) == 18
    assert {c.kind for c in SHARED_CASES} == {"list", "document"}


@pytest.mark.parametrize("meta_path", sorted(FIXTURES.glob("*/*/meta.json")), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_collected_page_names_its_source(meta_path):
    """Every collected page says where it was found (repository, path, commit, original URL) and
    what was cut from it."""
    meta = json.loads(meta_path.read_text("utf-8"))
    assert meta["kind"] in ("list", "document", "home", "section") and meta["family"] and meta["url"].startswith("http")
    source = meta["source"]
    assert source["repo"].count("/") == 1 and source["path"] and len(source["commit"]) == 40 and source["url"]
    assert "cut" in meta and list(meta_path.parent.glob("input.*"))


def _read(profile, case):
    if case.kind == "list":
        listing = profile.listing(case.url, case.text)
        got = {"rows": [{"url": e.url, "title": e.title, "date": e.date.value} for e in listing.entries]}
        if "total" in case.expected:
            got["total"] = listing.total
        if "pages" in case.expected:
            pages = {s.url for s in listing.more if s.method == "GET" and s.kind == "listing"} - {case.url}
            got["pages"] = 1 + len(pages)
        return got
    doc = profile.document(case.url, case.text)
    return {field: getattr(doc, field).value for field in DOC_FIELDS}


def _marked(case):
    reason = KNOWN_DISAGREEMENTS.get(case.name)
    return pytest.param(case, id=case.name, marks=pytest.mark.xfail(reason=reason, strict=True) if reason else ())


def test_known_disagreements_name_collected_pages():
    assert set(KNOWN_DISAGREEMENTS) <= {c.name for c in FIXTURE_CASES}


@pytest.mark.parametrize("how", ["family", "detected"])
@pytest.mark.parametrize("case", [_marked(c) for c in READ_CASES])
def test_real_page(case, how):
    profile = by_family(case.family) if how == "family" else detect(case.url, case.text)
    assert _read(profile, case) == case.expected, f"{case.name} read by {type(profile).__name__}"


@pytest.mark.parametrize("case", NAV_CASES, ids=lambda c: c.name)
def test_real_navigation(case):
    """A home page: discovery's best way into the 政府信息公开 section is the link a person finds
    on the page (``name`` in expected.json records the text it was read by). A section page: every sub-column link a person reads on it is a navigation link
    of discovery, under the name the page gives it, and that name can name a column."""
    if case.kind == "home":
        found = section_candidates(case.url, case.text)
        assert found, f"{case.name}: no way into the section found"
        assert found[0].url == case.expected["section"]["url"]
    else:
        links = {link.url: link.name for link in nav_links(case.url, case.text)}
        got = [{"url": c["url"], "name": links.get(c["url"])} for c in case.expected["columns"]]
        assert got == case.expected["columns"]
        assert [c["name"] for c in case.expected["columns"] if not usable_name(c["name"])] == []


def test_every_collected_page_is_listed_in_the_docs():
    """docs/real-pages.md names every case and the repository its page came from."""
    doc = (FIXTURES.parent.parent.parent / "docs" / "real-pages.md").read_text("utf-8")
    missing = []
    for meta_path in sorted(FIXTURES.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        line = next((x for x in doc.splitlines() if f"`{meta_path.parent.name}`" in x), "")
        if meta["source"]["repo"] not in line or meta["source"]["commit"][:7] not in line:
            missing.append(meta_path.parent.name)
    assert missing == []
