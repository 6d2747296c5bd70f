"""Before/after of ``govaudit links`` on the link benchmark's site (issue 15): runs of several
source trees alternated on one served site, each from scratch.

    python bench/links_ab.py --rounds 3 /path/to/checkout-of-an-earlier-commit .

For each run: wall time, CPU seconds of the command and its children (``wait4``), and the peak
of the process tree's summed RSS sampled every 50 ms (the command and its page reader).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linkcheck import serve_sites  # noqa: E402  (bench/linkcheck.py: the same generated site)


def tree_rss(pid: int) -> int:
    """Summed resident bytes of ``pid`` and its children."""
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    total = 0
    for p in [pid, *map(int, kids)]:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def run_once(tree: Path, url: str, work: Path, pages: int, concurrency: int) -> tuple[float, float, float]:
    db = work / "ab.db"
    for extra in ("", "-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "govaudit", "links", url, "--db", str(db), "--out", str(work / "out"),
         "--max-pages", str(2 * pages + 200), "--concurrency", str(concurrency)],
        cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{tree}: govaudit links exited {os.waitstatus_to_exitcode(status)}")
    return time.time() - t0, usage.ru_utime + usage.ru_stime, peak / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="source trees to compare (each run with PYTHONPATH=tree)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--links", type=int, default=20)
    ap.add_argument("--broken", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args(argv)
    ext, site, tb = serve_sites(args, False)
    runs: dict[Path, list[tuple[float, float, float]]] = {t: [] for t in args.trees}
    try:
        with tempfile.TemporaryDirectory(prefix="govaudit-links-ab-") as tmp:
            for k in range(args.rounds):
                for tree in args.trees:
                    site.reset()
                    wall, cpu, peak = run_once(tree.resolve(), tb.url, Path(tmp), args.pages, args.concurrency)
                    runs[tree].append((wall, cpu, peak))
                    print(f"round {k} {tree}: wall {wall:.2f} s, CPU {cpu:.2f} s, tree peak {peak:.1f} MiB", flush=True)
    finally:
        tb.stop()
        ext.stop()
    for tree, r in runs.items():
        med = [sorted(x[i] for x in r)[len(r) // 2] for i in range(3)]
        print(f"{tree}: median wall {med[0]:.2f} s, CPU {med[1]:.2f} s, tree peak {med[2]:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
