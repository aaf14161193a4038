"""Retention: how long each class of a subject's data may be kept, and why.

Pure: from the policy and the subject's state (its events). Each retention
class of the policy has one clock (see ``RetentionRule``); the Finnish
Accounting Act's two clocks are two classes. A legal hold keeps every class
until it is released. Erasure (Art. 17) destroys a class's key at once
unless its class is kept against erasure by law (Art. 17(3)(b)/(e)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ledger.clock import local_date
from ledger.deadlines import add_months
from ledger.events import KeptClass, ObjectionScope
from ledger.policy import RetentionRule

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ledger.policy import Policy, RetentionClass
    from ledger.subject import SubjectState

__all__ = ["ErasurePlan", "Holding", "holdings", "plan_erasure"]

LEGAL_HOLD = "legal hold (a complaint, dispute or legal claim is open)"


@dataclass(frozen=True)
class Holding:
    """What is held of one retention class, and when it falls due."""

    retention: str
    categories: tuple[str, ...]
    ground: str
    # The last day the data must be kept ("kept until"); None: not by time
    # (while a relationship, consent or hold lasts).
    due: date | None

    def is_due(self, on: date) -> bool:
        """Due means the day after: what is kept *through* 31.12.2031 is
        destroyed on 1.1.2032, never on the last day it must be kept."""
        return self.due is not None and self.due < on


@dataclass(frozen=True)
class ErasurePlan:
    destroy: tuple[str, ...]
    keep: tuple[KeptClass, ...]


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else local_date(moment)


def _period_end(policy: Policy, day: date) -> date:
    """The end of the financial period that contains ``day``."""
    month, dom = (int(part) for part in policy.financial_period_end.split("-"))
    end = date(day.year, month, dom)
    return end if day <= end else add_months(end, 12)


def _categories_of(
    policy: Policy, state: SubjectState, retention: str
) -> tuple[str, ...]:
    held = set(state.values) | {"company"}
    return tuple(sorted(c for c in held if policy.retention_of(c).id == retention))


def _last_data(policy: Policy, state: SubjectState, retention: str) -> date | None:
    # A rectification corrects what was collected: the clock runs from the
    # collection (Art. 5(1)(e)), unless the value was only ever rectified.
    days = [
        local_date(held.occurred_at)
        for category, values in state.values.items()
        if policy.retention_of(category).id == retention
        for held in values
        if not held.rectified or all(h.rectified for h in values)
    ]
    if retention == policy.retention_of("company").id and state.registered_at:
        days.append(local_date(state.registered_at))
    return max(days, default=None)


def _due(  # noqa: PLR0911 - one return per retention rule reads clearest
    policy: Policy, kept: RetentionClass, state: SubjectState, on: datetime
) -> date | None:
    last = _last_data(policy, state, kept.id) or _day(state.last_activity)
    if last is None:
        return None
    years = kept.years * 12
    rule = kept.rule
    if rule is RetentionRule.UNTIL_RESOLVED and state.hold.at(on):
        return None
    if rule in (RetentionRule.RELATIONSHIP, RetentionRule.UNTIL_RESOLVED):
        # Complaints follow the relationship's clock once no dispute is open.
        released = [local_date(e[0]) for e in state.hold.entries if not e[2]]
        if state.left_at is not None and state.left_at <= on:
            # The person's own relationship with us ended when they left the
            # company, even while the company stays a customer (notice §4).
            return add_months(max([local_date(state.left_at), *released]), years)
        if state.relationship.at(on):
            return None
        ends = [d for d in (_relationship_end(state),) if d] + released
        return add_months(
            max(ends) if ends else _day(state.last_activity) or last, years
        )
    if rule is RetentionRule.ACCOUNTING_VOUCHER:
        return date(_period_end(policy, last).year + kept.years, 12, 31)
    if rule is RetentionRule.ACCOUNTING_BOOKS:
        return add_months(_period_end(policy, last), years)
    if rule is RetentionRule.UNTIL_WITHDRAWN:
        if any(t.at(on) for t in state.consents.values()):
            return None
        withdrawn = [
            local_date(e[0]) for t in state.consents.values() for e in t.entries
        ]
        return add_months(max([last, *withdrawn]), years)
    return None  # UNTIL_REMOVAL_REQUESTED: kept until the person asks


def _relationship_end(state: SubjectState) -> date | None:
    entries = state.relationship.entries
    if entries and not entries[-1][2]:
        return local_date(entries[-1][0])
    return None


def holdings(
    policy: Policy, state: SubjectState, live: Iterable[str], on: datetime
) -> list[Holding]:
    """Each live class of the subject with its ground and due date."""
    result = []
    for retention in sorted(live):
        kept = policy.retention_class(retention)
        categories = _categories_of(policy, state, retention)
        if state.hold.at(on):
            result.append(Holding(retention, categories, LEGAL_HOLD, None))
            continue
        ground = kept.criteria.en
        result.append(
            Holding(retention, categories, ground, _due(policy, kept, state, on))
        )
    return result


def plan_erasure(
    policy: Policy,
    state: SubjectState,
    live: Iterable[str],
    on: datetime,
    *,
    remove_objection: bool = False,
) -> ErasurePlan:
    """Destroy every class now, except those the law or a hold keeps."""
    destroy, keep = [], []
    for holding in holdings(policy, state, live, on):
        kept = policy.retention_class(holding.retention)
        objected = any(
            state.objection_in_force(scope, on)
            for scope in (ObjectionScope.DIRECT_MARKETING, ObjectionScope.SALES_CONTACT)
        )
        if holding.ground == LEGAL_HOLD:
            keep.append(
                KeptClass(
                    retention=kept.id,
                    categories=holding.categories,
                    ground=LEGAL_HOLD,
                    until=None,
                )
            )
        elif (
            kept.keeps_against_erasure
            and not holding.is_due(local_date(on))
            # "Until resolved" keeps data only while a dispute is open.
            and (kept.rule is not RetentionRule.UNTIL_RESOLVED or state.hold.at(on))
        ):
            ground = kept.legal_ground.en if kept.legal_ground else kept.criteria.en
            keep.append(
                KeptClass(
                    retention=kept.id,
                    categories=holding.categories,
                    ground=ground,
                    until=holding.due,
                )
            )
        elif (
            kept.rule is RetentionRule.UNTIL_REMOVAL_REQUESTED
            and objected
            and not remove_objection
        ):
            keep.append(
                KeptClass(
                    retention=kept.id,
                    categories=holding.categories,
                    ground=kept.criteria.en,
                    until=None,
                )
            )
        else:
            destroy.append(kept.id)
    return ErasurePlan(tuple(destroy), tuple(keep))
