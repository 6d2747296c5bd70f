"""The testbed plants its answer key with its own date oracle (testbed.dates), not with the
code under test; the two must agree on every day both cover."""
from datetime import date, timedelta

from rules.workdays import WorkCalendar
from testbed.dates import DateOracle


def test_oracle_agrees_with_rules_workdays_on_every_day():
    oracle, cal = DateOracle(), WorkCalendar()
    d = date(2018, 1, 1)
    while d <= date(2026, 12, 31):
        assert oracle.is_workday(d) == cal.is_workday(d), d
        d += timedelta(days=1)


def test_oracle_arithmetic_agrees_and_matches_hand_counts():
    oracle, cal = DateOracle(), WorkCalendar()
    for start in (date(2023, 9, 27), date(2024, 12, 30), date(2025, 1, 24), date(2026, 4, 30)):
        for n in (0, 1, 3, 20, 45):
            assert oracle.add_workdays(start, n) == cal.add_workdays(start, n), (start, n)
        end = start + timedelta(days=61)
        assert oracle.workdays_between(start, end) == cal.workdays_between(start, end)
    # by hand: 2024-09-30 (Mon) + 3 working days skips 国庆 10-01..07 -> 10-08, 10-09, 10-10
    assert oracle.add_workdays(date(2024, 9, 30), 3) == date(2024, 10, 10)
    # 2025-01-26 (Sun) was a 调休 working day before 春节
    assert oracle.is_workday(date(2025, 1, 26))
