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
        if recipient.safeguard is None:
            raise InvalidCommand(
                "recipient", f"{recipient.id} is abroad with no safeguard"
            )
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
    draft.judge(
        Processing(
            command.purpose, basis, command.categories, command.at, command.recipient
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
        safeguard = safeguard or recipient.safeguard
        if safeguard is None:
            raise InvalidCommand(
                "safeguard",
                f"a transfer to {country} (outside the EU/EEA) must name its safeguard",
            )
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
