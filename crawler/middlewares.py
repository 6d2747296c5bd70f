"""Downloader middlewares."""
from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.retry import get_retry_request

logger = logging.getLogger(__name__)


class RetryAfterMiddleware:
    """Retry a 429/503 that carries ``Retry-After`` after waiting as asked (capped), instead
    of treating it as a failure. The wait is applied as a per-request download slot delay."""

    MAX_WAIT = 60.0

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status not in (429, 503) or b"Retry-After" not in response.headers:
            return response
        try:
            wait = min(float(response.headers.get(b"Retry-After").decode()), self.MAX_WAIT)
        except ValueError:
            wait = 5.0
        retries = request.meta.get("retry_after_times", 0)
        if retries >= 3:
            return response
        new = get_retry_request(request, spider=spider or self.crawler.spider,
                                reason=f"retry-after {wait}s", max_retry_times=5)
        if new is None:
            return response
        new.meta["retry_after_times"] = retries + 1
        slot_key = request.meta.get("download_slot") or request.url.split("/")[2]
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None:
            slot.delay = max(slot.delay, wait)
        logger.info("HTTP %s with Retry-After %.1fs on %s: slowing down and retrying",
                    response.status, wait, request.url)
        return new
