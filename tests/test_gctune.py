"""The garbage collector during a crawl (crawler/gctune.py): tuned while an engine runs, the
first engine to start tunes it, the last to stop gives the process its own settings back."""
from __future__ import annotations

import gc

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.gctune import GcTuning


def _extension(**settings) -> tuple:
    crawler = get_crawler(settings_dict={"GC_THRESHOLD": 12_345, **settings})
    return crawler, GcTuning.from_crawler(crawler)


def test_tuned_while_the_engines_run_and_restored_after_the_last():
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    # the signals hold their handlers weakly: the extensions are kept here, as Scrapy keeps them
    (first, ext1), (second, ext2) = _extension(), _extension()
    first.signals.send_catch_log(signals.engine_started)
    assert gc.get_threshold() == (12_345, *before[1:])
    assert gc.get_freeze_count() > 0                  # the objects alive at the start, frozen
    second.signals.send_catch_log(signals.engine_started)
    first.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold()[0] == 12_345            # the second crawl still runs
    second.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert ext1 is not ext2


def test_off_with_gc_tuning_false():
    import pytest
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        _extension(GC_TUNING=False)


def test_the_crawl_settings_enable_it():
    from scrapy.settings import Settings

    import crawler.settings

    s = Settings()
    s.setmodule(crawler.settings)
    assert s.getdict("EXTENSIONS").get("crawler.gctune.GcTuning") is not None and s.getbool("GC_TUNING")


def test_the_link_check_crawl_enables_it_too():
    """The link-check spider sets its own EXTENSIONS (custom_settings replace the project's
    dict): the tuning must be among them."""
    from scrapy.settings import Settings

    import crawler.settings
    from crawler.linkcheck.checker import LinkCheckSpider

    s = Settings()
    s.setmodule(crawler.settings)
    s.setdict(LinkCheckSpider.custom_settings, priority="spider")
    extensions = s.getdict("EXTENSIONS")
    assert extensions.get("crawler.gctune.GcTuning") is not None
    assert extensions.get("scrapy.extensions.memusage.MemoryUsage", 0) is None
