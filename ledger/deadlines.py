"""Deadlines of data-subject requests (GDPR Art. 12(3), Regulation 1182/71).

A period of months ends on the same date of the last month as the day the
request was received, or on that month's last day when it has no such date
(31 January + 1 month = 28/29 February). A period that would end on a
Saturday, Sunday or public holiday ends on the next working day (1182/71
Art. 3(4), as the EDPB's guidelines 01/2022 on access apply it).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

__all__ = ["add_months", "due_date", "finnish_holidays"]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(year: int, month: int, first_day: int) -> date:
    start = date(year, month, first_day)
    return start + timedelta(days=(5 - start.weekday()) % 7)


@cache
def finnish_holidays(year: int) -> frozenset[date]:
    """Finnish public holidays, with Midsummer Eve and Christmas Eve, which
    are non-working days in practice."""
    easter = _easter(year)
    midsummer_day = _saturday_between(year, 6, 20)
    return frozenset(
        {
            date(year, 1, 1),
            date(year, 1, 6),
            easter - timedelta(days=2),
            easter,
            easter + timedelta(days=1),
            date(year, 5, 1),
            easter + timedelta(days=39),
            easter + timedelta(days=49),
            midsummer_day - timedelta(days=1),
            midsummer_day,
            _saturday_between(year, 10, 31),
            date(year, 12, 6),
            date(year, 12, 24),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def next_working_day(day: date) -> date:
    while day.weekday() >= 5 or day in finnish_holidays(day.year):
        day += timedelta(days=1)
    return day


def due_date(received_on: date, months: int) -> date:
    return next_working_day(add_months(received_on, months))
