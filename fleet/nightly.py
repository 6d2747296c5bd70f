"""``govaudit nightly``: every site of a sites file crawled at once in one process (one crawler
per site on one reactor, per-host politeness from the file), then audited and reported, with
a fleet index, a progress display and a summary.

One nightly run is a *batch*; each site of it is a run (``runs.batch``). A lock file next to the
database keeps two nightly runs off one store. A batch killed mid-way is resumed by the next
``nightly`` on the same store: the sites whose crawl had finished are kept, each site whose
crawl was interrupted is crawled again under the same run id after its partial rows are
cleared (bodies stay: they are kept by hash), so the batch ends with every site exactly once.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from store import Store, now_iso
from fleet.sitesfile import FleetSite, SitesFile, host_limits

#: exit code when another nightly run holds the store's lock
EXIT_LOCKED = 4
#: tables a site's run writes (cleared when an interrupted run is crawled again)
RUN_TABLES = ("fetches", "columns", "entries", "documents", "links", "link_checks", "findings", "results")


class Locked(Exception):
    pass


@contextmanager
def store_lock(db_path: str | Path):
    """An exclusive ``fcntl`` lock on ``<db>.lock`` for the whole run (released by the kernel
    when the process dies, so a killed run never leaves a stale lock)."""
    path = Path(str(db_path) + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip()
        fh.close()
        raise Locked(f"another nightly run holds {path}{f' ({holder})' if holder else ''}") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {now_iso()}\n")
    fh.flush()
    try:
        yield
    finally:
        fh.close()


# -- progress -------------------------------------------------------------------------------
@dataclass
class Progress:
    """Sites done, pages, documents, errors and an ETA: one line rewritten in a terminal, a
    log line every ``every`` seconds (and per finished site) otherwise."""

    total: int
    stream: object = sys.stderr
    every: float = 30.0
    spiders: list = field(default_factory=list)      # the crawlers
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    _last: float = 0.0

    @property
    def tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def counts(self) -> dict:
        c = {"pages": 0, "documents": 0, "errors": 0}
        for s in filter(None, (getattr(cr, "spider", None) for cr in self.spiders)):
            for k in c:
                c[k] += s.stats_counts.get(k, 0)
        return c

    def line(self) -> str:
        c = self.counts()
        elapsed = time.monotonic() - self.started
        eta = "?"
        if self.done and self.done < self.total:
            eta = f"{elapsed / self.done * (self.total - self.done):.0f} s"
        elif self.done >= self.total:
            eta = "0 s"
        return (f"nightly: sites {self.done}/{self.total}, pages {c['pages']}, documents {c['documents']}, "
                f"errors {c['errors']}, elapsed {elapsed:.0f} s, ETA {eta}")

    def tick(self, force: bool = False) -> None:
        if not self.spiders:          # scrapy-redis workers: they report themselves
            return
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
        elif force or now - self._last >= self.every:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last = now

    def site_done(self, site: FleetSite, reason: str) -> None:
        self.done += 1
        if not self.tty:
            self.stream.write(f"nightly: {site.id} ({site.url}) crawled: {reason}\n")
        self.tick(force=True)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# -- batches --------------------------------------------------------------------------------
def open_batch(store: Store, sites: SitesFile, as_of: date, command: str = "nightly") -> tuple[int, dict[str, dict]]:
    """The batch to run: the unfinished one a crash left (resumed), or a new one. Returns the
    batch id and, per site key, ``{"run_id", "crawl"}`` where ``crawl`` says whether the site
    must be crawled (its run did not finish)."""
    from data import tool_version

    rows = list(store.db.query("select * from batches where status = 'running' order by id desc limit 1"))
    if rows:
        batch = rows[0]["id"]
        print(f"nightly: resuming batch {batch} (started {rows[0]['started_at']}, interrupted)", file=sys.stderr)
    else:
        table = store.db["batches"]
        table.insert({"started_at": now_iso(), "sites_file": str(sites.path),
                      "as_of": as_of.isoformat(), "status": "running"})
        batch = table.last_pk
    plan: dict[str, dict] = {}
    existing = {r["site"]: r for r in store.db.query("select * from runs where batch = ?", [batch])}
    for s in sites.sites:
        run = existing.get(s.key)
        if run and run["status"] == "finished":
            plan[s.key] = {"run_id": run["id"], "crawl": False}
            continue
        if run:     # interrupted: clear its partial rows, crawl it again under the same id
            for t in RUN_TABLES:
                store.db.execute(f"delete from [{t}] where run_id = ?", [run["id"]])
            store.db.execute("update runs set status = 'running', started_at = ?, stats = null "
                             "where id = ?", [now_iso(), run["id"]])
            plan[s.key] = {"run_id": run["id"], "crawl": True}
            continue
        table = store.db["runs"]
        table.insert({"started_at": now_iso(), "command": command, "target": s.url,
                      "as_of": as_of.isoformat(), "version": tool_version(),
                      "status": "running", "batch": batch, "site": s.key})
        plan[s.key] = {"run_id": table.last_pk, "crawl": True}
    store.commit()
    return batch, plan


def profiles_dir(sites: SitesFile, db_path: str | Path, sites_dir: str | None) -> str | None:
    """A folder of ``<host>.toml`` site profiles for the crawl: each site's ``profile`` from
    the sites file, else its profile in ``sites_dir`` (or ``data/sites``). None when no site
    names a profile (then ``sites_dir`` is used as it is)."""
    if not any(s.profile for s in sites.sites):
        return sites_dir
    from data import site_profile_path

    folder = Path(str(db_path) + ".profiles")
    folder.mkdir(parents=True, exist_ok=True)
    for s in sites.sites:
        target = site_profile_path(s.key, folder)
        src = s.profile or site_profile_path(s.key, Path(sites_dir) if sites_dir else None)
        if src.is_file():
            target.write_bytes(src.read_bytes())
        elif target.exists():
            target.unlink()
    return str(folder)


def crawl_batch(sites: SitesFile, plan: dict[str, dict], db_path: str, *, sites_dir: str | None,
                incremental: bool, links: bool, ttl_days: float | None, progress: Progress,
                revisit_days: int | None = None,
                max_documents: int | None = None, log_level: str = "WARNING", settings_extra: dict | None = None) -> dict:
    """Crawl every site of ``plan`` marked ``crawl`` at once; returns stats per site key."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer, task

    from crawler.crawl import build_settings, timing_stats, use_bundled_public_suffix_list
    from fleet.incremental import FleetSpider

    todo = [s for s in sites.sites if plan[s.key]["crawl"]]
    progress.total = len(sites.sites)
    progress.done = len(sites.sites) - len(todo)
    if not todo:
        return {}
    use_bundled_public_suffix_list()
    settings = build_settings([s.url for s in todo], log_level=log_level,
                              host_limits=host_limits(sites, sites_dir))
    settings.set("DOWNLOADER_MIDDLEWARES", {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                                            "fleet.incremental.ConditionalRequestMiddleware": 950},
                 priority="cmdline")
    if ttl_days is not None:
        settings.set("GOVAUDIT_DOCUMENT_TTL_DAYS", ttl_days, priority="cmdline")
    for k, v in (settings_extra or {}).items():
        settings.set(k, v, priority="cmdline")
    process = CrawlerProcess(settings)
    store = Store(db_path)
    crawlers = {}
    finished: list = []
    for s in todo:
        crawler = process.create_crawler(FleetSpider)
        crawlers[s.key] = crawler
        d = process.crawl(crawler, start_urls=[s.url], db_path=db_path, run_id=plan[s.key]["run_id"],
                          max_documents=max_documents, sites_dir=sites_dir, store=store,
                          incremental=incremental, revisit_days=revisit_days)
        progress.spiders.append(crawler)

        def closed(_, s=s, crawler=crawler):
            spider = crawler.spider
            if spider is None:
                progress.site_done(s, "the crawl did not start")
                return _
            stats = {**spider.stats_counts, "finish_reason": getattr(spider, "crawl_reason", None),
                     **timing_stats(crawler)}
            status = "finished" if stats["finish_reason"] == "finished" else str(stats["finish_reason"])
            store.finish_run(plan[s.key]["run_id"], status, stats)
            progress.site_done(s, f"{stats['pages']} pages, {stats['documents']} documents "
                                  f"({stats.get('unchanged', 0)} unchanged, {stats.get('unread', 0)} carried unread), "
                                  f"{stats['errors']} errors")
            return _

        d.addBoth(closed)
        finished.append(d)
    link_crawlers = {}
    if links:
        from crawler.linkcheck.checker import chain_link_check

        # one link check at a time, after every portal crawl (each writes through its own
        # connection; SQLite takes one writer at a time): each link check is a callback on the
        # same deferred, and a callback that returns a crawl's deferred holds the chain until
        # that crawl has finished
        after = defer.DeferredList(finished)
        for s in todo:
            link_crawlers[s.key] = chain_link_check(process, after, db_path, plan[s.key]["run_id"])
            after.addErrback(lambda f: sys.stderr.write(f"nightly: link check failed: {f.getErrorMessage()}\n"))
    ticker = task.LoopingCall(progress.tick)
    ticker.start(1.0, now=False)
    process.start()
    progress.finish()
    out = {}
    for s in todo:
        run = store.run(plan[s.key]["run_id"])
        stats = json.loads(run["stats"] or "{}")
        if s.key in link_crawlers:
            from crawler.linkcheck.checker import link_stats

            stats["links"] = link_stats(link_crawlers[s.key])
            store.db["runs"].update(run["id"], {"stats": json.dumps(stats, ensure_ascii=False)})
        out[s.key] = stats
    store.commit()
    store.close()
    return out




# -- audit, reports, summary ----------------------------------------------------------------
def site_context(site: FleetSite, as_of: date, sites_dir: str | None):
    """The rules' context for one site: thresholds with the sites file's overrides merged in
    (the site profile's own ``[thresholds]`` go on top, as for ``check``)."""
    from data import load_toml
    from rules.computed import merge
    from rules.runner import make_context

    thresholds = load_toml("thresholds.toml")
    over = {k: v for k, v in site.thresholds.items() if k != "reason"}
    if over:
        thresholds = merge(thresholds, over)
        thresholds["_override"] = {"file": f"sites file, site {site.id}",
                                   "reason": site.thresholds["reason"], "keys": sorted(over)}
    return make_context(as_of, thresholds=thresholds, sites_dir=Path(sites_dir) if sites_dir else None)


def not_assessed(store: Store, run_id: int, site: str) -> str | None:
    """Why a site could not be assessed (its home page or section unusable), or None."""
    rows = list(store.db.query(
        "select role, status, note from columns where run_id = ? and site = ? and role in ('home', 'section') "
        "and status not in ('ok', 'pending')", [run_id, site]))
    home = [r for r in rows if r["role"] == "home"]
    if home:
        return f"home page unusable: {home[0]['note'] or home[0]['status']}"
    if not list(store.db.query("select 1 from fetches where run_id = ? and site = ? limit 1", [run_id, site])):
        return "nothing was fetched"
    if rows:
        return f"政府信息公开 section {rows[0]['status']}: {rows[0]['note'] or ''}".strip()
    n = store.db.execute("select count(*) from documents where run_id = ? and site = ?", [run_id, site]).fetchone()[0]
    return None if n else "no document could be read"


def audit_batch(store: Store, sites: SitesFile, plan: dict[str, dict], as_of: date, out: Path,
                sites_dir: str | None) -> tuple[list[dict], list[Path]]:
    from fleet.publish import write_snapshots
    from reports.render import write_index, write_site_report
    from rules.runner import audit_site

    out.mkdir(parents=True, exist_ok=True)
    docs, paths = [], []
    for s in sites.sites:
        run_id = plan[s.key]["run_id"]
        doc = audit_site(store, run_id, s.key, site_context(s, as_of, sites_dir))
        doc["site"].update({"id": s.id, "group": s.group, "name": doc["site"].get("name") or s.name,
                            "listed_name": s.name})
        doc["not_assessed"] = not_assessed(store, run_id, s.key)
        store.save_result(run_id, s.key, doc)
        write_snapshots(store, doc, out)
        paths.append(write_site_report(doc, out))
        docs.append(doc)
    paths.insert(0, write_index(docs, out))
    return docs, paths


def summarise(store: Store, plan: dict[str, dict], docs: list[dict]) -> dict:
    runs = [p["run_id"] for p in plan.values()]
    marks = ",".join("?" * len(runs))
    q = lambda sql: store.db.execute(sql, runs).fetchone()[0]  # noqa: E731
    summary = {
        "sites": len(plan),
        "pages_fetched": q(f"select count(*) from fetches where run_id in ({marks}) and status is not null "
                           "and status != 304"),
        "not_modified": q(f"select count(*) from fetches where run_id in ({marks}) and status = 304"),
        "documents": q(f"select count(*) from documents where run_id in ({marks})"),
        "new_documents": store.db.execute(
            f"select count(*) from documents d where d.run_id in ({marks}) and not exists "
            "(select 1 from documents p where p.url = d.url and p.site = d.site and p.run_id < d.run_id)",
            runs).fetchone()[0],
        "findings": {"new": 0, "persisting": 0, "fixed": 0},
        "not_assessed": {},
    }
    for d in docs:
        for f in d["findings"]:
            summary["findings"][f.get("change") or "new"] += 1
        summary["findings"]["fixed"] += len(d.get("fixed") or [])
        if d.get("not_assessed"):
            summary["not_assessed"][d["site"]["url"]] = d["not_assessed"]
    return summary


def print_summary(summary: dict, batch: int, wall_s: float, stream=sys.stderr) -> None:
    f = summary["findings"]
    lines = [
        f"nightly batch {batch}: {summary['sites']} sites in {wall_s:.0f} s",
        f"  pages fetched: {summary['pages_fetched']} (+ {summary['not_modified']} unchanged, answered 304)",
        f"  documents: {summary['documents']}, new: {summary['new_documents']}",
        f"  findings: {f['new']} new, {f['persisting']} persisting, {f['fixed']} fixed",
    ]
    if summary["not_assessed"]:
        lines.append(f"  could not be assessed: {len(summary['not_assessed'])}")
        lines += [f"    {site}: {why}" for site, why in summary["not_assessed"].items()]
    stream.write("\n".join(lines) + "\n")


def run_nightly(sites: SitesFile, db_path: str, out: Path, as_of: date, *, sites_dir: str | None = None,
                incremental: bool = True, links: bool = True, ttl_days: float | None = None,
                revisit_days: int | None = None, max_documents: int | None = None, log_level: str = "WARNING",
                redis_url: str | None = None, workers: int = 2, remote_workers: int = 0,
                stream=sys.stderr) -> tuple[dict, list[Path]]:
    """The whole nightly run (the caller holds the lock)."""
    start = time.monotonic()
    store = Store(db_path)
    batch, plan = open_batch(store, sites, as_of)
    todo = sum(p["crawl"] for p in plan.values())
    stream.write(f"nightly batch {batch}: {len(plan)} sites ({todo} to crawl) into {db_path}\n")
    progress = Progress(total=len(plan), stream=stream)
    sites_dir = profiles_dir(sites, db_path, sites_dir)
    if redis_url:
        from fleet.scaleout import crawl_batch_redis

        if [p for p in plan.values() if p["crawl"]]:
            crawl_batch_redis(sites, plan, db_path, batch, redis_url, workers=workers, sites_dir=sites_dir,
                              max_documents=max_documents, progress=progress, log_level=log_level,
                              remote_workers=remote_workers, links=links, stream=stream)
    else:
        crawl_batch(sites, plan, db_path, sites_dir=sites_dir,
                    incremental=incremental, links=links, ttl_days=ttl_days, progress=progress,
                    max_documents=max_documents, log_level=log_level, revisit_days=revisit_days)
    docs, paths = audit_batch(store, sites, plan, as_of, out, sites_dir)
    summary = summarise(store, plan, docs)
    summary["wall_s"] = round(time.monotonic() - start, 1)
    store.db["batches"].update(batch, {"finished_at": now_iso(), "status": "finished",
                                       "summary": json.dumps(summary, ensure_ascii=False)})
    store.commit()
    print_summary(summary, batch, summary["wall_s"], stream)
    store.close()
    return summary, paths
