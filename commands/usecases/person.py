"""A person's whole record for the web page: the data held (now, or as of a
moment), consents and objections as timelines, disclosures and transfers,
requests, findings, who looked, legal holds, what retention will do when,
and the events, in one look recorded once on the person's stream.

A caller with a window (a regulator's) sees only what happened in it; a
masked role sees no personal value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from commands.usecases import findings as noted
from commands.usecases import identities, reads
from commands.usecases.views import FindingRow, HistoryRow, RequestRow, SubjectState
from ledger import clock
from ledger import events as ev
from projections import queries
from projections.reports.access import build_access_report
from projections.reports.model import AccessReport, Consultation, Disclosure

if TYPE_CHECKING:
    from uuid import UUID

    from commands.usecases.identities import Caller
    from ledger.application import Ledger
    from projections.reports.model import Language

__all__ = ["Hold", "PersonView", "person_view"]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Hold(_View):
    placed_at: datetime
    reason: str
    released_at: datetime | None = None
    release_reason: str | None = None


class PersonView(_View):
    subject: str
    state: SubjectState  # as of ``state.as_of`` (now when None)
    report: AccessReport  # data, consents, recipients, retention, looks
    requests: tuple[RequestRow, ...]
    findings: tuple[FindingRow, ...]
    holds: tuple[Hold, ...]
    events: tuple[HistoryRow, ...]
    event_types: tuple[str, ...]  # what the timeline may be filtered by
    masked: bool
    since: datetime | None = None  # the caller's window, if limited
    until: datetime | None = None


def person_view(
    ledger: Ledger,
    subject: UUID,
    caller: Caller | None,
    *,
    as_of: datetime | None,
    event_type: str | None,
    lang: Language,
) -> PersonView:
    since = caller.since if caller is not None else None
    until = caller.until if caller is not None else None
    if until is not None and (as_of is None or as_of > until):
        as_of = until  # a regulator sees the person as at the end of the window
    window = _Window(since, until)
    state = reads.state(ledger, subject, as_of, None)
    report = build_access_report(ledger, subject, lang, None)
    report = window.report(report)
    masked = caller is not None and caller.masked
    if masked:
        state = identities.mask_state(state)
        report = identities.mask_report(report)
    wanted = queries.HistoryFilter(
        subject=str(subject), event_type=event_type, since=since, until=until
    )
    events = reads.history(ledger, wanted)
    return PersonView(
        subject=str(subject),
        state=state,
        report=report,
        requests=tuple(
            r
            for r in reads.requests(
                ledger, subject, open_only=False, today=clock.today()
            )
            if window.has_day(r.received_on)
        ),
        findings=tuple(
            f for f in noted.findings(ledger, subject) if window.has(f.occurred_at)
        ),
        holds=tuple(h for h in _holds(ledger, subject) if window.has(h.placed_at)),
        events=tuple(events),
        event_types=tuple(sorted(ev.EVENT_TYPES)),
        masked=masked,
        since=since,
        until=until,
    )


def _holds(ledger: Ledger, subject: UUID) -> list[Hold]:
    holds: list[Hold] = []
    for event in ledger.stream(subject):
        if isinstance(event, ev.LegalHoldPlaced):
            holds.append(Hold(placed_at=event.occurred_at, reason=event.reason))
        elif isinstance(event, ev.LegalHoldReleased) and holds:
            holds[-1] = holds[-1].model_copy(
                update={
                    "released_at": event.occurred_at,
                    "release_reason": event.reason,
                }
            )
    return holds


class _Window:
    """What a caller limited to a period may see of the report."""

    def __init__(self, since: datetime | None, until: datetime | None) -> None:
        self.since, self.until = since, until

    def has(self, moment: datetime | str) -> bool:
        found = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return (self.since is None or found >= self.since) and (
            self.until is None or found <= self.until
        )

    def has_day(self, day: date | str) -> bool:
        found = date.fromisoformat(day) if isinstance(day, str) else day
        return (self.since is None or found >= clock.local_date(self.since)) and (
            self.until is None or found <= clock.local_date(self.until)
        )

    def report(self, report: AccessReport) -> AccessReport:
        if self.since is None and self.until is None:
            return report
        return report.model_copy(
            update={
                "personal_data": [
                    v for v in report.personal_data if self.has(v.occurred_at)
                ],
                "consents": [self._switch(s) for s in report.consents],
                "objections": [self._switch(s) for s in report.objections],
                "recipients": [
                    r.model_copy(
                        update={"disclosures": self._disclosures(r.disclosures)}
                    )
                    for r in report.recipients
                ],
                "transfers": self._disclosures(report.transfers),
                "consultations": [c for c in report.consultations if self._looked(c)],
                "erasures": [e for e in report.erasures if self.has(e.occurred_at)],
            }
        )

    def _switch(self, switch: Any) -> Any:
        return switch.model_copy(
            update={"history": [h for h in switch.history if self.has(h.occurred_at)]}
        )

    def _disclosures(self, found: list[Disclosure]) -> list[Disclosure]:
        return [d for d in found if self.has(d.occurred_at)]

    def _looked(self, consultation: Consultation) -> bool:
        return self.has(consultation.at)
