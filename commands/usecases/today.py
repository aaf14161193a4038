"""What a DPO sees first in the morning: what is due, what is new, and how
the last checkpoint and verification stand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from commands.usecases.views import FindingRow, RequestRow
from ledger import clock
from projections import queries

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.notary import Notary

__all__ = ["EXTENSION_WARNING", "NEW_FINDINGS", "DueRequest", "TodayView", "today"]

# An unextended request this close to its first-month deadline needs a
# decision: answer, or tell the person of an extension (Art. 12(3)).
EXTENSION_WARNING = timedelta(days=7)
NEW_FINDINGS = timedelta(days=30)


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class DueRequest(_View):
    request: RequestRow
    days_left: int  # negative: overdue by that many days
    extended: bool


class TodayView(_View):
    today: date
    open_requests: tuple[DueRequest, ...]  # overdue first, then by due date
    extension_due: tuple[DueRequest, ...]
    new_findings: tuple[FindingRow, ...]
    checkpoint_size: int | None
    checkpoint_at: datetime | None
    verified_to: int | None  # the last event a clean verify reached
    models_checked_at: datetime | None
    # The last verify, clean or not: when, and how many problems it found.
    last_verify_at: datetime | None = None
    last_verify_problems: int = 0


def today(ledger: Ledger, notary: Notary, day: date | None = None) -> TodayView:
    day = day or clock.today()
    due: list[DueRequest] = []
    for row in queries.requests(ledger.database, None, day):
        if row["status"] != "open":
            continue
        left = (date.fromisoformat(row["due_on"]) - day).days
        extended = row["extension_reason"] is not None
        due.append(
            DueRequest(
                request=RequestRow.model_validate(row),
                days_left=left,
                extended=extended,
            )
        )
    due.sort(key=lambda d: (d.days_left >= 0, d.days_left))
    warning = EXTENSION_WARNING.days
    since = clock.now() - NEW_FINDINGS
    findings = [
        FindingRow.model_validate(row)
        for row in queries.findings(ledger.database)
        if _moment(row["occurred_at"]) >= since
    ]
    latest = notary.latest()
    checked = notary.models_checked()
    run = notary.last_verify_run()
    return TodayView(
        today=day,
        open_requests=tuple(due),
        extension_due=tuple(
            d for d in due if not d.extended and 0 <= d.days_left <= warning
        ),
        new_findings=tuple(reversed(findings)),
        checkpoint_size=None if latest is None else latest.checkpoint.size,
        checkpoint_at=None if latest is None else latest.checkpoint.timestamp,
        verified_to=notary.last_verified(),
        models_checked_at=None if checked is None else checked[1],
        last_verify_at=None if run is None else run[0],
        last_verify_problems=0 if run is None else run[1],
    )


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
