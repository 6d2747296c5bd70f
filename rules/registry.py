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

from data import load_toml
from rules.base import Rule, Severity

STATUSES = ("preview", "stable", "deprecated")

#: the rule table (``data/rules.toml``): code -> everything the report says of the rule
#: (status, name, titles, severity, citation, rationale, how to fix); a code is added there with
#: its rule and never removed
META: dict[str, dict] = load_toml("rules.toml")

#: code -> status
TABLE: dict[str, str] = {code: entry["status"] for code, entry in META.items()}

#: what a rule's table entry must give (``rules.base.Rule`` declares each)
FIELDS = ("status", "name", "title", "failure_title", "severity", "source_id", "source", "rationale",
          "how_to_fix")

_RULES: dict[str, type[Rule]] = {}


class UnknownCode(ValueError):
    """A selector that names no rule (a usage error: the message lists what exists)."""


def register(cls: type[Rule]) -> type[Rule]:
    if cls.code in _RULES and _RULES[cls.code] is not cls:
        raise ValueError(f"rule code {cls.code} registered twice")
    if cls.code not in META:
        raise ValueError(f"rule code {cls.code} is not in data/rules.toml")
    entry = META[cls.code]
    missing = [f for f in FIELDS if f not in entry]
    if missing or entry["status"] not in STATUSES:
        raise ValueError(f"data/rules.toml [{cls.code}]: missing {missing} or unknown status")
    for field in FIELDS:             # the table is the one place a rule's description is given
        setattr(cls, field, Severity(entry[field]) if field == "severity" else entry[field])
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
