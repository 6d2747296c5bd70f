"""Run the portal spider in this process (one crawl per process: Twisted's reactor
cannot be restarted)."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.spiders.portal import PortalSpider


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_settings(urls: list[str], *, concurrency: int | None = None, delay: float | None = None,
                   jobdir: str | None = None, log_level: str = "WARNING") -> Settings:
    s = Settings()
    s.setmodule(default_settings, priority="project")
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
    s.set("LOG_LEVEL", log_level, priority="cmdline")
    return s


def run_crawl(urls: list[str], db_path: str, run_id: int, *, family: str | None = None,
              max_documents: int | None = None, **settings_kw) -> dict:
    """Crawl ``urls`` into the store under ``run_id``; return crawl statistics."""
    process = CrawlerProcess(build_settings(urls, **settings_kw))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, start_urls=urls, db_path=db_path, run_id=run_id, family=family,
                  max_documents=max_documents)
    process.start()
    spider = crawler.spider
    stats = dict(spider.stats_counts)
    stats["finish_reason"] = getattr(spider, "crawl_reason", None)
    scrapy_stats = crawler.stats.get_stats()
    start, end = scrapy_stats.get("start_time"), scrapy_stats.get("finish_time")
    if start and end:
        stats["duration_s"] = round((end - start).total_seconds(), 2)
    stats["requests"] = scrapy_stats.get("downloader/request_count", 0)
    spider.store.close()
    return stats
