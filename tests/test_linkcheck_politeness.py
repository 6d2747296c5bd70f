"""Per-host politeness holds for the site and for external hosts: the servers count the
requests they have in flight at once (``Testbed.max_in_flight``)."""
from __future__ import annotations

import sqlite3

from bench.linkcheck import ExternalSite, LinkSite
from testbed.server import Testbed
from tests.conftest import run_cli


def test_per_host_concurrency_holds(tmp_path):
    ext = Testbed(ExternalSite(latency=0.05), host="127.0.0.2").start()
    site = LinkSite(ext.url, pages=40, links=20, broken=5, soft404=2, latency=0.05)
    tb = Testbed(site).start()
    try:
        proc = run_cli("links", tb.url, "--db", str(tmp_path / "p.db"), "--out", str(tmp_path / "out"),
                       "--concurrency", "2", "--host-limit", "127.0.0.2=1", "--recheck-delay", "0.3")
        assert proc.returncode == 0, proc.stderr[-3000:]
        con = sqlite3.connect(tmp_path / "p.db")
        external = con.execute("select count(*) from link_checks where url like ?", [ext.url + "%"]).fetchone()[0]
        con.close()
    finally:
        tb.stop()
        ext.stop()
    assert len(tb.requests) > 40 and external >= 10        # enough traffic for overlap to happen
    assert tb.max_in_flight == 2          # --concurrency 2: reached, never exceeded
    assert ext.max_in_flight == 1         # --host-limit 127.0.0.2=1 for the external host
