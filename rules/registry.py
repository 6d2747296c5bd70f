"""The rule registry: code -> rule. Codes are a public interface and are never reused."""
from __future__ import annotations

import importlib
import pkgutil

from rules.base import Rule

_RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.code in _RULES and _RULES[cls.code] is not cls:
        raise ValueError(f"rule code {cls.code} registered twice")
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
