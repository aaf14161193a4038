"""Defects found in review, each pinned by the behaviour a user would see."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from ledger.errors import InvalidCommand, UnknownSubject
from ledger.events import POLICY_STREAM
from ledger.verification import verify_ledger
from projections.reports.access import build_access_report
from tests.rawdb import events_table
from tests.test_erasure import rich_subject

if TYPE_CHECKING:
    from commands.service import Kirjuri


def run(kirjuri: Kirjuri, **data: Any) -> Any:
    return kirjuri.execute(parse_command(data))


def register(kirjuri: Kirjuri, email: str) -> str:
    outcome = run(
        kirjuri, kind="register", company="X Oy", email=email, source="subject"
    )
    return str(outcome.subject_id)


def test_a_request_id_cannot_be_reused_by_another_subject(kirjuri: Kirjuri) -> None:
    a, b = register(kirjuri, "a@x.example"), register(kirjuri, "b@x.example")
    run(
        kirjuri,
        kind="request",
        subject=a,
        type="access",
        channel="post",
        request_id="R-1",
    )
    with pytest.raises(InvalidCommand, match="R-1 is already recorded"):
        run(
            kirjuri,
            kind="request",
            subject=b,
            type="access",
            channel="post",
            request_id="R-1",
        )
    assert kirjuri.catch_up() == 0  # the read models are not stuck


def test_a_run_goes_on_after_an_erasure_in_it(kirjuri: Kirjuri) -> None:
    commands = [
        {
            "kind": "register",
            "company": "A Oy",
            "email": "a@a.example",
            "source": "subject",
        },
        {
            "kind": "object",
            "subject": "a@a.example",
            "scope": "direct_marketing",
            "channel": "email",
        },
        {"kind": "erase", "subject": "a@a.example"},
        {
            "kind": "register",
            "company": "B Oy",
            "email": "b@b.example",
            "source": "subject",
        },
        {
            "kind": "object",
            "subject": "a@a.example",
            "scope": "sales_contact",
            "channel": "email",
        },
    ]
    report = kirjuri.execute_many(
        [(i, parse_command(c)) for i, c in enumerate(commands)], batch_size=2
    )
    assert [n for n, _ in report.rejected] == [4]  # only the erased email fails
    assert "no subject with that email" in report.rejected[0][1]


def test_the_policy_stream_is_not_a_subject(kirjuri: Kirjuri) -> None:
    with pytest.raises(UnknownSubject):
        kirjuri.resolve(str(POLICY_STREAM))


@pytest.mark.usefixtures("years_later")
def test_erasure_works_after_a_sweep_destroyed_the_email(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)  # objected; relationship ended 2025-10-01
    kirjuri.sweep(datetime(2027, 10, 2, tzinfo=UTC), dry_run=False)
    outcome = run(kirjuri, kind="erase", subject=subject)
    assert "SubjectErased" in [e.STORED_NAME for e in outcome.events]


def test_a_range_verify_catches_a_deleted_event(kirjuri: Kirjuri) -> None:
    subject = register(kirjuri, "a@x.example")
    run(
        kirjuri,
        kind="object",
        subject=subject,
        scope="direct_marketing",
        channel="email",
    )
    kirjuri.checkpoint()
    ledger = kirjuri.ledger
    table, column = events_table(kirjuri)
    with ledger.database.transaction() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", (ledger.head(),))
    checkpoints = [s.checkpoint for s in kirjuri.notary.all()]
    result = verify_ledger(
        ledger,
        kirjuri.merkle,
        checkpoints,
        kirjuri.signer().verifier,
        kirjuri.origin,
        start=1,
    )
    assert [p.kind for p in result.problems][:1] == ["removed"]


def test_registration_is_judged_for_every_purpose(kirjuri: Kirjuri) -> None:
    outcome = run(
        kirjuri,
        kind="register",
        company="X Oy",
        email="x@x.example",
        source="subject",
        purposes=["customer_relationship", "partner_marketing"],
    )
    assert "consent_required" in [f.rule for f in outcome.findings]


def test_a_transfer_to_another_country_than_the_recipients_is_flagged(
    kirjuri: Kirjuri,
) -> None:
    subject = register(kirjuri, "a@x.example")
    outcome = run(
        kirjuri,
        kind="transfer",
        subject=subject,
        recipient="debt_collector",
        country="RU",
        safeguard="scc",
        categories=["name"],
        purpose="debt_collection",
    )
    assert "recipient_country" in [f.rule for f in outcome.findings]


def test_processors_and_purposes_of_processing_reach_the_access_report(
    kirjuri: Kirjuri,
) -> None:
    subject = register(kirjuri, "a@x.example")
    run(
        kirjuri,
        kind="process",
        subject=subject,
        purpose="market_research",
        categories=["email"],
        activity="survey_sent",
        recipient="email_service",
    )
    report = build_access_report(kirjuri.ledger, kirjuri.resolve(subject))
    recipients = {r.id: r for r in report.recipients}
    assert recipients["email_service"].role == "processor"
    assert recipients["email_service"].disclosures[0].country == "IE"
    assert "market_research" in {p.id for p in report.purposes}


def test_a_rectified_email_replaces_the_old_one_in_lookups(kirjuri: Kirjuri) -> None:
    subject = register(kirjuri, "old@x.example")
    run(
        kirjuri,
        kind="rectify",
        subject=subject,
        category="email",
        value="new@x.example",
    )
    assert str(kirjuri.resolve("new@x.example")) == subject
    with pytest.raises(UnknownSubject):
        kirjuri.resolve("old@x.example")


@pytest.mark.usefixtures("years_later")
def test_an_email_whose_retention_ended_no_longer_finds_the_person(
    kirjuri: Kirjuri,
) -> None:
    rich_subject(kirjuri)  # relationship ended 2025-10-01: email due 2027-10-01
    kirjuri.sweep(datetime(2027, 10, 2, tzinfo=UTC), dry_run=False)
    with pytest.raises(UnknownSubject):
        kirjuri.resolve("aino.virtanen@esimerkki.fi")


@pytest.mark.parametrize(
    ("field", "text"),
    [("reference", "order for aino@x.example"), ("evidence", "call +358 40 123 4567")],
)
def test_free_text_stored_in_clear_refuses_personal_values(
    kirjuri: Kirjuri, field: str, text: str
) -> None:
    subject = register(kirjuri, "a@x.example")
    head = kirjuri.ledger.head()
    kind = "disclose" if field == "reference" else "consent"
    data = (
        {
            "recipient": "delivery_partner",
            "categories": ["name"],
            "purpose": "order_delivery",
        }
        if kind == "disclose"
        else {"purpose": "partner_marketing", "channel": "web_form"}
    )
    with pytest.raises(InvalidCommand) as caught:
        run(kirjuri, kind=kind, subject=subject, **data, **{field: text})
    assert caught.value.field == field
    assert "aino" not in str(caught.value) and "4567" not in str(caught.value)
    assert kirjuri.ledger.head() == head
