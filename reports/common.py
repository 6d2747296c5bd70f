"""Shared by every page: the Jinja environment, the inlined stylesheet and script, and the
small formatters (numbers, times, safe links, file names)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=cut)


#: the longest plain value shown as it is; longer ones (a hostile page's 1 MB <title>) are cut
#: for display only: the store and the result document keep them whole
DISPLAY_MAX = 1000


def cut(value: Any) -> Any:
    if type(value) is str and len(value) > DISPLAY_MAX:
        return f"{value[:DISPLAY_MAX]}…（共 {len(value)} 字，以下从略）"
    return value


def _inline(name: str, closing: str) -> Markup:
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    # Ours, but never let it close its element early.
    return Markup(text.replace("</", "<\\/"))


def css() -> Markup:
    return _inline("report.css", "style")


def script(name: str) -> Markup:
    return _inline(name, "script")


def num(value: Any) -> str:
    """72.0 -> "72", 72.5 -> "72.5", None -> "—", True -> "是"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def fmt_time(value: Any) -> str:
    """ISO timestamp -> "2026-11-22 10:00:00"; +08:00 is implied, other offsets are shown."""
    if not value:
        return "—"
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) == 10:
        return text
    out = moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() != 8 * 3600:
        total = int(offset.total_seconds() // 60)
        sign = "+" if total >= 0 else "-"
        out += f"（UTC{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}）"
    return out


def to_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def safe_href(url: Any) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:, …) stays text."""
    if not isinstance(url, str) or not url[:8].lower().lstrip().startswith("http"):
        return None
    return _http_href(url)


def forget_hrefs() -> None:
    """Empty :func:`safe_href`'s memo (after a report is written)."""
    _http_href.cache_clear()


@lru_cache(maxsize=1 << 16)
def _http_href(url: str) -> str | None:
    # a report of 39,000 findings asks about the same URLs many times (a finding's page, its
    # evidence, the pages a link sits on)
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def site_slug(url: str) -> str:
    """Filesystem-safe ASCII name for a site: host plus port, e.g. "127.0.0.1_8001".

    >>> site_slug("http://127.0.0.1:8001/")
    '127.0.0.1_8001'
    >>> site_slug("https://www.example.gov.cn/")
    'www.example.gov.cn'
    """
    text = (url or "").strip()
    parts = urlsplit(text if "://" in text else "//" + text)
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # leave as is; non-ASCII is replaced below
    pieces = [host]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        pieces.append(str(port))
    slug = "_".join(p for p in pieces if p)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", slug)
    slug = re.sub(r"_+", "_", slug).strip("._-")
    return slug[:120] or "site"
