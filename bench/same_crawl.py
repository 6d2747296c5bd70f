"""Check that two crawls of the same portals stored the same rows.

    python bench/same_crawl.py A.db B.db            # each store's latest run
    python bench/same_crawl.py A.db B.db --runs 1 1

For each table a crawl writes (fetches, bodies, links, documents, entries, columns, sites) the
two runs' rows are compared as multisets, leaving out only what differs between two crawls of
one portal by construction: row ids and run ids, timestamps (``fetched_at``, ``first_seen``, …)
and download latencies (``elapsed_ms``). Row order is not compared (pages answer in a different
order from one run to the next). Both crawls must have fetched the same URLs, i.e. the same
server (same ports). Prints one line per table (rows, and the first differing rows when they
differ) and exits 1 when any table differs. Used to show that a performance change to the crawl
left what it stores alone (docs/performance.md).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter

#: table -> the column that ties its rows to a run
TABLES = {"fetches": "run_id", "links": "run_id", "documents": "run_id", "entries": "run_id",
          "columns": "run_id", "sites": "last_run"}
IGNORED = {"id", "run_id", "last_run", "fetched_at", "checked_at", "first_seen", "elapsed_ms", "created_at"}


def rows(con: sqlite3.Connection, table: str, run_col: str, run: int) -> tuple[list[str], Counter]:
    cols = [r[1] for r in con.execute(f"pragma table_info([{table}])") if r[1] not in IGNORED]
    sql = f"select {', '.join(f'[{c}]' for c in cols)} from [{table}] where [{run_col}] = ?"
    return cols, Counter(con.execute(sql, [run]))


def bodies(con: sqlite3.Connection, run: int) -> Counter:
    """The stored bodies of the run's fetches: hash, size and the bytes as stored."""
    return Counter(con.execute(
        "select b.sha, b.size, b.data from bodies b where b.sha in "
        "(select body_sha from fetches where run_id = ?)", [run]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--runs", nargs=2, type=int, metavar=("RUN_A", "RUN_B"))
    args = ap.parse_args(argv)
    cons = [sqlite3.connect(args.a), sqlite3.connect(args.b)]
    runs = args.runs or [c.execute("select max(id) from runs").fetchone()[0] for c in cons]
    same = True
    for table, run_col in TABLES.items():
        (cols, ra), (_, rb) = (rows(c, table, run_col, r) for c, r in zip(cons, runs))
        if ra == rb:
            print(f"{table}: {sum(ra.values())} rows, identical ({len(cols)} columns compared)")
            continue
        same = False
        only_a, only_b = ra - rb, rb - ra
        print(f"{table}: DIFFERENT — {sum(ra.values())} rows before, {sum(rb.values())} after; "
              f"{sum(only_a.values())} only before, {sum(only_b.values())} only after")
        for label, part in (("before", only_a), ("after", only_b)):
            for row in list(part)[:3]:
                print(f"  only {label}: {dict(zip(cols, (str(v)[:60] for v in row)))}")
    ba, bb = (bodies(c, r) for c, r in zip(cons, runs))
    print(f"bodies: {sum(ba.values())} rows, " + ("identical" if ba == bb else "DIFFERENT"))
    same = same and ba == bb
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
