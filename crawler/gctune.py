"""The garbage collector during a crawl (a Scrapy extension, ``EXTENSIONS`` in ``crawler.settings``).

A crawl allocates and frees millions of short-lived objects (requests, responses, Deferreds,
coroutines, pickled answers of the page reader) over a heap of long-lived ones (Scrapy, Twisted,
lxml, the page objects, the spider's per-URL sets). With CPython's default thresholds the
collector ran a young-generation collection every 700 allocations and, every hundred of those,
walked the whole heap: about a tenth of the crawler process's CPU on the scale benchmark
(``docs/performance.md``). While a crawl runs:

* the objects alive when the engine starts are frozen (:func:`gc.freeze`): moved to a permanent
  generation the collector no longer walks (nothing is freed from it: they live for the crawl);
* the young generation's threshold is ``GC_THRESHOLD`` (default 50,000 allocations) instead of
  700: fewer collections, each over more objects, most of them already freed by their
  reference counts.

Cyclic garbage is still collected, only less often. When the last engine of the process stops
the thresholds are restored and the frozen objects unfrozen (a nightly runs several crawlers in
one process: the first to start tunes, the last to stop restores). ``GC_TUNING = False`` turns
it off.
"""
from __future__ import annotations

import gc

from scrapy import signals
from scrapy.exceptions import NotConfigured


class _State:
    """The process's tuning: how many engines run with it and the thresholds to restore."""

    running = 0
    saved: tuple[int, ...] | None = None


class GcTuning:
    def __init__(self, threshold: int):
        self.threshold = threshold
        self.active = False

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GC_TUNING", True):
            raise NotConfigured
        ext = cls(crawler.settings.getint("GC_THRESHOLD", 50_000))
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if self.active:
            return
        self.active = True
        if _State.running == 0:
            _State.saved = gc.get_threshold()
            gc.collect()                     # the start-up's garbage, not frozen with the rest
            gc.freeze()
            gc.set_threshold(self.threshold, *_State.saved[1:])
        _State.running += 1

    def engine_stopped(self) -> None:
        if not self.active:
            return
        self.active = False
        _State.running -= 1
        if _State.running == 0:
            if _State.saved is not None:
                gc.set_threshold(*_State.saved)
            gc.unfreeze()
            _State.saved = None
