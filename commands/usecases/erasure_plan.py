"""The erasure dry run said in plain words, for the person who confirms it:
what goes, what the law keeps and until when, and who must be told (Art. 19).

The same plan ``erase`` would carry out (``ledger.retention.plan_erasure``),
with the policy's labels and grounds in the reader's language. It shows no
personal value: categories, grounds, days and recipients only.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from commands.models import EraseSubject
from ledger import clock
from ledger.errors import InvalidCommand
from ledger.retention import LEGAL_HOLD, holdings, plan_erasure
from projections.reports.access import build_access_report
from projections.reports.texts import text

if TYPE_CHECKING:
    from uuid import UUID

    from commands.service import Kirjuri
    from ledger.policy import Policy
    from projections.reports.model import Language

__all__ = [
    "ErasureDone",
    "ErasurePlanView",
    "GoneClass",
    "KeptItem",
    "erase_confirmed",
    "erasure_plan",
]


class _Plain(BaseModel):
    model_config = ConfigDict(frozen=True)


class GoneClass(_Plain):
    """A retention class whose key is destroyed: its categories go."""

    retention: str
    label: str
    categories: tuple[str, ...]  # labels


class KeptItem(_Plain):
    """Categories the law (or a hold, or an objection) keeps, and why."""

    retention: str
    categories: tuple[str, ...]  # labels
    ground: str
    until: date | None  # None: while the ground lasts (a hold, an objection)


class ErasurePlanView(_Plain):
    subject: str
    language: str
    goes: tuple[GoneClass, ...]
    kept: tuple[KeptItem, ...]
    told: tuple[str, ...]  # recipients to tell of the erasure (Art. 19)

    @property
    def nothing_to_erase(self) -> bool:
        return not self.goes


def erasure_plan(
    kirjuri: Kirjuri, subject: UUID, lang: Language, remove_objection: bool
) -> ErasurePlanView:
    """What ``erase`` would do to ``subject`` now, writing nothing."""
    ledger = kirjuri.ledger
    policy = ledger.policy
    state, live, now = (
        ledger.load(subject),
        ledger.keys.live_classes(subject),
        clock.now(),
    )
    plan = plan_erasure(policy, state, live, now, remove_objection=remove_objection)
    # The categories the person holds in each class, not all the class covers.
    held = {h.retention: h.categories for h in holdings(policy, state, live, now)}
    report = build_access_report(ledger, subject, lang)
    return ErasurePlanView(
        subject=str(subject),
        language=lang,
        goes=tuple(
            GoneClass(
                retention=retention,
                label=policy.retention_class(retention).label.in_(lang),
                categories=tuple(
                    policy.category(c).label.in_(lang) for c in held.get(retention, ())
                ),
            )
            for retention in plan.destroy
        ),
        kept=tuple(
            KeptItem(
                retention=kept.retention,
                categories=tuple(
                    policy.category(c).label.in_(lang) for c in kept.categories
                ),
                ground=_ground(policy, kept.retention, kept.ground, lang),
                until=kept.until,
            )
            for kept in plan.keep
        ),
        told=tuple(report.told_of_changes),
    )


def _ground(policy: Policy, retention: str, stored: str, lang: str) -> str:
    """Why a class is kept, in the reader's language (the plan speaks English)."""
    if stored == LEGAL_HOLD:
        return text("ground.legal_hold", lang)
    kept = policy.retention_class(retention)
    if kept.legal_ground is not None and stored == kept.legal_ground.en:
        return kept.legal_ground.in_(lang)
    return kept.criteria.in_(lang)


class ErasureDone(_Plain):
    """An erasure carried out after its plan was confirmed."""

    plan: ErasurePlanView  # as it stood when confirmed: what went, what stays
    sequences: tuple[int, ...]  # the erasure's place in the log


def erase_confirmed(
    kirjuri: Kirjuri,
    subject: UUID,
    typed: str,
    *,
    lang: Language,
    request_id: str | None,
    remove_objection: bool,
    by: str,
) -> ErasureDone:
    """Erase only when the person's id was typed in full: the last check
    before keys are destroyed for good."""
    if typed.strip().lower() != str(subject):
        raise InvalidCommand("confirm", "type the person's id exactly to erase")
    plan = erasure_plan(kirjuri, subject, lang, remove_objection)
    outcome = kirjuri.execute(
        EraseSubject(
            subject=str(subject),
            request_id=request_id,
            remove_objection=remove_objection,
            reported_by=by,
        )
    )
    return ErasureDone(plan=plan, sequences=tuple(kirjuri.sequences(outcome)))
