"""Maps pydantic events to the library's stored events and back.

The stored topic is the event's stable ``STORED_NAME`` (not a module path),
the state is compact JSON of the event without its stream id and version,
and ``class_version`` is written when above 1. Loading an older version runs
the event class's ``upcast_vN_vN1`` steps in order before validation.
"""

from __future__ import annotations

import json
from typing import Any, cast

from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from pydantic import ValidationError

from ledger.events import EVENT_TYPES, SubjectEvent

__all__ = ["PydanticMapper"]

_STREAM_FIELDS = {"originator_id", "originator_version"}


class PydanticMapper(Mapper[Any]):
    def __init__(self, transcoder: Transcoder | None = None) -> None:
        # The library's transcoder is not used: pydantic writes the JSON.
        super().__init__(transcoder=cast("Transcoder", transcoder))

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event = cast("SubjectEvent", domain_event)
        state = event.model_dump(mode="json", exclude=_STREAM_FIELDS)
        if event.class_version > 1:
            state["class_version"] = event.class_version
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.STORED_NAME,
            state=json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode(),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> SubjectEvent:
        cls = EVENT_TYPES.get(stored_event.topic)
        if cls is None:
            raise MapperDeserialisationError(
                f"unknown stored event name {stored_event.topic!r} "
                f"(stream {stored_event.originator_id}, "
                f"version {stored_event.originator_version})"
            )
        try:
            state: dict[str, Any] = json.loads(stored_event.state)
            version = state.pop("class_version", 1)
            while version < cls.class_version:
                getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
                version += 1
            state["originator_id"] = stored_event.originator_id
            state["originator_version"] = stored_event.originator_version
            return cls.model_validate(state)
        except (ValueError, ValidationError, AttributeError) as err:
            raise MapperDeserialisationError(
                f"stored event {stored_event.topic} of stream "
                f"{stored_event.originator_id} version "
                f"{stored_event.originator_version} does not load: {err}"
            ) from err
