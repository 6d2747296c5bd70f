"""Fleet figures: `govaudit nightly` over N testbed portals served at once (styles x seeds),
its wall time and peak RSS, a second (incremental) run, the requests each made, and the same
fleet through two scrapy-redis workers (needs redis-server on PATH).

    python bench/fleet.py [--sites 12] [--no-redis]
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testbed.corpus import AS_OF  # noqa: E402
from testbed.server import Testbed, make_style  # noqa: E402

STYLES = ("hanweb", "trs", "gongkai", "jsonfirst")


def nightly(args: list[str]) -> tuple[float, int, str]:
    """Run one nightly; return (wall seconds, peak RSS of it and its children in MiB, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "govaudit", "nightly", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    wall = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    return wall, max(rss, before) // 1024, proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=12)
    ap.add_argument("--no-redis", action="store_true")
    a = ap.parse_args()
    tbs = [Testbed(make_style(STYLES[i % 4], seed=1 + i // 4)).start() for i in range(a.sites)]
    tmp = Path(tempfile.mkdtemp(prefix="govaudit-fleet-"))
    sites = tmp / "sites.toml"
    sites.write_text("".join(f'[[site]]\nid = "s{i}"\nname = "门户{i}"\nurl = "{tb.url}"\nregion = "测试省"\n'
                             f'level = "市"\n\n' for i, tb in enumerate(tbs)), "utf-8")
    common = ["--sites", str(sites), "--as-of", AS_OF.isoformat()]
    try:
        for label, db, extra in (("first run", "a.db", []), ("second run (incremental)", "a.db", [])):
            for tb in tbs:
                tb.answers.clear()
            wall, rss, err = nightly(common + ["--db", str(tmp / db), "--out", str(tmp / "out")] + extra)
            gets = sum(1 for tb in tbs for m, _, s, _ in tb.answers if m == "GET" and s == 200)
            n304 = sum(1 for tb in tbs for m, _, s, _ in tb.answers if s == 304)
            total = sum(len(tb.answers) for tb in tbs)
            summary = re.findall(r"^  (pages fetched.*|documents.*|findings.*)$", err, re.M)
            print(f"{label}: {a.sites} sites, wall {wall:.0f} s, peak RSS {rss} MiB; server saw {total} "
                  f"requests ({gets} full GETs, {n304} answered 304); " + "; ".join(summary))
        if not a.no_redis and shutil.which("redis-server"):
            port = 6397
            redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(tmp)], stdout=subprocess.DEVNULL)
            time.sleep(0.5)
            try:
                for tb in tbs:
                    tb.answers.clear()
                wall, rss, err = nightly(common + ["--db", str(tmp / "r.db"), "--out", str(tmp / "rout"),
                                                   "--redis", f"redis://127.0.0.1:{port}/0", "--workers", "2"])
                workers = re.findall(r"worker (\S+): (\d+) pages, (\d+) documents", err)
                print(f"two scrapy-redis workers: wall {wall:.0f} s, peak RSS (largest process) {rss} MiB; "
                      + ", ".join(f"{w}: {p} pages / {d} documents" for w, p, d in workers) + "; "
                      + "; ".join(re.findall(r"^  (pages fetched.*|documents.*|findings.*)$", err, re.M)))
            finally:
                redis.terminate()
                redis.wait()
    finally:
        for tb in tbs:
            tb.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
