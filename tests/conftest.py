"""Shared fixtures: testbed portals served over real HTTP, and crawls of them through the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.testbed.corpus import AS_OF
from crawler.testbed.server import Testbed, make_style

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``govaudit`` as a separate process (Scrapy's reactor runs once per process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


class Crawled:
    """A testbed style crawled once by ``govaudit check``: its db, reports and answer key."""

    def __init__(self, style: str, tmp: Path):
        self.testbed = Testbed(make_style(style)).start()
        self.key = self.testbed.answer_key()
        self.db = tmp / "audit.db"
        self.out = tmp / "out"
        self.proc = run_cli("check", self.testbed.url, "--db", str(self.db), "--out", str(self.out),
                            "--as-of", AS_OF.isoformat())
        assert self.proc.returncode == 0, self.proc.stderr[-3000:]

    def export(self, what: str) -> list[dict]:
        proc = run_cli("export", "--db", str(self.db), "--what", what, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def crawled_hanweb(tmp_path_factory) -> Crawled:
    c = Crawled("hanweb", tmp_path_factory.mktemp("hanweb"))
    yield c
    c.testbed.stop()
