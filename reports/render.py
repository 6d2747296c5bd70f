"""Render audit result documents (docs/result-document.md) as self-contained HTML.

Input is only the JSON-able result document: no database, no network, no scrapy. Pages are
single files (CSS and a small script inlined, nothing loaded from anywhere). What renders what:

- ``reports.site``: the per-site report;
- ``reports.fleet``: the fleet index over every site of a run;
- ``reports.evidence`` and ``reports.labels``: evidence formatting and the one Chinese label table;
- ``reports.ledger``: the 问题台账 (xlsx, CSV, JSON).
"""
from __future__ import annotations

import json
from pathlib import Path

from reports.common import env, site_slug
from reports.fleet import render_index
from reports.labels import KEY_LABELS as EVIDENCE_LABELS
from reports.site import render_site_report, stream_site_report


def compile_templates() -> None:
    """Compile every page template now (the environment keeps them): ``govaudit links`` does it
    while its crawl only waits for timed re-checks, instead of in the first report."""
    e = env()
    for name in e.list_templates(extensions=["j2"]):
        e.get_template(name)


def write_site_report(doc: dict, out_dir: Path) -> Path:
    """Write ``<slug>.html`` and ``<slug>.json`` (the document itself) into *out_dir*.

    Returns the path of the HTML file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = site_slug((doc.get("site") or {}).get("url") or "")
    html_path = out_dir / f"{slug}.html"
    # both written as they are produced (same bytes as dumps / render): the result document and
    # the page of a large site are tens of MB each as one string
    with open(out_dir / f"{slug}.json", "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2, default=str)
        fh.write("\n")
    with open(html_path, "w", encoding="utf-8") as fh:
        stream_site_report(doc, fh)
    return html_path


def write_index(docs: list[dict], out_dir: Path) -> Path:
    """Write ``index.html`` into *out_dir* and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(render_index(docs), encoding="utf-8")
    return path


__all__ = ["EVIDENCE_LABELS", "render_index", "render_site_report", "site_slug", "write_index",
           "write_site_report"]
