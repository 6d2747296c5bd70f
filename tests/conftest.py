"""Shared fixtures: testbed portals served over real HTTP, and crawls of them through the CLI."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.items import DOC_FIELDS
from crawler.testbed.corpus import AS_OF
from crawler.testbed.server import Testbed, make_style

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``govaudit`` as a separate process (Scrapy's reactor runs once per process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True,
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
    ready :class:`~crawler.testbed.server.Style`; ``args``: more ``check`` options."""

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
        proc = run_cli("export", "--db", str(self.db), "--what", what, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    @property
    def documents(self) -> list[dict]:
        """The stored documents (exported once)."""
        if self._documents is None:
            self._documents = self.export("documents")
        return self._documents

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="session")
def crawled_hanweb(tmp_path_factory) -> Crawled:
    c = Crawled("hanweb", tmp_path_factory.mktemp("hanweb"))
    yield c
    c.testbed.stop()
