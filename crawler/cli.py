"""``govaudit`` command line: a thin layer over crawl, store, rules and reports."""
from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler.items import DOC_FIELDS
from crawler.store import CST, Store
from data import tool_version

DEFAULT_DB = "govaudit.db"
DEFAULT_OUT = "govaudit-reports"

FINDING_FIELDS = ["code", "name", "outcome", "severity", "site", "url", "column", "title",
                  "message", "evidence", "fingerprint", "change", "run_id"]
DOCUMENT_FIELDS = ["url", "site", "columns", "column_name"] + [
    f + suffix for f in DOC_FIELDS for suffix in ("", "_raw", "_source")
] + ["category", "category_raw", "attachments", "fetched_at", "body_sha", "run_id"]


class CliError(Exception):
    """An error explained to the user, without a traceback."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _url(text: str) -> str:
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text if parts.path else text + "/"


def today_cst() -> date:
    return datetime.now(CST).date()


# -- commands --------------------------------------------------------------------------------
#: Put in front of a saved page so opening it runs none of its scripts and loads nothing.
SNAPSHOT_GUARD = (b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                  b'img-src data:; style-src \'unsafe-inline\'">\n')


def write_snapshots(store: Store, doc: dict, out: Path) -> None:
    """Save the page each finding was judged on, as fetched (its body by hash), next to the
    report, and point the finding's evidence at it (``evidence.snapshot``)."""
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
            path.write_bytes(SNAPSHOT_GUARD + body)
        f["evidence"]["snapshot"] = f"snapshots/{sha}.html"


def audit_and_report(store: Store, run_id: int, as_of: date, out: Path,
                     codes: list[str] | None = None, sites_dir: str | None = None) -> list[Path]:
    from reports.render import write_index, write_site_report
    from rules.runner import audit_site, make_context

    ctx = make_context(as_of, sites_dir=Path(sites_dir) if sites_dir else None)
    out.mkdir(parents=True, exist_ok=True)
    # one site at a time: its result document is written and dropped before the next site is
    # audited; the fleet index keeps what it shows (at 10^5 documents the 12 result documents
    # held together were most of the audit's 971 MiB peak; docs/performance.md)
    paths, summaries = [], []
    for site in store.sites(run_id):
        d = audit_site(store, run_id, site, ctx, codes)
        write_snapshots(store, d, out)
        paths.append(write_site_report(d, out))
        summaries.append(index_summary(d))
    if len(summaries) > 1:
        paths.insert(0, write_index(summaries, out))
    return paths


def index_summary(doc: dict) -> dict:
    """What the fleet index reads of a result document: everything but the findings, which it
    only counts by outcome and change."""
    slim = {k: v for k, v in doc.items() if k not in ("findings", "fixed")}
    slim["findings"] = [{"outcome": f.get("outcome"), "change": f.get("change")} for f in doc.get("findings") or []]
    slim["fixed"] = [{"change": f.get("change")} for f in doc.get("fixed") or []]
    return slim


@contextmanager
def recorded_run(store: Store, command: str, target: str, as_of: date):
    """Start a run in the store; finish it with its statistics however the crawl ends (a crash
    or Ctrl-C leaves it ``interrupted``). Yields ``(run_id, box)``: put the stats in ``box``."""
    run_id = store.start_run(command, target, as_of.isoformat(), tool_version())
    box: dict = {}
    try:
        yield run_id, box
    finally:
        stats = box.get("stats")
        reason = stats.get("finish_reason") if stats else None
        status = "interrupted" if stats is None else ("finished" if reason == "finished" else str(reason))
        store.finish_run(run_id, status, stats)


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


def crawl_and_audit(urls: list[str], args, command: str) -> list[Path]:
    from crawler.crawl import run_crawl

    args.as_of = args.as_of or today_cst()
    # politeness: --host-limit over the site profiles' [crawl]
    host_limits = {**site_configs(urls, args.sites_dir), **dict(args.host_limit)}
    store = Store(args.db)
    with recorded_run(store, command, " ".join(urls), args.as_of) as (run_id, box):
        print(f"run {run_id}: crawling {', '.join(urls)} into {args.db}", file=sys.stderr)
        box["stats"] = stats = run_crawl(
            urls, str(args.db), run_id, family=args.family, max_documents=args.max_documents,
            sites_dir=args.sites_dir, concurrency=args.concurrency, delay=args.delay,
            jobdir=args.jobdir, host_limits=host_limits,
            link_config=None if args.no_links else _link_config(args),
            log_level="INFO" if args.verbose else "WARNING")
    print(f"run {run_id}: {stats['pages']} pages, {stats['documents']} documents, "
          f"{stats['blocked']} blocked, {stats['errors']} errors in {stats.get('duration_s', '?')} s",
          file=sys.stderr)
    if stats["pages"] == 0 or stats["documents"] == 0 and stats["errors"] and stats["pages"] <= 1:
        print("warning: the site could not be crawled (unreachable or refused); "
              "the report shows what was recorded", file=sys.stderr)
    if stats.get("links"):
        _print_link_stats(run_id, stats["links"])
    return audit_and_report(store, run_id, args.as_of, Path(args.out), sites_dir=args.sites_dir)


# -- link checking ---------------------------------------------------------------------------
LINK_CODES = ["LK001", "LK002", "LK003"]


def _host_limit(text: str) -> tuple[str, tuple[int, float | None]]:
    host, _, rest = text.partition("=")
    n, _, delay = rest.partition(":")
    try:
        return host.strip().lower(), (int(n), float(delay) if delay else None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not HOST=N[:DELAY]: {text!r}") from None


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
    store = Store(args.db)
    with recorded_run(store, "links", args.url, args.as_of) as (run_id, box):
        print(f"run {run_id}: checking the links of {args.url} into {args.db}", file=sys.stderr)
        box["stats"] = stats = run_link_crawl(
            [args.url], str(args.db), run_id, max_pages=args.max_pages, config=_link_config(args),
            concurrency=args.concurrency, delay=args.delay, host_limits=dict(args.host_limit),
            log_level="INFO" if args.verbose else "WARNING")
    print(f"run {run_id}: {stats.get('pages', 0)} pages crawled", file=sys.stderr)
    _print_link_stats(run_id, stats)
    for p in audit_and_report(store, run_id, args.as_of, Path(args.out), LINK_CODES):
        print(p)
    return 0


def cmd_check(args) -> int:
    paths = crawl_and_audit(list(dict.fromkeys(args.url)), args, "check")
    for p in paths:
        print(p)
    return 0


def cmd_demo(args) -> int:
    from testbed.server import Testbed, make_style
    from testbed.corpus import AS_OF

    style = make_style(args.style, seed=args.seed)
    with Testbed(style) as tb:
        print(f"demo portal ({args.style}) serving at {tb.url}", file=sys.stderr)
        args.as_of = args.as_of or AS_OF
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        tb.write_answer_key(out / "answer-key.json")
        if args.style == "bespoke" and not args.sites_dir:
            # a portal only a site profile reads: its profile, written for this port
            from testbed.bespoke import PROFILE
            from data import site_profile_path

            args.sites_dir = str(out / "sites")
            Path(args.sites_dir).mkdir(exist_ok=True)
            site_profile_path(tb.url, Path(args.sites_dir)).write_text(PROFILE, "utf-8")
        paths = crawl_and_audit([tb.url], args, "demo")
    for p in paths:
        print(p)
    return 0


def cmd_audit(args) -> int:
    store = _open_existing(args.db)
    run = store.run(args.run) if args.run else store.latest_run()
    if not run:
        raise CliError(f"no runs in {args.db}")
    as_of = args.as_of or (date.fromisoformat(run["as_of"]) if run["as_of"] else today_cst())
    codes = LINK_CODES if run["command"] == "links" else None    # a links run has no documents
    for p in audit_and_report(store, run["id"], as_of, Path(args.out), codes, sites_dir=args.sites_dir):
        print(p)
    return 0


def cmd_export(args) -> int:
    store = _open_existing(args.db)
    run = store.run(args.run) if args.run else store.latest_run()
    if not run:
        raise CliError(f"no runs in {args.db}")
    if args.what == "findings":
        rows, fields = store.findings(run["id"]), FINDING_FIELDS
    elif args.what == "coverage":      # one row per site, then per section (rules.coverage)
        from rules.coverage import COVERAGE_FIELDS, coverage_rows
        rows = [r for res in store.db.query("select doc from results where run_id = ? order by site", [run["id"]])
                for r in coverage_rows(json.loads(res["doc"]))]
        fields = COVERAGE_FIELDS
    else:
        rows, fields = store.documents(run["id"]), DOCUMENT_FIELDS
    rows = [{k: r.get(k) for k in fields} for r in rows]
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
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
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def probe_once(url: str, timeout: float) -> dict:
    """One availability probe of a home page: status, latency, and whether it counts as
    reachable (HTTP 200 within ``timeout`` seconds and not an anti-bot challenge page)."""
    import time
    import urllib.error
    import urllib.request

    from crawler.antibot import blocked_reason
    from crawler.settings import USER_AGENT

    status, body, headers, error = None, b"", {}, None
    start = time.monotonic()
    try:
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
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

    from data import load_toml

    timeout = load_toml("thresholds.toml")["availability"]["timeout_s"]
    parts = urlsplit(args.url)
    site = f"{parts.scheme}://{parts.netloc}/"
    store = Store(args.db)
    failed = 0
    for i in range(args.count):
        if i:
            time.sleep(args.interval)
        r = probe_once(args.url, timeout)
        store.add_probe(site, args.url, **r)
        failed += not r["ok"]
        what = "ok" if r["ok"] else "FAIL " + (r["blocked"] or r["error"] or f"HTTP {r['status']}")
        print(f"{datetime.now(CST).isoformat(timespec='seconds')} {r['status'] or '-'} {r['latency_ms']} ms {what}")
    print(f"{args.count} probes of {args.url}, {failed} failed; stored in {args.db}", file=sys.stderr)
    return 0


def cmd_rules(args) -> int:
    from rules.registry import all_rules

    for r in all_rules():
        print(f"{r.code}  {r.name:<36} {r.severity:<9} {r.failure_title}")
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


def _open_existing(path: str) -> Store:
    if not Path(path).exists():
        raise CliError(f"database not found: {path}")
    return Store(path)


# -- parser ----------------------------------------------------------------------------------
def _crawl_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB})")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--as-of", type=_date, default=None, help="'today' for every date rule (YYYY-MM-DD)")
    p.add_argument("--concurrency", type=int, default=None, help="requests in flight per host")
    p.add_argument("--delay", type=float, default=None, help="seconds between requests per host")
    p.add_argument("--max-documents", type=int, default=None, help="stop following documents after N")
    p.add_argument("--family", default=None, help="force a CMS family (hanweb, trs, gongkai, jsonfirst, generic)")
    _sites_dir_option(p)
    p.add_argument("--jobdir", default=None, help="Scrapy JOBDIR: persist the queue to resume after a kill")
    p.add_argument("--no-links", action="store_true", help="skip checking the links of the crawled pages")
    _link_options(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")


def _sites_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sites-dir", default=None, metavar="DIR",
                   help="folder of site profiles <host>.toml (default: data/sites; see docs/site-profiles.md)")


def _link_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host-limit", type=_host_limit, action="append", default=[], metavar="HOST=N[:DELAY]",
                   help="politeness for one host: N requests in flight, DELAY seconds apart (repeatable)")
    p.add_argument("--recheck-delay", type=float, default=None,
                   help="seconds before a failed link is checked again (default: data/thresholds.toml)")
    p.add_argument("--link-ttl-days", type=float, default=None,
                   help="re-check an external link that passed only after this many days")
    p.add_argument("--link-timeout", type=float, default=None, help="seconds before a link request times out")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govaudit", description="Audit Chinese government portals' 政府信息公开 sections.")
    parser.add_argument("--version", action="version", version=f"govaudit {tool_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="crawl one or more sites, audit them and write their reports")
    p.add_argument("url", type=_url, nargs="+", help="home page URL(s); several are crawled together in one run")
    _crawl_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("demo", help="serve the bundled demo portal on 127.0.0.1 and audit it")
    p.add_argument("--style", default="hanweb",
                   help="testbed style: hanweb (default), trs, gongkai, jsonfirst, or bespoke (read through a site profile)")
    p.add_argument("--seed", type=int, default=1)
    _crawl_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("links", help="crawl every page of a site and check all their links (LK001-LK003)")
    p.add_argument("url", type=_url)
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB})")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--as-of", type=_date, default=None, help="date of the report (YYYY-MM-DD)")
    p.add_argument("--max-pages", type=int, default=None, help="follow at most N same-site pages")
    p.add_argument("--concurrency", type=int, default=None, help="requests in flight per host")
    p.add_argument("--delay", type=float, default=None, help="seconds between requests per host")
    _link_options(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("audit", help="re-run all rules offline on a stored run")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=int, default=None, help="run id (default: latest)")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--out", default=DEFAULT_OUT)
    _sites_dir_option(p)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("export", help="export findings, documents or coverage as JSON or CSV")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=int, default=None)
    p.add_argument("--what", choices=["findings", "documents", "coverage"], required=True)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("-o", "--output", default=None, help="file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("probe", help="record home-page availability probes (for AV001)")
    p.add_argument("url", type=_url)
    p.add_argument("--count", type=int, default=1, help="number of probes (default 1)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between probes (default 60)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("rules", help="list the rules")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("serve-testbed", help="serve a simulated portal until interrupted")
    p.add_argument("--style", default="hanweb")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--scale", type=float, default=None, help="multiply the number of documents (default 1)")
    p.add_argument("--answer-key", default=None, help="write the answer key JSON here")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"govaudit: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as exc:
        hint = " (disk full?)" if "full" in str(exc) else ""
        print(f"govaudit: database error{hint}: {exc}. Data already stored is kept.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("govaudit: interrupted; data stored so far is kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
