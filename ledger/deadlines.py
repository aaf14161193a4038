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

import holidays
from holidays.countries.finland import Finland

__all__ = ["add_months", "due_date", "finnish_holidays"]

_CALENDAR_YEARS = (Finland.start_year, Finland.end_year)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@cache
def finnish_holidays(year: int) -> frozenset[date]:
    """Finnish public holidays, with Midsummer Eve and Christmas Eve, which
    are non-working days in practice (the ``holidays`` package counts them
    among Finland's public holidays, as the old hand-made calendar did)."""
    if not _CALENDAR_YEARS[0] <= year <= _CALENDAR_YEARS[1]:
        # The package returns no holidays at all outside its range: a silent
        # wrong deadline. Bounded moments never ask for such a year.
        raise ValueError(f"no Finnish holiday calendar for {year}")
    return frozenset(holidays.country_holidays("FI", years=year))


def next_working_day(day: date) -> date:
    while day.weekday() >= 5 or day in finnish_holidays(day.year):
        day += timedelta(days=1)
    return day


def due_date(received_on: date, months: int) -> date:
    return next_working_day(add_months(received_on, months))
