"""govaudit as a Python API: one plain function per command. Each returns its result (report
paths, exit code and its reason, rows) and raises :class:`ApiError` (a message and the exit
code the command line ends with) instead of printing or exiting. Progress lines a command used
to print go to ``log`` (a text stream; None: nowhere), exactly as ``govaudit`` prints them on
standard error.

    from govaudit import api
    result = api.check(["http://127.0.0.1:8000/"], db="audit.db", out="reports")
    rows = api.export("audit.db", what="findings").rows

The command line (:mod:`govaudit.cli`) parses arguments, calls these and prints. One crawl
per process: ``check``, ``links``, ``demo``, ``nightly``, ``recheck`` and ``worker`` run
Scrapy, whose Twisted reactor cannot be restarted in the same process; ``audit``, ``export``,
``probe`` and ``rules`` can be called any number of times.
"""
from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Callable, Iterable
from urllib.parse import urlsplit

from crawler.items import DOC_FIELDS
from data import tool_version
from store import CST, DatabaseError, Store, today_cst

DEFAULT_DB = "govaudit.db"
DEFAULT_OUT = "govaudit-reports"

#: exit codes (README "Exit codes"): a cron job can tell a good night from a bad one
EXIT_OK = 0              # the run is complete and every site could be assessed
EXIT_NOT_ASSESSABLE = 1  # a failure independent of findings: a site unreachable, a disk error…
EXIT_USAGE = 2           # a wrong argument or input file
EXIT_INCOMPLETE = 3      # the crawl was interrupted (signal, kill): its results are incomplete
EXIT_LOCKED = 4          # a nightly or recheck refused: another run holds the store's lock

#: the rules a ``links`` run is audited with (it stores no documents)
LINK_CODES = ["LK001", "LK002", "LK003"]

FINDING_FIELDS = ["code", "name", "outcome", "severity", "site", "url", "column", "title",
                  "message", "evidence", "fingerprint", "change", "run_id"]
DOCUMENT_FIELDS = ["url", "site", "columns", "column_name"] + [
    f + suffix for f in DOC_FIELDS for suffix in ("", "_raw", "_source")
] + ["category", "category_raw", "attachments", "fetched_at", "body_sha", "run_id"]
EXPORTS = ("findings", "documents", "coverage", "ledger")


class ApiError(Exception):
    """A failure explained in one line (no traceback); ``code`` is the command's exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


@dataclass
class RunResult:
    """What a command produced: the report paths (the fleet index first), its exit code and,
    when that is not 0, the one-line reason; the run and its crawl statistics when it crawled."""
    paths: list[Path] = field(default_factory=list)
    code: int = EXIT_OK
    reason: str | None = None
    run_id: int | None = None
    stats: dict | None = None


@dataclass
class Export:
    """Exported rows and their fields (``rows`` is None for the 问题台账, written by
    :mod:`reports.ledger` itself)."""
    what: str
    format: str
    rows: list[dict] | None
    fields: list[str]


class _Nowhere:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _say(log: IO[str] | None) -> Callable[[str], None]:
    stream = log or _Nowhere()
    return lambda line: print(line, file=stream)


# -- checks shared by the commands -------------------------------------------------------------
def families() -> list[str]:
    """The CMS families a crawl can be forced to (``--family``)."""
    from crawler.profiles.families import family_names

    return family_names()


def check_codes(codes: Iterable[str]) -> None:
    """An unknown rule code in a selection is a usage error (before any crawling)."""
    from rules.registry import UnknownCode, check_selectors

    try:
        check_selectors(list(codes))
    except UnknownCode as exc:
        raise ApiError(str(exc)) from None


def check_out_folder(out: str | Path) -> None:
    """The report folder must be a folder we can write (checked before a long crawl)."""
    import tempfile

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ApiError(f"--out {out}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ApiError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def open_store(db: str | Path, must_exist: bool = False) -> Store:
    """Open the store, explaining what is wrong instead of a traceback: a missing folder
    (never created silently), a file that is not a govaudit SQLite database."""
    path = Path(db)
    if must_exist and not path.exists():
        raise ApiError(f"database not found: {db}")
    if not path.parent.exists():
        raise ApiError(f"--db {db}: folder {path.parent} does not exist (create it first)")
    if path.is_dir():
        raise ApiError(f"--db {db}: is a folder, not a database file")
    try:
        return Store(path)
    except DatabaseError as exc:
        raise ApiError(f"--db {db}: not a govaudit database ({exc})") from None


def run_of(store: Store, run_id: int | None, db: str | Path) -> dict:
    """The run ``run_id`` (default: the latest), or an :class:`ApiError` saying which exist."""
    if run_id is None:
        run = store.latest_run()
        if not run:
            raise ApiError(f"no runs in {db}")
        return run
    run = store.run_row(run_id)
    if not run:
        last = store.latest_run()
        raise ApiError(f"no run {run_id} in {db}" + (f" (runs 1 to {last['id']})" if last else " (it has no runs)"))
    return run


def site_configs(urls: list[str], sites_dir: str | None,
                 log: IO[str] | None = None) -> dict[str, tuple[int, float | None]]:
    """Read and check the site profile of every URL before crawling (a mistake in a profile
    stops the run with the file and key named, not half-way through a crawl); return the
    per-host politeness the profiles set (``[crawl]``)."""
    from crawler.profiles.site import load_site_config
    from crawler.spiders.portal import site_key
    from data import load_toml
    from rules.computed import site_thresholds

    say = _say(log)
    folder = Path(sites_dir) if sites_dir else None
    limits: dict[str, tuple[int, float | None]] = {}
    for url in urls:
        try:
            config = load_site_config(site_key(url), folder)
            site_thresholds(load_toml("thresholds.toml"), site_key(url), folder)
        except ValueError as exc:       # SiteProfileError, bad TOML, an override without reason
            raise ApiError(f"site profile: {exc}") from None
        if config:
            say(f"site profile for {site_key(url)}: {config.path} ({config.reason})")
            if config.host_limit:
                limits.setdefault(*config.host_limit)
    return limits


def link_config(recheck_delay: float | None = None, ttl_days: float | None = None,
                timeout: float | None = None):
    """The link checker's settings: data/thresholds.toml with these overrides."""
    from crawler.linkcheck.classify import LinkConfig

    return LinkConfig.load(recheck_delay_s=recheck_delay, ttl_days=ttl_days, timeout_s=timeout)


# -- runs ---------------------------------------------------------------------------------------
@contextmanager
def recorded_run(store: Store, command: str, target: str, as_of: date, resume: dict | None = None):
    """Start a run in the store (or continue the unfinished run ``resume``); finish it with
    its statistics however the crawl ends (a crash or Ctrl-C leaves it ``interrupted``, a
    signal Scrapy caught ``shutdown``). Yields ``(run_id, box)``: put the stats in ``box``."""
    if resume:
        run_id = resume["id"]
        store.reopen_run(run_id)
    else:
        run_id = store.start_run(command, target, as_of.isoformat(), tool_version())
    box: dict = {}
    try:
        yield run_id, box
    finally:
        stats = box.get("stats")
        reason = stats.get("finish_reason") if stats else None
        links_reason = (stats["links"] or {}).get("finish_reason") if stats and "links" in stats else "finished"
        if reason == "finished" and links_reason != "finished":
            reason = f"links {links_reason}"     # stopped during the link check
        status = "interrupted" if stats is None else ("finished" if reason == "finished" else str(reason))
        if resume and stats is not None:
            stats["resumed"] = (resume.get("resumed") or 0) + 1
        store.finish_run(run_id, status, stats)


def run_outcome(store: Store, run_id: int) -> tuple[int, str | None]:
    """The exit code of a crawl run and its one-line reason: incomplete (3) when the run did
    not finish, not assessable (1) when a site's home page was never read, else 0."""
    run = store.run(run_id)
    if run["status"] != "finished":
        return EXIT_INCOMPLETE, (f"run {run_id} is incomplete ({run['status']}); its report says so. "
                                 "Run the same command with the same --jobdir to continue it")
    bad = [site for site in store.sites(run_id) or [run["target"]] if not store.home_page_read(run_id, site)]
    if bad:
        return EXIT_NOT_ASSESSABLE, (f"site not assessable (home page unreachable, refused or blocked): "
                                     f"{', '.join(bad)}")
    return EXIT_OK, None


def audit_and_report(store: Store, run_id: int, as_of: date, out: Path, codes: list[str] | None = None,
                     sites_dir: str | None = None, select: list[str] | None = None,
                     ignore: list[str] | None = None) -> list[Path]:
    """:func:`fleet.publish.audit_and_report`, a site profile's unknown rule code a usage error."""
    from fleet.publish import audit_and_report as publish_audit
    from rules.registry import UnknownCode

    try:
        return publish_audit(store, run_id, as_of, Path(out), codes, sites_dir, select, ignore)
    except UnknownCode as exc:      # a site profile's [rules] naming no rule
        raise ApiError(str(exc)) from None


def _link_stats_line(run_id: int, s: dict) -> str:
    return (f"run {run_id}: {s.get('targets', 0)} link targets checked ({s.get('requests', 0)} requests"
            f"{'' if s.get('online', True) else ', offline: external network failures not judged'}), "
            f"{s.get('broken', 0)} broken in {s.get('duration_s', '?')} s")


def _finish(store: Store, run_id: int, paths: list[Path], stats: dict, say) -> RunResult:
    code, reason = run_outcome(store, run_id)
    if reason:
        say(f"govaudit: {reason}")
    return RunResult(paths=paths, code=code, reason=reason, run_id=run_id, stats=stats)


# -- commands -----------------------------------------------------------------------------------
def check(urls: list[str], *, db: str | Path = DEFAULT_DB, out: str | Path = DEFAULT_OUT,
          as_of: date | None = None, family: str | None = None, max_documents: int | None = None,
          sites_dir: str | None = None, concurrency: int | None = None, delay: float | None = None,
          select: Iterable[str] = (), ignore: Iterable[str] = (), jobdir: str | None = None,
          links: bool = True, recheck_delay: float | None = None, link_ttl_days: float | None = None,
          link_timeout: float | None = None, host_limits: dict | None = None,
          allow_nets: Iterable[str] = (), verbose: bool = False, command: str = "check",
          log: IO[str] | None = None) -> RunResult:
    """``govaudit check``: crawl ``urls`` together in one run, audit it and write the reports.
    ``code`` is 0, 1 (a site not assessable) or 3 (the run did not finish; the same call with
    the same ``jobdir`` continues it)."""
    from crawler.resume import resumable_run, write_marker
    from crawler.run import run_crawl

    say = _say(log)
    urls = list(dict.fromkeys(urls))
    select, ignore = list(select), list(ignore)
    check_codes(select + ignore)
    # politeness: host_limits over the site profiles' [crawl]
    limits = {**site_configs(urls, sites_dir, log), **dict(host_limits or {})}
    check_out_folder(out)
    store = open_store(db)
    target = " ".join(urls)
    resume = resumable_run(store, jobdir, db, command, target)
    if resume:
        as_of = as_of or (date.fromisoformat(resume["as_of"]) if resume["as_of"] else None)
        resume["resumed"] = json.loads(resume["stats"] or "{}").get("resumed", 0)
    as_of = as_of or today_cst()
    with recorded_run(store, command, target, as_of, resume) as (run_id, box):
        if jobdir and not resume:
            write_marker(jobdir, db, run_id, command, target)
        say(f"run {run_id}: {'resuming' if resume else 'crawling'} {', '.join(urls)} into {db}")
        box["stats"] = stats = run_crawl(
            urls, str(db), run_id, family=family, max_documents=max_documents,
            sites_dir=sites_dir, concurrency=concurrency, delay=delay,
            host_limits=limits, allow_nets=list(allow_nets), replay=bool(resume),
            link_config=link_config(recheck_delay, link_ttl_days, link_timeout) if links else None,
            log_level="INFO" if verbose else "WARNING")
    say(f"run {run_id}: {stats['pages']} pages, {stats['documents']} documents, "
        f"{stats['blocked']} blocked, {stats['errors']} errors in {stats.get('duration_s', '?')} s")
    refused = (stats.get("outbound") or {}).get("refused_count")
    if refused:
        say(f"run {run_id}: {refused} requests refused by the outbound policy "
            "(internal addresses or non-http links; recorded as unchecked)")
    if stats.get("links"):
        say(_link_stats_line(run_id, stats["links"]))
    paths = audit_and_report(store, run_id, as_of, Path(out), sites_dir=sites_dir, select=select, ignore=ignore)
    return _finish(store, run_id, paths, stats, say)


def links(url: str, *, db: str | Path = DEFAULT_DB, out: str | Path = DEFAULT_OUT, as_of: date | None = None,
          max_pages: int | None = None, concurrency: int | None = None, delay: float | None = None,
          host_limits: dict | None = None, allow_nets: Iterable[str] = (), recheck_delay: float | None = None,
          link_ttl_days: float | None = None, link_timeout: float | None = None, verbose: bool = False,
          log: IO[str] | None = None) -> RunResult:
    """``govaudit links``: crawl every page of a site, check all their links, report LK001–LK003."""
    from crawler.linkcheck.checker import run_link_crawl

    say = _say(log)
    as_of = as_of or today_cst()
    check_out_folder(out)
    store = open_store(db)
    with recorded_run(store, "links", url, as_of) as (run_id, box):
        say(f"run {run_id}: checking the links of {url} into {db}")
        box["stats"] = stats = run_link_crawl(
            [url], str(db), run_id, max_pages=max_pages,
            config=link_config(recheck_delay, link_ttl_days, link_timeout),
            concurrency=concurrency, delay=delay, host_limits=dict(host_limits or {}),
            allow_nets=list(allow_nets), log_level="INFO" if verbose else "WARNING",
            while_waiting=_load_audit_code)
    say(f"run {run_id}: {stats.get('pages', 0)} pages crawled")
    say(_link_stats_line(run_id, stats))
    paths = audit_and_report(store, run_id, as_of, Path(out), LINK_CODES)
    return _finish(store, run_id, paths, stats, say)


def _load_audit_code() -> None:
    """Import the rules and the report code the audit after a link crawl needs and compile the
    report's templates (~0.2–0.3 s), while the crawl only waits for its last timed re-checks
    and retries."""
    import rules.runner  # noqa: F401
    from reports.render import compile_templates
    from rules.registry import all_rules

    all_rules()
    compile_templates()


def audit(db: str | Path = DEFAULT_DB, *, run_id: int | None = None, as_of: date | None = None,
          out: str | Path = DEFAULT_OUT, sites_dir: str | None = None, select: Iterable[str] = (),
          ignore: Iterable[str] = (), log: IO[str] | None = None) -> RunResult:
    """``govaudit audit``: re-run the rules offline on a stored run (default: the latest) as
    of ``as_of`` (default: the run's own date) and write the reports."""
    select, ignore = list(select), list(ignore)
    check_codes(select + ignore)
    check_out_folder(out)
    store = open_store(db, must_exist=True)
    run = run_of(store, run_id, db)
    as_of = as_of or (date.fromisoformat(run["as_of"]) if run["as_of"] else today_cst())
    codes = LINK_CODES if run["command"] == "links" else None    # a links run has no documents
    paths = audit_and_report(store, run["id"], as_of, Path(out), codes, sites_dir=sites_dir,
                             select=select, ignore=ignore)
    return _finish(store, run["id"], paths, {}, _say(log))


def export(db: str | Path = DEFAULT_DB, *, what: str | None = None, format: str = "json",
           run_id: int | None = None, audit_id: int | None = None, output: str | Path | None = None,
           stream: IO[str] | None = None) -> Export:
    """``govaudit export``: the findings (of an audit, default the run's latest), documents,
    coverage or 问题台账 of a run (default: the latest). Returns the rows; writes them to
    ``output`` (a file) or ``stream`` when given, as JSON or CSV (the ledger also as xlsx)."""
    if what is None and format != "xlsx":
        raise ApiError("export needs --what findings|documents|coverage|ledger")
    if what is not None and what not in EXPORTS:
        raise ApiError(f"export --what {what!r}: not one of {', '.join(EXPORTS)}")
    if format not in ("json", "csv", "xlsx"):
        raise ApiError(f"export --format {format!r}: not one of json, csv, xlsx")
    store = open_store(db, must_exist=True)
    if output:
        folder = Path(output).absolute().parent
        if not folder.is_dir():
            raise ApiError(f"-o {output}: folder {folder} does not exist")
        if Path(output).is_dir():
            raise ApiError(f"-o {output}: is a folder, not a file")
    if audit_id is not None:
        found = store.audit(audit_id)
        if not found:
            raise ApiError(f"no audit {audit_id} in {db}; audits: "
                           + (", ".join(f"{a['id']} (run {a['run_id']}, as of {a['as_of']})"
                                        for a in store.audits()) or "none"))
        run = run_of(store, found["run_id"], db)
    else:
        run = run_of(store, run_id, db)
    if format == "xlsx" or what == "ledger":   # the 问题台账 (reports/ledger.py)
        return _export_ledger(store, run, what, format, output, stream)
    if what == "findings":
        rows = store.audit_findings(audit_id) if audit_id is not None else store.findings(run["id"])
        fields = FINDING_FIELDS
    elif what == "coverage":      # one row per site, then per section (rules.coverage)
        from rules.coverage import COVERAGE_FIELDS, coverage_rows
        rows = [r for doc in store.result_docs(run["id"]) for r in coverage_rows(doc)]
        fields = COVERAGE_FIELDS
    else:
        rows, fields = store.documents(run["id"]), DOCUMENT_FIELDS
    rows = [{k: r.get(k) for k in fields} for r in rows]
    if output or stream is not None:
        _write_rows(rows, fields, format, output, stream)
    return Export(what, format, rows, fields)


def _write_rows(rows: list[dict], fields: list[str], fmt: str, output, stream) -> None:
    try:
        out = open(output, "w", encoding="utf-8", newline="") if output else stream
    except OSError as exc:
        raise ApiError(f"-o {output}: cannot write ({exc.strerror or exc})") from None
    try:
        if fmt == "json":
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            for r in rows:
                writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                                 for k, v in r.items()})
        out.flush()
    finally:
        if out is not stream:
            out.close()


def _export_ledger(store: Store, run: dict, what, fmt, output, stream) -> Export:
    from reports.ledger import FIELDS, export as write_ledger

    if what not in (None, "ledger"):
        raise ApiError("--format xlsx writes the 问题台账: use it with --what ledger (or no --what)")
    if fmt == "xlsx" and not output:
        raise ApiError("--format xlsx needs -o FILE.xlsx")
    if output or stream is not None:
        write_ledger(store.result_docs(run["id"]), fmt, str(output) if output else None, stream)
    return Export("ledger", fmt, None, list(FIELDS))


def _probe_line(r: dict, what: str | None = None) -> str:
    from datetime import datetime

    verdict = "ok" if r["ok"] else "FAIL " + (r["blocked"] or r["error"] or f"HTTP {r['status']}")
    return " ".join(x for x in (datetime.now(CST).isoformat(timespec="seconds"), what,
                                f"{r['status'] or '-'} {r['latency_ms']} ms {verdict}") if x)


def probe(url: str, *, db: str | Path = DEFAULT_DB, count: int = 1, interval: float = 60.0,
          allow_nets: Iterable[str] = (), each: Callable[[dict, str], None] | None = None,
          log: IO[str] | None = None) -> list[dict]:
    """``govaudit probe URL``: ``count`` availability probes of a home page, ``interval``
    seconds apart, stored for AV001. ``each(result, line)`` is called after every probe."""
    import time

    from crawler.probe import probe_once
    from data import load_toml

    timeout = load_toml("thresholds.toml")["availability"]["timeout_s"]
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}/"
    store = open_store(db)
    results = []
    for i in range(count):
        if i:
            time.sleep(interval)
        r = probe_once(url, timeout, list(allow_nets))
        store.add_probe(site, url, **r)
        results.append(r)
        if each:
            each(r, _probe_line(r))
    failed = sum(not r["ok"] for r in results)
    _say(log)(f"{count} probes of {url}, {failed} failed; stored in {db}")
    return results


def load_sites(path: str | Path):
    """A sites file (fleet/sitesfile.py), its mistakes a usage error naming each one."""
    from fleet.sitesfile import SitesFileError, load_sites_file

    try:
        return load_sites_file(str(path))
    except SitesFileError as exc:
        raise ApiError(f"sites file has {len(exc.problems)} mistake(s); nothing was run:\n  "
                       + "\n  ".join(exc.problems)) from None


def probe_sites(sites_path: str | Path, *, db: str | Path = DEFAULT_DB,
                each: Callable[[dict, str], None] | None = None, log: IO[str] | None = None) -> list[dict]:
    """``govaudit probe --sites FILE``: every site of a sites file probed once (for cron)."""
    from crawler.probe import probe_once
    from data import load_toml

    sites = load_sites(sites_path)
    timeout = load_toml("thresholds.toml")["availability"]["timeout_s"]
    store = Store(db)
    results = []
    for s in sites.sites:
        r = probe_once(s.url, timeout)
        store.add_probe(s.key, s.url, **r)
        results.append(r)
        if each:
            each(r, _probe_line(r, s.id))
    failed = sum(not r["ok"] for r in results)
    _say(log)(f"{len(sites.sites)} sites probed, {failed} failed; stored in {db}")
    return results


def _locked(db: str | Path, job) -> RunResult:
    """Run ``job()`` (which returns report paths) holding the store's lock. A store another
    nightly or recheck holds is refused with its own exit code (4)."""
    from fleet.nightly import Locked, store_lock

    try:
        with store_lock(db):
            paths = job()
    except Locked as exc:
        return RunResult(code=EXIT_LOCKED, reason=f"{exc}; not started")
    return RunResult(paths=list(paths))


def nightly(sites_path: str | Path, *, db: str | Path = DEFAULT_DB, out: str | Path = DEFAULT_OUT,
            as_of: date | None = None, full: bool = False, ttl_days: float | None = None,
            revisit_days: int | None = None,
            max_documents: int | None = None, links: bool = True, redis: str | None = None,
            workers: int = 2, remote_workers: int = 0, sites_dir: str | None = None,
            verbose: bool = False, log: IO[str] | None = None) -> RunResult:
    """``govaudit nightly``: crawl, audit and report every site of a sites file (incremental
    unless ``full``; ``revisit_days``: the revisit window, :mod:`fleet.incremental`), holding
    the store's lock."""
    from fleet.nightly import run_nightly

    sites = load_sites(sites_path)
    return _locked(db, lambda: run_nightly(
        sites, str(db), Path(out), as_of or today_cst(), sites_dir=sites_dir,
        incremental=not full, links=links, ttl_days=ttl_days, revisit_days=revisit_days,
        max_documents=max_documents,
        log_level="INFO" if verbose else "WARNING", redis_url=redis, workers=workers,
        remote_workers=remote_workers, stream=log or _Nowhere())[1])


def recheck(url: str, *, db: str | Path = DEFAULT_DB, out: str | Path = DEFAULT_OUT,
            as_of: date | None = None, open_only: bool = False, sites_dir: str | None = None,
            verbose: bool = False, log: IO[str] | None = None) -> RunResult:
    """``govaudit recheck``: re-judge one site, its open findings only (``open_only``) or by
    an incremental run, holding the store's lock."""
    from fleet.recheck import NothingToRecheck, recheck_full, recheck_open

    open_store(db, must_exist=True)
    level = "INFO" if verbose else "WARNING"
    as_of = as_of or today_cst()
    stream = log or _Nowhere()
    try:
        if open_only:
            return _locked(db, lambda: recheck_open(str(db), url, as_of, Path(out), sites_dir=sites_dir,
                                                    log_level=level, stream=stream)[1])
        return _locked(db, lambda: recheck_full(str(db), url, as_of, Path(out), sites_dir=sites_dir,
                                                log_level=level, stream=stream))
    except NothingToRecheck as exc:
        raise ApiError(str(exc)) from None


def worker(redis: str, batch: int | None = None, verbose: bool = False) -> dict:
    """``govaudit worker``: crawl a nightly batch's scrapy-redis queue; returns this worker's
    counts (pages, documents, errors)."""
    from fleet.scaleout import run_worker

    try:
        return run_worker(redis, batch, log_level="INFO" if verbose else "WARNING")
    except ImportError as exc:
        raise ApiError(f"scale-out needs scrapy-redis: pip install 'govaudit[scale]' ({exc})") from None
    except LookupError as exc:
        raise ApiError(str(exc)) from None
    except Exception as exc:     # redis refused, timed out
        if type(exc).__module__.startswith("redis"):
            raise ApiError(f"redis at {redis}: {exc}") from None
        raise


def rules() -> list:
    """``govaudit rules``: every registered rule (code, status, name, severity, title)."""
    from rules.registry import all_rules

    return list(all_rules())
