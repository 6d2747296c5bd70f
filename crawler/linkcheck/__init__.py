"""Link checking (LK001–LK003): every link on every crawled page, checked once per run.

* :mod:`crawler.linkcheck.classify` — pure: what was seen of a link target, as the record
  :mod:`rules.links` judges (dead, soft 404, redirect to an error page, deleted document sent
  to its parent, attachment of the wrong type or too small, blocked by a challenge). No
  Scrapy, no network.
* :mod:`crawler.linkcheck.checker` — the Scrapy spider: one GET per link (read no further than
  settles it), retries with backoff, a second check before a failure counts, per-host
  politeness, the time-to-live policy.
* :mod:`crawler.linkcheck.page` — a followed page's checks, links and stored form, computed in
  the crawl's page-reading process beside Scrapy's event loop (:mod:`crawler.reader`, shared
  with the portal crawl; ``govaudit links``; ``PARSE_WORKERS = 0``: in the spider's process).

Observations are stored per run in ``link_observations`` (the LK rules judge them again at
every audit); results in ``link_checks``, copied onto the run's ``links`` rows
(``check_class``, ``check_detail``), which the LK rules fall back on for runs without
observations.
"""
