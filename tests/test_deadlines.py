"""Deadlines of requests: calendar months, weekends and Finnish holidays."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.deadlines import add_months, due_date, finnish_holidays


@pytest.mark.parametrize(
    ("received", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 15), 1, date(2025, 4, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
    ],
)
def test_months_are_calendar_months(
    received: date, months: int, expected: date
) -> None:
    assert add_months(received, months) == expected


def test_deadline_on_a_weekend_moves_to_monday() -> None:
    # 3 May 2025 + 1 month = Tuesday 3 June; 5 April + 1 = Monday 5 May.
    assert due_date(date(2025, 5, 3), 1) == date(2025, 6, 3)
    assert due_date(date(2025, 3, 29), 1) == date(2025, 4, 29)
    assert due_date(date(2025, 4, 5), 1) == date(2025, 5, 5)
    assert due_date(date(2025, 7, 26), 1) == date(2025, 8, 26)
    assert due_date(date(2025, 9, 27), 1) == date(2025, 10, 27)  # Sat 27 Sep -> Mon


def test_deadline_on_a_finnish_holiday_moves_to_the_next_working_day() -> None:
    # 6 December 2025 is Saturday; 24-26 December 2025 Wed-Fri.
    assert due_date(date(2025, 11, 24), 1) == date(2025, 12, 29)
    # Good Friday 2025 is 18 April; Easter Monday 21 April.
    assert due_date(date(2025, 3, 18), 1) == date(2025, 4, 22)


def test_finnish_holidays_of_2025() -> None:
    holidays = finnish_holidays(2025)
    assert date(2025, 4, 18) in holidays  # Good Friday
    assert date(2025, 5, 29) in holidays  # Ascension Day
    assert date(2025, 6, 20) in holidays  # Midsummer Eve
    assert date(2025, 11, 1) in holidays  # All Saints' Day
    assert date(2025, 12, 6) in holidays
    assert date(2025, 6, 19) not in holidays


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Juhannus 2026: Midsummer Eve Fri 19 June, Midsummer Day Sat 20 June.
        (date(2026, 5, 19), date(2026, 6, 22)),
        (date(2026, 5, 20), date(2026, 6, 22)),
        # Easter 2026: Good Friday 3 April to Easter Monday 6 April.
        (date(2026, 3, 3), date(2026, 4, 7)),
        (date(2026, 3, 6), date(2026, 4, 7)),
        # Christmas 2026: Eve Thu 24, Day Fri 25, Boxing Day Sat 26, Sun 27.
        (date(2026, 11, 24), date(2026, 12, 28)),
        # Ascension Day 2026 is Thursday 14 May.
        (date(2026, 4, 14), date(2026, 5, 15)),
        # A 31 January receipt: 28 February, or the 29th in a leap year.
        (date(2027, 1, 31), date(2027, 3, 1)),  # Sun 28 Feb 2027 -> Monday
        (date(2026, 1, 31), date(2026, 3, 2)),  # Sat 28 Feb 2026 -> Monday
        (date(2028, 1, 31), date(2028, 2, 29)),  # Tuesday 29 February
        (date(2025, 1, 31), date(2025, 2, 28)),  # Friday 28 February
        # A due date on a Saturday moves to Monday.
        (date(2026, 6, 11), date(2026, 7, 13)),  # Sat 11 July -> Mon 13 July
        (date(2026, 8, 12), date(2026, 9, 14)),  # Sat 12 Sep -> Mon 14 Sep
    ],
)
def test_deadlines_around_finnish_holidays(received: date, expected: date) -> None:
    assert due_date(received, 1) == expected


def test_finnish_holidays_of_2026() -> None:
    assert finnish_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 1, 6),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 5),
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 24),  # Pentecost
        date(2026, 6, 19),  # Midsummer Eve
        date(2026, 6, 20),  # Midsummer Day
        date(2026, 10, 31),  # All Saints' Day
        date(2026, 12, 6),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }


def test_a_year_without_a_holiday_calendar_is_an_error_not_a_wrong_deadline() -> None:
    with pytest.raises(ValueError, match="no Finnish holiday calendar"):
        finnish_holidays(9999)
