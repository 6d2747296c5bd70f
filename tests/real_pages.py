"""Real pages as page-object cases: the shared set (``shared/real-pages``, read in place) and
``tests/fixtures/real/<kind>/<case>/`` (each with the page as found, ``meta.json`` naming its
source and ``expected.json`` written by reading the page).

A case is ``Case(name, url, family, kind, page_text, expected)``; ``kind`` is ``list`` (expected:
``rows`` of url/title/date, optional ``total`` and ``pages``), ``document`` (expected: the seven
``DOC_FIELDS``, null where the page does not give one), ``home`` (a portal's home page; expected:
``section``, the url and link text of its way into the 政府信息公开 section) or ``section`` (a
section, catalogue or 法定主动公开内容 page; expected: ``columns``, the url and name of each
sub-column link the page offers).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real"
#: family of the shared gov.cn pages: formal documents of the 国务院 policy library, read by the
#: gov.cn profile, whose detail reading is the generic one
GOVCN_FAMILY = "govcn"


@dataclass
class Case:
    name: str
    url: str
    family: str
    kind: str            # list | document | home | section
    text: str
    expected: dict


def shared_dir() -> Path | None:
    """``shared/real-pages``: ``$GOVAUDIT_REAL_PAGES`` when set, else the first
    ``shared/real-pages`` found walking up from the repository root (CI clones the repository
    next to ``shared/``; a worktree may sit deeper)."""
    env = os.environ.get("GOVAUDIT_REAL_PAGES")
    if env:
        return Path(env)
    for parent in (ROOT, *ROOT.parents):
        candidate = parent / "shared" / "real-pages"
        if candidate.is_dir():
            return candidate
    return None


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def shared_cases(folder: Path) -> list[Case]:
    cases = []
    for meta_path in sorted(folder.glob("*.json")) + sorted(folder.glob("govcn/*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        page = next(p for p in meta_path.parent.glob(meta_path.stem + ".*") if p.suffix != ".json")
        truth = meta["truth"]
        name = f"shared/{meta_path.relative_to(folder).with_suffix('')}"
        if "rows" in truth:
            expected = {"rows": truth["rows"]}
            if "total" in truth:
                expected["total"] = truth["total"]
            if (meta.get("pagination") or {}).get("pages"):
                expected["pages"] = meta["pagination"]["pages"]
            kind = "list"
        else:
            expected, kind = truth, "document"
        family = meta.get("expected_family") or GOVCN_FAMILY
        cases.append(Case(name, meta["url"], family, kind, _read(page), expected))
    return cases


def fixture_cases() -> list[Case]:
    cases = []
    for meta_path in sorted(FIXTURES.glob("*/*/meta.json")):
        folder = meta_path.parent
        meta = json.loads(meta_path.read_text("utf-8"))
        page = next(folder.glob("input.*"))
        expected = json.loads((folder / "expected.json").read_text("utf-8"))
        cases.append(Case(f"{folder.parent.name}/{folder.name}", meta["url"], meta["family"], meta["kind"],
                          _read(page), expected))
    return cases
