"""Where ``govaudit audit``'s memory goes, step by step (issue 15): the audit run in this
process on a copy of a store, its resident size (``VmRSS``) sampled every 10 ms by a thread,
and a line at the start and the end of each step of each site (loading the artifacts, the
rules, writing the findings, storing the result document, the snapshots, the report, the
summary, the memory given back) with the resident size then and the peak during the step.

    python bench/audit_phases.py STORE.db --out /tmp/phases            # every site
    python bench/audit_phases.py STORE.db --out /tmp/phases --site 37659 # the sites whose URL has it

Run from the checkout whose code is measured (``PYTHONPATH=.``). The sampler thread and the
wrappers cost a little memory and time: compare two checkouts with the same script, and
take the audit's own figures from ``bench/audit_ab.py``."""
from __future__ import annotations

import argparse
import functools
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("--out", required=True)
    ap.add_argument("--site", help="audit only the sites whose URL contains this")
    args = ap.parse_args(argv)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    db = out / "a.db"
    shutil.copyfile(args.store, db)

    import fleet.publish as publish
    import govaudit.api as api
    import reports.render as render
    import reports.site as site_report
    import rules.runner as runner
    from store import Store

    step, peaks, lines = ["start"], {}, []

    def sample():
        while True:
            peaks[step[0]] = max(peaks.get(step[0], 0), rss_mib())
            time.sleep(0.01)

    def wrap(owner, name):
        if not hasattr(owner, name):          # an older checkout
            return
        f = getattr(owner, name)

        @functools.wraps(f)
        def g(*a, **k):
            outer, step[0] = step[0], name
            peaks[name] = 0
            lines.append(f"{time.monotonic() - t0:7.1f} s  > {name:22s} {rss_mib():4d} MiB")
            try:
                return f(*a, **k)
            finally:
                lines.append(f"{time.monotonic() - t0:7.1f} s  < {name:22s} {rss_mib():4d} MiB, peak {peaks.get(name, 0)}")
                step[0] = outer
        setattr(owner, name, g)

    for owner, names in ((runner, ("audit_site", "_audit_site", "load_artifacts", "run_rules", "annotate_first_seen",
                                   "coverage", "judge", "score_history")),
                         (Store, ("replace_findings", "save_result", "_store_result")),
                         (publish, ("write_snapshots", "index_summary", "release_memory")),
                         (render, ("write_site_report", "write_index")), (site_report, ("context",))):
        for name in names:
            wrap(owner, name)
    if args.site:
        sites = Store.sites
        Store.sites = lambda self, run_id: [s for s in sites(self, run_id) if args.site in s]
    threading.Thread(target=sample, daemon=True).start()
    t0 = time.monotonic()
    api.audit(str(db), out=str(out / "out"))
    print("\n".join(lines))
    print(f"wall {time.monotonic() - t0:.1f} s, peak {max(peaks.values())} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
