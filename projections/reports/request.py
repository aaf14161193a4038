"""The request an answer closes: its deadline, status, reasons and fee."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.errors import InvalidCommand
from projections import queries
from projections.reports.context import day
from projections.reports.model import RequestEntry

if TYPE_CHECKING:
    from ledger.policy import Policy
    from projections.reports.context import Context

__all__ = ["request_entry"]


def _free_requests_per_year(policy: Policy, request_type: str) -> int | None:
    """How many requests of a type are free each calendar year (None: all).

    Art. 12(5): every action is free; only a further copy of an access answer
    may carry a fee (Art. 15(3)), and the first copy is always free. The
    notice's "free once a year" for portability is no licence to charge for
    it: a fee there needs a reasoned decision that the request is manifestly
    unfounded or excessive, which the controller must show."""
    if request_type != "access":
        return None
    return max(policy.rights.free_access_requests_per_year, 1)


def request_entry(
    ctx: Context, request_id: str | None, today: date | None
) -> RequestEntry | None:
    rows = queries.requests(ctx.ledger.database, str(ctx.subject), today)
    if request_id is not None:
        chosen = next((r for r in rows if r["request_id"] == request_id), None)
        if chosen is None:
            raise InvalidCommand("request", f"no request {request_id} for this subject")
    else:
        access = [r for r in rows if r["request_type"] == "access"]
        chosen = access[-1] if access else None
    if chosen is None:
        return None
    free = _free_requests_per_year(ctx.policy, chosen["request_type"])
    extension, refusal = _reasons(ctx, chosen)
    excessive = _excessive(ctx, chosen["request_id"])
    return RequestEntry(
        request_id=chosen["request_id"],
        type=chosen["request_type"],
        channel=chosen["channel"],
        received_on=date.fromisoformat(chosen["received_on"]),
        due_on=date.fromisoformat(chosen["due_on"]),
        extended=chosen["extension_reason"] is not None,
        extension_reason=extension,
        extension_notified_on=day(chosen["extension_notified_on"]),
        status=chosen["status"],
        free_of_charge=excessive is None
        and (free is None or chosen["number_in_year"] <= free),
        number_in_year=chosen["number_in_year"],
        refusal_reason=refusal,
        excessive_reason=excessive,
        answered_on=day(chosen["answered_on"]),
    )


def _reasons(ctx: Context, row: dict[str, Any]) -> tuple[str | None, str | None]:
    """The extension and refusal reasons in the answer's language: a
    Finnish answer gives the Finnish text where one was recorded."""
    extension, refusal = row["extension_reason"], row["refusal_reason"]
    if ctx.lang == "fi":
        request = ctx.state.requests.get(row["request_id"])
        if request is not None:
            extension = request.extension_reason_fi or extension
            refusal = request.refusal_reason_fi or refusal
    return extension, refusal


def _excessive(ctx: Context, request_id: str) -> str | None:
    request = ctx.state.requests.get(request_id)
    if request is None or request.excessive is None:
        return None
    reason, reason_fi = request.excessive
    return (reason_fi or reason) if ctx.lang == "fi" else reason
