"""``govaudit recheck URL [--open-only]``: re-judge one site after its unit says problems are fixed.

``--open-only``: a new run starts as a copy of the site's last run (columns, entries,
documents, links, fetches — each copied fetch keeps the run it was made in,
``fetches.copied_from``); then only what the open findings point at is fetched again: the home
page (always: site-level rules and the page objects need it), each finding's document, column
(with its pager) or section, and the targets of open link findings (checked again by the link
checker; every link of the run when an open link finding is about the site's links as a whole,
e.g. "the links were not checked" of a ``--no-links`` run). The rules then run on the new run,
so each open finding comes out 已整改 (assessed again and passing) or 持续存在. Without
``--open-only``: a full incremental run of the site.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from crawler.spiders.portal import site_key
from store import Store


class NothingToRecheck(LookupError):
    """The store holds no audited run of the site: there is nothing to re-judge."""


#: open-finding codes judged on link checks: their targets are checked again
LINK_CODES = ("LK001", "LK002", "LK003")


def plan_targets(store: Store, run_id: int, site: str, home: str,
                 open_findings: list[dict]) -> tuple[list[dict], set[str] | None]:
    """What to fetch for the open findings: ``[{url, kind, column}]`` and the link targets to
    check again (None: every link of the run, for an open finding about the site's links as a
    whole, such as "the links were not checked", whose URL is the site's, not a target's)."""
    docs = store.document_urls(run_id, site)
    cols = {r["url"]: r for r in store.table_rows("columns", run_id, site)}
    listed = store.listed_urls(run_id, site)
    targets = {home: {"url": home, "kind": "home"}}
    links: set[str] = set()
    every_link = False
    for f in open_findings:
        url = f.get("url")
        if f["code"] in LINK_CODES:
            if not url or url == site:
                every_link = True
            else:
                links.add(url)
            continue
        if not url or url in (site, home) or url in targets:
            continue
        if url in docs or (url in listed and url not in cols):
            targets[url] = {"url": url, "kind": "document"}
        elif url in cols and cols[url]["role"] == "home":
            continue
        elif url in cols:
            c = cols[url]
            targets[url] = {"url": url, "kind": "section" if c["role"] == "section" else "column", "column": dict(c)}
    return list(targets.values()), None if every_link else links


def recheck_open(db_path: str, url: str, as_of: date, out: Path, *, sites_dir: str | None = None,
                 log_level: str = "WARNING", stream=sys.stderr) -> tuple[dict, list[Path]]:
    from scrapy.crawler import CrawlerProcess

    from fleet.publish import audit_and_report
    from crawler.crawl import build_settings, timing_stats, use_bundled_public_suffix_list
    from crawler.linkcheck.checker import chain_link_check, link_stats
    from data import tool_version
    from fleet.incremental import FleetSpider

    site = site_key(url)
    store = Store(db_path)
    prev = store.last_audited_run(site)
    if not prev:
        raise NothingToRecheck(f"no audited run of {site} in {db_path}: run `govaudit check` or `nightly` first")
    open_findings = [f for f in store.findings(prev["id"], site) if f["outcome"] in ("fail", "review")]
    home_rows = [c for c in store.table_rows("columns", prev["id"], site) if c["role"] == "home"]
    home = home_rows[0]["url"] if home_rows else url
    run_id = store.start_site_run("recheck-open", site, as_of.isoformat(), tool_version(), site)
    store.carry_run(prev["id"], run_id, site)
    targets, link_targets = plan_targets(store, run_id, site, home, open_findings)
    # what is fetched again starts empty in the new run: no copied rows to mask what it says now
    for t in targets:
        store.forget_page(run_id, t["url"], rows=t["kind"] in ("column", "home"))
    # links: only those whose targets have open findings are checked again (all of them when an
    # open finding is about the site's links as a whole)
    if link_targets is not None:
        store.keep_links_to(run_id, link_targets)
    store.clear_link_checks(run_id)
    store.commit()
    checking = "every link target" if link_targets is None else f"{len(link_targets)} link targets"
    stream.write(f"recheck run {run_id} of {site}: {len(open_findings)} open findings of run {prev['id']}; "
                 f"fetching {len(targets)} pages and checking {checking}\n")
    use_bundled_public_suffix_list()
    settings = build_settings([url], log_level=log_level)
    settings.set("DOWNLOADER_MIDDLEWARES", {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                                            "fleet.incremental.ConditionalRequestMiddleware": 950},
                 priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FleetSpider)
    done = process.crawl(crawler, start_urls=[home], db_path=db_path, run_id=run_id, sites_dir=sites_dir,
                         store=store, incremental=True, targets=targets)

    def only_open_link_targets(result):
        # the pages fetched again stored all their links; only the open findings' are checked
        store.keep_links_to(run_id, link_targets)
        store.commit()
        return result

    if link_targets is not None:
        done.addCallback(only_open_link_targets)
    checker = chain_link_check(process, done, db_path, run_id) if link_targets is None or link_targets else None
    process.start()
    spider = crawler.spider
    stats = {**spider.stats_counts, "finish_reason": getattr(spider, "crawl_reason", None),
             **timing_stats(crawler), "targets": len(targets),
             "link_targets": "all" if link_targets is None else len(link_targets)}
    if checker is not None:
        stats["links"] = link_stats(checker)
    store.finish_run(run_id, "finished" if stats["finish_reason"] == "finished" else str(stats["finish_reason"]), stats)
    paths = audit_and_report(store, run_id, as_of, out, sites_dir=sites_dir)
    result = store.findings(run_id, site)
    doc = store.result_doc(run_id, site)
    fixed = {f["fingerprint"] for f in doc.get("fixed", [])}
    persisting = {f["fingerprint"] for f in result if f.get("change") == "persisting"}
    summary = {"run": run_id, "previous_run": prev["id"], "open": len(open_findings), "fixed": len(fixed),
               "persisting": len(persisting), "requests": stats.get("requests", 0),
               "not_rechecked": [f["fingerprint"] for f in open_findings
                                 if f["fingerprint"] not in fixed | persisting]}
    stream.write(f"recheck run {run_id}: {summary['fixed']} 已整改 (fixed), {summary['persisting']} 持续存在 "
                 f"(persisting) of {summary['open']} open findings; {summary['requests']} requests\n")
    if summary["not_rechecked"]:
        stream.write(f"  {len(summary['not_rechecked'])} open findings were not assessed again "
                     "(their rule gave no result on what was fetched)\n")
    store.close()
    return summary, paths


def recheck_full(db_path: str, url: str, as_of: date, out: Path, *, sites_dir: str | None = None,
                 log_level: str = "WARNING", stream=sys.stderr) -> list[Path]:
    """A full incremental run of one site (every list page; documents conditionally)."""
    from fleet.publish import audit_and_report
    from data import tool_version
    from fleet.nightly import Progress, crawl_batch
    from fleet.sitesfile import FleetSite, SitesFile

    site = FleetSite(id="recheck", name=site_key(url), url=url, region="", level="", line=0)
    store = Store(db_path)
    run_id = store.start_site_run("recheck", url, as_of.isoformat(), tool_version(), site.key)
    store.commit()
    stream.write(f"recheck run {run_id}: incremental crawl of {url}\n")
    crawl_batch(SitesFile(Path("-"), (site,)), {site.key: {"run_id": run_id, "crawl": True}}, db_path,
                sites_dir=sites_dir, incremental=True, links=True, ttl_days=None,
                progress=Progress(total=1, stream=stream), log_level=log_level,
                revisit_days=0)       # a recheck asks the portal for every listed document
    paths = audit_and_report(store, run_id, as_of, out, sites_dir=sites_dir)
    store.close()
    return paths
