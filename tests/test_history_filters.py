"""History filters are exact and checked: a misspelt filter is an error, never
an empty answer that reads as "never disclosed"; both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from commands.usecases.integrity import check_sequence_range
from ledger.errors import InvalidCommand
from projections import queries

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.service import Kirjuri

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"


def _disclosed(kirjuri: Kirjuri) -> str:
    subject = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "Pumppu Oy",
                "source": "subject",
                "name": "Eero Esimerkki",
            }
        )
    ).subject_id
    kirjuri.execute(
        parse_command(
            {
                "kind": "disclose",
                "subject": str(subject),
                "recipient": "delivery_partner",
                "categories": ["name"],
                "purpose": "order_delivery",
                "at": "2025-03-01",
            }
        )
    )
    return str(subject)


def _history(kirjuri: Kirjuri, **wanted: Any) -> list[dict[str, Any]]:
    checked = queries.validate_filter(
        queries.HistoryFilter(**wanted), kirjuri.ledger.adopted_policies()
    )
    return queries.history(kirjuri.ledger.database, checked)


def test_filters_are_exact_not_patterns(kirjuri: Kirjuri) -> None:
    _disclosed(kirjuri)
    assert len(_history(kirjuri, purpose="order_delivery")) == 1
    assert len(_history(kirjuri, category="name")) == 2  # collected, disclosed
    database = kirjuri.ledger.database
    for wanted in (
        {"purpose": "%"},
        {"purpose": "order%"},
        {"purpose": "order_deliver_"},
        {"category": "%"},
        {"category": "n_me"},
    ):
        assert queries.history(database, queries.HistoryFilter(**wanted)) == []


@pytest.mark.parametrize(
    ("wanted", "flag", "source"),
    [
        ({"recipient": "delivery_partnr"}, "recipient", "of the adopted policy"),
        ({"purpose": "%"}, "purpose", "of the adopted policy"),
        ({"category": "emial"}, "category", "of the adopted policy"),
        ({"event_type": "DataDisclosd"}, "type", "not an event type"),
        ({"country": "Finland"}, "country", "ISO 3166"),
        ({"limit": 0}, "limit", "1 or more"),
        ({"limit": -1}, "limit", "1 or more"),
    ],
)
def test_a_filter_that_can_match_nothing_is_an_error_naming_its_flag(
    kirjuri: Kirjuri, wanted: dict[str, Any], flag: str, source: str
) -> None:
    _disclosed(kirjuri)
    with pytest.raises(InvalidCommand) as caught:
        _history(kirjuri, **wanted)
    assert caught.value.field == flag
    assert source in str(caught.value)


def test_names_are_normalised_and_old_policies_ids_stay_findable(
    kirjuri: Kirjuri,
) -> None:
    _disclosed(kirjuri)
    assert len(_history(kirjuri, event_type="datadisclosed")) == 1
    assert len(_history(kirjuri, country="fi")) == 1  # the disclosure, in FI
    text = POLICY.read_text(encoding="utf-8").replace(
        'id = "delivery_partner"', 'id = "courier"'
    )
    text = text.replace('"delivery_partner"', '"courier"')
    assert kirjuri.ledger.adopt_policy(text, "renamed recipient")
    assert len(_history(kirjuri, recipient="delivery_partner")) == 1


def test_an_empty_time_range_is_an_error(kirjuri: Kirjuri) -> None:
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    with pytest.raises(InvalidCommand, match="until: must be later than since"):
        _history(kirjuri, since=moment, until=moment)


def test_a_sequence_range_is_checked() -> None:
    check_sequence_range(10, 50)
    check_sequence_range(None, None)
    for start, end, text in (
        (50, 10, "to: must not be before --from"),
        (-1, None, "from: must be a sequence number from 1"),
        (None, 0, "to: must be a sequence number from 1"),
    ):
        with pytest.raises(InvalidCommand, match=text):
            check_sequence_range(start, end)


def test_cli_history_and_verify_refuse_bad_filters_in_one_line(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    for args, flag in (
        (("history", "--recipient", "debt_colector"), "recipient"),
        (("history", "--purpose", "%"), "purpose"),
        (("history", "--type", "Disclosed"), "type"),
        (("history", "--limit", "0"), "limit"),
        (("history", "--limit", "-1"), "limit"),
        (("verify", "--from", "50", "--to", "10"), "to"),
        (("verify", "--from", "-3"), "from"),
    ):
        code, out, err = cli(*args)
        assert (code, out) == (65, ""), args
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"kirjuri: error: {flag}: ")
