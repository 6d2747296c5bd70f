"""Resuming an interrupted crawl from the store (issue 11).

A crawl killed (kill -9, OOM, reboot) or stopped by a signal has stored every page it fetched
(``fetches`` and ``bodies``) under its run id. Resuming runs the same crawl again *in the same
run*: every request whose answer the store already holds for that run is answered from the
store (Scrapy's HTTP cache middleware, with :class:`StoreReplay` as its storage), so the
spider walks the same discovery again at no cost to the portal, records nothing twice, and
fetches only what the interrupted attempt never got. The run then ends exactly as an
uninterrupted one: same documents, columns, entries, links and findings.

``--jobdir DIR`` names the resumable state: ``DIR/govaudit-run.json`` remembers the database
and run id of the crawl started with that DIR; the same command with the same ``--jobdir``
continues that run while it is not finished.

Replayed: answers stored with a body and no redirect hop (a redirected answer is fetched
again: its hops are not kept as responses). Stored failures (connection errors) are asked again.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

MARKER = "govaudit-run.json"


class StoreReplay:
    """``HTTPCACHE_STORAGE``: answers a request from the fetches of the spider's own run
    (``spider.store``, ``spider.run_id``); stores nothing (the spider records every fetch)."""

    def __init__(self, settings):
        self.index: dict[tuple[str, str, str], dict] = {}
        self.store = None

    def open_spider(self, spider) -> None:
        self.store = spider.store
        for f in self.store.replayable_fetches(spider.run_id):
            self.index.setdefault((f["method"] or "GET", f["url"], f["req_body"] or ""), f)
        if self.index:
            logger.info("resuming run %s: %d stored answers replayed from the store",
                        spider.run_id, len(self.index))

    def close_spider(self, spider) -> None:
        self.index.clear()

    def retrieve_response(self, spider, request):
        body = request.body.decode("utf-8", "replace") if request.body else ""
        f = self.index.get((request.method, request.url, body))
        if f is None:
            return None
        data = self.store.body(f["body_sha"])
        if data is None:
            return None
        headers = Headers({"Content-Type": f["content_type"]} if f["content_type"] else {})
        cls = responsetypes.from_args(headers=headers, url=request.url, body=data)
        if f["truncated"]:
            request.meta["truncated_at"] = f["truncated"]
        request.meta["replayed_fetch"] = f["id"]
        return cls(url=request.url, status=f["status"], headers=headers, body=data, request=request)

    def store_response(self, spider, request, response) -> None:
        pass


def replay_settings(settings) -> None:
    """Turn on the replay of a resumed run's stored answers (portal crawl only)."""
    settings.set("HTTPCACHE_ENABLED", True, priority="cmdline")
    settings.set("HTTPCACHE_STORAGE", "crawler.resume.StoreReplay", priority="cmdline")
    settings.set("HTTPCACHE_POLICY", "scrapy.extensions.httpcache.DummyPolicy", priority="cmdline")
    settings.set("HTTPCACHE_IGNORE_MISSING", False, priority="cmdline")
    settings.set("HTTPCACHE_IGNORE_HTTP_CODES", [], priority="cmdline")


def read_marker(jobdir: str | Path) -> dict | None:
    path = Path(jobdir) / MARKER
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_marker(jobdir: str | Path, db: str, run_id: int, command: str, target: str) -> None:
    folder = Path(jobdir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(json.dumps(
        {"db": str(Path(db).resolve()), "run_id": run_id, "command": command, "target": target},
        ensure_ascii=False), "utf-8")


def resumable_run(store, jobdir: str | None, db: str, command: str, target: str) -> dict | None:
    """The unfinished run ``jobdir`` remembers for this database, command and targets, or None."""
    if not jobdir:
        return None
    mark = read_marker(jobdir)
    if not mark or mark.get("db") != str(Path(db).resolve()) or mark.get("command") != command \
            or mark.get("target") != target:
        return None
    run = store.run_row(mark.get("run_id"))
    if not run or run["status"] == "finished":
        return None
    return run
