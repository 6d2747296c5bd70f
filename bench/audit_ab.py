"""Before/after of ``govaudit audit`` on one stored run (issue 15): copies of the same store,
the code variants alternating, each run's wall and CPU seconds and the peak RSS of its process
tree (sampled as bench/scale.py samples it), and whether the outputs are the same.

    python bench/audit_ab.py STORE.db --rounds 2 --out /tmp/ab before=/tmp/main-checkout after=.

Each ``label=path`` is a checkout whose code is imported (``PYTHONPATH``, run from ``--out``
so that no checkout shadows another). Every run starts from a fresh copy of ``STORE.db`` (the
audit writes into its store). CPU seconds are user + system of the audit and every process it
waited for (``/usr/bin/time``, the snapshot writer included); on a loaded machine they are the
yardstick, wall seconds are not. After the runs, the first variant's outputs are compared
with each other variant's: every file of the report folders byte for byte, and the stores'
``findings``, ``audit_findings``, ``results``, ``audit_results`` tables row for row.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (bench/scale.py: the process-tree sampler)

TABLES = (("findings", "run_id, fingerprint"), ("audit_findings", "audit_id, fingerprint"),
          ("results", "run_id, site"), ("audit_results", "audit_id, site"))


def run_one(store: Path, label: str, root: str, out: Path) -> dict:
    work = out / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "a.db"
    shutil.copyfile(store, db)
    env = {**os.environ, "PYTHONPATH": str(Path(root).resolve())}
    timing = work / "time.txt"
    # run from OUT: no checkout on sys.path[0]; /usr/bin/time gives the CPU of the audit and of
    # every process it waited for, the sampler each process's CPU (the audit's own: "main")
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing), sys.executable, "-m",
           "govaudit", "audit", "--db", str(db), "--out", str(work / "out")]
    cpu: dict[int, float] = {}
    peak, done = [0], threading.Event()
    proc = subprocess.Popen(cmd, cwd=out, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], scale.tree_rss_kib(proc.pid, cpu))
            done.wait(0.5)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    done.set()
    th.join()
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    wall, user, system, maxrss = timing.read_text().split()[-4:]
    per_process = sorted((v for p, v in cpu.items() if p != proc.pid), reverse=True)
    return {"label": label, "wall_s": float(wall), "cpu_s": round(float(user) + float(system), 1),
            "user_s": float(user), "sys_s": float(system),
            "cpu_main_s": per_process[0] if per_process else None,      # sampled: its last 0.5 s may be missing
            "cpu_others_s": round(sum(per_process[1:]), 1),
            "peak_tree_rss_mib": round(peak[0] / 1024, 1), "largest_process_mib": int(maxrss) // 1024,
            "exit": proc.returncode, "load": round(os.getloadavg()[0], 1)}


def same_folders(a: Path, b: Path) -> list[str]:
    diffs = []
    for root, _, files in os.walk(a):
        for name in files:
            pa = Path(root) / name
            pb = b / pa.relative_to(a)
            if not pb.exists() or not filecmp.cmp(pa, pb, shallow=False):
                diffs.append(str(pa.relative_to(a)))
    for root, _, files in os.walk(b):
        diffs += [str((Path(root) / n).relative_to(b)) for n in files if not (a / (Path(root) / n).relative_to(b)).exists()]
    return diffs


def same_tables(a: Path, b: Path) -> list[str]:
    diffs = []
    for table, order in TABLES:
        rows = []
        for db in (a, b):
            with sqlite3.connect(db) as con:
                rows.append(con.execute(f"select * from {table} order by {order}").fetchall())
        if rows[0] != rows[1]:
            diffs.append(table)
    return diffs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("variants", nargs="+", help="label=checkout")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    variants = [v.split("=", 1) for v in args.variants]
    results = []
    for r in range(args.rounds):
        for label, root in variants:
            res = {"round": r, **run_one(Path(args.store), label, root, out)}
            results.append(res)
            print(f"{time.strftime('%H:%M:%S')} round {r} {label}: wall {res['wall_s']} s, CPU {res['cpu_s']} s "
                  f"(user {res['user_s']} + sys {res['sys_s']}; the audit's process {res['cpu_main_s']} s, "
                  f"others {res['cpu_others_s']} s), peak RSS {res['peak_tree_rss_mib']} MiB "
                  f"(process tree; largest process {res['largest_process_mib']} MiB), exit {res['exit']}, "
                  f"load {res['load']}", flush=True)
    first = variants[0][0]
    for label, _ in variants[1:]:
        files = same_folders(out / first / "out", out / label / "out")
        tables = same_tables(out / first / "a.db", out / label / "a.db")
        print(f"{first} vs {label}: {'identical report folders' if not files else f'{len(files)} files differ: {files[:5]}'}; "
              f"{'identical tables' if not tables else 'tables differ: ' + ', '.join(tables)}")
    (out / "results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
