"""The testbed's own working-day oracle, for planting its answer key.

The answer key must not be computed by the code under test (``rules.workdays``): this module
asks the ``chinesecalendar`` package directly (法定节假日 and 调休 as published by the State
Council) and counts with its own arithmetic — a sorted list of a year's working days and
bisection, where ``rules.workdays`` walks day by day. ``tests/test_testbed_dates.py`` checks
the two agree on every day the package covers, so a bug in either shows.
"""
from __future__ import annotations

import bisect
from datetime import date, timedelta

import chinese_calendar


class DateOracle:
    """Working days of mainland China for the years the chinesecalendar package covers."""

    def __init__(self):
        self._days: list[date] = []          # every working day of the loaded years, sorted
        self._years: set[int] = set()

    def _load(self, year: int) -> None:
        if year in self._years:
            return
        first = date(year, 1, 1)
        days = []
        for i in range((date(year + 1, 1, 1) - first).days):
            d = first + timedelta(days=i)
            if chinese_calendar.is_workday(d):     # raises NotImplementedError outside its years
                days.append(d)
        self._years.add(year)
        self._days = sorted(set(self._days) | set(days))

    def is_workday(self, d: date) -> bool:
        self._load(d.year)
        i = bisect.bisect_left(self._days, d)
        return i < len(self._days) and self._days[i] == d

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end <= start."""
        if end <= start:
            return 0
        for year in range(start.year, end.year + 1):
            self._load(year)
        return bisect.bisect_right(self._days, end) - bisect.bisect_right(self._days, start)

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself for n == 0)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        year = start.year
        while True:
            self._load(year)
            i = bisect.bisect_right(self._days, start) + n - 1
            if i < len(self._days) and self._days[i].year <= year:
                return self._days[i]
            year += 1
