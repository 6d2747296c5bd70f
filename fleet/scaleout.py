"""Several worker processes, on one machine or many, crawling one nightly batch through
scrapy-redis (``govaudit nightly --redis URL --workers N`` and ``govaudit worker --redis URL``).

* **One queue, one dupefilter.** Every worker uses scrapy-redis's scheduler and duplicate
  filter on the batch's keys (``govaudit:<batch>:requests`` / ``:dupefilter``). Every worker
  offers every site's home page; the shared dupefilter lets one through.
* **One writer.** Workers never open the SQLite store. Each store call the item pipeline
  (``crawler.pipelines.StorePipeline``) makes for the spider's items is
  pickled onto the Redis list ``govaudit:<batch>:ops`` (:class:`RemoteStore`); the coordinator
  (``nightly --redis``) is the only writer: it applies them in order to the store, putting each
  row in its site's run. A request is taken off the shared queue by exactly one worker, so each
  page is fetched and stored once.
* **Per-host politeness across workers.** Each host's budget (in flight, delay) is divided
  among the workers: a worker keeps ``max(1, N // workers)`` requests in flight per host and
  waits ``delay × workers`` between them, so together they stay within the host's limit.
* **Page objects.** The worker that reads a site's home page puts it in
  ``govaudit:<batch>:homes``; another worker handed one of that site's pages chooses the same
  page objects from it.
* **The hosts a crawl keeps to.** A portal's section often answers on another host name than
  its home page (``www.…`` and ``xxgk.…``). The worker that first requests a page there adds
  the host to ``govaudit:<batch>:hosts`` before the request is queued; every worker reads the
  set before it reads a tree or list page, so the rows of a list page are followed whichever
  worker is handed it (without this, another worker dropped them as off-site).
* **The end.** A worker closes when the queue is empty, no worker is busy and nothing has
  been answered for ``IDLE_S`` seconds; the coordinator ends when its workers (and any remote
  worker registered in ``govaudit:<batch>:workers``) have gone and the ops are drained.

Redis must be private (loopback, or a password and a firewall): the queue and the ops are
pickled, as scrapy-redis does for requests.
"""
from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import time
from pathlib import Path

from crawler.spiders.portal import site_key
from store import Store, sha1

IDLE_S = 3.0
DUMMY_RUN = 0


def keys(batch: int) -> dict[str, str]:
    p = f"govaudit:{batch}"
    return {n: f"{p}:{n}" for n in ("requests", "dupefilter", "ops", "homes", "trees", "hosts", "busy", "workers",
                                    "stats", "activity")} | {"job": f"{p}:job"}


def connect(url: str):
    import redis

    r = redis.Redis.from_url(url)
    r.ping()
    return r


class RemoteStore:
    """The store's write interface, as ops pushed to Redis for the one writer. Nothing a worker
    runs reads the store (incremental fetching is off)."""

    #: the store methods the item pipeline calls, and where their run id is found: after the
    #: site (``(run_id, site, …)``), or from a URL (``(run_id, url, …)``: its site's run)
    WRITES = ("upsert_site", "add_column", "set_column_status", "add_list_rows", "add_document", "add_links")

    def __init__(self, r, batch: int, on_commit=None):
        self.r, self.key = r, keys(batch)["ops"]
        self._buf: list[bytes] = []
        self.on_commit = on_commit

    def _op(self, name, *a, **kw):
        self._buf.append(pickle.dumps((name, a, kw), protocol=4))
        if len(self._buf) >= 50:
            self.commit()

    def add_fetch(self, *a, body: bytes | None = None, body_sha: str | None = None, **kw):
        sha = body_sha or (sha1(body) if body is not None else None)
        self._op("add_fetch", *a, body=body, body_sha=sha, **kw)
        return sha

    def __getattr__(self, name):
        if name in self.WRITES:
            return lambda *a, **kw: self._op(name, *a, **kw)
        raise AttributeError(name)

    def link_document_columns(self, run_id: int) -> None:
        """Not a worker's to do: the coordinator does it once per run, when every worker is done."""

    def commit(self) -> None:
        if self._buf:
            self.r.rpush(self.key, *self._buf)
            self._buf = []
        if self.on_commit is not None:
            self.on_commit()

    def close(self) -> None:
        self.commit()


class Writer:
    """Apply the workers' ops to the store, each row in its site's run."""

    def __init__(self, store: Store, runs: dict[str, int]):
        self.store, self.runs = store, runs
        self.applied = 0

    def run_of(self, site_or_url: str) -> int:
        return self.runs[site_key(site_or_url)]

    def apply(self, raw: bytes) -> None:
        name, a, kw = pickle.loads(raw)
        s = self.store
        if name not in RemoteStore.WRITES + ("add_fetch",):
            raise ValueError(f"not a store write a worker sends: {name}")
        if name == "upsert_site":          # (url, name, family, run_id, profile=)
            a = list(a)
            a[3] = self.run_of(a[0])
            s.upsert_site(*a, **kw)
        elif name == "set_column_status":    # (run_id, url, status, note)
            s.set_column_status(self.run_of(a[1]), *a[1:], **kw)
        else:                                 # (run_id, site, ...)
            getattr(s, name)(self.run_of(a[1]), *a[1:], **kw)
        self.applied += 1

    def drain(self, r, key: str, batch: int = 500) -> int:
        n = 0
        while True:
            items = r.lpop(key, batch)
            if not items:
                break
            for raw in items:
                self.apply(raw)
            n += len(items)
            self.store.commit()
        return n


# -- the worker --------------------------------------------------------------------------------
def worker_settings(redis_url: str, batch: int, job: dict, log_level: str):
    from crawler.crawl import build_settings

    k = keys(batch)
    workers = max(1, int(job["workers"]))
    limits = {}
    for host, (n, d) in (job.get("host_limits") or {}).items():
        limits[host] = (max(1, int(n) // workers), d * workers if d else d)
    s = build_settings(job["urls"], log_level=log_level, host_limits=limits)
    per_host = s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    s.set("CONCURRENT_REQUESTS_PER_DOMAIN", max(1, per_host // workers), priority="cmdline")
    if s.getfloat("DOWNLOAD_DELAY"):
        s.set("DOWNLOAD_DELAY", s.getfloat("DOWNLOAD_DELAY") * workers, priority="cmdline")
    s.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", priority="cmdline")
    s.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    s.set("SCHEDULER_QUEUE_KEY", k["requests"], priority="cmdline")
    s.set("SCHEDULER_DUPEFILTER_KEY", k["dupefilter"], priority="cmdline")
    s.set("SCHEDULER_PERSIST", True, priority="cmdline")      # the coordinator clears the keys
    s.set("REDIS_URL", redis_url, priority="cmdline")
    return s


def make_worker_spider():
    from scrapy import signals
    from scrapy.exceptions import DontCloseSpider

    from crawler.profiles.registry import resolve
    from crawler.profiles.site import load_site_config
    from fleet.incremental import FleetSpider

    class WorkerSpider(FleetSpider):
        name = "fleet-worker"

        def __init__(self, *a, redis_url: str, batch: int, **kw):
            self.r = connect(redis_url)
            self.k = keys(batch)
            self.me = f"{socket.gethostname()}:{os.getpid()}"
            self._hosts_shared: set[str] = set()
            super().__init__(*a, store=RemoteStore(self.r, batch, on_commit=self._mark_busy), **kw)
            self.r.sadd(self.k["workers"], self.me)

        @classmethod
        def from_crawler(cls, crawler, *a, **kw):
            spider = super().from_crawler(crawler, *a, **kw)
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
            crawler.signals.connect(spider.on_response, signal=signals.response_received)
            return spider

        def on_response(self, **kw):
            self.r.set(self.k["activity"], time.time())
            self.r.hset(self.k["busy"], self.me, max(1, self._busy()))     # a response to handle

        def _busy(self) -> int:
            eng = self.crawler.engine
            return len(eng.downloader.active) + len(getattr(eng.scraper.slot, "active", ()) or ())

        def on_idle(self, **kw):
            self.store.commit()
            self.r.hset(self.k["busy"], self.me, 0)
            others = [int(v) for w, v in self.r.hgetall(self.k["busy"]).items() if w.decode() != self.me]
            last = float(self.r.get(self.k["activity"]) or 0)
            if self.r.zcard(self.k["requests"]) or any(others) or time.time() - last < IDLE_S:
                raise DontCloseSpider

        def _mark_busy(self) -> None:
            self.r.hset(self.k["busy"], self.me, self._busy())

        # the hosts the crawl keeps to (a section on another host name than the home page): a
        # host is shared before the request that first goes there is queued, and read back
        # before any tree or list page is read, so it is known to the worker handed that page
        def _push_hosts(self) -> None:
            new = self.allowed_hosts - self._hosts_shared
            if new:
                self.r.sadd(self.k["hosts"], *sorted(new))
                self._hosts_shared |= new

        def _pull_hosts(self) -> None:
            shared = {h.decode() for h in self.r.smembers(self.k["hosts"])}
            self.allowed_hosts |= shared
            self._hosts_shared |= shared

        def _section_request(self, site, candidates):
            request = super()._section_request(site, candidates)
            self._push_hosts()
            return request

        def _node_request(self, site, node):
            request = super()._node_request(site, node)
            self._push_hosts()
            return request

        # what discovery knows of a site (its page objects and its tree's home links, chrome and
        # section names) is shared, so a worker reads a site's pages as the one that began it
        def _push_tree(self, site: str) -> None:
            tree = self.trees.get(site)
            if tree is not None:
                self.r.hset(self.k["trees"], site, json.dumps({
                    "home": tree.home, "home_links": sorted(tree.home_links), "home_names": sorted(tree.home_names),
                    "section_names": sorted(tree.section_names), "chrome": sorted(tree.chrome)}))

        def _pull_tree(self, site: str) -> None:
            from crawler.spiders.portal import SiteTree

            raw = self.r.hget(self.k["trees"], site)
            if not raw:
                return
            d = json.loads(raw)
            tree = self.trees.setdefault(site, SiteTree(home=d["home"]))
            tree.home_links |= set(d["home_links"])
            tree.home_names |= set(d["home_names"])
            tree.section_names |= set(d["section_names"])
            tree.chrome |= set(d["chrome"])

        def parse_home(self, response):
            html = self._text(response)
            if response.status == 200 and html:
                self.r.hsetnx(self.k["homes"], response.meta["site"], json.dumps([response.url, html]))
            results = list(super().parse_home(response) or ())
            self._push_tree(response.meta["site"])
            yield from results

        def parse_node(self, response):
            site = response.meta["site"]
            self._pull_tree(site)
            self._pull_hosts()
            results = list(super().parse_node(response) or ())
            if response.meta["node"].depth == 0:
                self._push_tree(site)
            yield from results

        async def parse_more(self, response):
            self._pull_hosts()
            async for r in super().parse_more(response):
                yield r

        def _profile(self, site: str):
            if site not in self.profiles and (raw := self.r.hget(self.k["homes"], site)):
                url, html = json.loads(raw)
                self.profiles[site] = resolve(url, html, self.forced_family, load_site_config(site, self.sites_dir))
            return super()._profile(site)

        def closed(self, reason: str) -> None:
            self.store.commit()
            self.r.hset(self.k["stats"], self.me, json.dumps(self.stats_counts))
            self.r.hdel(self.k["busy"], self.me)
            self.r.srem(self.k["workers"], self.me)
            self.crawl_reason = reason

    return WorkerSpider


def run_worker(redis_url: str, batch: int | None = None, log_level: str = "WARNING") -> dict:
    """``govaudit worker``: crawl the batch's queue until it is done; returns this worker's counts."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl import use_bundled_public_suffix_list

    import warnings

    from scrapy.exceptions import ScrapyDeprecationWarning

    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    r = connect(redis_url)
    if batch is None:
        batch = int(r.get("govaudit:current") or 0)
    raw = r.get(keys(batch)["job"])
    if not raw:
        raise LookupError(f"no govaudit batch {batch} in {redis_url}")
    job = json.loads(raw)
    use_bundled_public_suffix_list()
    process = CrawlerProcess(worker_settings(redis_url, batch, job, log_level))
    crawler = process.create_crawler(make_worker_spider())
    process.crawl(crawler, start_urls=job["urls"], db_path=":memory:", run_id=DUMMY_RUN, redis_url=redis_url,
                  batch=batch, sites_dir=job.get("sites_dir"), max_documents=job.get("max_documents"))
    process.start()
    return dict(crawler.spider.stats_counts)


# -- the coordinator -----------------------------------------------------------------------------
def crawl_batch_redis(sites, plan: dict[str, dict], db_path: str, batch: int, redis_url: str, *,
                      workers: int, sites_dir: str | None, max_documents: int | None, progress,
                      remote_workers: int = 0, links: bool = True, log_level: str = "WARNING",
                      stream=sys.stderr) -> dict:
    """Start ``workers`` local worker processes on the batch's queue (remote ones may join with
    ``govaudit worker --redis URL``), be the one writer until they are done, return per-worker
    counts."""
    from fleet.sitesfile import host_limits

    r = connect(redis_url)
    k = keys(batch)
    todo = [s for s in sites.sites if plan[s.key]["crawl"]]
    for key in k.values():
        r.delete(key)
    job = {"urls": [s.url for s in todo], "workers": max(1, workers + remote_workers), "sites_dir": sites_dir,
           "host_limits": {h: list(v) for h, v in host_limits(sites, sites_dir).items()},
           "max_documents": max_documents}
    r.set(k["job"], json.dumps(job, ensure_ascii=False))
    r.set("govaudit:current", batch)
    r.set(k["activity"], time.time())
    store = Store(db_path)
    writer = Writer(store, {s.key: plan[s.key]["run_id"] for s in todo})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                         os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-m", "govaudit", "worker", "--redis", redis_url,
                               "--batch", str(batch)] + (["-v"] if log_level == "INFO" else []), env=env)
             for _ in range(workers)]
    stream.write(f"nightly batch {batch}: {workers} workers on {redis_url}\n")
    last_tick = 0.0
    while True:
        n = writer.drain(r, k["ops"])
        running = [p for p in procs if p.poll() is None]
        if not running and not r.scard(k["workers"]) and not n:
            if not writer.drain(r, k["ops"]):
                break
        if not n:
            time.sleep(0.2)
        if time.monotonic() - last_tick > progress.every:
            stream.write(f"nightly: {writer.applied} results stored, {r.zcard(k['requests'])} requests queued\n")
            last_tick = time.monotonic()
    failed = [p.returncode for p in procs if p.returncode]
    if failed:
        stream.write(f"nightly: {len(failed)} worker(s) failed (exit {failed}); what they stored is kept\n")
    # what the item pipeline does at a crawl's close, once per run: documents carry every column
    # listing them
    for s in todo:
        run_id = plan[s.key]["run_id"]
        store.link_document_columns(run_id)
        pages = store.count("fetches", run_id)
        docs = store.count("documents", run_id)
        store.finish_run(run_id, "finished" if not failed else "interrupted",
                         {"pages": pages, "documents": docs, "workers": workers})
        progress.site_done(s, f"{pages} pages, {docs} documents")
    per_worker = {w.decode(): json.loads(v) for w, v in r.hgetall(k["stats"]).items()}
    for w, c in per_worker.items():
        stream.write(f"  worker {w}: {c['pages']} pages, {c['documents']} documents\n")
    for key in k.values():
        r.delete(key)
    store.commit()
    store.close()
    if links:
        check_links(db_path, [s.url for s in todo], [plan[s.key]["run_id"] for s in todo], log_level)
    return per_worker


def check_links(db_path: str, urls: list[str], run_ids: list[int], log_level: str) -> None:
    """The link check of each run, one after another, in this process (after the workers)."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    from crawler.crawl import build_settings, use_bundled_public_suffix_list
    from crawler.linkcheck.checker import chain_link_check, link_stats

    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    use_bundled_public_suffix_list()
    settings = build_settings(urls, log_level=log_level)
    process = CrawlerProcess(settings)
    if not is_reactor_installed():      # chain_link_check makes plain Crawlers, which install none
        install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    after = defer.succeed(None)
    checkers = [chain_link_check(process, after, db_path, run_id) for run_id in run_ids]
    process.start()
    for c in checkers:
        link_stats(c)
