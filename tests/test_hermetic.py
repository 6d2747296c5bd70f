"""Hermetic tests: no request leaves 127.0.0.0/8 and no public name is resolved.

* the testbed's pages link to no public host (the filing and badge links of the footers point at
  stand-ins the testbed serves itself);
* the connectivity probe is injectable (``GOVAUDIT_OFFLINE``) and then resolves nothing;
* a full crawl with every trap and the link check, watched through ``GOVAUDIT_RESOLVE_LOG``
  (the product's resolver writes each name it is asked for), resolves only reserved names — and
  the log does see them (a reserved external link is in every style), so it could disagree.
"""
from __future__ import annotations

import re
import socket
import sqlite3
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.linkcheck import resolver
from crawler.linkcheck.resolver import internet_reachable, is_local_name
from testbed.corpus import AS_OF
from testbed.server import Testbed, make_style
from testbed.styles import STYLES
from tests.conftest import public_names, run_cli

HREF = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""", re.I)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_testbed_pages_link_to_no_public_host(style):
    import urllib.request

    with Testbed(make_style(style)) as tb:      # (trap links are relative; the full crawl below has them)
        home = urllib.request.urlopen(tb.url, timeout=10).read().decode("utf-8", "replace")
    hosts = {urlsplit(urljoin(tb.url, h)).hostname for h in HREF.findall(home)
             if urlsplit(urljoin(tb.url, h)).scheme in ("http", "https")}
    assert hosts and all(is_local_name(h) for h in hosts), sorted(h for h in hosts if not is_local_name(h))
    assert "/_standin/bszs.conac.cn/" in home          # the badge link still names what it stands for


def test_offline_probe_is_injected_without_resolving(monkeypatch, tmp_path):
    def refuse(*a, **k):
        raise AssertionError(f"resolved {a[0]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("GOVAUDIT_OFFLINE", "1")
    assert internet_reachable(["www.gov.cn"]) is False
    monkeypatch.setenv("GOVAUDIT_OFFLINE", "0")
    assert internet_reachable(["www.gov.cn"]) is True
    # not injected: the probe resolves, and the log shows which names
    log = tmp_path / "names.log"
    monkeypatch.setenv("GOVAUDIT_RESOLVE_LOG", str(log))
    monkeypatch.delenv("GOVAUDIT_OFFLINE")
    asked = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port: asked.append(host) or [])
    assert internet_reachable(["www.gov.cn", "www.baidu.com"]) is True
    assert asked == ["www.gov.cn"] and public_names(log) == ["www.gov.cn"]


def test_names_are_local_only_when_reserved_or_loopback():
    assert all(map(is_local_name, ["127.0.0.1", "127.0.0.4", "localhost", "www.xxgk-gateway.invalid",
                                   "portal.test", "a.example", "::1"]))
    assert not any(map(is_local_name, ["www.gov.cn", "beian.miit.gov.cn", "example.com", "10.0.0.1",
                                       "bszs.conac.cn", "invalid.cn"]))


def test_a_full_crawl_with_traps_and_links_resolves_no_public_name(tmp_path, monkeypatch):
    log = tmp_path / "names.log"
    monkeypatch.setenv("GOVAUDIT_RESOLVE_LOG", str(log))
    with Testbed(make_style("hanweb", traps=True)) as tb:
        db = tmp_path / "audit.db"
        proc = run_cli("check", tb.url, "--db", str(db), "--out", str(tmp_path / "out"),
                       "--as-of", AS_OF.isoformat())
        assert proc.returncode == 0, proc.stderr[-2000:]
    names = set(log.read_text("utf-8").split()) if log.exists() else set()
    assert "www.xxgk-gateway.invalid" in names, f"the resolver log saw nothing: {sorted(names)}"
    assert public_names(log) == []
    with sqlite3.connect(db) as con:
        standins = dict(con.execute("select url, class from link_checks where url like '%/_standin/%'"))
    assert len(standins) >= 2 and set(standins.values()) == {"ok"}, standins      # (seed 1 plants one missing)
