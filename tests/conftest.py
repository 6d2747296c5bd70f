"""Shared fixtures: testbed portals served over real HTTP, crawls of them through the command line
(a subprocess: one crawl per process), and what they stored read through ``govaudit.api``."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from crawler.items import DOC_FIELDS
from testbed.corpus import AS_OF, ExtraLink
from testbed.server import Testbed, make_style

ROOT = Path(__file__).resolve().parent.parent

# Hermetic tests (crawler/linkcheck/resolver.py): the connectivity probe is decided without
# resolving public names, and every name a crawl resolves (in this process or a `govaudit`
# subprocess, which inherits the environment) is logged; the session fails if one is public.
os.environ.setdefault("GOVAUDIT_OFFLINE", "1")
RESOLVE_LOG = Path(tempfile.gettempdir()) / f"govaudit-resolve-{os.getpid()}.log"
os.environ.setdefault("GOVAUDIT_RESOLVE_LOG", str(RESOLVE_LOG))


def public_names(log: Path) -> list[str]:
    """Names in a resolve log that are not loopback or reserved (RFC 6761)."""
    from crawler.linkcheck.resolver import is_local_name

    if not log.exists():
        return []
    return sorted({n for n in log.read_text("utf-8").split() if not is_local_name(n)})


def pytest_sessionfinish(session, exitstatus):
    log = Path(os.environ["GOVAUDIT_RESOLVE_LOG"])
    leaked = public_names(log)
    if log == RESOLVE_LOG:          # ours (not one the caller asked for): remove it
        log.unlink(missing_ok=True)
    if leaked:
        print(f"\nhermetic tests: a test crawl resolved public names: {leaked}", file=sys.stderr)
        session.exitstatus = 1


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``govaudit`` as a separate process (Scrapy's reactor runs once per process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "govaudit", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def metadata_wrong(key_docs: list[dict], stored: list[dict]) -> tuple[int, list[tuple]]:
    """Compare stored documents with the answer key's: the seven metadata fields and the column
    list of every key document. Returns (fields compared, wrong ones as (url, field, want, got,
    raw)); a document not stored counts all its fields wrong."""
    docs = {d["url"]: d for d in stored}
    total, wrong = 0, []
    for k in key_docs:
        got = docs.get(k["url"], {})
        for f in DOC_FIELDS:
            total += 1
            if got.get(f) != k[f]:
                wrong.append((k["url"], f, k[f], got.get(f), got.get(f + "_raw")))
        total += 1
        if sorted(got.get("columns") or []) != sorted(k["columns"]):
            wrong.append((k["url"], "columns", k["columns"], got.get("columns"), None))
    return total, wrong


class Crawled:
    """A testbed portal crawled once by ``govaudit check``: its db, reports and answer key.

    ``style``: a style name (built by ``make_style`` with ``traps``, ``seed`` and ``scale``) or a
    ready :class:`~testbed.server.Style`; ``args``: more ``check`` options."""

    def __init__(self, style, tmp: Path, *, traps=False, seed: int = 1, scale: float = 1.0,
                 args: tuple[str, ...] = ()):
        if isinstance(style, str):
            style = make_style(style, seed=seed, traps=traps, **({"scale": scale} if scale != 1.0 else {}))
        self.testbed = Testbed(style).start()
        self.key = self.testbed.answer_key()
        self.db = tmp / "audit.db"
        self.out = tmp / "out"
        self.proc = run_cli("check", self.testbed.url, "--db", str(self.db), "--out", str(self.out),
                            "--as-of", AS_OF.isoformat(), *args)
        assert self.proc.returncode == 0, self.proc.stderr[-3000:]
        self._documents: list[dict] | None = None

    def export(self, what: str) -> list[dict]:
        """The run's exported rows (``govaudit.api.export``, in this process)."""
        from govaudit import api

        return api.export(self.db, what=what).rows

    @property
    def documents(self) -> list[dict]:
        """The stored documents (exported once)."""
        if self._documents is None:
            self._documents = self.export("documents")
        return self._documents

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()


def plant_rendered_truth(corpus) -> tuple[list, list, list, list]:
    """Set on a corpus every kind of truth a style must render (seed 1 does not plant them all):
    the 建议提案办理 column emptied, three attachments missing / tiny / an HTML page, three 解读
    pairs linked one way or not at all, a validity period and a repeal, dead and soft-404 home
    links, no ICP number, no 制度 section, no fax in the guide.
    Returns (documents, those with attachments, (document, 解读) pairs, 规范性文件 with 文号)."""
    empty = corpus.column("jytabl")
    for key in empty.docs:
        del corpus.docs[key]
    empty.docs.clear()
    corpus.site.empty_columns.append("jytabl")
    docs = list(corpus.docs.values())
    with_att = [d for d in docs if d.attachments]
    for d, state in zip(with_att, ("missing", "tiny", "wrong_type")):
        d.attachments[0].state = state
    pairs = [(d, corpus.docs[d.interpretation]) for d in docs if d.interpretation]
    for (pol, _), mode in zip(pairs, ("doc_only", "interp_only", "none")):
        pol.interp_links = mode
    normative = [d for d in docs if d.kind == "normative" and d.doc_no]
    normative[0].valid_until = date(2027, 6, 30)
    normative[1].repealed_by = normative[2].key
    corpus.site.home_links = [ExtraLink("旧版网站", "dead"), ExtraLink("专题", "soft404")]
    corpus.site.footer["icp"] = None
    corpus.site.sections["rules"] = False
    corpus.site.guide["fax"] = None
    return docs, with_att, pairs, normative


def style_crawls(style: str):
    """A module-scoped ``crawled`` fixture: ``style`` crawled once without and once with every
    trap (``testbed.traps``). Use as ``crawled = style_crawls("trs")``."""

    @pytest.fixture(scope="module", params=[False, True], ids=["plain", "traps"])
    def crawled(request, tmp_path_factory):
        c = Crawled(style, tmp_path_factory.mktemp(f"{style}-{'traps' if request.param else 'plain'}"),
                    traps=request.param)
        yield c
        c.testbed.stop()

    return crawled


def assert_every_document_stored(crawled) -> dict[str, dict]:
    """Every answer-key document was stored; returns the stored documents by URL."""
    docs = {d["url"]: d for d in crawled.documents}
    key = crawled.key["documents"]
    missing = [k["url"] for k in key if k["url"] not in docs]
    assert not missing, f"{len(missing)} of {len(key)} documents not stored, e.g. {missing[:3]}"
    return docs


def assert_metadata_accuracy(crawled, label: str, least: float = 0.99) -> dict[str, dict]:
    """At least ``least`` of the key's metadata fields stored right (the figure is printed);
    returns the stored documents by URL."""
    total, wrong = metadata_wrong(crawled.key["documents"], crawled.documents)
    accuracy = 1 - len(wrong) / total
    print(f"\n{label} metadata accuracy: {accuracy:.4%} ({total - len(wrong)}/{total} fields, "
          f"{len(crawled.key['documents'])} documents), wrong: {wrong[:5]}")
    assert accuracy >= least, f"{len(wrong)} wrong fields, e.g. {wrong[:10]}"
    return {d["url"]: d for d in crawled.documents}


def assert_tm001_matches_truth(crawled) -> list[dict]:
    """TM001 fails exactly the planted late postings and sends those without a 成文日期 to
    review; returns the TM001 findings."""
    findings = [f for f in crawled.export("findings") if f["code"] == "TM001"]
    failed = {f["url"] for f in findings if f["outcome"] == "fail"}
    planted = {v["url"] for v in crawled.key["violations"] if v["code"] == "TM001"}
    assert planted and failed == planted
    review = {f["url"] for f in findings if f["outcome"] == "review"}
    no_written = {v["url"] for v in crawled.key["near_misses"] if v["code"] == "TM001" and "成文日期" in v["note"]}
    assert no_written <= review
    return findings


@pytest.fixture(scope="session")
def crawled_hanweb(tmp_path_factory) -> Crawled:
    c = Crawled("hanweb", tmp_path_factory.mktemp("hanweb"))
    yield c
    c.testbed.stop()
