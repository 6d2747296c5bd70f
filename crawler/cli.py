"""``govaudit`` command line: a thin layer over crawl, store, rules and reports."""
from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
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
def audit_and_report(store: Store, run_id: int, as_of: date, out: Path,
                     codes: list[str] | None = None) -> list[Path]:
    from reports.render import write_index, write_site_report
    from rules.runner import audit_run, make_context

    docs = audit_run(store, run_id, make_context(as_of), codes)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_site_report(d, out) for d in docs]
    if len(docs) > 1:
        paths.insert(0, write_index(docs, out))
    return paths


def crawl_and_audit(urls: list[str], args, command: str) -> list[Path]:
    from crawler.crawl import run_crawl

    store = Store(args.db)
    run_id = store.start_run(command, " ".join(urls), args.as_of.isoformat(), tool_version())
    print(f"run {run_id}: crawling {', '.join(urls)} into {args.db}", file=sys.stderr)
    status = "interrupted"
    try:
        stats = run_crawl(urls, str(args.db), run_id, family=args.family,
                          max_documents=args.max_documents, concurrency=args.concurrency,
                          delay=args.delay, jobdir=args.jobdir,
                          log_level="INFO" if args.verbose else "WARNING")
        status = "finished" if stats.get("finish_reason") == "finished" else str(stats.get("finish_reason"))
    finally:
        store.finish_run(run_id, status, locals().get("stats"))
    print(f"run {run_id}: {stats['pages']} pages, {stats['documents']} documents, "
          f"{stats['blocked']} blocked, {stats['errors']} errors in {stats.get('duration_s', '?')} s",
          file=sys.stderr)
    if stats["pages"] == 0 or stats["documents"] == 0 and stats["errors"] and stats["pages"] <= 1:
        print("warning: the site could not be crawled (unreachable or refused); "
              "the report shows what was recorded", file=sys.stderr)
    return audit_and_report(store, run_id, args.as_of, Path(args.out))


def cmd_check(args) -> int:
    paths = crawl_and_audit([args.url], args, "check")
    for p in paths:
        print(p)
    return 0


def cmd_demo(args) -> int:
    from crawler.testbed.server import Testbed, make_style
    from crawler.testbed.corpus import AS_OF

    style = make_style(args.style, seed=args.seed)
    with Testbed(style) as tb:
        print(f"demo portal ({args.style}) serving at {tb.url}", file=sys.stderr)
        args.as_of = args.as_of or AS_OF
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        tb.write_answer_key(out / "answer-key.json")
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
    for p in audit_and_report(store, run["id"], as_of, Path(args.out)):
        print(p)
    return 0


def cmd_export(args) -> int:
    store = _open_existing(args.db)
    run = store.run(args.run) if args.run else store.latest_run()
    if not run:
        raise CliError(f"no runs in {args.db}")
    if args.what == "findings":
        rows, fields = store.findings(run["id"]), FINDING_FIELDS
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


def cmd_rules(args) -> int:
    from rules.registry import all_rules

    for r in all_rules():
        print(f"{r.code}  {r.name:<36} {r.severity:<9} {r.failure_title}")
    return 0


def cmd_serve(args) -> int:
    import time

    from crawler.testbed.server import Testbed, make_style

    tb = Testbed(make_style(args.style, seed=args.seed), port=args.port)
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
    p.add_argument("--jobdir", default=None, help="Scrapy JOBDIR: persist the queue to resume after a kill")
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO level")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govaudit", description="Audit Chinese government portals' 政府信息公开 sections.")
    parser.add_argument("--version", action="version", version=f"govaudit {tool_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="crawl one site, audit it and write its report")
    p.add_argument("url", type=_url)
    _crawl_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("demo", help="serve the bundled demo portal on 127.0.0.1 and audit it")
    p.add_argument("--style", default="hanweb", help="testbed style (default hanweb)")
    p.add_argument("--seed", type=int, default=1)
    _crawl_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit", help="re-run all rules offline on a stored run")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=int, default=None, help="run id (default: latest)")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("export", help="export findings or documents as JSON or CSV")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--run", type=int, default=None)
    p.add_argument("--what", choices=["findings", "documents"], required=True)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("-o", "--output", default=None, help="file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("rules", help="list the rules")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("serve-testbed", help="serve a simulated portal until interrupted")
    p.add_argument("--style", default="hanweb")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=int, default=0)
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
