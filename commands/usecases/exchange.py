"""The exchange documents (docs/exchange.md) for a caller's reach.

Consent records hold no personal value (a pseudonymous subject id, purposes,
times, channels, evidence references), so, like history, reading them is
the audit right and is not put on the person's record. A regulator's
subjects and window apply: a token limited to subjects reads only theirs,
one limited in time only the steps inside its window.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from commands.usecases.identities import check_reach
from projections.exchange import consent, rows
from projections.exchange.nodes import Names
from projections.exchange.policy import policy_document

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from uuid import UUID

    from commands.service import Kirjuri
    from commands.usecases.identities import Caller

__all__ = ["all_consents", "policy_dpv", "subject_consents"]


def _keep(caller: Caller | None) -> Callable[[str], bool] | None:
    """Steps inside a caller's window (``since`` inclusive, ``until`` not)."""
    if caller is None or (caller.since, caller.until) == (None, None):
        return None
    since, until = caller.since, caller.until

    def inside(occurred_at: str) -> bool:
        moment = datetime.fromisoformat(occurred_at)
        return (since is None or moment >= since) and (until is None or moment < until)

    return inside


def subject_consents(
    kirjuri: Kirjuri, subject: UUID, caller: Caller | None
) -> dict[str, Any]:
    """One subject's consent records as a JSON-LD document."""
    if caller is not None:
        check_reach(caller, subject)
    policy, names = kirjuri.ledger.policy, Names(kirjuri.origin)
    steps = rows.consent_steps(kirjuri.ledger.database, str(subject))
    records = consent.consent_records(policy, names, str(subject), steps, _keep(caller))
    return consent.consent_document(policy, names, records)


def all_consents(kirjuri: Kirjuri, caller: Caller | None) -> Iterator[str]:
    """Every subject's records (or a limited caller's subjects'), streamed."""
    database = kirjuri.ledger.database
    if caller is not None and caller.subjects:
        subjects: Iterator[tuple[str, list[dict[str, Any]]]] = (
            (s, rows.consent_steps(database, s)) for s in sorted(caller.subjects)
        )
    else:
        subjects = rows.consent_steps_by_subject(database)
    return consent.stream_consents(
        kirjuri.ledger.policy, Names(kirjuri.origin), subjects, _keep(caller)
    )


def policy_dpv(kirjuri: Kirjuri) -> dict[str, Any]:
    """The policy in force as a DPV JSON-LD document."""
    return policy_document(kirjuri.ledger.policy, Names(kirjuri.origin))
