"""Checked-in reference data (thresholds, sources, calendars, site profiles).

This package only locates and reads the files; it holds no logic of its own."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


@cache
def load_toml(name: str) -> dict:
    """Read ``data/<name>`` (TOML) once."""
    with open(DATA_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def tool_version() -> str:
    """The installed govaudit version (from package metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govaudit")
    except PackageNotFoundError:
        return "0.0.0+unknown"
