"""Scrapy's scheduler with a bounded look-ahead for list pages (``SCHEDULER``).

A column's further list pages are what makes the rest of the crawl known: asked for after the
documents already listed, each long column becomes a chain of list-page round trips, and late in
a crawl a few such chains are all that is left for the downloader. Asked for first, every pager
would be walked ahead of the documents, and the queue would hold every document of the portal
(10^5 requests) before the first were fetched.

So the spider gives a further list page a priority above the documents' and
``meta["lookahead"] = True``; this scheduler queues such a request like any other while it holds
fewer than ``PAGER_LOOKAHEAD`` requests, and otherwise keeps it aside, first in first out, and
queues it as soon as the queue is below that bound again (before handing out the next request).
The queue then stays near ``PAGER_LOOKAHEAD`` requests during the crawl, with list pages going
out as soon as there is room for their rows. Nothing else is changed: a request set aside goes
through Scrapy's own ``enqueue_request`` (the duplicate filter, the disk queue of a ``JOBDIR``)
when it is queued, and every request set aside is queued before the scheduler closes.
"""
from __future__ import annotations

from collections import deque

from scrapy.core.scheduler import Scheduler

#: requests queued below which a list page marked ``lookahead`` is queued at once
DEFAULT_LOOKAHEAD = 1000


class LookaheadScheduler(Scheduler):
    def open(self, spider):
        self.held: deque = deque()
        settings = getattr(self.crawler, "settings", None)
        self.lookahead = settings.getint("PAGER_LOOKAHEAD", DEFAULT_LOOKAHEAD) if settings else DEFAULT_LOOKAHEAD
        return super().open(spider)

    def _queued(self) -> int:
        return super().__len__()

    def enqueue_request(self, request) -> bool:
        if request.meta.get("lookahead") and (self.held or self._queued() >= self.lookahead):
            self.held.append(request)
            if self.stats is not None:
                self.stats.inc_value("scheduler/lookahead_held")
            return True
        return super().enqueue_request(request)

    def _release(self) -> None:
        while self.held and self._queued() < self.lookahead:
            super().enqueue_request(self.held.popleft())

    def next_request(self):
        self._release()
        return super().next_request()

    def has_pending_requests(self) -> bool:
        return bool(self.held) or super().has_pending_requests()

    def __len__(self) -> int:
        return len(self.held) + self._queued()

    def close(self, reason: str):
        while self.held:                 # a JOBDIR keeps them in its disk queue
            super().enqueue_request(self.held.popleft())
        return super().close(reason)
