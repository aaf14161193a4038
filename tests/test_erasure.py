"""Erasure that really forgets, on both backends (GDPR Art. 17).

A subject with values in every category, disclosures, transfers and
consents is erased: its data keys are destroyed (but those the law keeps),
no copy a master key opens is left in the database files, the blind index
forgets it, reports show what was erased and what is kept and why, and the
ledger still verifies.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from commands.models import parse_command
from commands.usecases.integrity import build_evidence
from ledger.errors import InvalidCommand, UnknownSubject
from ledger.evidence import verify_evidence
from ledger.verification import verify_ledger
from projections import queries
from projections.reports.access import build_access_report

if TYPE_CHECKING:
    from commands.bootstrap import Settings
    from commands.handlers import Outcome
    from commands.service import Kirjuri

EMAIL = "aino.virtanen@esimerkki.fi"
VALUES = {
    "name": "Aino Virtanen",
    "title": "Myyntipäällikkö",
    "phone": "+358 40 123 4567",
    "email": EMAIL,
    "electronic_contact": "teams:aino.virtanen.konepaja",
    "billing_address": "Teollisuustie 12, 40320 Jyväskylä",
    "delivery_address": "Varastokatu 3, 40320 Jyväskylä",
    "orders": "Order 10023: 40 hydraulic hose assemblies",
    "customer_history": "Call memo: asked for a quote on valve blocks",
    "complaints": "Reclamation: leaking coupling in order 10102",
    "marketing_preferences": "Prefers no phone calls",
    "other": "Visits the Tampere fair every year",
}


def run(kirjuri: Kirjuri, **data: Any) -> Outcome:
    return kirjuri.execute(parse_command(data))


def rich_subject(kirjuri: Kirjuri, *, objection: bool = True) -> str:
    subject = str(
        run(
            kirjuri,
            kind="register",
            company="Konepaja Virtanen Oy",
            business_id="2345678-0",
            source="event_attendee_list",
            at="2024-09-26",
            name=VALUES["name"],
            email=EMAIL,
        ).subject_id
    )
    for category, value in VALUES.items():
        if category in ("name", "email"):
            continue
        run(
            kirjuri,
            kind="collect",
            subject=subject,
            category=category,
            value=value,
            source="subject",
            purposes=["customer_relationship"],
            at="2025-01-20",
        )
    run(kirjuri, kind="start-relationship", subject=subject, at="2025-01-15")
    run(
        kirjuri,
        kind="consent",
        subject=subject,
        purpose="partner_marketing",
        channel="web_form",
        at="2025-02-10",
    )
    run(
        kirjuri,
        kind="disclose",
        subject=subject,
        recipient="delivery_partner",
        categories=["name", "delivery_address"],
        purpose="order_delivery",
        at="2025-01-27",
    )
    run(
        kirjuri,
        kind="disclose",
        subject=subject,
        recipient="customs_us",
        categories=["name", "orders"],
        purpose="customs_export",
        at="2025-04-03",
    )
    if objection:
        run(
            kirjuri,
            kind="object",
            subject=subject,
            scope="direct_marketing",
            channel="email",
            at="2025-03-03",
        )
    run(kirjuri, kind="end-relationship", subject=subject, at="2025-10-01")
    return subject


def wrapped_keys(kirjuri: Kirjuri, subject: str) -> dict[str, bytes]:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT retention_class, wrapped FROM {p}kirjuri_data_keys"
            " WHERE subject_id = %s AND wrapped IS NOT NULL",
            (subject,),
        )
        return {r["retention_class"]: bytes(r["wrapped"]) for r in cursor.fetchall()}


def raw_database(kirjuri: Kirjuri, settings: Settings) -> bytes:
    """The bytes of every file that holds this ledger's tables."""
    if settings.database_url is None:
        files = [settings.sqlite_path, *settings.sqlite_path.parent.glob("*.db-*")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    base, _, schema = settings.database_url.partition("?schema=")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])  # type: ignore[index]
        paths = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            (schema,),
        ).fetchall()
    return b"".join(
        (data / p).read_bytes() for (p,) in paths if p and (data / p).exists()
    )


def test_erasure_keeps_what_the_law_keeps_and_destroys_the_rest(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    outcome = run(kirjuri, kind="erase", subject=subject, at="2025-11-20")
    (erased,) = [e for e in outcome.events if e.STORED_NAME == "SubjectErased"]
    kept = {k.retention: k for k in erased.kept}  # type: ignore[attr-defined]
    # A complaint with no legal hold open is resolved: its class goes too.
    assert set(erased.destroyed) == {"relationship", "dispute"}  # type: ignore[attr-defined]
    # Kirjanpitolaki 2:10: vouchers of 2025 are kept to the end of 2031.
    assert kept["accounting_voucher"].until == date(2031, 12, 31)
    assert set(kept["accounting_voucher"].categories) == {"billing_address", "orders"}
    assert "chapter 2, section 10" in kept["accounting_voucher"].ground
    assert "marketing_prohibition" in kept  # the objection stays unless asked away
    assert kirjuri.ledger.keys.live_classes(erased.originator_id) == sorted(kept)


def test_no_copy_of_a_destroyed_key_or_its_index_is_left(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    subject = rich_subject(kirjuri)
    before = wrapped_keys(kirjuri, subject)
    lookup = kirjuri.ledger.lookup_hash("email", EMAIL)
    assert queries.subjects_by_lookup(kirjuri.ledger.database, lookup) == [subject]
    raw = raw_database(kirjuri, settings)
    assert before["relationship"] in raw  # the search can see a live wrapped key
    assert not [v for v in VALUES.values() if v.encode() in raw]
    run(kirjuri, kind="erase", subject=subject, remove_objection=True)
    after = raw_database(kirjuri, settings)
    destroyed = {c: k for c, k in before.items() if c not in {"accounting_voucher"}}
    assert [c for c, key in destroyed.items() if key in after] == []
    assert not [v for v in VALUES.values() if v.encode() in after]
    assert queries.subjects_by_lookup(kirjuri.ledger.database, lookup) == []
    kirjuri.projector.rebuild()  # a rebuild cannot bring the index back
    assert queries.subjects_by_lookup(kirjuri.ledger.database, lookup) == []
    with pytest.raises(UnknownSubject):
        kirjuri.resolve(EMAIL)


def test_reports_show_erased_values_as_erased_and_what_was_kept(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    run(kirjuri, kind="erase", subject=subject, at="2025-11-20")
    report = build_access_report(kirjuri.ledger, kirjuri.resolve(subject))
    values = {v.category: v.value for v in report.personal_data if v.current}
    assert values["email"] is None and values["name"] is None
    assert values["orders"] == VALUES["orders"]  # kept for accounting
    assert report.subject.company is None
    (erasure,) = report.erasures
    assert erasure.destroyed_labels and erasure.kept
    kept = {k.retention: k for k in erasure.kept}
    assert kept["accounting_voucher"].until == date(2031, 12, 31)
    disclosed = {r.id for r in report.recipients if not r.standing}
    assert disclosed == {"delivery_partner", "customs_us"}  # metadata stays


def test_the_ledger_and_old_proofs_still_verify_after_erasure(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    evidence = build_evidence(kirjuri, [3, 4, 5], hashes_only=False)
    run(kirjuri, kind="erase", subject=subject, remove_objection=True)
    kirjuri.checkpoint()
    checkpoints = [s.checkpoint for s in kirjuri.notary.all()]
    verifier = kirjuri.signer().verifier
    result = verify_ledger(
        kirjuri.ledger, kirjuri.merkle, checkpoints, verifier, kirjuri.origin
    )
    assert result.ok, result.problems
    assert verify_evidence(evidence, verifier) == []


def test_an_objection_outlives_erasure_and_follows_the_person_back(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    run(kirjuri, kind="erase", subject=subject, at="2025-11-20")
    back = run(
        kirjuri,
        kind="register",
        company="Uusi Työnantaja Oy",
        email=EMAIL.upper(),
        source="event_attendee_list",
        at="2026-09-24",
    )
    rules = [f.rule for f in back.findings] + [
        e.rule
        for e in back.events
        if e.STORED_NAME == "FindingRaised"  # type: ignore[attr-defined]
    ]
    assert "suppressed_contact" in rules
    newsletter = run(
        kirjuri,
        kind="process",
        subject=str(back.subject_id),
        purpose="electronic_marketing",
        categories=["email"],
        activity="newsletter_sent",
        at="2026-10-01",
    )
    assert "direct_marketing_objection" in [f.rule for f in newsletter.findings]


def test_without_an_objection_nothing_is_suppressed(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri, objection=False)
    run(kirjuri, kind="erase", subject=subject)
    back = run(kirjuri, kind="register", company="X Oy", email=EMAIL, source="subject")
    assert not [e for e in back.events if e.STORED_NAME == "FindingRaised"]


def test_an_erasure_request_is_answered_by_the_erasure(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="erasure",
        channel="post",
        received_on="2025-11-03",
        request_id="R-E1",
    )
    run(kirjuri, kind="erase", subject=subject, request_id="R-E1", at="2025-11-20")
    (row,) = queries.requests(kirjuri.ledger.database, subject)
    assert (row["status"], row["answered_on"], row["overdue"]) == (
        "answered",
        "2025-11-20",
        False,
    )


def test_a_legal_hold_keeps_everything_until_released(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    run(kirjuri, kind="hold", subject=subject, reason="Dispute over order 10102")
    outcome = run(kirjuri, kind="erase", subject=subject)
    (erased,) = [e for e in outcome.events if e.STORED_NAME == "SubjectErased"]
    assert erased.destroyed == ()  # type: ignore[attr-defined]
    assert {k.ground for k in erased.kept} == {  # type: ignore[attr-defined]
        "legal hold (a complaint, dispute or legal claim is open)"
    }


def test_data_cannot_be_collected_for_an_erased_subject(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    run(kirjuri, kind="erase", subject=subject)
    with pytest.raises(InvalidCommand, match="was erased on"):
        run(
            kirjuri,
            kind="collect",
            subject=subject,
            category="phone",
            value="+358 40 000 0000",
            source="subject",
            purposes=["customer_relationship"],
        )
    disclosure = run(
        kirjuri,
        kind="disclose",
        subject=subject,
        recipient="debt_collector",
        categories=["orders"],
        purpose="debt_collection",
    )
    assert "erased" in [f.rule for f in disclosure.findings]
