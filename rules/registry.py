"""The rule registry: one table of codes, each with its status, like a linter's.

``TABLE`` is the list an auditor and a superior unit read (``govaudit rules``): every code ever
given, with its status. A code is a public interface and is never reused: a retired rule stays
in the table as ``deprecated``.

* ``stable``: runs by default; its outcomes are part of the score.
* ``preview``: runs by default and is shown as preview (its judgement may still change).
* ``deprecated``: runs only when selected by its exact code.

:func:`resolve` turns ``--select`` / ``--ignore`` (and a site profile's ``[rules]``) into the
codes to run: exact codes (``LK002``) or prefixes (``LK``, ``LK00``), comma-separated.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Iterable

from rules.base import Rule

STATUSES = ("preview", "stable", "deprecated")

#: code -> status; a code is added here with its rule and never removed
TABLE: dict[str, str] = {
    "AV001": "stable",
    "DI001": "stable",
    "DI002": "stable",
    "FR001": "stable",
    "FR002": "stable",
    "FR003": "stable",
    "ID001": "stable",
    "IN001": "stable",
    "IN002": "stable",
    "IN003": "preview",      # one-way interpretation links: judged on link text and targets
    "LK001": "stable",
    "LK002": "stable",
    "LK003": "preview",      # 错链: a similarity heuristic between anchor text and target title
    "MD001": "stable",
    "MD002": "stable",
    "MD003": "stable",
    "TM001": "stable",
    "TM002": "stable",
}

_RULES: dict[str, type[Rule]] = {}


class UnknownCode(ValueError):
    """A selector that names no rule (a usage error: the message lists what exists)."""


def register(cls: type[Rule]) -> type[Rule]:
    if cls.code in _RULES and _RULES[cls.code] is not cls:
        raise ValueError(f"rule code {cls.code} registered twice")
    if cls.code not in TABLE:
        raise ValueError(f"rule code {cls.code} is not in rules.registry.TABLE")
    cls.status = TABLE[cls.code]     # the table is the one place a status is given
    _RULES[cls.code] = cls
    return cls


def _load() -> None:
    import rules.checks as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"rules.checks.{mod.name}")


def all_rules() -> list[type[Rule]]:
    _load()
    return [_RULES[c] for c in sorted(_RULES)]


def get(code: str) -> type[Rule]:
    _load()
    return _RULES[code]


def status(code: str) -> str:
    return TABLE[code]


def split_codes(text: str | Iterable[str] | None) -> list[str]:
    """``"LK, md001"`` (or a list of such strings) -> ``["LK", "MD001"]``."""
    if text is None:
        return []
    parts = [text] if isinstance(text, str) else list(text)
    return [c.strip().upper() for p in parts for c in str(p).split(",") if c.strip()]


def _matching(selector: str, codes: Iterable[str]) -> list[str]:
    return [c for c in codes if c.startswith(selector)]


def check_selectors(selectors: Iterable[str]) -> None:
    """Raise :class:`UnknownCode` for a selector that matches no code in the table."""
    _load()
    known = sorted(_RULES)
    bad = [s for s in selectors if not _matching(s, known)]
    if bad:
        raise UnknownCode(f"unknown rule code(s): {', '.join(bad)} "
                          f"(known: {', '.join(known)}; a prefix such as LK selects every LK rule)")


def resolve(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[str]:
    """The codes to run: those ``select`` names (default: every code not deprecated) minus those
    ``ignore`` names. A deprecated rule runs only when selected by its exact code."""
    _load()
    select, ignore = split_codes(select), split_codes(ignore)
    check_selectors(select + ignore)
    known = sorted(_RULES)
    if select:
        chosen = {c for s in select for c in _matching(s, known)
                  if TABLE[c] != "deprecated" or c == s}
    else:
        chosen = {c for c in known if TABLE[c] != "deprecated"}
    chosen -= {c for s in ignore for c in _matching(s, known)}
    return sorted(chosen)
