"""Facts that only need a stream's next version are not refused when another
writer took that version first: they are appended after it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from commands.usecases import own_stream
from commands.usecases.identities import Caller
from ledger.errors import ConcurrencyConflict
from tests.api_helpers import REGISTER
from tests.web_helpers import PASSWORD, account

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from commands.service import Kirjuri


def _racing(kirjuri: Kirjuri, rival: Callable[[], Any]) -> list[bool]:
    """Make another writer append (``rival``) just before the next append,
    after its version was read, as a second process would."""
    real = kirjuri.ledger.append
    raced: list[bool] = []

    def append(events: Sequence[Any]) -> list[int]:
        if not raced:
            raced.append(True)
            rival()
        return real(events)

    kirjuri.ledger.append = append  # type: ignore[method-assign]
    return raced


def test_a_sign_in_raced_by_a_token_still_signs_in_and_both_are_kept(
    kirjuri: Kirjuri,
) -> None:
    name = account(kirjuri, "dpo")
    raced = _racing(kirjuri, lambda: kirjuri.create_token("rival", "ingest"))
    session_id, person = kirjuri.sign_in(name, PASSWORD)
    assert raced and session_id and person.name == name
    [user] = [u for u in kirjuri.list_users() if u.name == name]
    assert user.last_sign_in_at is not None
    assert [t.name for t in kirjuri.list_tokens()] == ["rival"]


def test_a_look_raced_by_a_write_to_the_person_is_still_answered_and_recorded(
    kirjuri: Kirjuri,
) -> None:
    outcome = kirjuri.execute(parse_command(REGISTER))
    subject = str(outcome.subject_id)
    change = {
        "kind": "object",
        "subject": subject,
        "scope": "direct_marketing",
        "channel": "email",
    }
    raced = _racing(kirjuri, lambda: kirjuri.execute(parse_command(change)))
    auditor = Caller(token_id="t1", name="auditor", role="auditor")
    kirjuri.access_report(subject, caller=auditor, purpose="annual audit")
    report = kirjuri.access_report(subject)
    assert raced
    assert [c.purpose for c in report.consultations] == ["annual audit"]


def test_version_clashes_past_the_retries_still_reach_the_caller(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storm of writers is not hidden: the conflict is told (exit 75)."""
    monkeypatch.setattr(own_stream, "_next_version", lambda ledger, stream: 1)
    kirjuri.create_token("first", "ingest")
    with pytest.raises(ConcurrencyConflict):
        kirjuri.create_token("second", "ingest")
