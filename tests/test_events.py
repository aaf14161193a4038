"""Events: stable stored names, immutability, and old versions that still load."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from pydantic import ValidationError

from ledger import events as ev
from ledger.events import EVENT_TYPES, SubjectEvent, register_event
from ledger.mapper import PydanticMapper
from ledger.policy import Safeguard

if TYPE_CHECKING:
    from commands.service import Kirjuri

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_stored_names_never_change() -> None:
    """Renaming a stored name would orphan every event already written."""
    assert set(EVENT_TYPES) >= {
        "SubjectRegistered",
        "DataCollected",
        "DataRectified",
        "ConsentGiven",
        "ConsentWithdrawn",
        "ObjectionRecorded",
        "ObjectionLifted",
        "ProcessingRestricted",
        "RestrictionLifted",
        "DataProcessed",
        "DataDisclosed",
        "DataTransferred",
        "RelationshipStarted",
        "RelationshipEnded",
        "SubjectLeftCompany",
        "RequestReceived",
        "RequestExtended",
        "RequestAnswered",
        "RequestRefused",
        "FindingRaised",
        "PolicyAdopted",
    }


def test_events_are_immutable_and_refuse_unknown_fields() -> None:
    event = ev.SubjectLeftCompany(
        originator_id=uuid4(), originator_version=1, occurred_at=NOW, recorded_at=NOW
    )
    with pytest.raises(ValidationError):
        event.reported_by = "someone else"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        ev.SubjectLeftCompany(
            originator_id=uuid4(),
            originator_version=1,
            occurred_at=NOW,
            recorded_at=NOW,
            shoe_size=42,
        )


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        ev.SubjectLeftCompany(
            originator_id=uuid4(),
            originator_version=1,
            occurred_at=datetime(2025, 1, 1),
            recorded_at=NOW,
        )


class NoteV1(SubjectEvent, register=False):
    STORED_NAME: ClassVar[str] = "TestNote"
    text: str


class NoteV2(SubjectEvent, register=False):
    """v2 split the free text into a topic and a body."""

    STORED_NAME: ClassVar[str] = "TestNote"
    class_version: ClassVar[int] = 2
    topic: str
    body: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        topic, _, body = state.pop("text").partition(": ")
        state["topic"], state["body"] = topic, body


def test_a_v1_event_stored_in_the_ledger_loads_as_v2(kirjuri: Kirjuri) -> None:
    subject = uuid4()
    register_event(NoteV1, replace=True)
    try:
        kirjuri.ledger.append(
            [
                NoteV1(
                    originator_id=subject,
                    originator_version=1,
                    occurred_at=NOW,
                    recorded_at=NOW,
                    text="delivery: left at the gate",
                )
            ]
        )
        register_event(NoteV2, replace=True)
        (loaded,) = kirjuri.ledger.stream(subject)
    finally:
        EVENT_TYPES.pop("TestNote", None)
    assert isinstance(loaded, NoteV2)
    assert (loaded.topic, loaded.body) == ("delivery", "left at the gate")


def test_v2_events_store_their_class_version() -> None:
    event = NoteV2(
        originator_id=uuid4(),
        originator_version=1,
        occurred_at=NOW,
        recorded_at=NOW,
        topic="a",
        body="b",
    )
    stored = PydanticMapper().to_stored_event(event)
    assert stored.topic == "TestNote"
    assert b'"class_version":2' in stored.state


def test_a_v1_transfer_stored_before_safeguards_could_be_missing_still_loads() -> None:
    """DataTransferred v2 allows no safeguard; a stored v1 loads unchanged."""
    state = (
        b'{"occurred_at":"2025-04-03T10:00:00Z","recorded_at":"2025-04-03T10:00:00Z",'
        b'"reported_by":"erp","recipient":"customs_us","country":"US",'
        b'"safeguard":"art49_contract","categories":["name"],'
        b'"purpose":"customs_export","legal_basis":"contract","reference":"10057"}'
    )
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=3,
        topic="DataTransferred",
        state=state,
    )
    event = PydanticMapper().to_domain_event(stored)
    assert isinstance(event, ev.DataTransferred)
    assert event.safeguard is Safeguard.ART49_CONTRACT
    assert event.legal_basis.value == "contract"  # history keeps what was said
    again = PydanticMapper().to_stored_event(event)
    assert b'"class_version":2' in again.state


def test_a_v1_refusal_with_one_reason_still_loads() -> None:
    """RequestRefused v2 adds a Finnish reason; a stored v1 has none."""
    state = (
        b'{"occurred_at":"2025-11-10T10:00:00Z","recorded_at":"2025-11-10T10:00:00Z",'
        b'"reported_by":"cs","request_id":"R-1","answered_on":"2025-11-10",'
        b'"reason":"Invoices must be kept"}'
    )
    stored = StoredEvent(
        originator_id=uuid4(), originator_version=2, topic="RequestRefused", state=state
    )
    event = PydanticMapper().to_domain_event(stored)
    assert isinstance(event, ev.RequestRefused)
    assert (event.reason, event.reason_fi) == ("Invoices must be kept", None)
