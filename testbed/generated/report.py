"""Serve many generated seeds, crawl them with ``govaudit check`` in batches, and sum the results
per layout axis value (the diagnostic of the 200-seed crawl test).

    python -m testbed.generator --report 1-200 [--batch 50] [--scale 1]
    python -m testbed.generator --layout 17
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from testbed.corpus import AS_OF
from testbed.generated.layout import AXES, draw_layout

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("title", "index_no", "publisher", "doc_no", "written_date", "pub_date", "validity")


def serve_command(seed: int, scale: float = 1.0) -> str:
    return f"govaudit serve-testbed --style generated --seed {seed} --scale {scale:g}"


def serve(seeds, scale: float = 1.0) -> dict:
    """Start one Testbed per seed (in this process); returns seed -> Testbed."""
    from testbed.server import Testbed, make_style

    return {s: Testbed(make_style("generated", seed=s, scale=scale)).start() for s in seeds}


def stop_all(tbs) -> None:
    """Stop many Testbeds at once (each ``shutdown`` waits up to half a second for its loop)."""
    from concurrent.futures import ThreadPoolExecutor

    tbs = list(tbs)
    if tbs:
        with ThreadPoolExecutor(max_workers=len(tbs)) as pool:
            list(pool.map(lambda tb: tb.stop(), tbs))


def batches(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def check_args(urls: list[str], db: Path, out: Path, concurrency: int | None = None) -> list[str]:
    args = ["check", *urls, "--no-links", "--as-of", AS_OF.isoformat(), "--db", str(db), "--out", str(out)]
    return args + (["--concurrency", str(concurrency)] if concurrency else [])


def seed_result(seed: int, key: dict, stored: dict[str, dict]) -> dict:
    """How one seed fared: documents stored, documents with every field right, and fields right
    (a document not stored counts all its fields wrong), plus the wrong fields."""
    docs = key["documents"]
    found = right_docs = fields_right = 0
    wrong = []
    for k in docs:
        got = stored.get(k["url"])
        if got is None:
            wrong.append((k["url"], "(not stored)", None, None))
            continue
        found += 1
        bad = [(k["url"], f, k[f], got.get(f)) for f in FIELDS if got.get(f) != k[f]]
        if sorted(got.get("columns") or []) != sorted(k["columns"]):
            bad.append((k["url"], "columns", k["columns"], got.get("columns")))
        fields_right += len(FIELDS) + 1 - len(bad)
        right_docs += not bad
        wrong += bad
    return {"seed": seed, "layout": key["layout"], "documents": len(docs), "found": found,
            "right": right_docs, "fields": len(docs) * (len(FIELDS) + 1), "fields_right": fields_right,
            "passed": right_docs == len(docs), "wrong": wrong}


def axis_table(results: list[dict]) -> str:
    """Per axis value: seeds passed/total, documents stored and fully right, fields right."""
    agg: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 7)
    for r in results:
        for axis in AXES:
            a = agg[(axis, r["layout"][axis])]
            a[0] += r["passed"]
            a[1] += 1
            a[2] += r["found"]
            a[3] += r["right"]
            a[4] += r["documents"]
            a[5] += r["fields_right"]
            a[6] += r["fields"]
    n, passed = len(results), sum(r["passed"] for r in results)
    docs, found = sum(r["documents"] for r in results), sum(r["found"] for r in results)
    right = sum(r["right"] for r in results)
    fields, fright = sum(r["fields"] for r in results), sum(r["fields_right"] for r in results)
    lines = [f"seeds passed {passed}/{n}; documents stored {found}/{docs}, all fields right {right}/{docs}; "
             f"fields right {fright}/{fields} ({fright / max(fields, 1):.1%})",
             f"{'axis':<14}{'value':<20}{'seeds ok':>10}{'docs stored':>14}{'docs right':>13}{'fields right':>16}"]
    for axis, values in AXES.items():
        for v in values:
            a = agg.get((axis, v))
            if not a:
                lines.append(f"{axis:<14}{v:<20}{'-':>10}")
                continue
            lines.append(f"{axis:<14}{v:<20}{f'{a[0]}/{a[1]}':>10}{f'{a[2]}/{a[4]}':>14}{f'{a[3]}/{a[4]}':>13}"
                         f"{f'{a[5] / max(a[6], 1):.1%}':>16}")
    return "\n".join(lines)


def failure_message(r: dict, scale: float = 1.0, limit: int = 2) -> str:
    """One line: the seed, what was read, its axis values, the command serving it, a few wrong fields."""
    layout = " ".join(f"{k}={v}" for k, v in r["layout"].items())
    return (f"seed {r['seed']}: {r['found']}/{r['documents']} documents stored, {r['right']} with every field right; "
            f"axes: {layout}; serve it: {serve_command(r['seed'], scale)}; e.g. {r['wrong'][:limit]}")


def run(seeds: list[int], scale: float = 1.0, batch: int = 50, concurrency: int | None = 16,
        workdir: Path | None = None) -> list[dict]:
    """Serve, crawl (one ``govaudit check`` per batch) and score ``seeds``."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="generated-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tbs = serve(seeds, scale)
    try:
        keys = {s: tb.answer_key() for s, tb in tbs.items()}
        stored: dict[str, dict] = {}
        for i, group in enumerate(batches(list(seeds), batch)):
            db = workdir / f"batch{i}.db"
            cmd = [sys.executable, "-m", "govaudit", *check_args([tbs[s].url for s in group], db,
                                                                    workdir / f"out{i}", concurrency)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                continue
            exp = subprocess.run([sys.executable, "-m", "govaudit", "export", "--db", str(db), "--what",
                                  "documents", "--format", "json"], capture_output=True, text=True, env=env, cwd=ROOT)
            stored.update({d["url"]: d for d in json.loads(exp.stdout or "[]")})
        return [seed_result(s, keys[s], stored) for s in seeds]
    finally:
        stop_all(tbs.values())


def _seeds(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m testbed.generator")
    p.add_argument("--report", metavar="SEEDS", help="serve, crawl and score these seeds (e.g. 1-200)")
    p.add_argument("--layout", type=int, metavar="SEED", help="print the layout of one seed")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--concurrency", type=int, default=16)
    args = p.parse_args(argv)
    if args.layout is not None:
        print(json.dumps(draw_layout(args.layout), ensure_ascii=False, indent=1))
        return 0
    if not args.report:
        p.print_help()
        return 2
    results = run(_seeds(args.report), args.scale, args.batch, args.concurrency)
    print(axis_table(results))
    for r in results:
        if not r["passed"]:
            print(failure_message(r, args.scale, 2))
    return 0
