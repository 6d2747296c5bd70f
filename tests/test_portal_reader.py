"""The portal crawl's page-reading process (crawler.reader, crawler.profiles.reading): one per
crawling process, shared by its spiders; a crawl with it, without it (``PARSE_WORKERS = 0``) and
with one that dies mid-crawl stores every document of the portal's answer key with its
metadata; a crawler killed with SIGKILL leaves no reading process behind.

Expected values come from the testbed's answer key (``Testbed.answer_key``: the documents the
generated portal serves, with their metadata), not from running the code.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time

from crawler.reader import PageReader, ReaderGone, acquire_reader, release_reader
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from tests.conftest import ROOT, metadata_wrong

SERVE = "from crawler.readerproc import serve"


def _govaudit(code: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """``govaudit ARGS`` in a subprocess after ``code`` (settings or patches set up first)."""
    script = f"import sys\n{code}\nfrom govaudit.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


def _documents(db, run_id: int | None = None) -> list[dict]:
    from govaudit import api

    return api.export(db, what="documents", run_id=run_id).rows


def _assert_every_document_read(key: dict, docs: list[dict]) -> None:
    """Every document of the answer key stored, its metadata read (the e2e tests' bar: 99% of
    the fields right; a page read by no one has all its fields wrong)."""
    total, wrong = metadata_wrong(key["documents"], docs)
    missing = {k["url"] for k in key["documents"]} - {d["url"] for d in docs}
    assert not missing, f"{len(missing)} documents not stored, e.g. {sorted(missing)[:3]}"
    assert len(wrong) <= 0.01 * total, f"{len(wrong)} of {total} fields wrong, e.g. {wrong[:5]}"


def test_one_reader_is_shared_and_ends_with_its_last_user():
    async def main():
        first = await acquire_reader()
        second = await acquire_reader()
        assert second is first                                  # one process for both
        release_reader(first)
        assert first.proc.returncode is None and first.gone is None   # the second still uses it
        assert await second.call(len, "页面") == 2
        release_reader(second)                                  # the last one: it ends
        assert await asyncio.wait_for(first.proc.wait(), 60) == 0
        third = await acquire_reader()                          # the next user starts a new one
        assert third is not first
        # a broken reader is forgotten at once, even while another spider holds it
        other = await acquire_reader()
        third.proc.kill()
        await third.proc.wait()
        try:
            await third.call(len, "x")
            raise AssertionError("a dead reader answered")
        except ReaderGone:
            pass
        release_reader(third, broken=True)
        fourth = await acquire_reader()
        assert fourth is not third and await fourth.call(len, "abc") == 3
        release_reader(other)                                   # already forgotten: nothing else ends
        assert fourth.proc.returncode is None
        release_reader(fourth)
        await asyncio.wait_for(fourth.proc.wait(), 60)

    asyncio.run(main())


def test_reader_started_once_for_two_concurrent_acquirers():
    async def main():
        readers = await asyncio.gather(acquire_reader(), acquire_reader(), acquire_reader())
        assert len({id(r) for r in readers}) == 1
        for r in readers:
            release_reader(r)
        await asyncio.wait_for(readers[0].proc.wait(), 60)

    asyncio.run(main())


def test_crawl_with_and_without_the_reader_reads_every_document(tmp_path):
    with Testbed(make_style("hanweb")) as tb:
        key = tb.answer_key()
        for workers in (1, 0):
            db = tmp_path / f"w{workers}.db"
            proc = _govaudit(f"import crawler.settings as s; s.PARSE_WORKERS = {workers}",
                             "check", tb.url, "--db", str(db), "--out", str(tmp_path / f"out{workers}"),
                             "--as-of", AS_OF.isoformat(), "--no-links")
            assert proc.returncode == 0, proc.stderr[-3000:]
            assert "pages are read in the crawler's process" not in proc.stderr
            _assert_every_document_read(key, _documents(db))


# counts the reading processes started in the crawler's process and, with KILL_AT, kills the
# reading process (SIGKILL) just before the KILL_AT-th page is handed to it
PATCH = """
import os, signal, atexit
import crawler.reader as r
starts, calls = [0], [0]
KILL_AT = %d
_start, _call = r.PageReader.start.__func__, r.PageReader.call
async def start(cls):
    starts[0] += 1
    return await _start(cls)
async def call(self, func, *args):
    calls[0] += 1
    if calls[0] == KILL_AT:
        os.kill(self.proc.pid, signal.SIGKILL)
    return await _call(self, func, *args)
r.PageReader.start, r.PageReader.call = classmethod(start), call
atexit.register(lambda: sys.stderr.write(f"\\nreaders started: {starts[0]}, pages handed over: {calls[0]}\\n"))
"""


def _counts(stderr: str) -> tuple[int, int]:
    line = next(x for x in stderr.splitlines() if x.startswith("readers started: "))
    starts, calls = line.removeprefix("readers started: ").split(", pages handed over: ")
    return int(starts), int(calls)


def test_a_reader_that_dies_mid_crawl_leaves_the_pages_to_the_crawler(tmp_path):
    with Testbed(make_style("trs")) as tb:
        key = tb.answer_key()
        db = tmp_path / "k.db"
        proc = _govaudit(PATCH % 15, "check", tb.url, "--db", str(db), "--out", str(tmp_path / "out"),
                         "--as-of", AS_OF.isoformat(), "--no-links")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pages are read in the crawler's process" in proc.stderr
    starts, calls = _counts(proc.stderr)
    # one reader; it died at the 15th page, the others were read in the crawler's process
    assert starts == 1 and 15 <= calls < len(key["documents"])
    _assert_every_document_read(key, _documents(db))


def test_nightly_spiders_share_one_reader(tmp_path):
    tbs = [Testbed(make_style(style, seed=2)).start() for style in ("hanweb", "gongkai")]
    try:
        sites = tmp_path / "sites.toml"
        sites.write_text("".join(f'[[site]]\nid = "s{i}"\nname = "门户{i}"\nurl = "{tb.url}"\n'
                                 f'region = "测试省"\nlevel = "市"\n\n' for i, tb in enumerate(tbs)), "utf-8")
        db = tmp_path / "n.db"
        proc = _govaudit(PATCH % 0, "nightly", "--sites", str(sites), "--db", str(db), "--out",
                         str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--no-links")
        assert proc.returncode == 0, proc.stderr[-3000:]
        keys = [tb.answer_key() for tb in tbs]
    finally:
        for tb in tbs:
            tb.stop()
    starts, calls = _counts(proc.stderr)
    # both spiders crawl at once: one reading process, every document page handed to it
    assert starts == 1
    assert calls >= sum(len(k["documents"]) for k in keys)
    with sqlite3.connect(db) as con:
        runs = [run_id for (run_id,) in con.execute("select id from runs order by id")]
    assert len(runs) == 2
    docs = [d for run_id in runs for d in _documents(db, run_id)]
    for key in keys:
        _assert_every_document_read(key, docs)


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_crawler_leaves_no_reading_process(tmp_path):
    db = tmp_path / "k.db"
    with Testbed(make_style("hanweb")) as tb:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govaudit", "check", tb.url, "--db", str(db), "--out", str(tmp_path / "out"),
             "--concurrency", "1", "--delay", "0.05"],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            # killed once the reading process has read a few pages and waits for the next
            readers: list[int] = []
            documents = 0
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and (not readers or documents < 5) and proc.poll() is None:
                time.sleep(0.2)
                readers = readers or [c for c in _children(proc.pid) if SERVE in _cmdline(c)]
                try:
                    with sqlite3.connect(db, timeout=5) as con:
                        documents = con.execute("select count(*) from documents").fetchone()[0]
                except sqlite3.OperationalError:      # not made yet
                    pass
            assert readers and documents >= 5, "no reading process seen at work while the crawl ran"
            assert documents < len(tb.answer_key()["documents"]), "the crawl ended before the kill"
            proc.send_signal(signal.SIGKILL)
            # the reading process shares the crawler's stderr: it is closed once nobody holds it
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == -signal.SIGKILL
            assert b"Traceback" not in err
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _alive(readers[0]):
                time.sleep(0.1)
            assert not _alive(readers[0]), "the reading process outlived the killed crawler"
        finally:
            if proc.poll() is None:
                proc.kill()


# -- further list pages in the reading process ------------------------------------------------
# counts the pages handed to the reading process by reading function and, with KILL_AT, kills
# it (SIGKILL) just before the KILL_AT-th further list page is handed over
LIST_PATCH = """
import os, signal, atexit, collections
import crawler.reader as r
calls = collections.Counter()
KILL_AT = %d
_call = r.PageReader.call
async def call(self, func, *args):
    calls[func.__name__] += 1
    if func.__name__ == "check_and_list" and calls[func.__name__] == KILL_AT:
        os.kill(self.proc.pid, signal.SIGKILL)
    return await _call(self, func, *args)
r.PageReader.call = call
atexit.register(lambda: sys.stderr.write(f"\\nhanded over: {dict(calls)}\\n"))
"""

# generated portals (testbed.generated) with every pager kind of the scale benchmark
# (datastore_wrapped, index_links, jpaas_json, trs_create), 5 rows a list page: columns of
# several list pages each
LIST_SEEDS = (2, 5, 9, 10, 12, 15)


def _handed_over(stderr: str) -> dict:
    import ast

    line = next(x for x in stderr.splitlines() if x.startswith("handed over: "))
    return ast.literal_eval(line.removeprefix("handed over: "))


def _listed(db, run_id: int | None = None) -> dict[str, set[str]]:
    """Column URL -> the document URLs its list pages listed (the entries table)."""
    with sqlite3.connect(db) as con:
        run = run_id or con.execute("select max(id) from runs").fetchone()[0]
        out: dict[str, set[str]] = {}
        for column, doc in con.execute("select column_url, doc_url from entries where run_id = ?", [run]):
            out.setdefault(column, set()).add(doc)
    return out


def _crawl_generated(tmp_path, name: str, patch: str) -> tuple[list[dict], subprocess.CompletedProcess]:
    from testbed.generated.report import check_args, stop_all
    from testbed.server import make_style

    tbs = [Testbed(make_style("generated", seed=s, scale=2, page_size=5)).start() for s in LIST_SEEDS]
    try:
        keys = [tb.answer_key() for tb in tbs]
        proc = _govaudit(patch, *check_args([tb.url for tb in tbs], tmp_path / f"{name}.db", tmp_path / name))
    finally:
        stop_all(tbs)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return keys, proc


def _assert_every_column_listed(keys: list[dict], listed: dict[str, set[str]]) -> None:
    """Every list column of the generator's tree listed exactly its documents (the generator's
    truth: each list node's documents, however many list pages its pager spreads them over)."""
    columns = [n for key in keys for n in key["tree"] if n["kind"] == "list" and n["documents"]]
    assert sum(len(n["documents"]) > 5 for n in columns) >= 6      # several list pages each
    for node in columns:
        assert listed.get(node["url"]) == set(node["documents"]), node["url"]


def test_list_pages_read_by_the_reader_list_every_document(tmp_path):
    keys, proc = _crawl_generated(tmp_path, "reader", LIST_PATCH % 0)
    calls = _handed_over(proc.stderr)
    # further list pages went to the reading process, besides the document pages
    assert calls.get("check_and_list", 0) >= 6 and calls.get("check_and_read", 0) > 0
    assert "pages are read in the crawler's process" not in proc.stderr
    _assert_every_column_listed(keys, _listed(tmp_path / "reader.db"))
    for key in keys:
        _assert_every_document_read(key, _documents(tmp_path / "reader.db"))


def test_list_pages_read_in_the_crawler_list_every_document(tmp_path):
    keys, proc = _crawl_generated(tmp_path, "here", "import crawler.settings as s; s.PARSE_WORKERS = 0\n"
                                  + LIST_PATCH % 0)
    assert _handed_over(proc.stderr) == {}                  # nothing handed over
    _assert_every_column_listed(keys, _listed(tmp_path / "here.db"))


def test_a_reader_that_dies_on_a_list_page_leaves_a_complete_crawl(tmp_path):
    keys, proc = _crawl_generated(tmp_path, "dies", LIST_PATCH % 3)
    calls = _handed_over(proc.stderr)
    assert "pages are read in the crawler's process" in proc.stderr
    with sqlite3.connect(tmp_path / "dies.db") as con:
        list_pages = con.execute("select count(*) from fetches where kind = 'listing'").fetchone()[0]
    # it died at the third list page (a few more may be sent before its end is read); the rest
    # were read in the crawler's process
    assert 3 <= calls["check_and_list"] < list_pages
    _assert_every_column_listed(keys, _listed(tmp_path / "dies.db"))
    for key in keys:
        _assert_every_document_read(key, _documents(tmp_path / "dies.db"))
