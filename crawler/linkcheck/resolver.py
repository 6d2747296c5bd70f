"""Name resolution the tests can watch, and the injectable "are we online?" probe.

Two environment variables the product honours (tests set them; an operator may too):

``GOVAUDIT_RESOLVE_LOG=<file>``
    Every host name the crawl or the link check asks to resolve (Scrapy's resolver, set as
    ``DNS_RESOLVER`` in ``crawler/settings.py``) and every name the connectivity probe tries is
    appended to this file, one per line. The test suite asserts from it that no test crawl
    resolved a public name (``tests/test_hermetic.py``).

``GOVAUDIT_OFFLINE=1`` / ``GOVAUDIT_OFFLINE=0``
    Decide the connectivity probe (:func:`internet_reachable`) without resolving anything:
    ``1`` this machine is offline (external network failures are "unchecked", never dead links),
    ``0`` it is online. Unset: the probe resolves ``[links] connectivity_hosts``.
"""
from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

from scrapy.resolver import CachingThreadedResolver

LOG_ENV = "GOVAUDIT_RESOLVE_LOG"
OFFLINE_ENV = "GOVAUDIT_OFFLINE"
#: RFC 6761 special-use names: never sent to a public DNS server by a conforming resolver
RESERVED_SUFFIXES = (".invalid", ".test", ".example", ".localhost")


def record(name: str) -> None:
    """Append ``name`` to the resolve log when one is asked for."""
    path = os.environ.get(LOG_ENV)
    if path and name:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{name}\n")


def is_local_name(name: str) -> bool:
    """A loopback address, ``localhost`` or a reserved (RFC 6761) name: resolving it never
    reaches the public DNS."""
    name = name.strip().rstrip(".").lower()
    if name == "localhost" or name.endswith(RESERVED_SUFFIXES) or name in ("invalid", "test", "example"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


class RecordingResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that writes each name it is asked for to the resolve log."""

    def getHostByName(self, name: str, timeout: Any = ()):  # noqa: N802 - Twisted's name
        record(name)
        return super().getHostByName(name, timeout)


def internet_reachable(hosts: list[str]) -> bool:
    """Whether this machine resolves any of ``hosts`` (else external failures prove nothing).
    ``GOVAUDIT_OFFLINE`` decides it without resolving (see the module docstring)."""
    forced = os.environ.get(OFFLINE_ENV)
    if forced in ("1", "0"):
        return forced == "0"
    if not hosts:
        return True
    for host in hosts:
        record(host)
        try:
            socket.getaddrinfo(host, 80)
            return True
        except OSError:
            continue
    return False
