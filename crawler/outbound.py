"""Outbound request policy: one place that decides whether govaudit may send a request.

Pages are written by anyone; a link on a crawled page (or a redirect, or a ``<base href>``)
may point at the cloud metadata service (169.254.169.254), at the intranet (10.0.0.0/8…) or
at the machine itself. Every request the portal spider, the link checker and ``probe`` send
is asked here first (:class:`OutboundMiddleware` for Scrapy, :func:`OutboundPolicy.check`
directly for ``probe``), *before* any connection is made:

* only ``http`` and ``https`` are allowed;
* the host is resolved (IP literals as they are) and refused when any of its addresses is
  loopback, link-local, private, multicast, reserved or unspecified — unless the audited site
  itself is on that kind of network (a testbed on 127.0.0.1, an intranet portal on 10.x: then
  the same *kind* of address is allowed), or the operator allows the range
  (``--allow-net CIDR``).

The addresses the policy resolved are put into Scrapy's DNS cache, so the connection goes to
the address that was judged (a name cannot resolve to a public address for the check and to
a private one for the connection). Every decision is counted and every refusal kept
(:attr:`OutboundPolicy.refused`; the crawl stores them in the run's stats, ``outbound``).
"""
from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Callable, Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

#: prefix of the error a refused request is recorded with (``fetches.error``, link checks)
REFUSED_PREFIX = "outbound policy"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to (``getaddrinfo``), empty when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_kind(addr: Address) -> str | None:
    """The kind of non-public network ``addr`` is on (loopback, link-local, private, multicast,
    reserved, unspecified), or None for a public address."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    for kind, test in (("loopback", addr.is_loopback), ("link-local", addr.is_link_local),
                       ("multicast", addr.is_multicast), ("unspecified", addr.is_unspecified),
                       ("reserved", addr.is_reserved), ("private", addr.is_private)):
        if test:
            return kind
    if not addr.is_global:       # shared address space 100.64/10 and the like
        return "private"
    return None


class OutboundRefused(IgnoreRequest):
    """A request the outbound policy refused (never sent)."""


class OutboundPolicy:
    """Decide per URL; see the module docstring.

    ``targets``: the audited sites' URLs (their kinds of address are allowed);
    ``allow``: CIDR ranges the operator allows; ``resolver``: host -> addresses (injectable)."""

    def __init__(self, targets: Iterable[str] = (), allow: Iterable[str] = (),
                 resolver: Resolver | None = None):
        self.resolver = resolver or system_resolver
        self.allow = [ipaddress.ip_network(a, strict=False) for a in allow]
        self.cache: dict[str, list[str]] = {}
        self.refused: list[dict] = []
        self.allowed_count = 0
        self.allowed_kinds: set[str] = set()
        self.add_targets(targets)

    def add_targets(self, targets: Iterable[str]) -> None:
        """Allow the kinds of address the audited sites ``targets`` are on."""
        for url in targets:
            for addr in self._addresses(urlsplit(url).hostname or ""):
                kind = address_kind(addr)
                if kind:
                    self.allowed_kinds.add(kind)

    def needs_lookup(self, host: str | None) -> bool:
        """Whether judging ``host`` needs a DNS lookup not made yet (IP literals need none)."""
        host = (host or "").strip("[]").lower()
        if not host or host in self.cache:
            return False
        try:
            ipaddress.ip_address(host)
            return False
        except ValueError:
            return True

    def lookup(self, host: str) -> None:
        """Resolve ``host`` into the cache (may block: the middleware runs it in a thread)."""
        host = host.strip("[]").lower()
        if host not in self.cache:
            self.cache[host] = self.resolver(host)

    def _addresses(self, host: str) -> list[Address]:
        host = host.strip("[]").lower()
        if not host:
            return []
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        if host not in self.cache:
            self.lookup(host)
        out = []
        for a in self.cache[host]:
            try:
                out.append(ipaddress.ip_address(a.split("%", 1)[0]))
            except ValueError:
                continue
        return out

    def reason(self, url: str) -> str | None:
        """Why ``url`` must not be requested, or None when it may be."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            return f"not a valid URL ({exc})"
        if parts.scheme.lower() not in ("http", "https"):
            return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
        if not host:
            return "no host"
        for addr in self._addresses(host):
            kind = address_kind(addr)
            if kind is None or kind in self.allowed_kinds:
                continue
            if any(addr in net for net in self.allow):
                continue
            return f"{host} is {addr} ({kind} address)" if host.strip("[]") != str(addr) else f"{addr} ({kind} address)"
        return None

    def check(self, url: str) -> str | None:
        """:meth:`reason`, recorded: refusals are kept (url, reason), allowances counted."""
        why = self.reason(url)
        if why:
            self.refused.append({"url": url[:500], "reason": why})
            logger.warning("%s: refused %s (%s)", REFUSED_PREFIX, url[:200], why)
        else:
            self.allowed_count += 1
        return why

    def summary(self) -> dict:
        """For the run's stats: refusals (the first 200), how many were allowed, and what each
        host resolved to (the resolver-side record)."""
        return {"refused": self.refused[:200], "refused_count": len(self.refused),
                "allowed": self.allowed_count, "resolved": dict(self.cache),
                "allowed_kinds": sorted(self.allowed_kinds),
                "allow_nets": [str(n) for n in self.allow]}


def pin_dns(policy: OutboundPolicy, host: str) -> None:
    """Put the address the policy judged for ``host`` into Scrapy's DNS cache, so that the
    connection uses it (no second lookup that could answer differently)."""
    addrs = policy.cache.get((host or "").lower())
    if not addrs:
        return
    ipv4 = [a for a in addrs if ":" not in a]
    try:
        from scrapy.resolver import dnscache
    except ImportError:       # pragma: no cover - older Scrapy
        return
    dnscache[host] = (ipv4 or addrs)[0]


class OutboundMiddleware:
    """Downloader middleware: every request (redirect hops and retries included, since they
    pass through the scheduler again) is asked of the crawl's :class:`OutboundPolicy`; a
    refused one raises :class:`OutboundRefused` (the request's errback records it)."""

    def __init__(self, crawler):
        s = crawler.settings
        self.policy = OutboundPolicy(s.getlist("OUTBOUND_TARGETS"), s.getlist("OUTBOUND_ALLOW"))
        crawler.outbound_policy = self.policy
        self.crawler = crawler
        self.seeded = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        if not self.seeded:
            # a crawl started without OUTBOUND_TARGETS (a Scrapyd job): the spider's own start
            # URLs are the audited sites
            self.seeded = True
            spider = spider or getattr(self.crawler, "spider", None)
            if not self.crawler.settings.getlist("OUTBOUND_TARGETS") and spider is not None:
                self.policy.add_targets(getattr(spider, "start_urls", None) or [])
        host = _host(request.url)
        if self.policy.needs_lookup(host):
            # a slow or dead DNS server must not hold up the crawl: look up in a thread
            from scrapy.utils.defer import maybe_deferred_to_future
            from twisted.internet.threads import deferToThread

            await maybe_deferred_to_future(deferToThread(self.policy.lookup, host))
        why = self.policy.check(request.url)
        if why:
            self.crawler.stats.inc_value("outbound/refused")
            raise OutboundRefused(f"{REFUSED_PREFIX}: {why}")
        pin_dns(self.policy, host or "")
        return None


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def policy_of(crawler) -> OutboundPolicy | None:
    return getattr(crawler, "outbound_policy", None)
