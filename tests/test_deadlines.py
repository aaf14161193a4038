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
