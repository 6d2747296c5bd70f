"""Crawl settings: polite defaults, and nothing listening on a port while an unattended crawl runs."""
from __future__ import annotations

from types import SimpleNamespace

from crawler.crawl import build_settings


def test_no_listening_extensions():
    s = build_settings(["http://www.example.gov.cn/"])
    assert s.getbool("TELNETCONSOLE_ENABLED") is False
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False


def test_polite_defaults_and_loopback_exception():
    s = build_settings(["http://www.example.gov.cn/"])
    assert s.getbool("ROBOTSTXT_OBEY") and s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert s.getfloat("DOWNLOAD_DELAY") > 0 and s.getbool("AUTOTHROTTLE_ENABLED")
    local = build_settings(["http://127.0.0.1:8080/"])
    assert local.getfloat("DOWNLOAD_DELAY") == 0


# -- Retry-After slow-down and recovery (the middleware on a real Scrapy downloader slot) ----------
class _Crawler:
    """The parts of a Crawler the middleware touches: settings, stats, the downloader's slots."""

    def __init__(self, slot):
        from scrapy.core.downloader import Downloader
        from scrapy.settings import Settings
        from scrapy.statscollectors import MemoryStatsCollector

        self.settings = Settings({"RETRY_AFTER_RECOVER_AFTER": 3, "RETRY_AFTER_MIN_DELAY": 0.1})
        self.stats = MemoryStatsCollector(self)
        self.spider = SimpleNamespace(crawler=self, name="portal")

        class _Downloader:
            DOWNLOAD_SLOT = Downloader.DOWNLOAD_SLOT
            slots = {"www.example.gov.cn": slot}

            @staticmethod
            def get_slot_key(request):
                return "www.example.gov.cn"

        class _Engine:
            downloader = _Downloader()

        self.engine = _Engine()


def test_retry_after_slows_a_host_down_then_recovers():
    from scrapy.core.downloader import Slot
    from scrapy.http import Request, Response

    from crawler.middlewares import RetryAfterMiddleware

    try:
        slot = Slot(concurrency=2, delay=0.2, jitter=0)
    except TypeError:                       # Scrapy before DOWNLOAD_DELAY_JITTER
        slot = Slot(concurrency=2, delay=0.2, randomize_delay=False)
    mw = RetryAfterMiddleware(_Crawler(slot))
    req = Request("http://www.example.gov.cn/a")
    retried = mw.process_response(req, Response(req.url, status=429, headers={"Retry-After": "0"}))
    assert retried is not req and slot.delay == 0.4             # slowed down, request retried
    for _ in range(3):
        mw.process_response(req, Response(req.url, status=200))
    assert slot.delay == 0.2 and not mw.slowed                  # back to the delay it had before
    for _ in range(5):
        mw.process_response(req, Response(req.url, status=200))
    assert slot.delay == 0.2                                    # never below the original
