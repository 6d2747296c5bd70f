"""``govaudit`` command line: a thin layer over crawl, store, rules and reports."""
from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import re
import sqlite3
import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler.items import DOC_FIELDS
from store import CST, Store
from data import tool_version

DEFAULT_DB = "govaudit.db"
DEFAULT_OUT = "govaudit-reports"

FINDING_FIELDS = ["code", "name", "outcome", "severity", "site", "url", "column", "title",
                  "message", "evidence", "fingerprint", "change", "run_id"]
DOCUMENT_FIELDS = ["url", "site", "columns", "column_name"] + [
    f + suffix for f in DOC_FIELDS for suffix in ("", "_raw", "_source")
] + ["category", "category_raw", "attachments", "fetched_at", "body_sha", "run_id"]


#: exit codes (README "Exit codes"): a cron job can tell a good night from a bad one
EXIT_OK = 0            # the run is complete and every site could be assessed
EXIT_NOT_ASSESSABLE = 1  # a failure independent of findings: a site unreachable, a disk error…
EXIT_USAGE = 2         # a wrong argument or input file
EXIT_INCOMPLETE = 3    # the crawl was interrupted (signal, kill): its results are incomplete


class CliError(Exception):
    """An error explained to the user, without a traceback (exit code ``code``)."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not 2000 <= value.year <= 2099:
        raise argparse.ArgumentTypeError(f"date out of the range govaudit can judge (2000-2099): {text!r}")
    return value


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


MAX_URL = 2048           # longer is not a home page (and no server would take it)
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[\w.-]+)$")


def _short(text: str, n: int = 80) -> str:
    return repr(text if len(text) <= n else text[:n] + f"…({len(text)} characters)")


def _url(text: str) -> str:
    if len(text) > MAX_URL:
        raise argparse.ArgumentTypeError(f"URL longer than {MAX_URL} characters: {_short(text)}")
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        parts.port           # raises ValueError when out of range
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a valid URL ({exc}): {_short(text)}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {_short(text)}")
    host = parts.netloc.rpartition("@")[2].rsplit(":", 1)[0] if not parts.netloc.endswith("]") \
        else parts.netloc.rpartition("@")[2]
    if not _HOST.match(host) or ".." in host:
        raise argparse.ArgumentTypeError(f"not a valid host name {host!r} in {_short(text)}")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise argparse.ArgumentTypeError(f"not a valid host name {host!r} in {_short(text)}") from None
    return text if parts.path else text + "/"


def _number(kind, low=None, high=None, what="a number"):
    """An argparse type: ``kind`` (int or float) within [low, high]."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")) or \
                (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}: {text!r}")
        return value
    return parse


POSITIVE = _number(int, 1, what="a whole number")
PORT = _number(int, 0, 65535, what="a port number")
SECONDS = _number(float, 0, 86400, what="a number of seconds")
CONCURRENCY = _number(int, 1, 64, what="a whole number")


def families() -> list[str]:
    from crawler.profiles.registry import PROFILES

    return [c.family for c in PROFILES]


def styles() -> list[str]:
    from testbed.styles import EXTRA_STYLES, STYLES

    return [*STYLES, *EXTRA_STYLES]


def today_cst() -> date:
    return datetime.now(CST).date()


# -- commands --------------------------------------------------------------------------------
#: The snapshot page's policy (inherited by its frame): nothing is fetched, nothing runs.
SNAPSHOT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-src 'none'; "
                "form-action 'none'; base-uri 'none'")
_REFRESH_TAG = re.compile(rb"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.I)


def snapshot_page(body: bytes, sha: str, content_type: str | None, fetched_at: str | None) -> str:
    """The stored page, inert: shown in a sandboxed frame (no scripts, forms, plugins, popups
    or navigation of the report; meta refresh does not run in a sandboxed frame) under a
    Content-Security-Policy that loads nothing from anywhere, with its meta refresh tags
    disarmed in the copy shown. The bytes as fetched are saved beside it (``<sha>.body.txt``,
    whose SHA-1 is the evidence hash)."""
    from html import escape

    from crawler.decode import decode_page
    from w3lib.encoding import http_content_type_encoding

    text, encoding, note = decode_page(_REFRESH_TAG.sub(b"<meta data-govaudit=\"refresh removed\">", body),
                                       http_content_type_encoding(content_type or "") or "utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{SNAPSHOT_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>网页快照 {sha[:12]}</title>\n"
        "<style>body{margin:0;font:14px sans-serif}p{margin:6px 10px}"
        "iframe{border:0;border-top:1px solid #999;width:100%;height:calc(100vh - 60px)}</style>\n"
        "</head><body>\n"
        f"<p>网页快照：抓取于 {escape(fetched_at or '未知时间')}，SHA-1 {sha}，按 {escape(encoding)} 解码显示"
        f"{'（' + escape(note) + '）' if note else ''}。页面中的脚本、自动跳转、表单和外部资源均已禁用；"
        f'抓取到的原始字节见 <a href="{sha}.body.txt">{sha}.body.txt</a>。</p>\n'
        f'<iframe sandbox="" referrerpolicy="no-referrer" title="网页快照" srcdoc="{escape(text, quote=True)}"></iframe>\n'
        "</body></html>\n")


def write_snapshots(store: Store, doc: dict, out: Path) -> None:
    """Save the page each finding was judged on next to the report, inert
    (:func:`snapshot_page`, ``snapshots/<sha>.html``) and as fetched (``<sha>.body.txt``), and
    point the finding's evidence at it (``evidence.snapshot``)."""
    folder = out / "snapshots"
    for f in doc["findings"] + doc.get("fixed", []):
        sha = (f.get("evidence") or {}).get("body_sha")
        if not sha:
            continue
        path = folder / f"{sha}.html"
        if not path.exists():
            body = store.body(sha)
            if body is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            fetch = store.first_fetch_of_body(sha)
            (folder / f"{sha}.body.txt").write_bytes(body)
            path.write_text(snapshot_page(body, sha, fetch.get("content_type"), fetch.get("fetched_at")), "utf-8")
        f["evidence"]["snapshot"] = f"snapshots/{sha}.html"


def audit_and_report(store: Store, run_id: int, as_of: date, out: Path,
                     codes: list[str] | None = None, sites_dir: str | None = None,
                     select: list[str] | None = None, ignore: list[str] | None = None) -> list[Path]:
    from reports.render import write_index, write_site_report
    from rules.registry import UnknownCode
    from rules.runner import iter_audit_run, make_context

    docs = iter_audit_run(store, run_id, make_context(as_of, sites_dir=Path(sites_dir) if sites_dir else None),
                          codes, select, ignore)
    # one site at a time: each site's report is written and its result document let go before
    # the next site is audited; the index needs only a summary of each (index_summary)
    paths, summaries, folder = [], [], None
    while True:
        try:
            d = next(docs)
        except StopIteration:
            break
        except UnknownCode as exc:      # a site profile's [rules] naming no rule
            raise CliError(str(exc)) from None
        if folder is None:
            folder = report_folder(out, [d], store.sites(run_id))
            folder.mkdir(parents=True, exist_ok=True)
        write_snapshots(store, d, folder)
        paths.append(write_site_report(d, folder))
        summaries.append(index_summary(d))
        del d
        release_memory()                # give the site's artifacts back before the next site
    out = folder or out
    out.mkdir(parents=True, exist_ok=True)
    if len(summaries) > 1:
        paths.insert(0, write_index(summaries, out))
    return paths


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc ``malloc_trim``;
    elsewhere a no-op): between two sites of an audit, so the process's resident size is one
    site's, not the largest site's plus fragments of every earlier one."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def report_folder(out: Path, docs: list[dict], sites: list[str] | None = None) -> Path:
    """Where this audit's reports go: ``out``, unless ``out`` already holds the report of an
    earlier audit of the same run (a re-audit, e.g. with another ``--as-of``): then
    ``out/audit-<id>/``, so the report as first made is kept beside the new one. ``sites``:
    every site of the audit (the documents may be the first one only: the reports are written
    one site at a time)."""
    from reports.render import site_slug

    d = docs[0] if docs else None
    for url in [x["site"]["url"] for x in docs] + list(sites or ()):
        try:
            old = json.loads((out / f"{site_slug(url)}.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue
        same_run = (old.get("run") or {}).get("id") == d["run"]["id"]
        if same_run and (old.get("audit") or {}).get("id") != (d.get("audit") or {}).get("id"):
            return out / f"audit-{d['audit']['id']}"
    return out


def index_summary(doc: dict) -> dict:
    """What the fleet index reads of a result document: everything but the findings' evidence
    and messages (it counts findings by outcome, change, rule and severity)."""
    slim = {k: v for k, v in doc.items() if k not in ("findings", "fixed")}
    keep = ("outcome", "change", "code", "severity", "name", "column")
    slim["findings"] = [{k: f.get(k) for k in keep} for f in doc.get("findings") or []]
    slim["fixed"] = [{"change": f.get("change")} for f in doc.get("fixed") or []]
    return slim


@contextmanager
def recorded_run(store: Store, command: str, target: str, as_of: date, resume: dict | None = None):
    """Start a run in the store (or continue the unfinished run ``resume``); finish it with
    its statistics however the crawl ends (a crash or Ctrl-C leaves it ``interrupted``, a
    signal Scrapy caught ``shutdown``). Yields ``(run_id, box)``: put the stats in ``box``."""
    if resume:
        run_id = resume["id"]
        store.db["runs"].update(run_id, {"status": "running"})
        store.commit()
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
    bad = []
    for site in store.sites(run_id) or [run["target"]]:
        ok = list(store.db.query(
            "select 1 from fetches where run_id = ? and site = ? and kind = 'home' and status = 200 "
            "and blocked is null and error is null limit 1", [run_id, site]))
        if not ok:
            bad.append(site)
    if bad:
        return EXIT_NOT_ASSESSABLE, (f"site not assessable (home page unreachable, refused or blocked): "
                                     f"{', '.join(bad)}")
    return EXIT_OK, None


def site_configs(urls: list[str], sites_dir: str | None) -> dict[str, tuple[int, float | None]]:
    """Read and check the site profile of every URL before crawling (a mistake in a profile
    stops the run with the file and key named, not half-way through a crawl); return the
    per-host politeness the profiles set (``[crawl]``)."""
    from crawler.profiles.site import load_site_config
    from crawler.spiders.portal import site_key
    from data import load_toml
    from rules.computed import site_thresholds

    folder = Path(sites_dir) if sites_dir else None
    limits: dict[str, tuple[int, float | None]] = {}
    for url in urls:
        try:
            config = load_site_config(site_key(url), folder)
            site_thresholds(load_toml("thresholds.toml"), site_key(url), folder)
        except ValueError as exc:       # SiteProfileError, bad TOML, an override without reason
            raise CliError(f"site profile: {exc}") from None
        if config:
            print(f"site profile for {site_key(url)}: {config.path} ({config.reason})", file=sys.stderr)
            if config.host_limit:
                limits.setdefault(*config.host_limit)
    return limits


def crawl_and_audit(urls: list[str], args, command: str) -> tuple[list[Path], int]:
    """Crawl, audit and report; returns the report paths and the exit code (``run_outcome``)."""
    from crawler.crawl import run_crawl
    from crawler.resume import resumable_run, write_marker

    _check_codes(args)
    # politeness: --host-limit over the site profiles' [crawl]
    host_limits = {**site_configs(urls, args.sites_dir), **dict(args.host_limit)}
    check_out_folder(args.out)
    store = open_store(args.db)
    target = " ".join(urls)
    resume = resumable_run(store, args.jobdir, args.db, command, target)
    if resume:
        args.as_of = args.as_of or (date.fromisoformat(resume["as_of"]) if resume["as_of"] else None)
        resume["resumed"] = json.loads(resume["stats"] or "{}").get("resumed", 0)
    args.as_of = args.as_of or today_cst()
    with recorded_run(store, command, target, args.as_of, resume) as (run_id, box):
        if args.jobdir and not resume:
            write_marker(args.jobdir, args.db, run_id, command, target)
        verb = "resuming" if resume else "crawling"
        print(f"run {run_id}: {verb} {', '.join(urls)} into {args.db}", file=sys.stderr)
        box["stats"] = stats = run_crawl(
            urls, str(args.db), run_id, family=args.family, max_documents=args.max_documents,
            sites_dir=args.sites_dir, concurrency=args.concurrency, delay=args.delay,
            host_limits=host_limits, allow_nets=args.allow_net, replay=bool(resume),
            link_config=None if args.no_links else _link_config(args),
            log_level="INFO" if args.verbose else "WARNING")
    print(f"run {run_id}: {stats['pages']} pages, {stats['documents']} documents, "
          f"{stats['blocked']} blocked, {stats['errors']} errors in {stats.get('duration_s', '?')} s",
          file=sys.stderr)
    refused = (stats.get("outbound") or {}).get("refused_count")
    if refused:
        print(f"run {run_id}: {refused} requests refused by the outbound policy "
              "(internal addresses or non-http links; recorded as unchecked)", file=sys.stderr)
    if stats.get("links"):
        _print_link_stats(run_id, stats["links"])
    paths = audit_and_report(store, run_id, args.as_of, Path(args.out), sites_dir=args.sites_dir,
                             select=args.select, ignore=args.ignore)
    code, reason = run_outcome(store, run_id)
    if reason:
        print(f"govaudit: {reason}", file=sys.stderr)
    return paths, code


def check_out_folder(out: str) -> None:
    """The report folder must be a folder we can write (checked before a long crawl)."""
    import tempfile

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise CliError(f"--out {out}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise CliError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def open_store(db: str, must_exist: bool = False) -> Store:
    """Open the store, explaining what is wrong instead of a traceback: a missing folder
    (never created silently), a file that is not a govaudit SQLite database."""
    path = Path(db)
    if must_exist and not path.exists():
        raise CliError(f"database not found: {db}")
    if not path.parent.exists():
        raise CliError(f"--db {db}: folder {path.parent} does not exist (create it first)")
    if path.is_dir():
        raise CliError(f"--db {db}: is a folder, not a database file")
    try:
        return Store(path)
    except sqlite3.DatabaseError as exc:
        raise CliError(f"--db {db}: not a govaudit database ({exc})") from None


# -- link checking ---------------------------------------------------------------------------
LINK_CODES = ["LK001", "LK002", "LK003"]


def _host_limit(text: str) -> tuple[str, tuple[int, float | None]]:
    host, _, rest = text.partition("=")
    n, _, delay = rest.partition(":")
    try:
        limit = host.strip().lower(), (int(n), float(delay) if delay else None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not HOST=N[:DELAY]: {text!r}") from None
    if not limit[0] or not 1 <= limit[1][0] <= 64 or not 0 <= (limit[1][1] or 0) <= 86400:
        raise argparse.ArgumentTypeError(f"HOST=N[:DELAY] needs a host, N from 1 to 64, DELAY >= 0: {text!r}")
    return limit


def _link_config(args):
    from crawler.linkcheck.classify import LinkConfig

    return LinkConfig.load(recheck_delay_s=args.recheck_delay, ttl_days=args.link_ttl_days,
                           timeout_s=args.link_timeout)


def _print_link_stats(run_id: int, s: dict) -> None:
    print(f"run {run_id}: {s.get('targets', 0)} link targets checked ({s.get('requests', 0)} requests"
          f"{'' if s.get('online', True) else ', offline: external network failures not judged'}), "
          f"{s.get('broken', 0)} broken in {s.get('duration_s', '?')} s", file=sys.stderr)


def cmd_links(args) -> int:
    from crawler.linkcheck.checker import run_link_crawl

    args.as_of = args.as_of or today_cst()
    check_out_folder(args.out)
    store = open_store(args.db)
    with recorded_run(store, "links", args.url, args.as_of) as (run_id, box):
        print(f"run {run_id}: checking the links of {args.url} into {args.db}", file=sys.stderr)
        box["stats"] = stats = run_link_crawl(
            [args.url], str(args.db), run_id, max_pages=args.max_pages, config=_link_config(args),
            concurrency=args.concurrency, delay=args.delay, host_limits=dict(args.host_limit),
            allow_nets=args.allow_net,
            log_level="INFO" if args.verbose else "WARNING")
    print(f"run {run_id}: {stats.get('pages', 0)} pages crawled", file=sys.stderr)
    _print_link_stats(run_id, stats)
    for p in audit_and_report(store, run_id, args.as_of, Path(args.out), LINK_CODES):
        print(p)
    code, reason = run_outcome(store, run_id)
    if reason:
        print(f"govaudit: {reason}", file=sys.stderr)
    return code


def cmd_check(args) -> int:
    paths, code = crawl_and_audit(list(dict.fromkeys(args.url)), args, "check")
    for p in paths:
        print(p)
    return code


def demo_port(out: Path, asked: int | None) -> int:
    """The demo portal's port: ``--port``, else the one this output folder used last time
    (``.demo-port``), so that a second demo into the same folder is the same site (its
    findings 持续存在), else a free one (remembered)."""
    marker = out / ".demo-port"
    if asked is not None:
        return asked
    try:
        return int(marker.read_text("utf-8").strip())
    except (OSError, ValueError):
        return 0


def cmd_demo(args) -> int:
    from testbed.server import Testbed, make_style
    from testbed.corpus import AS_OF

    check_out_folder(args.out)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    style = make_style(args.style, seed=args.seed)
    port = demo_port(out, args.port)
    try:
        tb = Testbed(style, port=port)
    except OSError as exc:
        if args.port is not None:
            raise CliError(f"--port {port}: cannot listen there ({exc.strerror or exc})") from None
        tb = Testbed(style)     # the remembered port is taken now: any free one
    (out / ".demo-port").write_text(str(tb.httpd.server_address[1]), "utf-8")
    with tb:
        print(f"demo portal ({args.style}) serving at {tb.url}", file=sys.stderr)
        args.as_of = args.as_of or AS_OF
        tb.write_answer_key(out / "answer-key.json")
        if args.style == "bespoke" and not args.sites_dir:
            # a portal only a site profile reads: its profile, written for this port
            from testbed.bespoke import PROFILE
            from data import site_profile_path

            args.sites_dir = str(out / "sites")
            Path(args.sites_dir).mkdir(exist_ok=True)
            site_profile_path(tb.url, Path(args.sites_dir)).write_text(PROFILE, "utf-8")
        paths, code = crawl_and_audit([tb.url], args, "demo")
    for p in paths:
        print(p)
    return code


def _run_of(store: Store, run_id: int | None, db: str) -> dict:
    if run_id is None:
        run = store.latest_run()
        if not run:
            raise CliError(f"no runs in {db}")
        return run
    rows = list(store.db.query("select * from runs where id = ?", [run_id]))
    if not rows:
        last = store.latest_run()
        raise CliError(f"no run {run_id} in {db}" + (f" (runs 1 to {last['id']})" if last else " (it has no runs)"))
    return rows[0]


def cmd_audit(args) -> int:
    _check_codes(args)
    check_out_folder(args.out)
    store = open_store(args.db, must_exist=True)
    run = _run_of(store, args.run, args.db)
    as_of = args.as_of or (date.fromisoformat(run["as_of"]) if run["as_of"] else today_cst())
    codes = LINK_CODES if run["command"] == "links" else None    # a links run has no documents
    for p in audit_and_report(store, run["id"], as_of, Path(args.out), codes, sites_dir=args.sites_dir,
                              select=args.select, ignore=args.ignore):
        print(p)
    code, reason = run_outcome(store, run["id"])
    if reason:
        print(f"govaudit: {reason}", file=sys.stderr)
    return code


def cmd_export(args) -> int:
    if args.what is None and args.format != "xlsx":
        raise CliError("export needs --what findings|documents|coverage|ledger")
    store = open_store(args.db, must_exist=True)
    if args.output:
        folder = Path(args.output).absolute().parent
        if not folder.is_dir():
            raise CliError(f"-o {args.output}: folder {folder} does not exist")
        if Path(args.output).is_dir():
            raise CliError(f"-o {args.output}: is a folder, not a file")
    if args.audit is not None:
        audit = store.audit(args.audit)
        if not audit:
            raise CliError(f"no audit {args.audit} in {args.db}; audits: "
                           + (", ".join(f"{a['id']} (run {a['run_id']}, as of {a['as_of']})"
                                        for a in store.audits()) or "none"))
        run = _run_of(store, audit["run_id"], args.db)
    else:
        run = _run_of(store, args.run, args.db)
    if args.format == "xlsx" or args.what == "ledger":   # the 问题台账 (reports/ledger.py)
        return _export_ledger(store, run, args)
    if args.what == "findings":
        rows = store.audit_findings(args.audit) if args.audit is not None else store.findings(run["id"])
        fields = FINDING_FIELDS
    elif args.what == "coverage":      # one row per site, then per section (rules.coverage)
        from rules.coverage import COVERAGE_FIELDS, coverage_rows
        rows = [r for res in store.db.query("select doc from results where run_id = ? order by site", [run["id"]])
                for r in coverage_rows(json.loads(res["doc"]))]
        fields = COVERAGE_FIELDS
    else:
        rows, fields = store.documents(run["id"]), DOCUMENT_FIELDS
    rows = [{k: r.get(k) for k in fields} for r in rows]
    try:
        out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    except OSError as exc:
        raise CliError(f"-o {args.output}: cannot write ({exc.strerror or exc})") from None
    try:
        if args.format == "json":
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
        if out is not sys.stdout:
            out.close()
    return 0


def _export_ledger(store: Store, run: dict, args) -> int:
    from reports.ledger import export
    from rules.history import result_docs

    if args.what not in (None, "ledger"):
        raise CliError("--format xlsx writes the 问题台账: use it with --what ledger (or no --what)")
    if args.format == "xlsx" and not args.output:
        raise CliError("--format xlsx needs -o FILE.xlsx")
    export(result_docs(store, run["id"]), args.format, args.output, sys.stdout)
    return 0


def probe_once(url: str, timeout: float, allow_nets: list[str] | None = None) -> dict:
    """One availability probe of a home page: status, latency, and whether it counts as
    reachable (HTTP 200 within ``timeout`` seconds and not an anti-bot challenge page).
    The outbound policy (``crawler.outbound``) is asked before the request and before every
    redirect hop."""
    import time
    import urllib.error
    import urllib.request

    from crawler.antibot import blocked_reason
    from crawler.outbound import REFUSED_PREFIX, OutboundPolicy
    from crawler.settings import USER_AGENT

    policy = OutboundPolicy([url], allow_nets or [])

    class Guarded(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            why = policy.check(newurl)
            if why:
                raise urllib.error.URLError(f"{REFUSED_PREFIX}: {why}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    status, body, headers, error = None, b"", {}, None
    start = time.monotonic()
    try:
        why = policy.check(url)
        if why:
            raise urllib.error.URLError(f"{REFUSED_PREFIX}: {why}")
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler(), Guarded())
        with opener.open(req, timeout=timeout) as resp:
            status, headers, body = resp.status, dict(resp.headers), resp.read(500_000)
    except urllib.error.HTTPError as exc:
        status, headers, body = exc.code, dict(exc.headers or {}), exc.read(500_000)
    except Exception as exc:  # DNS, refused, reset, timeout: the probe failed
        error = f"{type(exc).__name__}: {exc}"[:300]
    latency = int(1000 * (time.monotonic() - start))
    blocked = blocked_reason(status, {k.lower(): v for k, v in headers.items()}, body) if status else None
    ok = status == 200 and not blocked and latency <= timeout * 1000
    if status == 200 and not blocked and not ok:
        error = f"slower than {timeout:g} s"
    return {"status": status, "latency_ms": latency, "ok": ok, "error": error, "blocked": blocked}


def cmd_probe(args) -> int:
    import time

    if args.sites:
        return cmd_probe_sites(args)
    if not args.url:
        raise CliError("probe needs a URL or --sites FILE")
    from data import load_toml

    timeout = load_toml("thresholds.toml")["availability"]["timeout_s"]
    parts = urlsplit(args.url)
    site = f"{parts.scheme}://{parts.netloc}/"
    store = open_store(args.db)
    failed = 0
    for i in range(args.count):
        if i:
            time.sleep(args.interval)
        r = probe_once(args.url, timeout, args.allow_net)
        store.add_probe(site, args.url, **r)
        failed += not r["ok"]
        what = "ok" if r["ok"] else "FAIL " + (r["blocked"] or r["error"] or f"HTTP {r['status']}")
        print(f"{datetime.now(CST).isoformat(timespec='seconds')} {r['status'] or '-'} {r['latency_ms']} ms {what}")
    print(f"{args.count} probes of {args.url}, {failed} failed; stored in {args.db}", file=sys.stderr)
    return 0


def cmd_rules(args) -> int:
    from rules.registry import all_rules

    for r in all_rules():
        print(f"{r.code}  {r.status:<10} {r.name:<36} {r.severity:<9} {r.failure_title}")
    return 0


def cmd_serve(args) -> int:
    import time

    from testbed.server import Testbed, make_style

    tb = Testbed(make_style(args.style, seed=args.seed, **({"scale": args.scale} if args.scale else {})),
                 port=args.port)
    if args.answer_key:
        tb.write_answer_key(Path(args.answer_key))
    tb.start()
    print(tb.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        tb.stop()
    return 0


# -- fleet: sites file, nightly, probe --sites (fleet/, docs/operations.md) ------------------
def _sites_file(path: str):
    from fleet.sitesfile import SitesFileError, load_sites_file

    try:
        return load_sites_file(path)
    except SitesFileError as exc:
        raise CliError(f"sites file has {len(exc.problems)} mistake(s); nothing was run:\n  "
                       + "\n  ".join(exc.problems)) from None


def _locked(db: str, job) -> int:
    """Run ``job()`` (which returns report paths) holding the store's lock; print the paths.
    A store another nightly or recheck holds is refused with its own exit code."""
    from fleet.nightly import EXIT_LOCKED, Locked, store_lock

    try:
        with store_lock(db):
            paths = job()
    except Locked as exc:
        print(f"govaudit: {exc}; not started", file=sys.stderr)
        return EXIT_LOCKED
    for p in paths:
        print(p)
    return 0


def cmd_nightly(args) -> int:
    from fleet.nightly import run_nightly

    sites = _sites_file(args.sites)
    return _locked(args.db, lambda: run_nightly(
        sites, str(args.db), Path(args.out), args.as_of or today_cst(), sites_dir=args.sites_dir,
        incremental=not args.full, links=not args.no_links, ttl_days=args.ttl_days,
        revisit_days=args.revisit_days,
        max_documents=args.max_documents, log_level="INFO" if args.verbose else "WARNING",
        redis_url=args.redis, workers=args.workers, remote_workers=args.remote_workers)[1])


def cmd_recheck(args) -> int:
    from fleet.recheck import recheck_full, recheck_open

    open_store(args.db, must_exist=True)
    log = "INFO" if args.verbose else "WARNING"
    as_of = args.as_of or today_cst()
    if args.open_only:
        return _locked(args.db, lambda: recheck_open(str(args.db), args.url, as_of, Path(args.out),
                                                     sites_dir=args.sites_dir, log_level=log)[1])
    return _locked(args.db, lambda: recheck_full(str(args.db), args.url, as_of, Path(args.out),
                                                 sites_dir=args.sites_dir, log_level=log))


def cmd_worker(args) -> int:
    from fleet.scaleout import run_worker

    try:
        counts = run_worker(args.redis, args.batch, log_level="INFO" if args.verbose else "WARNING")
    except ImportError as exc:
        raise CliError(f"scale-out needs scrapy-redis: pip install 'govaudit[scale]' ({exc})") from None
    except LookupError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:     # redis refused, timed out
        if type(exc).__module__.startswith("redis"):
            raise CliError(f"redis at {args.redis}: {exc}") from None
        raise
    print(f"worker: {counts['pages']} pages, {counts['documents']} documents, {counts['errors']} errors",
          file=sys.stderr)
    return 0


def cmd_probe_sites(args) -> int:
    from data import load_toml

    sites = _sites_file(args.sites)
    timeout = load_toml("thresholds.toml")["availability"]["timeout_s"]
    store = Store(args.db)
    failed = 0
    for s in sites.sites:
        r = probe_once(s.url, timeout)
        store.add_probe(s.key, s.url, **r)
        failed += not r["ok"]
        what = "ok" if r["ok"] else "FAIL " + (r["blocked"] or r["error"] or f"HTTP {r['status']}")
        print(f"{datetime.now(CST).isoformat(timespec='seconds')} {s.id} {r['status'] or '-'} {r['latency_ms']} ms {what}")
    print(f"{len(sites.sites)} sites probed, {failed} failed; stored in {args.db}", file=sys.stderr)
    return 0


# -- parser ----------------------------------------------------------------------------------
def _crawl_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB})")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--as-of", type=_date, default=None, help="'today' for every date rule (YYYY-MM-DD)")
    p.add_argument("--concurrency", type=CONCURRENCY, default=None, help="requests in flight per host (1-64)")
    p.add_argument("--delay", type=SECONDS, default=None, help="seconds between requests per host")
    p.add_argument("--max-documents", type=POSITIVE, default=None, help="stop following documents after N")
    p.add_argument("--family", default=None, choices=families(),
                   help="force a CMS family (hanweb, trs, gongkai, jsonfirst, generic)")
    _sites_dir_option(p)
    _rule_options(p)
    p.add_argument("--jobdir", default=None, metavar="DIR",
                   help="remember this run in DIR: the same command with the same --jobdir continues it "
                        "after a kill or a signal (see README: resuming)")
    p.add_argument("--no-links", action="store_true", help="skip checking the links of the crawled pages")
    _link_options(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")


def _allow_net(text: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an address range (CIDR, e.g. 10.20.0.0/16): {text!r}") from None


def _allow_net_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-net", type=_allow_net, action="append", default=[], metavar="CIDR",
                   help="allow requests to this internal address range (repeatable; by default only "
                        "public addresses and the audited site's own kind of network are requested)")


def _rule_options(p: argparse.ArgumentParser) -> None:
    from rules.registry import split_codes

    p.add_argument("--select", type=lambda t: split_codes(t), action="extend", default=[], metavar="CODES",
                   help="run only these rules: codes or prefixes, comma-separated (LK,MD001)")
    p.add_argument("--ignore", type=lambda t: split_codes(t), action="extend", default=[], metavar="CODES",
                   help="do not run these rules: codes or prefixes, comma-separated")


def _check_codes(args) -> None:
    """An unknown code in --select / --ignore is a usage error (before any crawling)."""
    from rules.registry import UnknownCode, check_selectors

    try:
        check_selectors(args.select + args.ignore)
    except UnknownCode as exc:
        raise CliError(str(exc)) from None


def _sites_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sites-dir", default=None, metavar="DIR",
                   help="folder of site profiles <host>.toml (default: data/sites; see docs/site-profiles.md)")


def _link_options(p: argparse.ArgumentParser) -> None:
    _allow_net_option(p)
    p.add_argument("--host-limit", type=_host_limit, action="append", default=[], metavar="HOST=N[:DELAY]",
                   help="politeness for one host: N requests in flight, DELAY seconds apart (repeatable)")
    p.add_argument("--recheck-delay", type=SECONDS, default=None,
                   help="seconds before a failed link is checked again (default: data/thresholds.toml)")
    p.add_argument("--link-ttl-days", type=_number(float, 0, 3650, what="a number of days"), default=None,
                   help="re-check an external link that passed only after this many days")
    p.add_argument("--link-timeout", type=_number(float, 0.1, 600, what="a number of seconds"), default=None,
                   help="seconds before a link request times out")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govaudit", description="Audit Chinese government portals' 政府信息公开 sections.")
    parser.add_argument("--version", action="version", version=f"govaudit {tool_version()}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="crawl one or more sites, audit them and write their reports")
    p.add_argument("url", type=_url, nargs="+", help="home page URL(s); several are crawled together in one run")
    _crawl_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("demo", help="serve the bundled demo portal on 127.0.0.1 and audit it")
    p.add_argument("--style", default="hanweb", choices=styles(),
                   help="testbed style: hanweb (default), trs, gongkai, jsonfirst, bespoke (read through a "
                        "site profile) or hostile (pages that attack the auditor)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=PORT, default=None,
                   help="port of the demo portal (default: the one this --out folder used last time)")
    _crawl_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("links", help="crawl every page of a site and check all their links (LK001-LK003)")
    p.add_argument("url", type=_url)
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB})")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--as-of", type=_date, default=None, help="date of the report (YYYY-MM-DD)")
    p.add_argument("--max-pages", type=POSITIVE, default=None, help="follow at most N same-site pages")
    p.add_argument("--concurrency", type=CONCURRENCY, default=None, help="requests in flight per host (1-64)")
    p.add_argument("--delay", type=SECONDS, default=None, help="seconds between requests per host")
    _link_options(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("audit", help="re-run all rules offline on a stored run")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=POSITIVE, default=None, help="run id (default: latest)")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--out", default=DEFAULT_OUT)
    _sites_dir_option(p)
    _rule_options(p)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("export", help="export findings, documents, coverage or the 问题台账 (ledger) as JSON, CSV or xlsx")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=POSITIVE, default=None, help="run id (default: latest)")
    p.add_argument("--audit", type=POSITIVE, default=None,
                   help="findings of this audit (each audit of a run is kept; default: the run's latest)")
    p.add_argument("--what", choices=["findings", "documents", "coverage", "ledger"], default=None,
                   help="findings | documents | coverage | ledger (问题台账; the default for --format xlsx)")
    p.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    p.add_argument("-o", "--output", default=None, help="file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("probe", help="record home-page availability probes (for AV001)")
    p.add_argument("url", type=_url, nargs="?", help="home page (or --sites FILE: every site once)")
    p.add_argument("--sites", default=None, metavar="FILE", help="probe every site of a sites file once (for cron)")
    p.add_argument("--count", type=POSITIVE, default=1, help="number of probes (default 1)")
    p.add_argument("--interval", type=SECONDS, default=60.0, help="seconds between probes (default 60)")
    p.add_argument("--db", default=DEFAULT_DB)
    _allow_net_option(p)
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("nightly", help="crawl, audit and report every site of a sites file at once (incremental)")
    p.add_argument("--sites", required=True, metavar="FILE", help="the sites file (see data/sites.example.toml)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB}); locked while running")
    p.add_argument("--out", default=DEFAULT_OUT, help="report folder: one report per site and index.html")
    p.add_argument("--as-of", type=_date, default=None, help="'today' for every date rule (YYYY-MM-DD)")
    p.add_argument("--full", action="store_true", help="fetch every document in full (not incremental)")
    p.add_argument("--ttl-days", type=float, default=None,
                   help="fetch a document in full when its stored copy is older (default 30)")
    p.add_argument("--revisit-days", type=_nonneg_int, default=None, metavar="N",
                   help="revisit window: a stored document listed unchanged (same title and date) is asked "
                        "for at most once every N days, about 1/N of them each night; the other nights it is "
                        "judged from its stored copy without a request (default 30; 0: ask for every document)")
    p.add_argument("--max-documents", type=int, default=None, help="per site: stop following documents after N")
    p.add_argument("--no-links", action="store_true", help="skip checking the links of the crawled pages")
    p.add_argument("--redis", default=None, metavar="URL",
                   help="crawl through scrapy-redis workers sharing one queue (redis://host:6379/0); this process writes the store")
    p.add_argument("--workers", type=int, default=2, help="with --redis: worker processes started here (default 2; 0: remote only)")
    p.add_argument("--remote-workers", type=int, default=0, metavar="M",
                   help="with --redis: workers you start elsewhere (`govaudit worker`); each host's politeness budget is divided by all of them")
    _sites_dir_option(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")
    p.set_defaults(func=cmd_nightly)

    p = sub.add_parser("worker", help="crawl a nightly batch's scrapy-redis queue (start on any machine)")
    p.add_argument("--redis", required=True, metavar="URL", help="the coordinator's Redis (redis://host:6379/0)")
    p.add_argument("--batch", type=int, default=None, help="batch id (default: the one the coordinator started last)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("recheck", help="re-judge one site: its open findings only (--open-only) or an incremental run")
    p.add_argument("url", type=_url, help="the site's home page")
    p.add_argument("--open-only", action="store_true",
                   help="fetch only what the open findings point at; mark each 已整改 or 持续存在")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--as-of", type=_date, default=None)
    _sites_dir_option(p)
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_recheck)

    p = sub.add_parser("rules", help="list the rules")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("serve-testbed", help="serve a simulated portal until interrupted")
    p.add_argument("--style", default="hanweb", choices=styles())
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=PORT, default=0)
    p.add_argument("--scale", type=_number(float, 0.01, 100, what="a number"), default=None,
                   help="multiply the number of documents (default 1)")
    p.add_argument("--answer-key", default=None, help="write the answer key JSON here")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends with a one-line reason on stderr and a documented
    exit code (EXIT_*), never a traceback unless ``--debug``."""
    args = build_parser().parse_args(argv)      # usage errors: argparse exits 2 with its message
    try:
        return args.func(args)
    except CliError as exc:
        return _fail(args, str(exc), exc.code)
    except BrokenPipeError:
        # the reader went away (`govaudit export … | head`): stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        return _fail(args, "interrupted; data stored so far is kept (the run is marked incomplete)",
                     EXIT_INCOMPLETE)
    except sqlite3.DatabaseError as exc:
        hint = " (disk full?)" if "full" in str(exc) else ""
        return _fail(args, f"database error{hint}: {exc}. Data already stored is kept.", EXIT_NOT_ASSESSABLE)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(args, f"cannot use{where}: {exc.strerror or exc}", EXIT_NOT_ASSESSABLE)
    except Exception as exc:      # a bug: say so in one line; --debug shows where
        return _fail(args, f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                     EXIT_NOT_ASSESSABLE)


def _fail(args, message: str, code: int) -> int:
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exc()
    print(f"govaudit: error: {message}"[:2000], file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
