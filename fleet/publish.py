"""Publishing an audit: each site's report, the fleet index when there are several sites, and
the pages the findings were judged on as inert snapshots beside the reports (read from the
store: the reports themselves are rendered from the result document only).

:func:`audit_and_report` is what ``govaudit check``, ``audit``, ``links``, ``recheck`` and the
Scrapyd job (``crawler/spiders/site_job.py``) do once a run is stored: audit it
(:mod:`rules.runner`) and publish the result documents."""
from __future__ import annotations

import gc
import json
import os
import pickle
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from store import BodyReader
from store.decode import decode_page

if TYPE_CHECKING:
    from store import Store

#: The snapshot page's policy (inherited by its frame): nothing is fetched, nothing runs.
SNAPSHOT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-src 'none'; "
                "form-action 'none'; base-uri 'none'")
_REFRESH_TAG = re.compile(rb"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.I)


def snapshot_page(body: bytes, sha: str, content_type: str | None, fetched_at: str | None) -> str:
    """The stored page, inert: shown in a sandboxed frame (no scripts, forms, plugins, popups
    or navigation of the report; meta refresh does not run in a sandboxed frame) under a
    Content-Security-Policy that loads nothing from anywhere, with its meta refresh tags
    disarmed in the copy shown. The bytes as fetched are saved beside it (``<sha>.body.txt``,
    whose SHA-1 is the evidence hash)."""
    from html import escape

    from w3lib.encoding import http_content_type_encoding

    text, encoding, note = decode_page(_REFRESH_TAG.sub(b"<meta data-govaudit=\"refresh removed\">", body),
                                       http_content_type_encoding(content_type or "") or "utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{SNAPSHOT_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>网页快照 {sha[:12]}</title>\n"
        "<style>body{margin:0;font:14px sans-serif}p{margin:6px 10px}"
        "iframe{border:0;border-top:1px solid #999;width:100%;height:calc(100vh - 60px)}</style>\n"
        "</head><body>\n"
        f"<p>网页快照：抓取于 {escape(fetched_at or '未知时间')}，SHA-1 {sha}，按 {escape(encoding)} 解码显示"
        f"{'（' + escape(note) + '）' if note else ''}。页面中的脚本、自动跳转、表单和外部资源均已禁用；"
        f'抓取到的原始字节见 <a href="{sha}.body.txt">{sha}.body.txt</a>。</p>\n'
        f'<iframe sandbox="" referrerpolicy="no-referrer" title="网页快照" srcdoc="{escape(text, quote=True)}"></iframe>\n'
        "</body></html>\n")


def write_snapshots(store: Store, doc: dict, out: Path, writer: "SnapshotWriter | None" = None) -> None:
    """Save the page each finding was judged on next to the report, inert
    (:func:`snapshot_page`, ``snapshots/<sha>.html``) and as fetched (``<sha>.body.txt``), and
    point the finding's evidence at it (``evidence.snapshot``). ``writer``: who writes the files
    (a :class:`SnapshotWriter` shared by every site of an audit; by default they are written
    here, before this returns)."""
    own = writer is None
    writer = writer or SnapshotWriter(store, workers=0)
    folder = out / "snapshots"
    todo: list[str] = []
    findings = [f for f in doc["findings"] + doc.get("fixed", []) if (f.get("evidence") or {}).get("body_sha")]
    done = writer.done.setdefault(str(folder), set())
    stored = store.stored_bodies({f["evidence"]["body_sha"] for f in findings
                                  if _digest(f["evidence"]["body_sha"]) not in done})
    for f in findings:
        sha = f["evidence"]["body_sha"]
        key = _digest(sha)
        if key not in done:
            if not (folder / f"{sha}.html").exists():
                if sha not in stored:
                    continue
                todo.append(sha)
            done.add(key)
        f["evidence"]["snapshot"] = f"snapshots/{sha}.html"
    writer.write(folder, todo)
    if own:
        writer.close()


def _digest(sha: str) -> bytes | str:
    """A body hash as the 20 bytes it stands for (half the memory of its hex text), kept
    as it is when it is not hex."""
    try:
        return bytes.fromhex(sha)
    except (ValueError, TypeError):
        return sha


def write_snapshot_files(source, folder: Path, shas: list[str]) -> int:
    """Write the two files of each body ``sha`` (:func:`write_snapshots`); ``source``: a
    :class:`store.Store`, or the path of one (read through a :class:`store.BodyReader`, in a
    :class:`SnapshotWriter`'s process). Returns how many were written."""
    reader = BodyReader(source) if isinstance(source, (str, Path)) else source
    try:
        n = 0
        for sha in shas:
            body = reader.body(sha)
            if body is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            fetch = reader.first_fetch_of_body(sha)
            (folder / f"{sha}.body.txt").write_bytes(body)
            # the page under its name only once whole (a later audit keeps a snapshot that
            # exists: a writer killed half-way must not leave half a page)
            part = folder / f"{sha}.html.part"
            part.write_text(snapshot_page(body, sha, fetch.get("content_type"), fetch.get("fetched_at")), "utf-8")
            os.replace(part, folder / f"{sha}.html")
            n += 1
        return n
    finally:
        if reader is not source:
            reader.close()


class SnapshotWriter:
    """Writes an audit's snapshot files (:func:`write_snapshot_files`): in a second process
    (:mod:`fleet.snapshot_worker`, started when a site has at least ``min_batch`` pages to save)
    beside the audit, which goes on with the report and the next site — on two cores the
    snapshots of 10^5 documents (decompressing the bodies, escaping each page into its frame,
    two files a page) cost no wall time; otherwise (``workers=0``, a store in memory, small
    batches) here. :meth:`close` waits for the files and raises what writing them raised.
    ``done``: per folder, the hashes already saved or queued (a page judged in several findings
    is saved once)."""

    def __init__(self, store: Store, workers: int = 1, min_batch: int = 200):
        self.store, self.workers, self.min_batch = store, workers, min_batch
        self.done: dict[str, set] = {}
        self.pool = None            # the worker process (subprocess.Popen), once started
        self.jobs: list[tuple] = []

    def write(self, folder: Path, shas: list[str]) -> None:
        if not shas:
            return
        path = str(self.store.path)
        if self.workers > 0 and len(shas) >= self.min_batch and path != ":memory:":
            if self.pool is None:
                self.pool = _start_snapshot_worker(str(Path(path).resolve()))
            if self.pool is not None:
                self.store.commit()          # the other process reads what is committed
                # the hashes go through a file (a line on the pipe stays short: the audit never
                # waits for the worker to read), and are kept here as that one file's name
                import tempfile

                fd, listing = tempfile.mkstemp(prefix="govaudit-snapshots-", suffix=".txt")
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write("\n".join(shas))
                try:
                    self.pool.stdin.write(json.dumps({"folder": str(Path(folder).resolve()), "shas": listing}) + "\n")
                    self.pool.stdin.flush()
                except OSError:                  # the worker is gone: written at close
                    pass
                self.jobs.append((folder, listing))
                return
        write_snapshot_files(self.store, folder, shas)

    def close(self, failed: bool = False) -> None:
        """Wait for the files (``failed``: the audit stopped on an error; stop the process
        without waiting, so that its error is the one raised)."""
        proc, jobs = self.pool, self.jobs
        self.pool, self.jobs = None, []
        if proc is None:
            return
        if failed:
            proc.kill()
            proc.wait()
            for _, listing in jobs:
                Path(listing).unlink(missing_ok=True)
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        answers = [json.loads(line) for line in proc.stdout if line.strip()]
        proc.stdout.close()
        proc.wait()
        try:
            for i, (folder, listing) in enumerate(jobs):
                answer = answers[i] if i < len(answers) else None
                if answer is None:          # the process died: write them here instead
                    shas = Path(listing).read_text("ascii").split()
                    write_snapshot_files(self.store, folder, shas)
                elif "error" in answer:
                    raise RuntimeError(f"writing the snapshots into {folder} failed: {answer['error']}\n"
                                       f"{answer.get('detail', '')}")
        finally:
            for _, listing in jobs:
                Path(listing).unlink(missing_ok=True)


def _start_snapshot_worker(db: str):
    """The :mod:`fleet.snapshot_worker` process, started now, or None. It ends with this one,
    even killed. It imports this checkout's code (``PYTHONPATH``: the project's root first)."""
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root] + [p for p in
                                                                  os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    try:
        return subprocess.Popen([sys.executable, "-m", "fleet.snapshot_worker", db, str(os.getpid())],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=root)
    except OSError:
        return None


def audit_and_report(store: Store, run_id: int, as_of: date, out: Path,
                     codes: list[str] | None = None, sites_dir: str | None = None,
                     select: list[str] | None = None, ignore: list[str] | None = None) -> list[Path]:
    """Audit the stored run ``run_id`` as of ``as_of`` and write its reports into ``out`` (or
    ``out/audit-<id>/`` for a re-audit, :func:`report_folder`); returns the report paths, the
    fleet index first when there are several sites. A site profile's ``[rules]`` naming no rule
    raises :class:`rules.registry.UnknownCode`."""
    from rules.runner import iter_audit_run, make_context

    # one site at a time: each site's report is written and its result document let go before
    # the next site is audited; the index needs only a summary of each (index_summary)
    docs = iter_audit_run(store, run_id, make_context(as_of, sites_dir=Path(sites_dir) if sites_dir else None),
                          codes, select, ignore)
    return publish(store, docs, out, sites=store.sites(run_id))


def publish(store: Store, docs: Iterable[dict], out: Path, sites: list[str] | None = None) -> list[Path]:
    """Write the reports of ``docs`` (result documents of one run, a list or produced one at a
    time) and their snapshots; ``sites``: every site of the run (see :func:`report_folder`)."""
    from reports.render import write_index, write_site_report

    paths, summaries, folder = [], [], None
    release_memory()        # after a crawl in this process (check, nightly): its garbage given back first
    writer = SnapshotWriter(store)
    try:
        for d in docs:
            if folder is None:
                folder = report_folder(out, [d], sites)
                folder.mkdir(parents=True, exist_ok=True)
            write_snapshots(store, d, folder, writer)
            paths.append(write_site_report(d, folder))
            # kept as one pickle (the findings' shared dicts stay shared): as objects, made while
            # the site's document is alive, they pin the allocator's arenas the document's
            # objects are freed from (at 10^5 documents ~17 MiB of resident size after the
            # largest site)
            summaries.append(pickle.dumps(index_summary(d), pickle.HIGHEST_PROTOCOL))
            del d
            release_memory()                # give the site's artifacts back before the next site
    except BaseException:
        writer.close(failed=True)
        close = getattr(docs, "close", None)
        if close is not None:        # iter_audit_run: the document of the site in hand stored now
            try:
                close()
            except Exception:        # noqa: BLE001 - the error being raised is the one to report
                pass
        raise
    writer.close()
    folder = folder or out
    folder.mkdir(parents=True, exist_ok=True)
    if len(summaries) > 1:
        paths.insert(0, write_index([pickle.loads(x) for x in summaries], folder))
    return paths


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc ``malloc_trim``;
    elsewhere a no-op): between two sites of an audit, so the process's resident size is one
    site's, not the largest site's plus fragments of every earlier one."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def report_folder(out: Path, docs: list[dict], sites: list[str] | None = None) -> Path:
    """Where this audit's reports go: ``out``, unless ``out`` already holds the report of an
    earlier audit of the same run (a re-audit, e.g. with another ``--as-of``): then
    ``out/audit-<id>/``, so the report as first made is kept beside the new one. ``sites``:
    every site of the audit (``docs`` may be the first result document only: the reports are
    written one site at a time)."""
    from reports.render import site_slug

    d = docs[0] if docs else None
    for url in [x["site"]["url"] for x in docs] + list(sites or ()):
        try:
            old = json.loads((out / f"{site_slug(url)}.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue
        same_run = (old.get("run") or {}).get("id") == d["run"]["id"]
        if same_run and (old.get("audit") or {}).get("id") != (d.get("audit") or {}).get("id"):
            return out / f"audit-{d['audit']['id']}"
    return out


def index_summary(doc: dict) -> dict:
    """What the fleet index reads of a result document: everything but the findings' evidence
    and messages (it counts findings by outcome, change, rule and severity)."""
    slim = {k: v for k, v in doc.items() if k not in ("findings", "fixed")}
    keep = ("outcome", "change", "code", "severity", "name", "column")
    # findings with the same six values share one dict (the index only reads them): a site's
    # 39,000 findings at 10^5 documents are a few hundred distinct ones, kept until the index
    shared: dict[tuple, dict] = {}
    slim["findings"] = [shared.setdefault(tuple(map(f.get, keep)), {k: f.get(k) for k in keep})
                        for f in doc.get("findings") or []]
    slim["fixed"] = [shared.setdefault(("fixed", f.get("change")), {"change": f.get("change")})
                     for f in doc.get("fixed") or []]
    return slim
