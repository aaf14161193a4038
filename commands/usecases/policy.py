"""What the adopted policy lets the flags name: ids with their labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.usecases.views import PolicyItem
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    from ledger.policy import Policy

__all__ = ["policy_items"]


def policy_items(policy: Policy, kind: str) -> list[PolicyItem]:
    """One of PolicyItem.KINDS; an unknown kind names the field."""
    if kind == "purposes":
        return [
            PolicyItem(id=p.id, label=p.label.en, detail=p.legal_basis.value)
            for p in policy.purposes
        ]
    if kind == "recipients":
        return [
            PolicyItem(id=r.id, label=r.name, detail=f"{r.type}, {r.country}")
            for r in policy.recipients
        ]
    if kind == "categories":
        return [
            PolicyItem(id=c.id, label=c.label.en, detail=c.retention)
            for c in policy.categories
        ]
    if kind == "sources":
        return [PolicyItem(id=s.id, label=s.label.en) for s in policy.sources]
    if kind == "channels":
        return [
            PolicyItem(id=c, label=c.replace("_", " ")) for c in policy.rights.channels
        ]
    if kind == "retention":
        return [
            PolicyItem(
                id=r.id,
                label=r.label.en,
                detail=f"{r.rule.value}, {r.years} years" if r.years else r.rule.value,
            )
            for r in policy.retention
        ]
    raise InvalidCommand("kind", f"one of {', '.join(PolicyItem.KINDS)}")
