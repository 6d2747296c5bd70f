"""The 问题台账 (issue ledger) an office sends out for 整改: one row per finding of a run, from
the stored result documents (docs/result-document.md).

Columns (the xlsx and CSV headers, in this order) and their JSON field names:

==========  ==============  =============================================================
序号        ``seq``          1, 2, … over the whole ledger
单位/站点   ``site_name``    site name (``site``: its URL)
栏目        ``column``       column path (section › … › column), else the column name
问题类型    ``problem``      the rule's failing-state title (``code``: the rule code)
问题描述    ``description``  the finding's message
页面地址    ``url``          the page (a clickable link in the xlsx)
发现时间    ``first_seen``   the date the problem was first seen (earlier runs counted)
状态        ``status``       新发现 / 持续存在 / 已整改 (and 待人工复核 marked in 问题类型)
整改时限    ``rectify_by``   the date to fix by (data/rectification.toml), — when fixed
依据        ``basis``        the rule's cited source with its clause
==========  ==============  =============================================================

JSON rows also carry ``outcome`` (不符合 / 待人工复核), ``severity`` and ``fingerprint``.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO

from data import load_toml
from reports.common import safe_href, to_date
from reports.labels import CHANGE_LABELS, OUTCOME_LABELS, SEVERITY_LABELS
from reports.site import rules_by_code, verdict

COLUMNS = [("seq", "序号", 6), ("site_name", "单位/站点", 22), ("column", "栏目", 22), ("problem", "问题类型", 26),
           ("description", "问题描述", 60), ("url", "页面地址", 46), ("first_seen", "发现时间", 12),
           ("status", "状态", 10), ("rectify_by", "整改时限", 12), ("basis", "依据", 44)]
EXTRA = ["code", "site", "outcome", "severity", "fingerprint"]
FIELDS = [k for k, _, _ in COLUMNS] + EXTRA
SUMMARY_COLUMNS = [("site_name", "单位/站点", 24), ("site", "网址", 34), ("verdict", "检查结论", 10), ("score", "得分", 10),
                   ("fail", "不符合", 8), ("review", "待复核", 8), ("new", "新发现", 8), ("persisting", "持续存在", 10),
                   ("fixed", "已整改", 8), ("as_of", "检查日期", 12)]


@lru_cache(maxsize=256)
def _rectify_by(severity: str, outcome: str, as_of: date | None) -> str:
    """The fix-by date of a finding (the same for every finding of a run with its severity and
    outcome: kept, as a ledger has thousands of rows)."""
    if not as_of:
        return "—"
    days = load_toml("rectification.toml")["workdays"]
    n = days["review"] if outcome == "review" else days.get(severity, days["deduct"])
    try:
        from rules.workdays import WorkCalendar
        return WorkCalendar().add_workdays(as_of, int(n)).isoformat()
    except Exception:  # noqa: BLE001 - a year the calendar does not cover: say so, do not guess
        return f"检查后 {n} 个工作日内"


def ledger_rows(docs: list[Mapping]) -> list[dict]:
    """The ledger of a run: open findings (fail, review) and fixed ones, site by site."""
    rows: list[dict] = []
    for doc in docs:
        rules = rules_by_code(doc)
        site = doc.get("site") or {}
        as_of = to_date(doc.get("as_of"))
        items = [(f, f.get("change") or "new") for f in doc.get("findings") or []
                 if isinstance(f, Mapping) and f.get("outcome") in ("fail", "review")]
        items += [(f, "fixed") for f in doc.get("fixed") or [] if isinstance(f, Mapping)]
        for f, change in items:
            code = str(f.get("code") or "")
            rule = rules.get(code, {})
            outcome = str(f.get("outcome") or "")
            severity = str(f.get("severity") or rule.get("severity") or "")
            problem = rule.get("failure_title") or rule.get("title") or code
            if outcome == "review" and change != "fixed":
                problem += "（待人工复核）"
            path = f.get("column_path") if isinstance(f.get("column_path"), list) else None
            rows.append({
                "seq": len(rows) + 1,
                "site_name": site.get("name") or site.get("url") or "",
                "column": " › ".join(path) if path else (f.get("column") or ""),
                "problem": problem,
                "description": f.get("message") or "",
                "url": f.get("url") or "",
                "first_seen": f.get("first_seen") or doc.get("as_of") or "",
                "status": CHANGE_LABELS.get(change, change),
                "rectify_by": "—" if change == "fixed" else _rectify_by(severity, outcome, as_of),
                "basis": rule.get("source") or "",
                "code": code, "site": site.get("url") or "",
                "outcome": OUTCOME_LABELS.get(outcome, outcome),
                "severity": SEVERITY_LABELS.get(severity, severity),
                "fingerprint": f.get("fingerprint") or "",
            })
    return rows


def summary_rows(docs: list[Mapping]) -> list[dict]:
    out = []
    for doc in docs:
        site = doc.get("site") or {}
        found = [f for f in doc.get("findings") or [] if isinstance(f, Mapping)]
        v = verdict(doc)
        out.append({
            "site_name": site.get("name") or site.get("url") or "", "site": site.get("url") or "",
            "verdict": v["verdict"], "score": v["score_text"],
            "fail": sum(1 for f in found if f.get("outcome") == "fail"),
            "review": sum(1 for f in found if f.get("outcome") == "review"),
            "new": sum(1 for f in found if f.get("outcome") in ("fail", "review") and f.get("change") == "new"),
            "persisting": sum(1 for f in found if f.get("outcome") in ("fail", "review") and f.get("change") == "persisting"),
            "fixed": len(doc.get("fixed") or []), "as_of": doc.get("as_of") or "",
        })
    return out


def write_json(docs: list[Mapping], out: IO[str]) -> None:
    json.dump(ledger_rows(docs), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(docs: list[Mapping], out: IO[str]) -> None:
    """Same rows as the xlsx first sheet, Chinese headers (UTF-8; Excel wants the BOM the
    caller adds for files)."""
    writer = csv.writer(out)
    writer.writerow([h for _, h, _ in COLUMNS])
    for r in ledger_rows(docs):
        writer.writerow([r[k] for k, _, _ in COLUMNS])


def write_xlsx(docs: list[Mapping], path: Path) -> Path:
    """问题台账.xlsx: sheet 问题台账 (one row per finding; header frozen, filters on, widths set,
    page addresses clickable) and sheet 站点汇总 (one row per site)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "问题台账"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(ws, columns, rows, link_key=None):
        # rows are addressed by number: ws.max_row and ws[row] scan every cell of the sheet, which
        # made a 7,000-row ledger take 40 s
        keys = [k for k, _, _ in columns]
        link_col = keys.index(link_key) + 1 if link_key else None
        ws.append([h for _, h, _ in columns])
        for col in range(1, len(columns) + 1):
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill = header_font, header_fill
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        row_no = 1
        for r in rows:
            ws.append([r[k] for k in keys])
            row_no += 1
            if link_col:
                cell = ws.cell(row=row_no, column=link_col)
                href = safe_href(r[link_key])
                if href:
                    cell.hyperlink = href
                    cell.style = "Hyperlink"
            for col in range(1, len(columns) + 1):
                ws.cell(row=row_no, column=col).alignment = wrap
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row_no}"

    sheet(ws, COLUMNS, ledger_rows(docs), link_key="url")
    sheet(wb.create_sheet("站点汇总"), SUMMARY_COLUMNS, summary_rows(docs), link_key="site")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def export(docs: list[Mapping], fmt: str, output: str | None, stdout: IO[str]) -> None:
    """``govaudit export --what ledger``: json / csv to a file or standard output; xlsx to a file."""
    if fmt == "xlsx":
        write_xlsx(docs, Path(output))
        return
    if output:
        with open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            (write_csv if fmt == "csv" else write_json)(docs, fh)
    else:
        (write_csv if fmt == "csv" else write_json)(docs, stdout)


__all__ = ["COLUMNS", "FIELDS", "export", "ledger_rows", "summary_rows", "write_csv", "write_json", "write_xlsx"]
