"""Record the HanwebProfile page-object fixtures from the served Hanweb style.

    python tests/record_fixtures.py

Pages are rendered by ``HanwebStyle(build_corpus(1))`` bound to a fixed base URL (no
network), run through the profile, and the result is checked against the corpus truth
before ``input.html`` / ``meta.json`` / ``expected.json`` are written under
``tests/fixtures/pages/HanwebProfile/<case>/``. ``tests/test_profiles.py`` then compares the
profile's output with these committed files. Hand-written cases (GenericProfile) are not
touched.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.items import RequestSpec  # noqa: E402
from crawler.profiles.hanweb import HanwebProfile  # noqa: E402
from testbed.corpus import Corpus  # noqa: E402
from testbed.build import build_corpus  # noqa: E402
from testbed.server import Request  # noqa: E402
from testbed.styles.hanweb import HanwebStyle  # noqa: E402

BASE = "http://127.0.0.1:8001/"
OUT = ROOT / "tests" / "fixtures" / "pages"
FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")


def to_json(obj):
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, list):
        return [to_json(x) for x in obj]
    return obj


def fetch(style: HanwebStyle, url: str, method: str = "GET", body: str | None = None,
          headers: dict | None = None) -> str:
    split = urlsplit(url)
    req = Request(method, split.path, {k: v[-1] for k, v in parse_qs(split.query).items()},
                  {k.lower(): v for k, v in (headers or {}).items()}, (body or "").encode())
    resp = style.handle(req)
    assert resp is not None and resp.status == 200, url
    return resp.data().decode("utf-8")


def write_fixture(profile: str, case: str, url: str, method: str, html: str, result,
                  spec: RequestSpec | None = None) -> None:
    """Write one page-object fixture: ``tests/fixtures/pages/<profile>/<case>/`` with the page
    (``input.html``), what to call (``meta.json``) and the typed result (``expected.json``).
    Shared by the recorders of every family (this script and the testbed test modules)."""
    folder = OUT / profile / case
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"url": url, "method": method}
    if spec:
        meta["spec"] = dataclasses.asdict(spec)
    (folder / "input.html").write_text(html, "utf-8")
    for name, data in (("meta.json", meta), ("expected.json", to_json(result))):
        (folder / name).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print("wrote", folder.relative_to(ROOT))


def write(case: str, url: str, method: str, html: str, result, spec: RequestSpec | None = None) -> None:
    write_fixture("HanwebProfile", case, url, method, html, result, spec)


def check_rows(corpus: Corpus, key: str, entries, first: int) -> None:
    truth = corpus.docs_in(key)[first - 1:first - 1 + len(entries)]
    assert [(e.url, e.date.value, e.position) for e in entries] == [
        (d.url, d.pub_date.isoformat(), first + i) for i, d in enumerate(truth)], key


def check_document(doc, truth) -> None:
    for f in FIELDS:
        want = getattr(truth, f)
        want = want.isoformat() if hasattr(want, "isoformat") else want
        assert getattr(doc, f).value == want, (truth.key, f, getattr(doc, f), want)
    assert [a.url for a in doc.attachments] == [a.url for a in truth.attachments]


def main() -> None:
    corpus = build_corpus(1)
    style = HanwebStyle(corpus)
    style.bind(BASE)
    profile = HanwebProfile()

    html = fetch(style, BASE)
    section = profile.section_url(BASE, html)
    assert section == BASE + "col/col1000/index.html"
    write("home", BASE, "section_url", html, section)

    html = fetch(style, section)
    columns = profile.section_columns(section, html)
    assert [c.url for c in columns if c.role == "column"] == [c.url for c in corpus.columns]
    parts = corpus.site.sections          # the seed's plan may leave a part out (DI001)
    assert {c.role for c in columns} == {"column"} | {r for r in ("guide", "rules", "annual_report") if parts[r]}
    write("section", section, "section_columns", html, columns)

    for key, case in (("zcwj", "column_b_more"), ("gfxwj", "column_split_time"),
                      ("zcjd", "column_table_more"), ("czyjs", "column_no_title_attr")):
        col = corpus.column(key)
        html = fetch(style, col.url)
        listing = profile.listing(col.url, html)
        check_rows(corpus, key, listing.entries, 1)
        assert listing.total == len(col.docs) and len(listing.entries) == min(45, len(col.docs))
        write(case, col.url, "listing", html, listing)
        for spec in listing.more:
            reply = fetch(style, spec.url, spec.method, spec.body, spec.headers)
            more = profile.parse_more(spec, spec.url, reply)
            check_rows(corpus, key, more.entries, spec.state["startrecord"])
            assert more.uncertain is None
            write(f"dataproxy_{key}", spec.url, "parse_more", reply, more, spec)

    docs = list(corpus.docs.values())
    normal = next(d for d in docs if d.attachments and d.interpretation and d.kind == "normative")
    blank = next(d for d in docs if d.missing_shown.get("written_date") == "blank")
    wu = next(d for d in docs if d.missing_shown.get("doc_no") == "无")
    interp = corpus.docs[normal.interpretation]
    for case, truth in (("article_normal", normal), ("article_written_blank", blank),
                        ("article_doc_no_wu", wu), ("article_interpretation", interp)):
        html = fetch(style, truth.url)
        doc = profile.document(truth.url, html)
        check_document(doc, truth)
        assert doc.uncertain is None
        write(case, truth.url, "document", html, doc)


if __name__ == "__main__":
    main()
