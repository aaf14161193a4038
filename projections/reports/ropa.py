"""The record of processing activities (GDPR Art. 30(1)), generated.

Each purpose of the adopted policy is a processing activity. Beside what the
policy documents (basis, categories, recipients, transfers, retention) stands
what the ledger observed in a period: the recipients actually disclosed to,
the transfers made and under which safeguard. Where the two disagree, the
record says so in its differences; it never smooths them over.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ledger.clock import LOCAL_TZ
from ledger.clock import now as clock_now
from ledger.policy import EEA_COUNTRIES
from projections import queries
from projections.reports.document import (
    country_name,
    day_text,
    label_of,
    moment_day,
    moment_text,
)
from projections.reports.model import Language, _Part
from projections.reports.texts import text

if TYPE_CHECKING:
    from ledger.policy import Policy, Purpose, Recipient
    from ledger.storage import Database

__all__ = [
    "ActivityEntry",
    "DifferenceEntry",
    "ProcessingRecord",
    "RecipientUse",
    "build_processing_record",
]

_DISCLOSING = ("DataProcessed", "DataDisclosed", "DataTransferred")


class Observed(_Part):
    """What the ledger shows in the period: how often, for how many people,
    first and last."""

    events: int = 0
    subjects: int = 0
    first: datetime | None = None
    last: datetime | None = None


class RecipientUse(Observed):
    """A recipient of an activity: as documented, and as observed."""

    id: str
    name: str
    type_label: str
    role: str
    country: str
    documented: bool  # named in the policy for this purpose
    standing: bool = False  # a processor of every contact's data
    safeguard: str | None = None


class TransferEntry(Observed):
    recipient: str
    country: str
    safeguard: str
    observed: bool


class RetentionLine(_Part):
    categories: list[str]
    period: str


class ActivityEntry(_Part):
    id: str
    name: str
    legal_basis: str
    legal_basis_label: str
    interest: str | None
    dpv: str | None
    categories: list[str]  # labels; empty: any category of the policy
    categories_observed: list[str]
    recipient_types: list[str]
    recipients: list[RecipientUse]
    transfers: list[TransferEntry]
    retention: list[RetentionLine]
    events: int  # uses of data for this purpose in the period


class DifferenceEntry(_Part):
    kind: str  # category, recipient_purpose, basis, country, safeguard, ...
    activity: str | None
    text: str
    events: int = 0


class FindingCount(_Part):
    rule: str
    label: str
    findings: int


class ProcessingRecord(_Part):
    language: Language
    generated_at: datetime
    since: datetime | None
    until: datetime | None
    ledger_events: int  # the log's head when the record was made
    controller: str
    business_id: str | None
    address: str
    contact: str
    privacy_email: str | None
    dpo: str | None
    supervisory_authority: str
    data_subjects: str | None
    # Processors of every activity (storage, email, hosting), listed once.
    processors: list[RecipientUse]
    activities: list[ActivityEntry]
    security_measures: list[str]
    differences: list[DifferenceEntry]
    findings: list[FindingCount]


def build_processing_record(
    database: Database,
    policy: Policy,
    head: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    language: Language = "en",
) -> ProcessingRecord:
    rows = queries.processing_totals(database, since, until)
    activities = [_activity(policy, p, rows, language) for p in policy.purposes]
    controller = policy.controller
    return ProcessingRecord(
        language=language,
        generated_at=clock_now(),
        since=since,
        until=until,
        ledger_events=head,
        controller=controller.name,
        business_id=controller.business_id,
        address=controller.address,
        contact=controller.contact.in_(language),
        privacy_email=controller.privacy_email,
        dpo=controller.dpo.in_(language) if controller.dpo else None,
        supervisory_authority=controller.supervisory_authority.in_(language),
        data_subjects=(
            policy.data_subjects.in_(language) if policy.data_subjects else None
        ),
        processors=_common_processors(policy, language),
        activities=activities,
        security_measures=text("ropa.security", language).split("\n"),
        differences=_differences(policy, rows, language),
        findings=[
            FindingCount(
                rule=row["rule"],
                label=label_of("finding", row["rule"], language).split(";")[0],
                findings=row["findings"],
            )
            for row in queries.finding_totals(database, since, until)
        ],
    )


# Activities ---------------------------------------------------------------


def _uses_of(rows: list[dict[str, Any]], purpose: str) -> list[dict[str, Any]]:
    return [r for r in rows if purpose in (r["purposes"] or "").split(",")]


def _categories(row: dict[str, Any]) -> list[str]:
    return [c for c in (row["categories"] or "").split(",") if c]


def _activity(
    policy: Policy, purpose: Purpose, rows: list[dict[str, Any]], lang: Language
) -> ActivityEntry:
    uses = _uses_of(rows, purpose.id)
    observed = sorted({c for r in uses for c in _categories(r)})
    recipients = _recipients(policy, purpose, uses, lang)
    common = _common_processors(policy, lang)
    types = {r.type_label for r in [*recipients, *common] if r.documented}
    documented_categories = purpose.categories or ()
    held = documented_categories or tuple(c.id for c in policy.categories)
    return ActivityEntry(
        id=purpose.id,
        name=purpose.label.in_(lang),
        legal_basis=purpose.legal_basis.value,
        legal_basis_label=text(f"basis.{purpose.legal_basis.value}", lang),
        interest=purpose.interest.in_(lang) if purpose.interest else None,
        dpv=purpose.dpv,
        categories=[_category_label(policy, c, lang) for c in documented_categories],
        categories_observed=[_category_label(policy, c, lang) for c in observed],
        recipient_types=sorted(types),
        recipients=recipients,
        transfers=_transfers([*recipients, *common], lang),
        retention=_retention(policy, held, lang),
        events=sum(r["events"] for r in uses),
    )


def _category_label(policy: Policy, category: str, lang: Language) -> str:
    try:
        return policy.category(category).label.in_(lang)
    except KeyError:
        return category


def _named(policy: Policy, recipient_id: str) -> Recipient | None:
    """The policy's recipient of that id, or None for a name it lacks."""
    try:
        return policy.recipient(recipient_id)
    except KeyError:
        return None


def _common(policy: Policy, recipient_id: str) -> bool:
    """A processor the policy gives data to for any purpose."""
    recipient = policy.recipient(recipient_id)
    role = policy.recipient_type(recipient.type).role.value
    return role == "processor" and not recipient.purposes


def _common_processors(policy: Policy, lang: Language) -> list[RecipientUse]:
    return [
        _documented(policy, r.id, lang)
        for r in policy.recipients
        if _common(policy, r.id)
    ]


def _documented(policy: Policy, recipient_id: str, lang: Language) -> RecipientUse:
    recipient = policy.recipient(recipient_id)
    kind = policy.recipient_type(recipient.type)
    return RecipientUse(
        id=recipient.id,
        name=recipient.name,
        type_label=kind.label.in_(lang),
        role=kind.role.value,
        country=recipient.country,
        documented=True,
        standing=kind.role.value == "processor",
        safeguard=recipient.safeguard.value if recipient.safeguard else None,
    )


def _serves(recipient_purposes: tuple[str, ...], purpose: str) -> bool:
    return not recipient_purposes or purpose in recipient_purposes


def _recipients(
    policy: Policy, purpose: Purpose, uses: list[dict[str, Any]], lang: Language
) -> list[RecipientUse]:
    entries: dict[str, RecipientUse] = {
        r.id: _documented(policy, r.id, lang)
        for r in policy.recipients
        if r.purposes and purpose.id in r.purposes
    }
    for row in uses:
        if row["event_type"] not in _DISCLOSING or not row["recipient"]:
            continue
        entry = entries.get(row["recipient"])
        if entry is None:
            named = _named(policy, row["recipient"])
            entry = (
                _documented(policy, named.id, lang)
                if named is not None and _common(policy, named.id)
                else _undocumented(policy, row, lang)
            )
        entries[entry.id] = _counted(entry, row)
    return sorted(entries.values(), key=lambda e: (not e.events, e.name))


def _undocumented(policy: Policy, row: dict[str, Any], lang: Language) -> RecipientUse:
    """A recipient observed for a purpose the policy does not name it for."""
    try:
        recipient = policy.recipient(row["recipient"])
        kind = policy.recipient_type(recipient.type)
        name, type_label, role = recipient.name, kind.label.in_(lang), kind.role.value
        country = recipient.country
    except KeyError:
        name, type_label, role = row["recipient"], "", ""
        country = row["country"] or ""
    return RecipientUse(
        id=row["recipient"],
        name=name,
        type_label=type_label,
        role=role,
        country=country,
        documented=False,
    )


def _last_day(until: datetime, lang: Language) -> str:
    local = until.astimezone(LOCAL_TZ)
    if local.time() == time(0):
        return day_text(local.date() - timedelta(days=1), lang)
    return moment_text(until, lang)


def _local(stored: str) -> datetime:
    return datetime.fromisoformat(stored).astimezone(LOCAL_TZ)


def _counted(entry: RecipientUse, row: dict[str, Any]) -> RecipientUse:
    first, last = _local(row["first_at"]), _local(row["last_at"])
    return entry.model_copy(
        update={
            "events": entry.events + row["events"],
            # People are counted per group; a sum may count one person twice.
            "subjects": max(entry.subjects, row["subjects"]),
            "first": min(entry.first, first) if entry.first else first,
            "last": max(entry.last, last) if entry.last else last,
        }
    )


def _transfers(recipients: list[RecipientUse], lang: Language) -> list[TransferEntry]:
    found = []
    seen: set[str] = set()
    for r in recipients:
        if r.id in seen:
            continue
        seen.add(r.id)
        if r.safeguard is None and not r.events:
            continue
        if r.safeguard is not None or _outside_eea(r.country):
            found.append(
                TransferEntry(
                    recipient=r.name,
                    country=country_name(r.country, lang),
                    safeguard=label_of("safeguard", r.safeguard or "none", lang),
                    observed=bool(r.events),
                    events=r.events,
                    subjects=r.subjects,
                    first=r.first,
                    last=r.last,
                )
            )
    return found


def _outside_eea(country: str) -> bool:
    return bool(country) and country not in EEA_COUNTRIES


def _retention(
    policy: Policy, categories: tuple[str, ...], lang: Language
) -> list[RetentionLine]:
    by_class: dict[str, list[str]] = {}
    for category in categories:
        try:
            kept = policy.retention_of(category)
        except KeyError:
            continue
        by_class.setdefault(kept.id, []).append(_category_label(policy, category, lang))
    return [
        RetentionLine(
            categories=labels,
            period=policy.retention_class(class_id).criteria.in_(lang),
        )
        for class_id, labels in by_class.items()
    ]


# Differences --------------------------------------------------------------

# A difference before it is worded: its kind, activity, the text's fields
# (events aside) and the events it covers; rows grouped finer add up.
_Fact = tuple[str, str | None, tuple[tuple[str, str], ...]]


def _differences(
    policy: Policy, rows: list[dict[str, Any]], lang: Language
) -> list[DifferenceEntry]:
    facts: dict[_Fact, int] = {}

    def note(kind: str, activity: str | None, events: int, **fields: str) -> None:
        fact = (kind, activity, tuple(fields.items()))
        facts[fact] = facts.get(fact, 0) + events

    known = {p.id: p for p in policy.purposes}
    used: set[str] = set()
    for row in rows:
        events = row["events"]
        for purpose_id in [p for p in (row["purposes"] or "").split(",") if p]:
            purpose = known.get(purpose_id)
            if purpose is None:
                note("unknown", None, events, name=purpose_id)
            else:
                _row_differences(policy, purpose, row, lang, note)
        if row["recipient"] and row["event_type"] in _DISCLOSING:
            used.add(row["recipient"])
            _recipient_differences(policy, row, lang, note)
    for recipient, purposes in _unused(policy, used, lang):
        note("unused", None, 0, recipient=recipient, purposes=purposes)
    return [
        DifferenceEntry(
            kind=kind,
            activity=activity,
            text=text(f"ropa.diff.{kind}", lang).format(events=events, **dict(fields)),
            events=events,
        )
        for (kind, activity, fields), events in facts.items()
    ]


def _row_differences(
    policy: Policy,
    purpose: Purpose,
    row: dict[str, Any],
    lang: Language,
    note: Any,
) -> None:
    name, events = purpose.label.in_(lang), row["events"]
    wanted = purpose.categories
    extra = [c for c in _categories(row) if wanted and c not in wanted]
    if extra:
        labels = ", ".join(_category_label(policy, c, lang) for c in extra)
        note("category", purpose.id, events, purpose=name, categories=labels)
    basis = row["legal_basis"]
    if basis and basis != purpose.legal_basis.value:
        note(
            "basis",
            purpose.id,
            events,
            purpose=name,
            observed=label_of("basis", basis, lang),
            documented=text(f"basis.{purpose.legal_basis.value}", lang),
        )
    recipient = row["recipient"]
    if recipient and row["event_type"] in _DISCLOSING:
        named = _named(policy, recipient)
        if named is not None and not _serves(named.purposes, purpose.id):
            note(
                "recipient_purpose",
                purpose.id,
                events,
                purpose=name,
                recipient=named.name,
            )


def _recipient_differences(
    policy: Policy, row: dict[str, Any], lang: Language, note: Any
) -> None:
    events = row["events"]
    recipient = _named(policy, row["recipient"])
    if recipient is None:
        note("unknown", None, events, name=row["recipient"])
        return
    country = row["country"]
    if country and country != recipient.country:
        note(
            "country",
            None,
            events,
            recipient=recipient.name,
            country=country_name(country, lang),
            documented=country_name(recipient.country, lang),
        )
    documented = recipient.safeguard.value if recipient.safeguard else None
    observed = row["safeguard"]
    if row["event_type"] == "DataTransferred" and observed != documented:
        note(
            "safeguard",
            None,
            events,
            recipient=recipient.name,
            observed=label_of("safeguard", observed or "none", lang),
            documented=label_of("safeguard", documented or "none", lang),
        )


def _unused(policy: Policy, used: set[str], lang: Language) -> list[tuple[str, str]]:
    """Recipients the policy names for disclosures that received nothing.
    Processors of every contact's data (storage, email, hosting) are used
    without an event per person, so their silence is no difference."""
    found = []
    for recipient in policy.recipients:
        role = policy.recipient_type(recipient.type).role.value
        if recipient.id in used or role == "processor":
            continue
        purposes = ", ".join(
            policy.purpose(p).label.in_(lang) for p in recipient.purposes
        ) or text("ropa.categories_any", lang)
        found.append((recipient.name, purposes))
    return found


def period_text(record: ProcessingRecord) -> str:
    """The observed period as a reader says it: an end at local midnight is
    exclusive, so it reads as the day before, inclusive."""
    lang = record.language
    since = moment_day(record.since, lang) if record.since else None
    until = _last_day(record.until, lang) if record.until else None
    if since and until:
        return text("ropa.period", lang).format(since=since, until=until)
    if since:
        return text("ropa.period_since", lang).format(since=since)
    if until:
        return text("ropa.period_until", lang).format(until=until)
    return text("ropa.period_all", lang)
