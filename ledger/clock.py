"""The ledger's clock: local time (Europe/Helsinki), parsing and bounds.

People and feeds speak local time: a date means local midnight, a time
without an offset means local time. Read models store UTC text (it sorts as
time compares); whatever is shown, to a person or a program, is in the
ledger's zone with its offset, so an event of 30.9. at 01:00 shows as 30.9.

Every moment that enters is bounded to a plausible range, so that no date
arithmetic (deadlines, retention, UTC text) can overflow afterwards:
- an event's time is not before 1970 and not after now plus a small clock
  skew (a fact reported from the future is a mistake, not a plan);
- a moment asked about (a query's bound, a retention report "as of") may lie
  ahead, up to `HORIZON_YEARS`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ledger.errors import InvalidCommand

__all__ = [
    "CLOCK_SKEW",
    "EARLIEST",
    "HORIZON_YEARS",
    "LOCAL_TZ",
    "check_asked",
    "check_day",
    "check_event_time",
    "horizon",
    "local",
    "local_date",
    "local_text",
    "now",
    "parse",
    "parse_moment",
    "today",
]

LOCAL_TZ = ZoneInfo("Europe/Helsinki")
# Before any system that could report to Kirjuri; also keeps the zone's
# historical offsets (LMT) and year 1 out of the arithmetic.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# Reporting systems' clocks differ a little from ours.
CLOCK_SKEW = timedelta(minutes=5)
# How far ahead a question may look (retention runs up to 100 years).
HORIZON_YEARS = 100


def now() -> datetime:
    """This moment in the ledger's zone."""
    return datetime.now(LOCAL_TZ)


def today() -> date:
    """The ledger's local date (not the machine's, nor UTC's)."""
    return now().date()


def local(moment: datetime) -> datetime:
    """A moment in the ledger's zone (a naive one is taken as local)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    """The local date of a moment: 29.9. 22:00 UTC is 30.9. in Helsinki."""
    return local(moment).date()


def local_text(value: str | datetime | None) -> str | None:
    """Stored or computed moments as ISO text in the ledger's zone."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _stored_as_local(value)
    return local(value).isoformat()


@lru_cache(maxsize=16_384)
def _stored_as_local(text: str) -> str:
    # Read models hand out many rows whose moments repeat (a feed's dates, a
    # batch's recording time); converting each costs microseconds.
    return local(datetime.fromisoformat(text)).isoformat()


def horizon() -> datetime:
    """The latest moment a question may ask about."""
    current = now()
    return current.replace(year=current.year + HORIZON_YEARS, month=1, day=1)


def parse(value: Any) -> Any:
    """A date or time given by a person or a feed, as an aware datetime
    (None or "" mean now). Other types pass for the model to refuse."""
    if value is None or value == "":
        return now()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (
                date.fromisoformat(text)
                if len(text) == 10
                else datetime.fromisoformat(text)
            )
        except ValueError as err:
            raise ValueError(f"is not an ISO date or time: {text[:40]!r}") from err
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(), LOCAL_TZ)
    return value


def _in_range(moment: datetime, latest: datetime, what: str) -> datetime:
    # Aware datetimes compare by instant without converting, so even year 1
    # or 9999 with any offset compares here without overflowing.
    if moment < EARLIEST:
        raise ValueError(f"is before {EARLIEST.date()}: {moment.date()}")
    if moment > latest:
        raise ValueError(f"is {what}: {moment.date()}")
    return local(moment)


def check_event_time(moment: datetime) -> datetime:
    """An event's time, refused outside 1970 .. now + clock skew; in local time."""
    return _in_range(moment, now() + CLOCK_SKEW, "in the future")


def check_asked(moment: datetime) -> datetime:
    """A moment asked about, refused outside 1970 .. the horizon; local time."""
    return _in_range(moment, horizon(), f"more than {HORIZON_YEARS} years ahead")


def check_day(day: date) -> date:
    """A day on which something happened (a request received): 1970 .. today."""
    latest = (now() + CLOCK_SKEW).date()
    if day < EARLIEST.date():
        raise ValueError(f"is before {EARLIEST.date()}: {day}")
    if day > latest:
        raise ValueError(f"is in the future: {day}")
    return day


def parse_moment(text: str, field: str) -> datetime:
    """A date or time given outside a command (a query's bound, an "as of"),
    bounded to 1970 .. the horizon, in local time; errors name the field."""
    try:
        moment = parse(text)
        if not isinstance(moment, datetime):
            raise ValueError("is not an ISO date or time")
        return check_asked(moment)
    except ValueError as err:
        raise InvalidCommand(field, str(err)) from err
