"""Finding subjects by email, name prefix or company.

Names and companies are sealed (encrypted per subject), so they are never
indexed in clear. An email is found exactly, in any letter case, by its
blind index. A name or company is found by opening the sealed names and
companies of the subjects not erased, in this process, and comparing them
normalised (case-folded): a name matches when one of its words (or the whole
name) starts with the text, a company when it contains it.

Why open values rather than keep a blind index of name prefixes: a search is
an operator's occasional look-up, not a hot path; opening costs about 3 µs
a value plus one key read per subject, so some thousands of contacts answer
in well under a second, and no new derived data about names is stored that
erasure would have to chase. An erased subject's keys are gone: it is not
found, by construction. At hundreds of thousands of subjects a keyed
prefix index would be the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.errors import InvalidCommand
from ledger.sealed import Sealed
from projections import queries

if TYPE_CHECKING:
    from ledger.application import Ledger

__all__ = ["SubjectMatch", "find_subjects"]

MIN_SEARCH = 2
MAX_MATCHES = 100


@dataclass(frozen=True)
class SubjectMatch:
    subject_id: UUID
    name: str | None
    email: str | None
    company: str | None
    registered_at: str | None

    def as_row(self) -> dict[str, Any]:
        return {
            "subject_id": str(self.subject_id),
            "name": self.name,
            "email": self.email,
            "company": self.company,
            "registered_at": self.registered_at,
        }


def find_subjects(
    ledger: Ledger, text: str, with_email: list[UUID] | None = None
) -> list[SubjectMatch]:
    """Subjects matching a search (read models caught up by the caller);
    `with_email` are the blind index's answer when the text is an email."""
    wanted = text.strip().casefold()
    if len(wanted) < MIN_SEARCH:
        raise InvalidCommand("search", f"give {MIN_SEARCH} or more characters")
    only = None if with_email is None else {str(s) for s in with_email}
    matches = []
    for card in _cards(ledger, only):
        if with_email is not None:
            hit = card.subject_id in with_email
        else:
            hit = _name_matches(card.name, wanted) or (
                card.company is not None and wanted in card.company.casefold()
            )
        if hit:
            matches.append(card)
            if len(matches) == MAX_MATCHES:
                break
    return matches


def _name_matches(name: str | None, wanted: str) -> bool:
    if name is None:
        return False
    folded = name.casefold()
    return folded.startswith(wanted) or any(
        word.startswith(wanted) for word in folded.split()
    )


def _cards(ledger: Ledger, only: set[str] | None) -> list[SubjectMatch]:
    """Each subject not erased (of `only`, if given), its latest name and
    email opened."""
    rows: dict[str, dict[str, Any]] = {}
    for row in queries.subject_cards(ledger.database):
        if only is not None and row["subject_id"] not in only:
            continue
        card = rows.setdefault(row["subject_id"], dict(row))
        if row["category"] is not None:
            card[row["category"]] = row["sealed"]  # later versions win
    cards = []
    for subject, row in rows.items():
        subject_id = UUID(subject)
        cards.append(
            SubjectMatch(
                subject_id=subject_id,
                name=_open(ledger, subject_id, "name", row.get("name")),
                email=_open(ledger, subject_id, "email", row.get("email")),
                company=_open(ledger, subject_id, "company", row["company_name"]),
                registered_at=row["registered_at"],
            )
        )
    return cards


def _open(
    ledger: Ledger, subject: UUID, category: str, sealed: str | None
) -> str | None:
    if sealed is None:
        return None
    return ledger.open_or_none(subject, category, Sealed.model_validate_json(sealed))
