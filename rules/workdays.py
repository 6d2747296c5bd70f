"""Chinese official working-day calendar used by every date rule.

Years covered by the ``chinese_calendar`` package are answered by it; further
years (or corrections) come from data files ``<year>.toml`` in a data folder
(default: the repo's ``data/calendar/``).  A data file overrides the package
for its year.  See ``data/calendar/README.md`` for the file format.
"""

from __future__ import annotations

import datetime
import pathlib
import re
import tomllib
from dataclasses import dataclass

import chinese_calendar

DEFAULT_DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "calendar"
PACKAGE_SOURCE = "chinese_calendar"

# The package answers for every year between its first and last holiday year
# (the same range its own validation uses), so read it from the data, not
# from NotImplementedError.
_PACKAGE_YEARS = range(
    min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1
)


class CalendarNotCovered(Exception):
    """Raised when a date falls in a year with no holiday data."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"no working-day calendar for year {year}: add data/calendar/{year}.toml "
            f"from the State Council holiday notice"
        )


@dataclass(frozen=True)
class _YearData:
    holidays: frozenset[datetime.date]  # weekdays that are days off
    workdays: frozenset[datetime.date]  # weekend days that are working days
    path: pathlib.Path


def _as_date(d: datetime.date) -> datetime.date:
    """Accept date or datetime; return a plain date."""
    if isinstance(d, datetime.datetime):
        return d.date()
    if isinstance(d, datetime.date):
        return d
    raise TypeError(f"expected datetime.date, got {type(d).__name__}")


def _parse_dates(path: pathlib.Path, key: str, values, year: int) -> frozenset[datetime.date]:
    if not isinstance(values, list):
        raise ValueError(f"{path}: '{key}' must be a list of dates")
    out = set()
    for v in values:
        try:
            d = v if type(v) is datetime.date else datetime.date.fromisoformat(v)
        except (TypeError, ValueError):
            raise ValueError(f"{path}: '{key}' has invalid date {v!r}") from None
        if d.year != year:
            raise ValueError(f"{path}: '{key}' date {d} is outside year {year}")
        out.add(d)
    return frozenset(out)


def _load_year_file(path: pathlib.Path) -> tuple[int, _YearData]:
    """Parse and validate one ``<year>.toml`` file; raise ValueError naming it."""
    if not re.fullmatch(r"\d{4}", path.stem):
        raise ValueError(f"{path}: calendar data file must be named <year>.toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: invalid TOML: {exc}") from None
    year = int(path.stem)
    if raw.get("year") != year:
        raise ValueError(f"{path}: 'year' is {raw.get('year')!r}, file name says {year}")
    if not isinstance(raw.get("source"), str) or not raw["source"].strip():
        raise ValueError(f"{path}: 'source' (the official notice) is required")
    holidays = _parse_dates(path, "holidays", raw.get("holidays", []), year)
    workdays = _parse_dates(path, "workdays", raw.get("workdays", []), year)
    both = holidays & workdays
    if both:
        raise ValueError(f"{path}: dates in both holidays and workdays: {sorted(map(str, both))}")
    weekday_workdays = sorted(str(d) for d in workdays if d.weekday() < 5)
    if weekday_workdays:
        raise ValueError(f"{path}: 'workdays' must be weekend days (调休), got {weekday_workdays}")
    return year, _YearData(holidays, workdays, path)


class WorkCalendar:
    """Official working days in mainland China (法定节假日 and 调休 applied)."""

    def __init__(self, extra_dir: pathlib.Path | None = None):
        data_dir = pathlib.Path(extra_dir) if extra_dir is not None else DEFAULT_DATA_DIR
        self._files: dict[int, _YearData] = {}
        self._known: dict[datetime.date, bool] = {}   # memo: chinese_calendar checks are slow
        self._added: dict[tuple[datetime.date, int], datetime.date] = {}
        if data_dir.is_dir():
            for path in sorted(data_dir.glob("*.toml")):
                year, data = _load_year_file(path)
                self._files[year] = data

    def covers(self, d: datetime.date) -> bool:
        """True if holiday data exists for the year of ``d``."""
        year = _as_date(d).year
        return year in self._files or year in _PACKAGE_YEARS

    def is_workday(self, d: datetime.date) -> bool:
        """True if ``d`` is an official working day; raises CalendarNotCovered."""
        d = _as_date(d)
        known = self._known.get(d)
        if known is None:
            known = self._known[d] = self._lookup(d)
        return known

    def _lookup(self, d: datetime.date) -> bool:
        data = self._files.get(d.year)
        if data is not None:
            return d in data.workdays or (d.weekday() < 5 and d not in data.holidays)
        if d.year in _PACKAGE_YEARS:
            return chinese_calendar.is_workday(d)
        raise CalendarNotCovered(d.year)

    def add_workdays(self, start: datetime.date, n: int) -> datetime.date:
        """Return the n-th working day strictly after ``start`` (n == 0 -> start)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = _as_date(start)
        key = (d, n)
        found = self._added.get(key)      # memo: a site's documents share their dates
        if found is not None:
            return found
        while n > 0:
            d += datetime.timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        self._added[key] = d
        return d

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Number of working days in (start, end]; 0 if end <= start."""
        d, end = _as_date(start), _as_date(end)
        count = 0
        while d < end:
            d += datetime.timedelta(days=1)
            count += self.is_workday(d)
        return count

    def years_covered(self) -> list[int]:
        """Sorted list of years with holiday data."""
        return sorted(set(_PACKAGE_YEARS) | set(self._files))

    def source(self, year: int) -> str:
        """Where a year's data comes from: "chinese_calendar" or the data file path."""
        if year in self._files:
            return str(self._files[year].path)
        if year in _PACKAGE_YEARS:
            return PACKAGE_SOURCE
        raise CalendarNotCovered(year)
