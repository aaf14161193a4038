"""Handlers of processing, disclosures and transfers, judged by the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.handlers.draft import (
    Outcome,
    basis_of,
    draft_for,
    known,
)
from ledger import events as ev
from ledger.compliance import Processing
from ledger.countries import COUNTRY_CODES
from ledger.errors import InvalidCommand
from ledger.policy import EEA_COUNTRIES

if TYPE_CHECKING:
    from commands import models as m
    from ledger.run import Run


def process(command: m.RecordProcessing, run: Run) -> Outcome:
    policy = run.ledger.policy
    basis = basis_of(policy, command.purpose, command.legal_basis)
    for category in command.categories:
        known(policy, "category", category)
    if command.recipient is not None:
        known(policy, "recipient", command.recipient)
    draft = draft_for(run, command)
    event = draft.add(
        ev.DataProcessed,
        purpose=command.purpose,
        legal_basis=basis,
        categories=command.categories,
        activity=command.activity,
        recipient=command.recipient,
    )
    recipient = policy.recipient(command.recipient) if command.recipient else None
    if recipient is not None and recipient.country not in EEA_COUNTRIES:
        # A processor outside the EU/EEA handling the data is a transfer too.
        draft.add(
            ev.DataTransferred,
            recipient=recipient.id,
            country=recipient.country,
            safeguard=recipient.safeguard,
            categories=command.categories,
            purpose=command.purpose,
            legal_basis=basis,
            reference=None,
        )
    safeguard = recipient.safeguard if recipient is not None else None
    draft.judge(
        Processing(
            command.purpose,
            basis,
            command.categories,
            command.at,
            command.recipient,
            safeguard.value if safeguard is not None else None,
        ),
        event,
    )
    return draft.commit()


def disclose(
    command: m.RecordDisclosure | m.RecordTransfer,
    run: Run,
) -> Outcome:
    policy = run.ledger.policy
    known(policy, "recipient", command.recipient)
    basis = basis_of(policy, command.purpose, command.legal_basis)
    for category in command.categories:
        known(policy, "category", category)
    recipient = policy.recipient(command.recipient)
    country = getattr(command, "country", None) or recipient.country
    safeguard = getattr(command, "safeguard", None)
    if country not in COUNTRY_CODES:
        raise InvalidCommand("country", f"{country} is not an ISO 3166 country code")
    if command.kind == "transfer" and country in EEA_COUNTRIES:
        raise InvalidCommand(
            "country", f"{country} is inside the EU/EEA: record a disclosure"
        )
    draft = draft_for(run, command)
    common: dict[str, Any] = {
        "recipient": command.recipient,
        "country": country,
        "categories": command.categories,
        "purpose": command.purpose,
        "legal_basis": basis,
        "reference": command.reference,
    }
    if country in EEA_COUNTRIES:
        event = draft.add(ev.DataDisclosed, **common)
    else:
        # A transfer with no safeguard is still a fact: recorded, and judged
        # (a Chapter V finding) below.
        safeguard = safeguard or recipient.safeguard
        event = draft.add(ev.DataTransferred, safeguard=safeguard, **common)
    draft.judge(
        Processing(
            command.purpose,
            basis,
            command.categories,
            command.at,
            command.recipient,
            safeguard.value if safeguard is not None else None,
            country,
        ),
        event,
    )
    return draft.commit()
