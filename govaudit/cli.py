"""The ``govaudit`` command line: it parses and checks the arguments, calls
:mod:`govaudit.api` and prints what it returns. Every failure ends with a one-line reason on
standard error and a documented exit code (README "Exit codes"), never a traceback unless
``--debug``. A new command: its function in ``govaudit/api.py``, its sub-parser and ``cmd_``
function here (docs/architecture.md)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import date
from urllib.parse import urlsplit

from data import tool_version
from govaudit import api
from govaudit.api import DEFAULT_DB, DEFAULT_OUT, EXIT_INCOMPLETE, EXIT_NOT_ASSESSABLE, EXIT_OK, ApiError
from govaudit.demo import styles
from store import DatabaseError


# -- argument types -----------------------------------------------------------------------------
def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not 2000 <= value.year <= 2099:
        raise argparse.ArgumentTypeError(f"date out of the range govaudit can judge (2000-2099): {text!r}")
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


# -- commands: call the API, print -------------------------------------------------------------
def _print_paths(result: api.RunResult) -> int:
    for p in result.paths:
        print(p)
    return result.code


def _link_options_of(args) -> dict:
    return {"recheck_delay": args.recheck_delay, "link_ttl_days": args.link_ttl_days,
            "link_timeout": args.link_timeout, "host_limits": dict(args.host_limit), "allow_nets": args.allow_net}


def _crawl_options_of(args) -> dict:
    return {"db": args.db, "out": args.out, "as_of": args.as_of, "family": args.family,
            "max_documents": args.max_documents, "sites_dir": args.sites_dir, "concurrency": args.concurrency,
            "delay": args.delay, "select": args.select, "ignore": args.ignore, "jobdir": args.jobdir,
            "links": not args.no_links, "verbose": args.verbose, "log": sys.stderr, **_link_options_of(args)}


def cmd_check(args) -> int:
    return _print_paths(api.check(args.url, **_crawl_options_of(args)))


def cmd_demo(args) -> int:
    from govaudit.demo import demo

    return _print_paths(demo(style=args.style, seed=args.seed, port=args.port, **_crawl_options_of(args)))


def cmd_links(args) -> int:
    return _print_paths(api.links(args.url, db=args.db, out=args.out, as_of=args.as_of, max_pages=args.max_pages,
                                  concurrency=args.concurrency, delay=args.delay, verbose=args.verbose,
                                  log=sys.stderr, **_link_options_of(args)))


def cmd_audit(args) -> int:
    return _print_paths(api.audit(args.db, run_id=args.run, as_of=args.as_of, out=args.out,
                                  sites_dir=args.sites_dir, select=args.select, ignore=args.ignore,
                                  log=sys.stderr))


def cmd_export(args) -> int:
    api.export(args.db, what=args.what, format=args.format, run_id=args.run, audit_id=args.audit,
               output=args.output, stream=None if args.output else sys.stdout)
    return EXIT_OK


def _print_probe(result: dict, line: str) -> None:
    print(line)


def cmd_probe(args) -> int:
    if args.sites:
        api.probe_sites(args.sites, db=args.db, each=_print_probe, log=sys.stderr)
        return EXIT_OK
    if not args.url:
        raise ApiError("probe needs a URL or --sites FILE")
    api.probe(args.url, db=args.db, count=args.count, interval=args.interval, allow_nets=args.allow_net,
              each=_print_probe, log=sys.stderr)
    return EXIT_OK


def cmd_rules(args) -> int:
    for r in api.rules():
        print(f"{r.code}  {r.status:<10} {r.name:<36} {r.severity:<9} {r.failure_title}")
    return EXIT_OK


def cmd_serve(args) -> int:
    import time

    from govaudit.demo import serve_testbed

    tb = serve_testbed(style=args.style, seed=args.seed, port=args.port, scale=args.scale,
                       answer_key=args.answer_key)
    print(tb.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        tb.stop()
    return EXIT_OK


def _print_locked(result: api.RunResult) -> int:
    """A nightly or recheck: its report paths, or why it did not start (exit code 4)."""
    if result.reason:
        print(f"govaudit: {result.reason}", file=sys.stderr)
    return _print_paths(result)


def cmd_nightly(args) -> int:
    return _print_locked(api.nightly(
        args.sites, db=args.db, out=args.out, as_of=args.as_of, full=args.full, ttl_days=args.ttl_days,
        revisit_days=args.revisit_days,
        max_documents=args.max_documents, links=not args.no_links, redis=args.redis, workers=args.workers,
        remote_workers=args.remote_workers, sites_dir=args.sites_dir, verbose=args.verbose, log=sys.stderr))


def cmd_recheck(args) -> int:
    return _print_locked(api.recheck(args.url, db=args.db, out=args.out, as_of=args.as_of,
                                     open_only=args.open_only, sites_dir=args.sites_dir,
                                     verbose=args.verbose, log=sys.stderr))


def cmd_worker(args) -> int:
    counts = api.worker(args.redis, args.batch, verbose=args.verbose)
    print(f"worker: {counts['pages']} pages, {counts['documents']} documents, {counts['errors']} errors",
          file=sys.stderr)
    return EXIT_OK


# -- parser ----------------------------------------------------------------------------------
def _run_options(p: argparse.ArgumentParser, as_of_help: str) -> None:
    """--db, --out, --as-of, --concurrency, --delay: what every crawl command takes."""
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default {DEFAULT_DB})")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--as-of", type=_date, default=None, help=as_of_help)
    p.add_argument("--concurrency", type=CONCURRENCY, default=None, help="requests in flight per host (1-64)")
    p.add_argument("--delay", type=SECONDS, default=None, help="seconds between requests per host")


def _crawl_options(p: argparse.ArgumentParser) -> None:
    _run_options(p, "'today' for every date rule (YYYY-MM-DD)")
    p.add_argument("--max-documents", type=POSITIVE, default=None, help="stop following documents after N")
    p.add_argument("--family", default=None, choices=api.families(),
                   help="force a CMS family (hanweb, trs, gongkai, gkmlpt, govcn, generic; "
                        "jsonfirst = gkmlpt or govcn, whichever the home page shows)")
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
    _run_options(p, "date of the report (YYYY-MM-DD)")
    p.add_argument("--max-pages", type=POSITIVE, default=None, help="follow at most N same-site pages")
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
    p.add_argument("--revisit-days", type=_number(int, 0, 3650, what="a whole number of days"), default=None,
                   metavar="N",
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
    except ApiError as exc:
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
    except DatabaseError as exc:
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
