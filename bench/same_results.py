"""Check that two audits of the same store produced the same result documents.

    python bench/same_results.py OUT_BEFORE OUT_AFTER

Compares every ``<site>.json`` result document the two ``govaudit audit --out`` folders hold
(or two ``results`` tables: ``--db A.db B.db``), ignoring only what differs between two audits
of one run by construction: the audit's own id (``doc["audit"]``); ``--ignore KEY`` (repeatable)
also leaves out KEY at any depth (e.g. ``fetched_at`` for two crawls of one portal). Exits 1 and prints the
first differing paths when they differ, 0 when every document is identical. Used to show a
performance change to the rules or the reports left their output alone (docs/performance.md).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

IGNORED = ("audit",)


def strip(doc, keys: set[str]):
    """``doc`` without the dictionary keys ``keys``, at any depth."""
    if isinstance(doc, dict):
        return {k: strip(v, keys) for k, v in doc.items() if k not in keys}
    if isinstance(doc, list):
        return [strip(v, keys) for v in doc]
    return doc


def diff(a, b, path: str = "", out: list | None = None, limit: int = 20) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k in b else 'before'}")
            else:
                diff(a[k], b[k], f"{path}/{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {str(a)[:80]!r} before, {str(b)[:80]!r} after")
    return out


def from_folder(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def from_db(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    try:
        return {f"{run}:{site}": json.loads(doc)
                for run, site, doc in con.execute("select run_id, site, doc from results order by run_id, site")}
    finally:
        con.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--db", action="store_true", help="the two arguments are stores (their results tables)")
    ap.add_argument("--ignore", action="append", default=[], metavar="KEY",
                    help="leave out this key at any depth (repeatable), e.g. fetched_at")
    args = ap.parse_args(argv)
    load = from_db if args.db else from_folder
    before, after = load(Path(args.before)), load(Path(args.after))
    if not before:
        print(f"no result documents in {args.before}", file=sys.stderr)
        return 2
    bad = 0
    for name in sorted(set(before) | set(after)):
        if name not in before or name not in after:
            print(f"{name}: only {'after' if name in after else 'before'}")
            bad += 1
            continue
        a = strip({k: v for k, v in before[name].items() if k not in IGNORED}, set(args.ignore))
        b = strip({k: v for k, v in after[name].items() if k not in IGNORED}, set(args.ignore))
        if a != b:
            bad += 1
            print(f"{name}: differs")
            for line in diff(a, b):
                print("   ", line)
    n = len(set(before) | set(after))
    print(f"{n - bad} of {n} result documents identical")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
