"""Portal scale benchmark (issue 15): crawl a generated portal of N documents, compare with bare
fetching of the same requests, re-run incrementally, audit, and record memory over time.

    python bench/scale.py --docs 10000 --out /tmp/scale-1e4
    python bench/scale.py --docs 100000 --out /tmp/scale-1e5
    python bench/scale.py --docs 10000 --out /tmp/s --steps crawl,scrapy,asyncio   # a subset

Steps (``--steps``, in this order; all by default):

* ``crawl``      ``govaudit check URL… --no-links``: wall time, requests and pages/s (Scrapy's
                 start→finish of the crawl), peak RSS and RSS every 0.5 s (CSV + SVG), store size;
* ``scrapy``     a bare Scrapy spider fetching exactly the requests the crawl made (fetches table);
* ``scrapy_default`` the same with Scrapy's default ``CONCURRENT_ITEMS`` (100) instead of govaudit's 1;
* ``asyncio``    a plain asyncio client fetching them (the server measured alone);
* ``threaded``   the asyncio client against the testbed's ``ThreadingHTTPServer`` serving the
                 same portals (is it fast enough?);
* ``rerun``      ``govaudit nightly`` (incremental, ``--revisit-days``, default 30) on the full crawl's
                 store: the unchanged portal, then after 1% new documents;
* ``audit``      ``govaudit audit --db …``: rules over the whole store and every report.

The portals: ``--seeds`` (mixed layouts, one port each) from ``bench/portal_server.py``, sized by
``--docs`` (scale found from the seeds' documents at scale 1), ``--page-size`` rows a list page,
``--attachments`` share of documents with an attachment. Results: ``OUT/results.json`` and a
Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
STEPS = ["crawl", "scrapy", "scrapy_default", "asyncio", "threaded", "rerun", "audit"]


# -- memory over time --------------------------------------------------------------------------
CLK_TCK = os.sysconf("SC_CLK_TCK")


def tree_rss_kib(pid: int, cpu: dict | None = None) -> int:
    """VmRSS of a process and all its descendants, in KiB (0 once it is gone). With ``cpu``,
    each process's CPU seconds so far (user + system) are recorded there by pid."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            if cpu is not None:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                cpu[p] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


def run_sampled(cmd: list[str], name: str, out: Path, interval: float = 0.5) -> dict:
    """Run ``cmd``; sample its RSS every ``interval`` s into ``out/name-rss.csv`` (+ .svg)."""
    samples: list[tuple[float, float]] = []
    t0, epoch0 = time.perf_counter(), time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
    done = threading.Event()

    cpu: dict[int, float] = {}
    cpu_line: list[tuple[float, float]] = []

    def sample():
        while not done.is_set():
            kib = tree_rss_kib(proc.pid, cpu)
            if kib:
                samples.append((time.perf_counter() - t0, kib / 1024))
                cpu_line.append((cpu.get(proc.pid, 0.0), sum(cpu.values())))
            done.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    csv = out / f"{name}-rss.csv"
    # RSS of the process tree; CPU seconds so far of the process itself and of its tree
    csv.write_text("seconds,rss_mib,cpu_main_s,cpu_tree_s\n" + "".join(
        f"{t:.1f},{r:.1f},{c:.1f},{ct:.1f}\n" for (t, r), (c, ct) in zip(samples, cpu_line)))
    write_svg(samples, out / f"{name}-rss.svg", f"{name}: RSS (MiB) over time (s)")
    if proc.returncode != 0:
        print(f"{name}: exit {proc.returncode}\n{stderr[-3000:]}", file=sys.stderr)
    # CPU seconds: the process itself (sampled: its last 0.5 s may be missing) and every
    # process of its tree (its worker, …) as sampled
    return {"wall_s": round(wall, 2), "peak_rss_mib": round(max((r for _, r in samples), default=0), 1),
            "cpu_main_s": round(cpu.get(proc.pid, 0.0), 1), "cpu_tree_s": round(sum(cpu.values()), 1),
            "rss_csv": str(csv), "returncode": proc.returncode, "stdout": stdout, "stderr": stderr[-2000:],
            "epoch0": epoch0}


def crawl_cpu(r: dict, db: Path, run_id: int) -> dict:
    """CPU seconds of the crawler's process and of its tree between the run's start and finish
    (``runs.started_at`` / ``finished_at``, to the second), read off the sampled CSV: the crawl
    alone, without the start-up and the audit that follows it in ``check``."""
    from datetime import datetime

    con = sqlite3.connect(db)
    started, finished = con.execute("select started_at, finished_at from runs where id = ?", [run_id]).fetchone()
    con.close()
    if not (started and finished and r.get("epoch0")):
        return {}
    a = datetime.fromisoformat(started).timestamp() - r["epoch0"]
    b = datetime.fromisoformat(finished).timestamp() - r["epoch0"]
    rows = [tuple(map(float, line.split(","))) for line in Path(r["rss_csv"]).read_text().splitlines()[1:]]

    def at(t):
        before = [row for row in rows if row[0] <= t]
        return before[-1] if before else rows[0]

    (_, _, m0, t0), (_, _, m1, t1) = at(a), at(b)
    return {"crawl_cpu_main_s": round(m1 - m0, 1), "crawl_cpu_worker_s": round((t1 - m1) - (t0 - m0), 1),
            "crawl_rss_peak_mib": round(max((row[1] for row in rows if a <= row[0] <= b), default=0), 1)}


def write_svg(samples, path: Path, title: str, w: int = 640, h: int = 240) -> None:
    if not samples:
        path.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
        return
    tmax = max(t for t, _ in samples) or 1
    rmax = max(r for _, r in samples) * 1.1 or 1
    pts = " ".join(f"{40 + t / tmax * (w - 50):.1f},{h - 20 - r / rmax * (h - 40):.1f}" for t, r in samples)
    ticks = "".join(f"<text x='2' y='{h - 20 - v / rmax * (h - 40):.0f}' font-size='10'>{v:.0f}</text>"
                    for v in (0, rmax / 2.2, rmax / 1.1))
    path.write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}'>"
        f"<rect width='{w}' height='{h}' fill='white'/>"
        f"<text x='40' y='14' font-size='12'>{title}; peak {max(r for _, r in samples):.0f} MiB, {tmax:.0f} s</text>"
        f"<line x1='40' y1='{h - 20}' x2='{w - 10}' y2='{h - 20}' stroke='black'/>"
        f"<line x1='40' y1='20' x2='40' y2='{h - 20}' stroke='black'/>{ticks}"
        f"<text x='{w - 60}' y='{h - 5}' font-size='10'>{tmax:.0f} s</text>"
        f"<polyline fill='none' stroke='#c00' stroke-width='1.5' points='{pts}'/></svg>")


# -- the portal server ---------------------------------------------------------------------------
def find_scale(seeds: list[int], docs: int) -> float:
    from testbed.generated.layout import build_truth, draw_layout

    # list documents scale, the 2-3 annual reports a portal holds do not
    lists = reports = 0
    for s in seeds:
        t = build_truth(s, draw_layout(s))
        n_reports = len(t.reports_node.docs)
        lists, reports = lists + len(t.docs) - n_reports, reports + n_reports
    return max(1.0, round((docs - reports) / lists, 2))


def start_server(args, scale: float, threaded: bool = False) -> tuple[subprocess.Popen, dict]:
    cmd = [PY, str(ROOT / "bench/portal_server.py"), "--seeds", args.seeds, "--scale", str(scale),
           "--page-size", str(args.page_size), "--attachments", str(args.attachments)]
    if threaded:
        cmd.append("--threaded")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("portal server did not start")
    return proc, json.loads(line)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


# -- store figures -------------------------------------------------------------------------------
def run_figures(db: Path, run_id: int | None = None) -> dict:
    con = sqlite3.connect(db)
    if run_id is None:
        run_id = con.execute("select max(id) from runs").fetchone()[0]
    stats = json.loads(con.execute("select stats from runs where id = ?", [run_id]).fetchone()[0] or "{}")
    requests = con.execute("select count(*) from fetches where run_id = ?", [run_id]).fetchone()[0]
    docs = con.execute("select count(*) from documents where run_id = ?", [run_id]).fetchone()[0]
    con.close()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    dur = stats.get("duration_s") or 0
    return {"run": run_id, "requests": requests, "documents": docs, "crawl_s": dur,
            "pages_per_s": round(requests / dur, 1) if dur else None,
            "scrapy_requests": stats.get("requests"), "store_mib": round(size / 2 ** 20, 1)}


def govaudit_check(urls, db: Path, out: Path, name: str, args) -> dict:
    cmd = [PY, "-m", "govaudit", "check", *urls, "--no-links", "--db", str(db),
           "--out", str(out / f"report-{name}"), "--as-of", "2026-11-20"]
    r = run_sampled(cmd, name, out)
    r.update(run_figures(db))
    r.update(crawl_cpu(r, db, r["run"]))
    if r.get("crawl_cpu_main_s") is not None and r.get("requests"):
        r["ms_per_request"] = {k: round(1000 * r[f"crawl_cpu_{k}_s"] / r["requests"], 2) for k in ("main", "worker")}
    return r


def govaudit_nightly(urls, db: Path, out: Path, name: str, args, since_run: int) -> dict:
    """``govaudit nightly`` over the same portals (incremental, with the revisit window
    ``--revisit-days``) on the store of the full crawl: requests, documents and how they were
    had, over every run after ``since_run`` (nightly makes one run per site)."""
    sites = out / "sites.toml"
    sites.write_text("".join(f'[[site]]\nid = "s{i}"\nname = "站点{i}"\nurl = "{u}"\nregion = "基准"\nlevel = "市"\n\n'
                             for i, u in enumerate(urls)), "utf-8")
    cmd = [PY, "-m", "govaudit", "nightly", "--sites", str(sites), "--db", str(db), "--no-links",
           "--out", str(out / f"report-{name}"), "--as-of", "2026-11-20", "--revisit-days", str(args.revisit_days)]
    r = run_sampled(cmd, name, out)
    con = sqlite3.connect(db)
    q = lambda sql: con.execute(sql, [since_run]).fetchone()[0]  # noqa: E731
    runs = [json.loads(s or "{}") for (s,) in con.execute("select stats from runs where id > ?", [since_run])]
    r.update({
        "runs": len(runs),
        "requests": q("select count(*) from fetches where run_id > ?"),
        "document_requests": q("select count(*) from fetches where run_id > ? and kind = 'document'"),
        "not_modified": q("select count(*) from fetches where run_id > ? and status = 304"),
        "documents": q("select count(*) from documents where run_id > ?"),
        "carried_unread": q("select count(*) from carried where run_id > ? and how = 'unread'"),
        "crawl_s": round(max((s.get("duration_s") or 0 for s in runs), default=0), 1),
    })
    r["pages_per_s"] = round(r["requests"] / r["crawl_s"], 1) if r["crawl_s"] else None
    con.close()
    return r


def baseline(client: str, db: Path, out: Path, run_id: int, extra: list[str] = (), name: str = "") -> dict:
    r = run_sampled([PY, str(ROOT / "bench/fetch_baseline.py"), client, "--db", str(db), "--run", str(run_id),
                     *extra], name or client, out)
    try:
        r.update(json.loads(r["stdout"].strip().splitlines()[-1]))
    except (IndexError, json.JSONDecodeError):
        pass
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seeds", default="1-12")
    ap.add_argument("--page-size", type=int, default=20)
    ap.add_argument("--attachments", type=float, default=0.3)
    ap.add_argument("--grow", type=float, default=0.01, help="share of new documents for the second re-run")
    ap.add_argument("--revisit-days", type=int, default=30, help="the re-runs' revisit window (nightly --revisit-days)")
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    steps = args.steps.split(",")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "store.db"
    from bench.portal_server import parse_seeds

    scale = find_scale(parse_seeds(args.seeds), args.docs)
    t = time.perf_counter()
    server, info = start_server(args, scale)
    res: dict = {"args": vars(args), "scale": scale, "portal": {**info, "start_s": round(time.perf_counter() - t, 1)}}
    urls = info["urls"]
    print(f"portal: {info['documents']} documents, {info['attachments']} attachments, {len(urls)} sites, "
          f"pagers {info['pagers']} (scale {scale}, ready in {res['portal']['start_s']} s)", file=sys.stderr)

    def save():
        (out / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=2, default=str))

    try:
        if "crawl" in steps:
            if db.exists():
                for p in out.glob("store.db*"):
                    p.unlink()
            res["crawl"] = govaudit_check(urls, db, out, "crawl", args)
            save()
            print(f"crawl: {res['crawl']}", file=sys.stderr)
        full_run = run_figures(db)["run"] if "crawl" not in res else res["crawl"]["run"]
        if "scrapy" in steps:
            res["scrapy"] = baseline("scrapy", db, out, full_run)
            save()
        if "scrapy_default" in steps:
            res["scrapy_default"] = baseline("scrapy", db, out, full_run, ["--concurrent-items", "100"], "scrapy-default")
            save()
        if "asyncio" in steps:
            res["asyncio"] = baseline("asyncio", db, out, full_run)
            save()
        if "threaded" in steps:
            tproc, tinfo = start_server(args, scale, threaded=True)
            try:
                # the same requests, each seed's port mapped to the threaded server's
                con = sqlite3.connect(db)
                rows = con.execute("select method, url, req_body from fetches where run_id = ?", [full_run]).fetchall()
                con.close()
                ports = {u.rsplit(":", 1)[1].strip("/"): v.rsplit(":", 1)[1].strip("/")
                         for u, v in zip(urls, tinfo["urls"])}
                tdb = out / "threaded-requests.db"
                tdb.unlink(missing_ok=True)
                tc = sqlite3.connect(tdb)
                tc.execute("create table fetches (run_id int, method text, url text, req_body text, id integer primary key)")

                def remap(url: str) -> str:
                    head, _, rest = url.partition("://")
                    hostport, slash, path = rest.partition("/")
                    host, _, port = hostport.rpartition(":")
                    return f"{head}://{host}:{ports.get(port, port)}{slash}{path}"

                tc.executemany("insert into fetches (run_id, method, url, req_body) values (1, ?, ?, ?)",
                               [(m, remap(u), b) for m, u, b in rows])
                tc.commit()
                tc.close()
                res["threaded"] = baseline("asyncio", tdb, out, 1, name="threaded")
                res["threaded"]["note"] = "asyncio client against testbed.server.Testbed (ThreadingHTTPServer)"
            finally:
                stop(tproc)
            save()
        if "rerun" in steps:
            # incremental re-runs (govaudit nightly, the revisit window) on the full crawl's store
            res["rerun_unchanged"] = govaudit_nightly(urls, db, out, "rerun", args, full_run)
            save()
            last = run_figures(db)["run"]
            req = urllib.request.Request(urls[0] + f"__bench/grow?share={args.grow}", method="POST")
            res["grow"] = json.loads(urllib.request.urlopen(req).read())
            res["rerun_grown"] = govaudit_nightly(urls, db, out, "rerun-grown", args, last)
            save()
        if "audit" in steps:
            res["audit"] = run_sampled([PY, "-m", "govaudit", "audit", "--db", str(db), "--run", str(full_run),
                                        "--out", str(out / "report-audit")], "audit", out)
            save()
    finally:
        stop(server)
        save()
    print(table(res))
    return 0


def table(res: dict) -> str:
    rows = [f"portal: {res['portal']['documents']} documents, {res['portal']['attachments']} attachments, "
            f"{len(res['portal']['urls'])} sites, pagers {', '.join(res['portal']['pagers'])}", "",
            "| step | requests | seconds | pages/s | peak RSS MiB | note |", "|---|---|---|---|---|---|"]
    c = res.get("crawl")
    base = res.get("scrapy", {}).get("pages_per_s")
    if c:
        ratio = f"{c['pages_per_s'] / base:.0%} of bare Scrapy" if base and c.get("pages_per_s") else ""
        rows.append(f"| govaudit check (crawl) | {c['requests']} | {c['crawl_s']} (process {c['wall_s']}) | "
                    f"{c['pages_per_s']} | {c['peak_rss_mib']} | {c['documents']} documents stored, store "
                    f"{c['store_mib']} MiB; {ratio}; CPU {c.get('cpu_main_s')} s crawler process, "
                    f"{c.get('cpu_tree_s')} s with its worker (whole run incl. audit); the crawl alone: "
                    f"{c.get('crawl_cpu_main_s')} s crawler + {c.get('crawl_cpu_worker_s')} s worker "
                    f"({c.get('ms_per_request')} ms a request), peak {c.get('crawl_rss_peak_mib')} MiB |")
    for k, label in (("scrapy", "bare Scrapy spider"), ("scrapy_default", "bare Scrapy, CONCURRENT_ITEMS=100"), ("asyncio", "plain asyncio client"),
                     ("threaded", "asyncio client vs ThreadingHTTPServer")):
        if k in res:
            r = res[k]
            rows.append(f"| {label} | {r.get('requests')} | {r.get('seconds')} | {r.get('pages_per_s')} | "
                        f"{r['peak_rss_mib']} | statuses {r.get('statuses')}; CPU {r.get('cpu_tree_s')} s "
                        f"({1000 * (r.get('cpu_tree_s') or 0) / max(r.get('requests') or 1, 1):.2f} ms a request) |")
    for k, label in (("rerun_unchanged", "re-run, unchanged portal"), ("rerun_grown", "re-run, +1% documents")):
        if k in res and c:
            r = res[k]
            rows.append(f"| {label} | {r['requests']} ({r['requests'] / max(c['requests'], 1):.1%} of full) | "
                        f"{r['crawl_s']} (process {r['wall_s']}) | {r['pages_per_s']} | {r['peak_rss_mib']} | "
                        f"{r['documents']} documents in the runs: {r.get('carried_unread')} carried unread, "
                        f"{r.get('document_requests')} document requests ({r.get('not_modified')} answered 304) |")
    if "audit" in res:
        r = res["audit"]
        rows.append(f"| govaudit audit (rules + reports) | | {r['wall_s']} | | {r['peak_rss_mib']} | exit {r['returncode']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
