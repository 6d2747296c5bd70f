"""Run one crawl of portals in this process, its links checked after it in the same process
(one crawl per process: Twisted's reactor cannot be restarted). Above :mod:`crawler.crawl`
(settings, downloader, statistics) and :mod:`crawler.linkcheck.checker`, which both use
``crawler.crawl``; nothing below imports this module."""
from __future__ import annotations

from scrapy.crawler import CrawlerProcess

from crawler.crawl import build_settings, merge_outbound, timing_stats, use_bundled_public_suffix_list
from crawler.linkcheck.checker import chain_link_check, link_stats
from crawler.outbound import policy_of
from crawler.spiders.portal import PortalSpider


def run_crawl(urls: list[str], db_path: str, run_id: int, *, family: str | None = None,
              max_documents: int | None = None, sites_dir: str | None = None, link_config=None,
              replay: bool = False, **settings_kw) -> dict:
    """Crawl ``urls`` into the store under ``run_id``; return crawl statistics. With
    ``link_config`` (a :class:`crawler.linkcheck.classify.LinkConfig`), every link of every
    crawled page is then checked in the same process (``stats["links"]``). ``replay``: a
    resumed run: answers the store already holds for ``run_id`` are replayed, not fetched
    (``crawler.resume``)."""
    use_bundled_public_suffix_list()
    settings = build_settings(urls, **settings_kw)
    if replay:
        from crawler.resume import replay_settings

        replay_settings(settings)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    done = process.crawl(crawler, start_urls=urls, db_path=db_path, run_id=run_id, family=family,
                         max_documents=max_documents, sites_dir=sites_dir)
    if link_config is not None:
        checker = chain_link_check(process, done, db_path, run_id, link_config)
    process.start()
    spider = crawler.spider
    stats = {**spider.stats_counts, "finish_reason": getattr(spider, "crawl_reason", None),
             **timing_stats(crawler)}
    spider.store.close()
    outbound = [p.summary() for p in (policy_of(crawler),) if p]
    if link_config is not None:
        outbound += [p.summary() for p in (policy_of(checker),) if p]
        stats["links"] = link_stats(checker)
    stats["outbound"] = merge_outbound(outbound)
    return stats
