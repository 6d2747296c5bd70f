"""The sites file (``sites.toml``): the list of portals a fleet run audits.

Each ``[[site]]`` gives an ``id``, ``name``, home ``url``, its group (``region`` and ``level``:
省 / 市 / 县 / 部门), and optionally a site ``profile`` file (path relative to the sites file),
``[site.crawl]`` politeness and ``[site.thresholds]`` rule overrides, each with a ``reason``.
See ``data/sites.example.toml`` and ``docs/operations.md``.

The whole file is checked before anything runs: every mistake is reported at once, each
naming the file, the line, the site and the field (:class:`SitesFileError`).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LEVELS = ("省", "市", "县", "部门")
SITE_KEYS = {"id", "name", "url", "region", "level", "profile", "crawl", "thresholds"}
REQUIRED = ("id", "name", "url", "region", "level")
CRAWL_KEYS = {"concurrency", "delay", "reason"}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class SitesFileError(ValueError):
    """A sites file with mistakes; ``problems`` holds one message per mistake."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class FleetSite:
    id: str
    name: str
    url: str                       # the home page
    region: str
    level: str
    line: int                      # where its [[site]] starts in the file
    profile: Path | None = None
    crawl: dict = field(default_factory=dict)          # concurrency, delay, reason
    thresholds: dict = field(default_factory=dict)     # overrides, with reason

    @property
    def key(self) -> str:
        """The site as the store names it: scheme://host[:port]/ ."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()

    @property
    def group(self) -> dict:
        return {"region": self.region, "level": self.level}


@dataclass(frozen=True)
class SitesFile:
    path: Path
    sites: tuple[FleetSite, ...]

    def by_key(self) -> dict[str, FleetSite]:
        return {s.key: s for s in self.sites}


class _Lines:
    """Find the line a key of the i-th ``[[site]]`` is written on (tomllib keeps no positions)."""

    HEADER = re.compile(r"^\s*\[\[\s*site\s*\]\]")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.starts = [i + 1 for i, l in enumerate(self.lines) if self.HEADER.match(l)]

    def block(self, index: int) -> tuple[int, int]:
        start = self.starts[index] if index < len(self.starts) else 1
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.lines)
        return start, end

    def of(self, index: int, key: str | None = None, table: str | None = None) -> int:
        start, end = self.block(index)
        lo = start
        if table:
            head = re.compile(r"^\s*\[\s*site\s*\.\s*" + re.escape(table) + r"\b")
            for n in range(start, end + 1):
                if head.match(self.lines[n - 1]):
                    lo = n
                    break
            else:
                inline = re.compile(r"^\s*" + re.escape(table) + r"\s*=")
                for n in range(start, end + 1):
                    if inline.match(self.lines[n - 1]):
                        return n
        if key:
            pat = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
            head = re.compile(r"^\s*\[[^\]]*\.\s*" + re.escape(key) + r"\s*\]")     # [site.x.key]
            for n in range(lo, end + 1):
                if pat.match(self.lines[n - 1]) or head.match(self.lines[n - 1]):
                    return n
        return lo


def _merge_types_ok(base: dict, over: dict, where: str, say) -> None:
    """Check that an override only names thresholds data/thresholds.toml has (any key under
    a table that is empty there, such as ``posting.by_type``), with values of the same kind."""
    for k, v in over.items():
        if k == "reason" and where == "thresholds":
            continue
        if base and k not in base:
            say(f"{where}.{k}", f"not a threshold (known here: {', '.join(sorted(base))})", key=k)
            continue
        if k not in base:
            continue
        b = base[k]
        if isinstance(b, dict) != isinstance(v, dict):
            say(f"{where}.{k}", f"must be {'a table' if isinstance(b, dict) else 'a value'} as in data/thresholds.toml",
                key=k)
        elif isinstance(b, dict):
            _merge_types_ok(b, v, f"{where}.{k}", say)
        elif isinstance(b, (int, float)) and not isinstance(b, bool) and \
                (isinstance(v, bool) or not isinstance(v, (int, float))):
            say(f"{where}.{k}", f"must be a number, not {v!r}", key=k)


def load_sites_file(path: str | Path) -> SitesFile:
    """Read and check a sites file; raise :class:`SitesFileError` listing every mistake."""
    from crawler.profiles.site import SiteProfileError, parse_site_config
    from data import load_toml

    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise SitesFileError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError([f"{path}: cannot be read: {exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise SitesFileError([f"{path}:{m.group(1) if m else '?'}: not valid TOML: {exc}"]) from None
    lines = _Lines(text)
    problems: list[str] = []
    if extra := sorted(set(raw) - {"site"}):
        problems.append(f"{path}:1: unknown top-level key(s) {', '.join(extra)} (a sites file holds [[site]] tables)")
    entries = raw.get("site")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path}:1: no [[site]] tables: a sites file lists at least one site")
        raise SitesFileError(problems)
    thresholds = load_toml("thresholds.toml")
    sites: list[FleetSite] = []
    seen_ids: dict[str, int] = {}
    seen_hosts: dict[str, str] = {}
    for i, entry in enumerate(entries):
        label = str(entry.get("id") or f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"

        def say(fieldname: str, msg: str, *, key: str | None = None, table: str | None = None) -> None:
            line = lines.of(i, key if key is not None else fieldname.split(".")[-1], table)
            problems.append(f"{path}:{line}: site {label!r} field {fieldname!r}: {msg}")

        bad = len(problems)
        for k in sorted(set(entry) - SITE_KEYS):
            say(k, f"unknown field (known: {', '.join(sorted(SITE_KEYS))})")
        for k in REQUIRED:
            v = entry.get(k)
            if v is None:
                problems.append(f"{path}:{lines.of(i)}: site {label!r} field {k!r}: missing (required)")
            elif not isinstance(v, str) or not v.strip():
                say(k, f"must be non-empty text, not {v!r}")
        sid = entry.get("id")
        if isinstance(sid, str) and sid.strip():
            if not ID_RE.match(sid):
                say("id", "use letters, digits, '-', '_' or '.' (it names the site in messages and the fleet index)")
            elif sid in seen_ids:
                say("id", f"duplicate: already used by the site at line {seen_ids[sid]}")
            else:
                seen_ids[sid] = lines.of(i)
        url = entry.get("url")
        if isinstance(url, str) and url.strip():
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                say("url", f"not an http(s) URL: {url!r}")
            else:
                host = parts.netloc.lower()
                if host in seen_hosts:
                    say("url", f"the same site ({host}) is already listed as {seen_hosts[host]!r}")
                seen_hosts.setdefault(host, label)
                if not parts.path:
                    url = url + "/"
        level = entry.get("level")
        if isinstance(level, str) and level.strip() and level not in LEVELS:
            say("level", f"{level!r} is not one of {', '.join(LEVELS)}")
        profile = None
        if (p := entry.get("profile")) is not None:
            if not isinstance(p, str) or not p.strip():
                say("profile", f"must be a file path, not {p!r}")
            else:
                profile = (path.parent / p) if not Path(p).is_absolute() else Path(p)
                if not profile.is_file():
                    say("profile", f"site profile file not found: {profile}")
                elif isinstance(url, str) and not problems[bad:]:
                    try:
                        with open(profile, "rb") as fh:
                            parse_site_config(profile, url, tomllib.load(fh))
                    except (SiteProfileError, tomllib.TOMLDecodeError) as exc:
                        say("profile", f"the profile has a mistake: {exc}")
        crawl = entry.get("crawl") or {}
        if not isinstance(crawl, dict):
            say("crawl", "must be a table [site.crawl]")
            crawl = {}
        for k in sorted(set(crawl) - CRAWL_KEYS):
            say(f"crawl.{k}", f"unknown field (known: {', '.join(sorted(CRAWL_KEYS))})", key=k, table="crawl")
        if "concurrency" in crawl:
            c = crawl["concurrency"]
            if isinstance(c, bool) or not isinstance(c, int) or c < 1:
                say("crawl.concurrency", f"must be a whole number ≥ 1, not {c!r}", key="concurrency", table="crawl")
        if "delay" in crawl:
            d = crawl["delay"]
            if isinstance(d, bool) or not isinstance(d, (int, float)) or d < 0:
                say("crawl.delay", f"must be seconds ≥ 0, not {d!r}", key="delay", table="crawl")
        if set(crawl) - {"reason"} and not str(crawl.get("reason") or "").strip():
            say("crawl.reason", "politeness overrides need a reason", key="reason", table="crawl")
        over = entry.get("thresholds") or {}
        if not isinstance(over, dict):
            say("thresholds", "must be a table [site.thresholds]")
            over = {}
        if set(over) - {"reason"}:
            if not str(over.get("reason") or "").strip():
                say("thresholds.reason", "rule overrides need a reason", key="reason", table="thresholds")
            _merge_types_ok(thresholds, over, "thresholds",
                            lambda f, m, key=None: say(f, m, key=key, table="thresholds"))
        if problems[bad:]:
            continue
        sites.append(FleetSite(id=sid, name=entry["name"], url=url, region=entry["region"],
                               level=level, line=lines.of(i), profile=profile,
                               crawl=dict(crawl), thresholds=dict(over)))
    if problems:
        raise SitesFileError(problems)
    return SitesFile(path, tuple(sites))


def host_limits(sites: SitesFile, sites_dir: str | None) -> dict[str, tuple[int, float | None]]:
    """Per-host politeness: the sites file's ``[site.crawl]`` over the site profile's."""
    from crawler.profiles.site import load_site_config

    limits: dict[str, tuple[int, float | None]] = {}
    for s in sites.sites:
        config = load_site_config(s.key, Path(sites_dir) if sites_dir else None)
        if config and config.host_limit:
            limits.setdefault(*config.host_limit)
        if {"concurrency", "delay"} & set(s.crawl):
            n, d = limits.get(s.host, (None, None))
            limits[s.host] = (s.crawl.get("concurrency", n or 2), s.crawl.get("delay", d))
    return limits
