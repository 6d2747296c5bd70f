"""recheck --open-only after the portal fixes two planted problems: exactly those findings turn
已整改, every other open finding 持续存在, and only what the open findings need is fetched
(counted on the server)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from tests.conftest import run_cli
from tests.test_incremental import export, sites_file


def test_recheck_open_only(tmp_path):
    style = make_style("hanweb", seed=1)
    with Testbed(style) as tb:
        key = tb.answer_key()
        sites = sites_file(tmp_path, [("hanweb", tb)])
        db, out = str(tmp_path / "audit.db"), tmp_path / "out"
        proc = run_cli("nightly", "--sites", sites, "--db", db, "--out", str(out), "--as-of", AS_OF.isoformat())
        assert proc.returncode == 0, proc.stderr[-3000:]
        full_requests = len(tb.requests)
        before = {f["fingerprint"]: f for f in export(tmp_path, "findings", 1)}
        assert before

        # the unit fixes two planted problems (answer key: MD001 缺少index_no on d00238, ID001 no 公安备案号)
        md = next(v for v in key["violations"] if v["code"] == "MD001" and v["key"] == "d00238")
        idv = next(v for v in key["violations"] if v["code"] == "ID001")
        assert "index_no" in md["note"] and "公安备案号" in idv["note"]
        style.corpus.docs["d00238"].index_no = "11371100MB28500238/2026-00238"
        style.corpus.site.footer["police"] = "鲁公网安备 37110002000123号"
        fixed_want = {(f["code"], f["url"]) for f in before.values()
                      if (f["code"], f["url"]) in {("MD001", md["url"]), ("ID001", idv["url"])} and f["outcome"] == "fail"}
        assert len(fixed_want) == 2

        tb.requests.clear()
        proc = run_cli("recheck", tb.url, "--open-only", "--db", db, "--out", str(out), "--as-of", AS_OF.isoformat())
        assert proc.returncode == 0, proc.stderr[-3000:]
        doc = json.loads((out / "127.0.0.1_{}.json".format(urlsplit(tb.url).port)).read_text("utf-8"))
        assert doc["run"]["command"] == "recheck-open"
        fixed = {(f["code"], f["url"]) for f in doc["fixed"]}
        assert fixed == fixed_want
        after = {f["fingerprint"]: f for f in export(tmp_path, "findings", 2)}
        for fp, f in before.items():
            if (f["code"], f["url"]) in fixed_want:
                assert fp not in after
            else:
                assert after[fp]["change"] == "persisting", f
        # links: only the open findings' targets are checked again (a link the fix itself added,
        # the 公安备案 footer link, waits for the next full run)
        assert not [f for f in after.values() if f["change"] == "new"]

        # fetched: the home page, robots.txt, the pages open findings point at, their pager,
        # and the targets of open link findings; nothing else
        wanted = {"/", "/robots.txt"} | {urlsplit(f["url"]).path for f in before.values() if f["url"]}
        asked = {p for _, p in tb.requests}
        column_paths = {urlsplit(c["url"]).path for c in key["columns"]}
        # (and the link checker's one soft-404 probe of a page that cannot exist)
        extra = {p for p in asked - wanted if not p.endswith("-no-such-page.html")}
        assert all(p.startswith(tuple(cp.rsplit("/", 1)[0] for cp in column_paths)) or p.endswith(".jsp")
                   for p in extra), extra                                      # a targeted column's pager
        doc_paths = {urlsplit(d["url"]).path for d in key["documents"]}
        assert (asked & doc_paths) <= wanted
        assert len(tb.requests) < 0.2 * full_requests
        print(f"recheck: {len(tb.requests)} requests (first nightly: {full_requests})")


def test_recheck_after_a_run_without_links_checks_them_all(tmp_path):
    """A ``--no-links`` run leaves LK001/LK002 as one review each, about the site's links as a
    whole ("本次运行未检查链接"). ``recheck --open-only`` must check every link target for them,
    and must not call them 已整改: nothing on the portal changed. Expected broken links: the
    testbed's answer key (planted). Before: the review's URL (the site's) was taken for a link
    target, the home page alone was checked, and its pass had the review's fingerprint, so the
    review came out 已整改 while the planted broken links stayed unchecked."""
    style = make_style("hanweb", seed=1)
    with Testbed(style) as tb:
        key = tb.answer_key()
        sites = sites_file(tmp_path, [("hanweb", tb)])
        db, out = str(tmp_path / "audit.db"), tmp_path / "out"
        proc = run_cli("nightly", "--sites", sites, "--db", db, "--out", str(out), "--as-of", AS_OF.isoformat(),
                       "--no-links")
        assert proc.returncode == 0, proc.stderr[-3000:]
        before = export(tmp_path, "findings", 1)
        unchecked = [f for f in before if f["code"] in ("LK001", "LK002")]
        assert [(f["code"], f["outcome"]) for f in sorted(unchecked, key=lambda f: f["code"])] == \
            [("LK001", "review"), ("LK002", "review")], unchecked

        proc = run_cli("recheck", tb.url, "--open-only", "--db", db, "--out", str(out), "--as-of", AS_OF.isoformat())
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "checking every link target" in proc.stderr
        doc = json.loads((out / "127.0.0.1_{}.json".format(urlsplit(tb.url).port)).read_text("utf-8"))
        assert not [f for f in doc["fixed"] if f["code"] in ("LK001", "LK002")], doc["fixed"]
        after = export(tmp_path, "findings", 2)
        failing = {(f["code"], f["url"]) for f in after if f["outcome"] == "fail"}
        planted = {(v["code"], v["url"]) for v in key["violations"] if v["code"] in ("LK001", "LK002")}
        # every planted broken link and attachment judged now (the .invalid host: review, offline)
        judged = {(f["code"], f["url"]) for f in after if f["code"] in ("LK001", "LK002") and f["url"] != tb.url}
        assert planted <= judged, planted - judged
        assert {p for p in planted if ".invalid" not in p[1]} <= failing
