import datetime as dt
import pathlib

import pytest

from rules.workdays import CalendarNotCovered, WorkCalendar

D = dt.date


@pytest.fixture
def cal(tmp_path):
    # Empty extra dir: package data only, independent of repo data files.
    return WorkCalendar(extra_dir=tmp_path)


def write(dirpath: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = dirpath / name
    path.write_text(text, encoding="utf-8")
    return path


YEAR_2031 = """
year = 2031
source = "test fixture, not an official notice"
holidays = ["2031-01-01", "2031-10-01", "2031-10-02"]
workdays = ["2031-09-27"]
"""


# --- package-backed years ------------------------------------------------------

def test_national_day_2026(cal):
    assert D(2026, 10, 10).weekday() == 5
    assert cal.is_workday(D(2026, 10, 10))  # 调休 Saturday
    assert not any(cal.is_workday(D(2026, 10, i)) for i in range(1, 8))
    assert cal.is_workday(D(2026, 9, 20))  # 调休 Sunday
    assert not cal.is_workday(D(2026, 9, 25))  # 中秋 on a Friday
    assert cal.is_workday(D(2026, 10, 8))
    assert not cal.is_workday(D(2026, 10, 11))  # plain Sunday


def test_accepts_datetime(cal):
    assert cal.is_workday(dt.datetime(2026, 10, 10, 9, 30))


def test_add_workdays_across_national_day(cal):
    assert cal.add_workdays(D(2026, 9, 24), 20) == D(2026, 10, 29)


def test_add_workdays_across_spring_festival(cal):
    # 2026-02-14 (Sat) is a working day, 02-15..02-23 are off.
    assert cal.add_workdays(D(2026, 1, 20), 20) == D(2026, 2, 24)


def test_add_workdays_start_on_weekend(cal):
    # 2025-09-27 is a Saturday; 09-28 (Sun) and 10-11 (Sat) are 调休 working days.
    assert cal.add_workdays(D(2025, 9, 27), 20) == D(2025, 10, 30)


def test_add_workdays_small_n(cal):
    assert cal.add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 1, 5), -1)


def test_add_workdays_across_year_end(cal):
    # 2025-12-31 (Wed) + 1: 2026-01-01..03 off, 01-04 (Sun) is 调休 working day.
    assert cal.add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)


@pytest.mark.parametrize(
    "start,n",
    [
        (D(2026, 9, 24), 20),
        (D(2026, 1, 20), 20),
        (D(2025, 9, 27), 20),
        (D(2025, 12, 20), 15),
        (D(2024, 2, 1), 30),
        (D(2026, 10, 3), 1),
        (D(2026, 5, 6), 0),
    ],
)
def test_workdays_between_inverts_add_workdays(cal, start, n):
    end = cal.add_workdays(start, n)
    assert cal.workdays_between(start, end) == n
    if n:
        # the day before the deadline has not yet reached n
        assert cal.workdays_between(start, end - dt.timedelta(days=1)) == n - 1


def test_workdays_between_edges(cal):
    assert cal.workdays_between(D(2026, 10, 1), D(2026, 10, 1)) == 0
    assert cal.workdays_between(D(2026, 10, 9), D(2026, 10, 1)) == 0
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 7)) == 0
    assert cal.workdays_between(D(2026, 10, 7), D(2026, 10, 11)) == 3  # 8, 9, 10


def test_coverage_and_source(cal):
    assert not cal.covers(D(1999, 6, 1))
    assert cal.covers(D(2026, 6, 1))
    assert not cal.covers(D(2031, 6, 1))
    years = cal.years_covered()
    assert years == sorted(years)
    assert 2004 in years and 2026 in years and 2031 not in years
    assert cal.source(2026) == "chinese_calendar"
    with pytest.raises(CalendarNotCovered):
        cal.source(1999)


# --- uncovered years and data files ------------------------------------------

def test_uncovered_year_raises(cal):
    with pytest.raises(CalendarNotCovered) as exc:
        cal.is_workday(D(2031, 3, 3))
    assert exc.value.year == 2031
    assert "2031" in str(exc.value)
    with pytest.raises(CalendarNotCovered):
        cal.add_workdays(D(2030, 12, 20), 30)
    with pytest.raises(CalendarNotCovered):
        cal.is_workday(D(1999, 1, 4))


def test_data_file_adds_year(tmp_path):
    path = write(tmp_path, "2031.toml", YEAR_2031)
    cal = WorkCalendar(extra_dir=tmp_path)
    assert cal.covers(D(2031, 6, 1))
    assert 2031 in cal.years_covered()
    assert cal.source(2031) == str(path)
    assert D(2031, 10, 1).weekday() == 2
    assert not cal.is_workday(D(2031, 10, 1))  # listed holiday (Wed)
    assert D(2031, 9, 27).weekday() == 5
    assert cal.is_workday(D(2031, 9, 27))  # listed 调休 Saturday
    assert not cal.is_workday(D(2031, 10, 4))  # plain Saturday
    assert not cal.is_workday(D(2031, 10, 5))  # plain Sunday
    assert cal.is_workday(D(2031, 10, 3))  # unlisted Friday
    # 09-26 (Fri) + 2: 09-27 (Sat, 调休), 09-29 (Mon)
    assert cal.add_workdays(D(2031, 9, 26), 2) == D(2031, 9, 29)
    assert cal.workdays_between(D(2031, 9, 30), D(2031, 10, 6)) == 2  # 10-03, 10-06


def test_data_file_accepts_toml_dates(tmp_path):
    write(tmp_path, "2031.toml",
          'year = 2031\nsource = "x"\nholidays = [2031-01-01]\nworkdays = []\n')
    assert not WorkCalendar(extra_dir=tmp_path).is_workday(D(2031, 1, 1))


def test_data_file_overrides_package(tmp_path):
    write(tmp_path, "2026.toml", 'year = 2026\nsource = "override"\nholidays = ["2026-03-02"]\n')
    cal = WorkCalendar(extra_dir=tmp_path)
    assert not cal.is_workday(D(2026, 3, 2))
    # the package's 调休 day is not applied when the file omits it
    assert not cal.is_workday(D(2026, 10, 10))
    assert cal.source(2026).endswith("2026.toml")


@pytest.mark.parametrize(
    "name,text,fragment",
    [
        ("2031.toml", 'year = 2030\nsource = "x"\n', "year"),
        ("2031.toml", 'year = 2031\nsource = "x"\nholidays = ["2030-12-31"]\n', "outside"),
        ("2031.toml", 'year = 2031\nsource = "x"\nholidays = ["2031-09-27"]\n'
                      'workdays = ["2031-09-27"]\n', "both"),
        ("2031.toml", 'year = 2031\nsource = "x"\nholidays = ["2031-02-30"]\n', "invalid"),
        ("2031.toml", 'year = 2031\nsource = "x"\nworkdays = ["2031-09-29"]\n', "weekend"),
        ("2031.toml", 'year = 2031\nholidays = []\n', "source"),
        ("2031.toml", 'year = 2031\nholidays = [\n', "TOML"),
        ("notes.toml", 'year = 2031\nsource = "x"\n', "<year>.toml"),
    ],
)
def test_malformed_data_file_raises_value_error(tmp_path, name, text, fragment):
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError) as exc:
        WorkCalendar(extra_dir=tmp_path)
    assert str(path) in str(exc.value)
    assert fragment in str(exc.value)


def test_default_data_dir_loads():
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 10, 10))
    assert not cal.covers(D(1999, 1, 1))
