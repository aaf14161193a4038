"""The ledger on both backends: recording, refusing, flagging, folding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from commands.handlers import Draft
from commands.models import parse_command
from ledger import events as ev
from ledger.errors import ConcurrencyConflict, InvalidCommand, UnknownSubject
from ledger.run import Run
from projections import queries
from projections.runner import Projector

if TYPE_CHECKING:
    from commands.handlers import Outcome
    from commands.service import Kirjuri

EMAIL = "Aino.Virtanen@Esimerkki.fi"


def run(kirjuri: Kirjuri, **data: Any) -> Outcome:
    return kirjuri.execute(parse_command(data))


def register(kirjuri: Kirjuri, email: str = EMAIL, at: str = "2025-01-10") -> Outcome:
    return run(
        kirjuri,
        kind="register",
        company="Konepaja Virtanen Oy",
        business_id="2345678-0",
        name="Aino Virtanen",
        email=email,
        phone="+358 40 123 4567",
        source="event_attendee_list",
        at=at,
    )


def disclose(
    kirjuri: Kirjuri, recipient: str, purpose: str, categories: list[str], **more: str
) -> Outcome:
    return run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient=recipient,
        categories=categories,
        purpose=purpose,
        **more,
    )


def test_registration_records_company_and_values_as_one_append(
    kirjuri: Kirjuri,
) -> None:
    outcome = register(kirjuri)
    names = [e.STORED_NAME for e in outcome.events]
    assert names == [
        "SubjectRegistered",
        "DataCollected",
        "DataCollected",
        "DataCollected",
    ]
    assert kirjuri.ledger.head() == 1 + len(names)  # the policy, then these


def test_subject_is_found_by_email_in_any_case(kirjuri: Kirjuri) -> None:
    subject = register(kirjuri).subject_id
    assert kirjuri.resolve("aino.virtanen@esimerkki.fi") == subject
    assert kirjuri.resolve(str(subject)[:8]) == subject
    with pytest.raises(UnknownSubject, match="no subject with that email"):
        kirjuri.resolve("nobody@esimerkki.fi")


def test_unknown_category_is_refused_and_nothing_is_written(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    head = kirjuri.ledger.head()
    with pytest.raises(InvalidCommand, match="category: unknown category 'shoe_size'"):
        run(
            kirjuri,
            kind="collect",
            subject=EMAIL,
            category="shoe_size",
            value="42",
            source="subject",
            purposes=["customer_relationship"],
        )
    assert kirjuri.ledger.head() == head


def test_bad_email_is_refused_without_echoing_it(kirjuri: Kirjuri) -> None:
    with pytest.raises(InvalidCommand) as caught:
        register(kirjuri, email="aino.virtanen-at-esimerkki.fi")
    assert caught.value.field == "value"
    assert "virtanen" not in str(caught.value)
    assert kirjuri.ledger.head() == 1


def test_transfer_outside_eea_without_safeguard_is_recorded_as_a_chapter_v_breach(
    kirjuri: Kirjuri,
) -> None:
    """A transfer made with no safeguard is a fact: recorded, not refused,
    with a Chapter V finding and an Art. 33 assessment beside it."""
    register(kirjuri)
    run(
        kirjuri,
        kind="consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="web_form",
    )
    outcome = run(
        kirjuri,
        kind="transfer",
        subject=EMAIL,
        recipient="marketing_partner",
        country="IN",
        categories=["email"],
        purpose="partner_marketing",
    )
    transfer = outcome.events[0]
    assert isinstance(transfer, ev.DataTransferred)
    assert (transfer.country, transfer.safeguard) == ("IN", None)
    rules = [f.rule for f in outcome.findings]
    assert "no_safeguard" in rules
    assert "breach_assessment" in rules


def test_transfer_to_an_unknown_recipient_is_still_refused(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    head = kirjuri.ledger.head()
    with pytest.raises(InvalidCommand, match="recipient"):
        run(
            kirjuri,
            kind="transfer",
            subject=EMAIL,
            recipient="nobody_abroad",
            country="IN",
            categories=["email"],
            purpose="partner_marketing",
        )
    assert kirjuri.ledger.head() == head


def test_disclosure_to_customs_abroad_is_recorded_as_a_transfer(
    kirjuri: Kirjuri,
) -> None:
    register(kirjuri)
    outcome = disclose(kirjuri, "customs_us", "customs_export", ["company"])
    transfer = outcome.events[0]
    assert isinstance(transfer, ev.DataTransferred)
    assert transfer.safeguard is not None
    assert (transfer.country, transfer.safeguard.value) == (
        "US",
        "art49_third_party_contract",
    )
    assert outcome.findings == []


def test_breach_is_recorded_and_flagged_not_dropped(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    outcome = disclose(
        kirjuri, "marketing_partner", "partner_marketing", ["email"], at="2025-02-01"
    )
    assert [e.STORED_NAME for e in outcome.events] == [
        "DataDisclosed",
        "FindingRaised",
        "FindingRaised",
        "FindingRaised",
    ]
    rows = queries.findings(kirjuri.ledger.database)
    assert [(r["rule"], r["about_event"]) for r in rows] == [
        ("consent_required", "DataDisclosed"),
        ("not_informed", "DataDisclosed"),  # collected from a fair's list
        ("breach_assessment", "DataDisclosed"),
    ]


def test_consent_is_judged_at_the_time_processing_happened(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="web_form",
        at="2025-02-10",
    )
    run(
        kirjuri,
        kind="withdraw-consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="unsubscribe_link",
        at="2025-06-15",
    )
    # Reported late, but it happened while consent was in force.
    late = disclose(
        kirjuri, "marketing_partner", "partner_marketing", ["email"], at="2025-03-01"
    )
    after = disclose(
        kirjuri, "marketing_partner", "partner_marketing", ["email"], at="2025-06-20"
    )
    assert late.findings == []
    assert [f.rule for f in after.findings] == [
        "consent_required",
        "breach_assessment",
    ]


def test_marketing_after_objection_is_a_finding(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="object",
        subject=EMAIL,
        scope="direct_marketing",
        channel="email",
        at="2025-03-03",
    )
    outcome = run(
        kirjuri,
        kind="process",
        subject=EMAIL,
        purpose="electronic_marketing",
        categories=["email"],
        activity="newsletter_sent",
        at="2025-03-10",
    )
    assert "direct_marketing_objection" in [f.rule for f in outcome.findings]


def test_processing_while_restricted_is_a_finding(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="restrict",
        subject=EMAIL,
        ground="accuracy_contested",
        at="2025-05-02",
    )
    outcome = run(
        kirjuri,
        kind="process",
        subject=EMAIL,
        purpose="direct_marketing",
        categories=["name"],
        activity="sales_call",
        at="2025-05-20",
    )
    assert "restricted" in [f.rule for f in outcome.findings]


def test_concurrent_writer_loses_with_a_conflict(kirjuri: Kirjuri) -> None:
    subject = register(kirjuri).subject_id
    command = parse_command({"kind": "left", "subject": str(subject)})
    writer = Run(kirjuri.ledger, kirjuri.resolve, lambda _: [])
    stale = Draft(writer, writer.load(subject), command)
    run(kirjuri, kind="left", subject=str(subject))
    stale.add(ev.SubjectLeftCompany)
    stale.commit()
    with pytest.raises(ConcurrencyConflict):
        writer.save()


def test_request_due_date_follows_calendar_months(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=EMAIL,
        type="access",
        channel="post",
        received_on="2025-01-31",
        request_id="R-1",
    )
    run(
        kirjuri,
        kind="request",
        subject=EMAIL,
        type="access",
        channel="post",
        received_on="2025-05-31",
        request_id="R-2",
    )
    rows = {r["request_id"]: r for r in queries.requests(kirjuri.ledger.database)}
    assert rows["R-1"]["due_on"] == "2025-02-28"
    # 30 June 2025 is a Monday; the second request that year may carry a fee.
    assert rows["R-2"]["due_on"] == "2025-06-30"
    assert (rows["R-1"]["number_in_year"], rows["R-2"]["number_in_year"]) == (1, 2)


def test_extension_and_answer_update_the_register(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=EMAIL,
        type="access",
        channel="email",
        received_on="2025-08-29",
        request_id="R-15",
    )
    run(
        kirjuri,
        kind="extend-request",
        request_id="R-15",
        reason="group records",
        at="2025-09-20",
    )
    run(kirjuri, kind="answer-request", request_id="R-15", at="2025-11-12")
    (row,) = queries.requests(kirjuri.ledger.database, today=date(2026, 1, 1))
    assert (row["due_on"], row["status"], row["overdue"]) == (
        "2025-12-01",
        "answered",
        False,
    )
    with pytest.raises(InvalidCommand, match="already answered"):
        run(kirjuri, kind="answer-request", request_id="R-15")


def test_state_as_of_a_past_date_comes_from_the_events(kirjuri: Kirjuri) -> None:
    subject = register(kirjuri).subject_id
    run(
        kirjuri,
        kind="consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="web_form",
        at="2025-02-10",
    )
    run(
        kirjuri,
        kind="rectify",
        subject=EMAIL,
        category="phone",
        value="+358 40 765 0011",
        at="2025-08-11",
    )
    ledger = kirjuri.ledger
    before = ledger.state_as_of(subject, datetime(2025, 2, 1, tzinfo=UTC))
    after = ledger.state_as_of(subject, datetime(2025, 9, 1, tzinfo=UTC))
    assert not before.consent_in_force(
        "partner_marketing", datetime(2025, 2, 1, tzinfo=UTC)
    )
    phone_then = before.current_values()["phone"].value
    phone_now = after.current_values()["phone"].value
    assert ledger.open(subject, "phone", phone_then) == "+358 40 123 4567"
    assert ledger.open(subject, "phone", phone_now) == "+358 40 765 0011"


def test_rebuilt_read_models_equal_incrementally_built_ones(kirjuri: Kirjuri) -> None:
    register(kirjuri)
    disclose(kirjuri, "customs_us", "customs_export", ["company"])
    run(kirjuri, kind="request", subject=EMAIL, type="access", channel="post")
    disclose(kirjuri, "marketing_partner", "partner_marketing", ["email"])
    database = kirjuri.ledger.database

    def snapshot() -> list[Any]:
        tables = [t for m in kirjuri.projector.models for t in m.tables]
        out = []
        with database.transaction(commit=False) as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {{p}}{table}")
                out.append(
                    sorted(tuple(map(str, dict(r).values())) for r in cursor.fetchall())
                )
        return out

    incremental = snapshot()
    assert kirjuri.projector.rebuild() == kirjuri.ledger.head()
    assert snapshot() == incremental
    assert all(any(rows) for rows in incremental[:1])


def test_events_handed_to_the_read_models_equal_the_stored_ones(
    kirjuri: Kirjuri,
) -> None:
    """The read models take the events this process just stored as made,
    not decoded again: each must equal its stored row, decoded."""
    kirjuri.execute(parse_command({"kind": "register", "company": "Oy",
        "email": EMAIL, "name": "Aino", "source": "subject", "at": "2025-01-10"}),
        catch_up=False)  # fmt: skip
    kirjuri.execute(parse_command({"kind": "consent", "subject": EMAIL,
        "purpose": "partner_marketing", "channel": "web_form", "at": "2025-01-11"}),
        catch_up=False)  # fmt: skip
    ledger = kirjuri.ledger
    notifications = ledger.notifications(None, 100)
    handed = [ledger.to_event(n) for n in notifications]
    decoded = [ledger.mapper.to_domain_event(n) for n in notifications]
    assert len(handed) >= 3 and handed == decoded
    assert any(isinstance(e, ev.ConsentGiven) for e in handed)


def test_two_projectors_catching_up_apply_each_event_once(kirjuri: Kirjuri) -> None:
    """A second process catching up the same log neither skips nor repeats."""
    register(kirjuri)
    other = Projector(kirjuri.ledger, batch_size=2)
    disclose(kirjuri, "customs_us", "customs_export", ["company"])
    for _ in range(3):
        run(kirjuri, kind="request", subject=EMAIL, type="access", channel="post")
    # It read its positions before the first projector moved on: its stale
    # batch must roll back whole, and it must resume from the true positions.
    stale = iter([dict.fromkeys(other.positions(), 0)])
    true_positions = other.positions
    other.positions = lambda: next(stale, None) or true_positions()  # type: ignore[method-assign]
    assert other.catch_up() == 0
    rows = queries.history(kirjuri.ledger.database, queries.HistoryFilter())
    # Every subject event, once: not the policy, nor the 3 request ids' claims.
    assert len(rows) == kirjuri.ledger.head() - 1 - 3
    assert set(other.positions().values()) == {kirjuri.ledger.head()}


def test_a_streams_events_of_one_type_come_in_order_without_the_others(
    kirjuri: Kirjuri,
) -> None:
    """What a report reads of a long stream (its consultations, say) is the
    same as filtering the whole stream, in the stream's order."""
    subject = register(kirjuri).subject_id
    disclose(kirjuri, "debt_collector", "debt_collection", ["name"])
    disclose(kirjuri, "debt_collector", "debt_collection", ["email"])
    whole = kirjuri.ledger.stream(subject)
    chosen = kirjuri.ledger.stream_of(subject, ev.DataCollected, ev.DataDisclosed)
    assert chosen == [
        e for e in whole if isinstance(e, (ev.DataCollected, ev.DataDisclosed))
    ]
    assert [e.STORED_NAME for e in chosen].count("DataDisclosed") == 2
    assert kirjuri.ledger.stream_of(subject, ev.SubjectConsulted) == []
