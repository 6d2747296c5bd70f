"""Publishing an audit: each site's report, the fleet index when there are several sites, and
the pages the findings were judged on as inert snapshots beside the reports (read from the
store: the reports themselves are rendered from the result document only).

:func:`audit_and_report` is what ``govaudit check``, ``audit``, ``links``, ``recheck`` and the
Scrapyd job (``crawler/spiders/site_job.py``) do once a run is stored: audit it
(:mod:`rules.runner`) and publish the result documents."""
from __future__ import annotations

import gc
import json
import re
from datetime import date
from pathlib import Path
from typing import Iterable

from store import Store
from store.decode import decode_page

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


def write_snapshots(store: Store, doc: dict, out: Path) -> None:
    """Save the page each finding was judged on next to the report, inert
    (:func:`snapshot_page`, ``snapshots/<sha>.html``) and as fetched (``<sha>.body.txt``), and
    point the finding's evidence at it (``evidence.snapshot``)."""
    folder = out / "snapshots"
    for f in doc["findings"] + doc.get("fixed", []):
        sha = (f.get("evidence") or {}).get("body_sha")
        if not sha:
            continue
        path = folder / f"{sha}.html"
        if not path.exists():
            body = store.body(sha)
            if body is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            fetch = store.first_fetch_of_body(sha)
            (folder / f"{sha}.body.txt").write_bytes(body)
            path.write_text(snapshot_page(body, sha, fetch.get("content_type"), fetch.get("fetched_at")), "utf-8")
        f["evidence"]["snapshot"] = f"snapshots/{sha}.html"


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
    for d in docs:
        if folder is None:
            folder = report_folder(out, [d], sites)
            folder.mkdir(parents=True, exist_ok=True)
        write_snapshots(store, d, folder)
        paths.append(write_site_report(d, folder))
        summaries.append(index_summary(d))
        del d
        release_memory()                # give the site's artifacts back before the next site
    folder = folder or out
    folder.mkdir(parents=True, exist_ok=True)
    if len(summaries) > 1:
        paths.insert(0, write_index(summaries, folder))
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
    slim["findings"] = [{k: f.get(k) for k in keep} for f in doc.get("findings") or []]
    slim["fixed"] = [{"change": f.get("change")} for f in doc.get("fixed") or []]
    return slim
