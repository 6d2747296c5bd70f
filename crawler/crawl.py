"""What a crawl process is made of: its Scrapy settings (per-host politeness, the downloader
that keeps it), timing statistics and the outbound policy's summary. The portal crawl itself
runs in :mod:`crawler.run`; the link checker (:mod:`crawler.linkcheck.checker`) uses these too."""
from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.linkcheck.classify import is_loopback_host


def use_bundled_public_suffix_list() -> None:
    """Scrapy's cookie middleware builds a ``TLDExtract`` that downloads the public-suffix list
    on first use; point it at the copy bundled with tldextract instead, so a crawl never makes
    requests nobody asked for (and works the same offline)."""
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    if hasattr(cookies, "_split_domain"):
        cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname)


class _DispatchQueue(deque):
    """A download slot's queue whose ``popleft`` marks the request as transferring at once."""

    def __init__(self, slot, items=()):
        super().__init__(items)
        self.slot = slot

    def popleft(self):
        request, dfd = super().popleft()
        self.slot.transferring.add(request)
        return request, dfd


class Downloader(ScrapyDownloader):
    """Scrapy's downloader, with per-host concurrency that holds when the host's delay is 0.

    Scrapy 2.19 on the asyncio reactor counts a dispatched request as transferring only once
    its task starts, so a slot's whole queue was dispatched at once and
    ``CONCURRENT_REQUESTS_PER_DOMAIN`` did not hold (tests/test_linkcheck_politeness.py)."""

    def _get_slot(self, request, spider=None):
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, _DispatchQueue):
            slot.queue = _DispatchQueue(slot, slot.queue)
        return key, slot


def build_settings(urls: list[str], *, concurrency: int | None = None, delay: float | None = None,
                   jobdir: str | None = None, log_level: str = "WARNING",
                   host_limits: dict[str, tuple[int, float | None]] | None = None,
                   allow_nets: list[str] | None = None) -> Settings:
    """``host_limits``: per-host politeness, host -> (requests in flight, delay or None),
    as Scrapy ``DOWNLOAD_SLOTS`` (for every host the crawl or the link check reaches).
    ``allow_nets``: CIDR ranges the outbound policy allows besides public addresses and the
    kind of network the audited sites are on (``crawler.outbound``)."""
    s = Settings()
    s.setmodule(default_settings, priority="project")
    s.set("OUTBOUND_TARGETS", list(urls), priority="cmdline")
    s.set("OUTBOUND_ALLOW", list(allow_nets or []), priority="cmdline")
    if all(is_loopback(u) for u in urls):
        # The testbed and demo run on this machine: no need to be gentle with ourselves.
        s.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        s.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="cmdline")
    if concurrency is not None:
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="cmdline")
        s.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(concurrency), priority="cmdline")
    if delay is not None:
        s.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        s.set("AUTOTHROTTLE_START_DELAY", delay, priority="cmdline")
    if jobdir:
        s.set("JOBDIR", jobdir, priority="cmdline")
    s.set("DOWNLOADER", "crawler.crawl.Downloader", priority="cmdline")    # per-host limits that hold
    if host_limits:
        s.set("DOWNLOAD_SLOTS", {host: {"concurrency": n, **({"delay": d} if d is not None else {})}
                                 for host, (n, d) in host_limits.items()}, priority="cmdline")
    s.set("LOG_LEVEL", log_level, priority="cmdline")
    return s


def timing_stats(crawler) -> dict:
    """A finished crawl's duration (``duration_s``, when Scrapy recorded both ends) and the
    number of requests it sent (``requests``), from Scrapy's stats."""
    scrapy_stats = crawler.stats.get_stats()
    out = {}
    start, end = scrapy_stats.get("start_time"), scrapy_stats.get("finish_time")
    if start and end:
        out["duration_s"] = round((end - start).total_seconds(), 2)
    out["requests"] = scrapy_stats.get("downloader/request_count", 0)
    return out


def merge_outbound(summaries: list[dict]) -> dict:
    """The outbound policy's records of the crawlers of one run, as one (run stats ``outbound``)."""
    out = {"refused": [], "refused_count": 0, "allowed": 0, "resolved": {}, "allowed_kinds": [],
           "allow_nets": []}
    for s in summaries:
        out["refused"] += s["refused"]
        out["refused_count"] += s["refused_count"]
        out["allowed"] += s["allowed"]
        out["resolved"].update(s["resolved"])
        out["allowed_kinds"] = sorted(set(out["allowed_kinds"]) | set(s["allowed_kinds"]))
        out["allow_nets"] = s["allow_nets"]
    out["refused"] = out["refused"][:200]
    return out
