"""Checked-in reference data (thresholds, sources, calendars, site profiles).

This package only locates and reads the files; it holds no logic of its own."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


SITES_DIR = DATA_DIR / "sites"


class SiteProfileFileError(ValueError):
    """A site profile file that cannot be read (bad TOML); the message names the file."""


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


def site_profile_path(site_url: str, folder: Path | None = None) -> Path:
    """``<folder>/<host>.toml`` for a site (default folder ``data/sites``; a port is written
    ``_port``: ``127.0.0.1_8080.toml``)."""
    from urllib.parse import urlsplit

    host = urlsplit(site_url).netloc.lower().replace(":", "_")
    return Path(folder or SITES_DIR) / f"{host}.toml"


def read_site_profile(site_url: str, folder: Path | None = None) -> tuple[Path, dict] | None:
    """The site's profile file and its parsed TOML, or None when the site has none."""
    path = site_profile_path(site_url, folder)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            return path, tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SiteProfileFileError(f"{path}: not valid TOML: {exc}") from None
