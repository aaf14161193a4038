"""Acknowledging a finding with a note: a new event beside the finding,
through the facade, the CLI and the API, on both backends."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from commands.models import parse_command
from tests.api_helpers import REGISTER, client, token

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.service import Kirjuri

NOTE = "Marketing list fixed; partner told to delete the export (ticket 4411)"


def _breach(kirjuri: Kirjuri) -> int:
    """A newsletter sent without consent: one finding; its id."""
    subject = kirjuri.execute(parse_command(REGISTER)).subject_id
    kirjuri.execute(
        parse_command(
            {
                "kind": "process",
                "subject": str(subject),
                "purpose": "partner_marketing",
                "categories": ["email"],
                "activity": "newsletter_sent",
            }
        )
    )
    (found,) = kirjuri.findings()
    return found.finding_id


def test_an_acknowledgement_is_shown_with_its_finding_which_stays_as_it_was(
    kirjuri: Kirjuri,
) -> None:
    finding_id = _breach(kirjuri)
    before = kirjuri.finding(finding_id)
    done = kirjuri.acknowledge_finding(finding_id, NOTE, by="dpo_anna")
    assert not done.duplicate
    assert len(done.sequences) == 1
    (ack,) = done.finding.acknowledgements
    assert (ack.acknowledged_by, ack.note) == ("dpo_anna", NOTE)
    assert ack.sequence == done.sequences[0]
    after = kirjuri.finding(finding_id)
    unchanged = after.model_dump(exclude={"acknowledgements"})
    assert unchanged == before.model_dump(exclude={"acknowledgements"})
    assert kirjuri.findings(unacknowledged=True) == []
    assert [f.finding_id for f in kirjuri.findings()] == [finding_id]
    assert kirjuri.verify(read_models=True).ok


def test_the_same_command_id_twice_writes_once(kirjuri: Kirjuri) -> None:
    finding_id = _breach(kirjuri)
    first = kirjuri.acknowledge_finding(finding_id, NOTE, command_id="ack-1")
    head = kirjuri.ledger.head()
    again = kirjuri.acknowledge_finding(finding_id, NOTE, command_id="ack-1")
    assert again.duplicate
    assert kirjuri.ledger.head() == head
    assert again.finding.acknowledgements == first.finding.acknowledgements


def test_an_unknown_finding_is_one_line_and_writes_nothing(kirjuri: Kirjuri) -> None:
    _breach(kirjuri)
    head = kirjuri.ledger.head()
    with pytest.raises(Exception, match=r"^finding_id: no finding 999999$"):
        kirjuri.acknowledge_finding(999_999, NOTE)
    assert kirjuri.ledger.head() == head


def test_a_note_with_a_personal_value_or_a_newline_is_refused(
    kirjuri: Kirjuri,
) -> None:
    finding_id = _breach(kirjuri)
    head = kirjuri.ledger.head()
    for note in ("call aino.virtanen@esimerkki.fi", "two\nlines", "x" * 1001, ""):
        with pytest.raises(Exception, match=r"^note: "):
            kirjuri.acknowledge_finding(finding_id, note)
    assert kirjuri.ledger.head() == head


def test_the_cli_acknowledges_and_filters_the_unacknowledged(
    cli: Callable[..., tuple[int, str, str]], kirjuri: Kirjuri
) -> None:
    finding_id = _breach(kirjuri)
    code, out, err = cli("findings", "ack", finding_id, "--note", NOTE, "--by", "dpo")
    assert code == 0, out
    *logged, said = out.splitlines()
    assert said.startswith(f"finding {finding_id} (consent_required): recorded")
    assert NOTE not in "\n".join(logged) + err  # logs at debug: never the note
    code, out, _ = cli("findings", "--format", "jsonl")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["acknowledgements"][0]["note"] == NOTE
    code, out, _ = cli("findings", "--unacknowledged", "--format", "jsonl")
    assert (code, out) == (0, "")
    code, out, err = cli("findings", "ack", "424242", "--note", NOTE)
    assert code == 65
    assert err.strip().splitlines()[-1].endswith("finding_id: no finding 424242")


def test_the_api_lets_a_dpo_acknowledge_and_an_auditor_read(kirjuri: Kirjuri) -> None:
    finding_id = _breach(kirjuri)
    path = f"/v1/findings/{finding_id}/acknowledgements"
    dpo = {**token(kirjuri, "dpo"), "Idempotency-Key": "ack-http-1"}
    auditor = token(kirjuri, "auditor")
    with client(kirjuri) as api:
        refused = api.post(path, json={"note": NOTE}, headers=auditor)
        first = api.post(path, json={"note": NOTE}, headers=dpo)
        again = api.post(path, json={"note": NOTE}, headers=dpo)
        unknown = api.post(
            "/v1/findings/999999/acknowledgements", json={"note": NOTE}, headers=dpo
        )
        read = api.get(f"/v1/findings/{finding_id}", headers=auditor)
        open_ones = api.get("/v1/findings?unacknowledged=true", headers=auditor)
    assert refused.status_code == 403
    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["detail"] == "finding_id: no finding 999999"
    (ack,) = read.json()["acknowledgements"]
    assert (ack["acknowledged_by"], ack["note"]) == ("t_dpo", NOTE)
    assert open_ones.json() == []
