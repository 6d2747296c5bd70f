"""Scrapy's scheduler with a bounded look-ahead for list pages (``SCHEDULER``).

A column's further list pages are what makes the rest of the crawl known: asked for after the
documents already listed, each long column becomes a chain of list-page round trips, and late in
a crawl a few such chains are all that is left for the downloader. Asked for first, every pager
would be walked ahead of the documents, and the queue would hold every document of the portal
(10^5 requests) before the first were fetched.

So the spider gives a further list page a priority above the documents' and
``meta["lookahead"] = True``, and this scheduler queues such a request only while (1) it holds
fewer than ``PAGER_LOOKAHEAD`` requests and (2) fewer than ``PAGER_LOOKAHEAD_PAGES`` list pages
it queued are still on their way (queued, being fetched or being read: a page is done when
Scrapy lets go of its request, after the spider's callback). Otherwise the page waits aside,
first in first out, and is queued as soon as both hold again (before the next request is handed
out). (2) is what bounds the queue: each page queued brings its rows (20 or more documents)
later, so the queue holds at most about ``PAGER_LOOKAHEAD`` requests plus the rows of
``PAGER_LOOKAHEAD_PAGES`` pages. When nothing else is queued, a waiting page is queued anyway
(the crawl never stalls on a page whose request something else still holds).

Nothing else is changed: a list page goes through Scrapy's duplicate filter when it arrives (so
that the copies a pager links from page after page are dropped at once, not kept aside), into
Scrapy's queues (the disk queue of a ``JOBDIR``) when it is queued, and every page set aside is
queued before the scheduler closes.
"""
from __future__ import annotations

import weakref
from collections import deque

from scrapy.core.scheduler import Scheduler

#: requests queued below which a list page marked ``lookahead`` may be queued
DEFAULT_LOOKAHEAD = 500
#: list pages marked ``lookahead`` on their way at most
DEFAULT_LOOKAHEAD_PAGES = 16


class LookaheadScheduler(Scheduler):
    def open(self, spider):
        self.held: deque = deque()
        #: list pages queued and not yet done with (Scrapy still holds their request)
        self.on_way: weakref.WeakSet = weakref.WeakSet()
        settings = getattr(self.crawler, "settings", None)
        self.lookahead = settings.getint("PAGER_LOOKAHEAD", DEFAULT_LOOKAHEAD) if settings else DEFAULT_LOOKAHEAD
        self.lookahead_pages = settings.getint("PAGER_LOOKAHEAD_PAGES", DEFAULT_LOOKAHEAD_PAGES) \
            if settings else DEFAULT_LOOKAHEAD_PAGES
        return super().open(spider)

    def _queued(self) -> int:
        return super().__len__()

    def _room(self) -> bool:
        return self._queued() < self.lookahead and len(self.on_way) < self.lookahead_pages

    def _queue_page(self, request) -> None:
        """Queue a list page the duplicate filter has let through (what Scrapy's
        ``enqueue_request`` does after its filter: the disk queue of a ``JOBDIR``, else memory)."""
        if self._dqpush(request):
            self.stats.inc_value("scheduler/enqueued/disk")
        else:
            self._mqpush(request)
            self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        self.on_way.add(request)

    def enqueue_request(self, request) -> bool:
        if not request.meta.get("lookahead"):
            return super().enqueue_request(request)
        # filtered now, not when queued: a pager links the same pages from page after page, and
        # the copies must not wait aside (memory)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.held or not self._room():
            self.held.append(request)
            self.stats.inc_value("scheduler/lookahead_held")
        else:
            self._queue_page(request)
        return True

    def _release(self) -> None:
        while self.held and (self._room() or not self._queued()):
            self._queue_page(self.held.popleft())

    def next_request(self):
        self._release()
        return super().next_request()

    def has_pending_requests(self) -> bool:
        return bool(self.held) or super().has_pending_requests()

    def __len__(self) -> int:
        return len(self.held) + self._queued()

    def close(self, reason: str):
        while self.held:                 # a JOBDIR keeps them in its disk queue
            self._queue_page(self.held.popleft())
        return super().close(reason)
