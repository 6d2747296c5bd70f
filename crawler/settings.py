"""Scrapy settings: polite by default (portals are fragile), overridable per run from the CLI."""

BOT_NAME = "govaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# A browser-like agent (many portals 403 anything else) that still names the tool honestly.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 govaudit/0.1 (+compliance audit)"
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
# Scrapy 2.13+ starts CONCURRENT_ITEMS (default 100) asyncio tasks for every response to work
# through the callback's output in parallel; govaudit's callbacks yield requests and a few store
# items, which the one pipeline writes synchronously and in order, so one is enough (and keeps
# the writes in the order yielded). Profiled on the scale benchmark (docs/performance.md): those
# tasks were ~10% of a crawl's CPU.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A column's further list pages go ahead of the documents already listed while the scheduler
# holds fewer than PAGER_LOOKAHEAD requests and fewer than PAGER_LOOKAHEAD_PAGES such pages are
# on their way, and wait aside (in order) otherwise (crawler.scheduler): no chain of list-page
# round trips, and a bounded queue (docs/performance.md).
SCHEDULER = "crawler.scheduler.LookaheadScheduler"
PAGER_LOOKAHEAD = 500
PAGER_LOOKAHEAD_PAGES = 16
# Scrapy reads a generator callback's source (inspect + ast) for a ``return value`` on every
# response: bound methods are new objects each time, so its cache never hits (4% of the
# crawl's CPU at the scale benchmark). A developer's lint, not needed while crawling
# (tests/test_pipeline.py checks once that no callback returns a value).
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5      # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
# A <meta http-equiv="refresh"> is followed only when immediate (delay under 1 s): a page that
# refreshes later (5 s, 150 s) is itself the page; the fetch records its refresh (m007)
METAREFRESH_MAXDELAY = 1
REDIRECT_MAX_TIMES = 10         # a redirect loop ends here, recorded as an error fetch
COOKIES_ENABLED = True          # 302-to-self WAFs set a cookie and expect it back
# Backstop only: a pager that repeats its rows is stopped by the spider (a list page with no
# new rows yields no further pages); this cuts a chain of next-page links that never repeats.
DEPTH_LIMIT = 200
# 429 / 503 + Retry-After (crawler.middlewares.RetryAfterMiddleware)
RETRY_AFTER_TIMES = 5
RETRY_AFTER_MAX_WAIT = 60.0     # seconds; a longer Retry-After is cut to this
RETRY_AFTER_MIN_DELAY = 0.05    # per-host delay after the first 429 (then doubled per 429)
RETRY_AFTER_DEFAULT_WAIT = 5.0  # a 429 without Retry-After
RETRY_AFTER_RECOVER_AFTER = 20  # answers without a 429 before the per-host delay is halved again
# No listening ports on an unattended crawler: neither the telnet console nor Scrapy 2.19's
# RemoteControl (an HTTP server that runs Python sent to it and writes job files to the home
# directory).
# Scrapy's caching resolver that can log every name it resolves (GOVAUDIT_RESOLVE_LOG: the tests
# prove from it that no test crawl resolves a public name; see crawler/linkcheck/resolver.py)
DNS_RESOLVER = "crawler.linkcheck.resolver.RecordingResolver"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Scrapy's extensions without RemoteControl: disabled above, but listed it is still imported
# (Scrapy loads every listed component's class), and with it aiohttp: ~10 MiB and ~0.1 s per run
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.telnet.TelnetConsole": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.memdebug.MemoryDebugger": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
# the garbage collector during a crawl: start-up objects frozen, young generation collected every
# GC_THRESHOLD allocations instead of 700 (crawler/gctune.py; ~10% of the crawler's CPU was the
# collector's at the scale benchmark, docs/performance.md)
EXTENSIONS = {"crawler.gctune.GcTuning": 0}
GC_TUNING = True
GC_THRESHOLD = 50_000
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    # first of all (before robots.txt): refuse internal addresses and non-http schemes
    # (crawler.outbound); OUTBOUND_TARGETS is set per run to the audited sites' URLs
    "crawler.outbound.OutboundMiddleware": 50,
    # a maximum body size per content type, truncation recorded (BODY_CAP_* below)
    "crawler.middlewares.BodyCapMiddleware": 55,
    # response order is from high to low: these see a response before RetryMiddleware (550)
    "crawler.middlewares.RetryAfterMiddleware": 560,
    "crawler.middlewares.JslClearanceMiddleware": 565,
    # redirect hops bypass the duplicate filter (302-to-self cookie walls, loops end on max)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.HopMetaRefreshMiddleware": 580,
    "crawler.middlewares.HopRedirectMiddleware": 600,
    # Scrapy's per-request work that does nothing here: no spider has allowed_domains (the
    # portal spider keeps to its hosts itself, the link checker checks other hosts) or
    # http_user; each was a call per request (the offsite one also a signal handler per
    # scheduled request)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
}
# a development-time warning for requests that copy Scrapy's internal meta keys (the spiders
# build their meta themselves): one more asynchronous layer around every callback output
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None}
# the portal spider's output (crawler.items) enters the store here, and only here
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
LOG_FORMATTER = "crawler.pipelines.StoreLogFormatter"     # store items are not logged one by one
# Body caps (crawler.middlewares.BodyCapMiddleware): pages are kept up to BODY_CAP_PAGE bytes,
# other files up to BODY_CAP_FILE (the link checker reads files' first bytes only); the fetch
# records the truncation. DOWNLOAD_MAXSIZE: a body declared larger is not read at all.
BODY_CAP_PAGE = 5 * 1024 * 1024
BODY_CAP_FILE = 1024 * 1024
DOWNLOAD_MAXSIZE = 256 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# only http(s): a hostile link must not read local files or speak FTP/S3 (crawler.outbound
# refuses other schemes first; these handlers are not even loaded)
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
OUTBOUND_TARGETS: list[str] = []
OUTBOUND_ALLOW: list[str] = []      # CIDR ranges the operator allows (--allow-net)
# Above 0: document and further list pages (portal crawl) and followed pages (`govaudit links`) are checked and
# read (links, metadata, body text, the body packed for the store) in one page-reading process
# beside Scrapy's event loop, shared by the crawling process's spiders (crawler/reader.py);
# 0: in the crawler's process. One is enough on two cores: Scrapy's reactor uses the other one
# (docs/performance.md); a value above 1 still starts one.
PARSE_WORKERS = 1
