"""The portal spider as a self-contained job, for Scrapyd (``schedule.json``): it opens its own
run in the store, crawls one site and, when the crawl finishes, audits it and writes the report
like ``govaudit check`` does.

    curl http://127.0.0.1:6800/schedule.json -d project=govaudit -d spider=govaudit-site \\
         -d site=https://www.example.gov.cn/ -d db=/var/lib/govaudit/audit.db \\
         -d out=/srv/reports/example

Arguments (all strings, as Scrapyd passes them): ``site`` (home page URL), ``db`` (the store),
``out`` (report folder; default ``<db folder>/govaudit-reports``), ``as_of`` (YYYY-MM-DD;
default today in China), ``sites_dir``, ``max_documents``. The run is recorded with command
``scrapyd`` and the Scrapyd job id in its target.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from crawler.spiders.portal import PortalSpider


class SiteJobSpider(PortalSpider):
    name = "govaudit-site"
    custom_settings = {"DOWNLOADER": "crawler.crawl.Downloader"}     # per-host limits that hold

    def __init__(self, site: str, db: str, out: str | None = None, as_of: str | None = None,
                 sites_dir: str | None = None, max_documents: str | None = None, **kw):
        from store import Store, today_cst
        from data import tool_version

        self.as_of = date.fromisoformat(as_of) if as_of else today_cst()
        self.out = Path(out) if out else Path(db).resolve().parent / "govaudit-reports"
        job = kw.pop("_job", None) or os.environ.get("SCRAPY_JOB")
        store = Store(db)
        run_id = store.start_run("scrapyd", f"{site} (scrapyd job {job})" if job else site,
                                 self.as_of.isoformat(), tool_version())
        store.close()
        super().__init__([site], db, run_id, sites_dir=sites_dir,
                         max_documents=int(max_documents) if max_documents else None, **kw)

    def closed(self, reason: str) -> None:
        from fleet.publish import audit_and_report

        super().closed(reason)
        self.store.finish_run(self.run_id, "finished" if reason == "finished" else str(reason),
                              {**self.stats_counts, "finish_reason": reason})
        if reason == "finished":
            for p in audit_and_report(self.store, self.run_id, self.as_of, self.out, sites_dir=self.sites_dir):
                self.logger.info("report: %s", p)
        self.store.close()
