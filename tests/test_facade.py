"""The facade (commands.service.Kirjuri) as a library: typed answers, and a
caller always reads its writes, however it names the subject."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from commands.models import parse_command
from commands.service import Kirjuri
from commands.usecases.views import HistoryRow, PolicyItem, SubjectState
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent


def _register(kirjuri: Kirjuri, email: str) -> str:
    outcome = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "X Oy",
                "name": "Hanna Hyvä",
                "email": email,
                "phone": "+358 40 765 4321",
                "source": "subject",
            }
        )
    )
    return str(outcome.subject_id)


def _disclose_without_catch_up(kirjuri: Kirjuri, subject: str) -> None:
    """A save whose catch-up never ran: what a crash between the two leaves."""
    kirjuri.execute(
        parse_command(
            {
                "kind": "disclose",
                "subject": subject,
                "recipient": "delivery_partner",
                "categories": ["name"],
                "purpose": "order_delivery",
                "reference": "10042",
            }
        ),
        catch_up=False,
    )


def test_every_read_by_full_id_sees_a_save_whose_catch_up_never_ran(
    kirjuri: Kirjuri,
) -> None:
    """Regression: access-report by full id missed what by email it showed."""
    subject = _register(kirjuri, "hanna@hyva.example")
    _disclose_without_catch_up(kirjuri, subject)
    report = kirjuri.access_report(subject)
    assert [d.reference for r in report.recipients for d in r.disclosures] == ["10042"]
    history = kirjuri.history(subject=subject)
    assert [row.event_type for row in history][-1] == "DataDisclosed"
    assert kirjuri.history(recipient="delivery_partner")[0].reference == "10042"
    _disclose_without_catch_up(kirjuri, subject)
    assert len(kirjuri.findings(subject)) == 0
    export = kirjuri.export(subject)
    assert {item["category"] for item in export.data} >= {"email", "name"}
    state = kirjuri.state(subject)
    assert (
        isinstance(state, SubjectState) and state.values["name"].value == "Hanna Hyvä"
    )
    assert report.integrity is not None and report.integrity.subject_events >= 2
    assert kirjuri.access_report(subject).integrity.subject_events == len(  # type: ignore[union-attr]
        kirjuri.history(subject=subject)
    )


def test_the_cli_reads_by_full_id_what_a_crashed_save_left(
    kirjuri: Kirjuri, cli: Callable[..., tuple[int, str, str]]
) -> None:
    subject = _register(kirjuri, "hanna@hyva.example")
    _disclose_without_catch_up(kirjuri, subject)
    code, out, err = cli("access-report", subject, "--format", "json")
    assert code == 0, err
    assert '"reference": "10042"' in out or '"reference":"10042"' in out


def test_reads_return_models_not_text(kirjuri: Kirjuri) -> None:
    subject = _register(kirjuri, "hanna@hyva.example")
    rows = kirjuri.history(subject=subject)
    assert all(isinstance(row, HistoryRow) for row in rows)
    assert HistoryRow.columns()[0] == "notification_id"
    allowed = kirjuri.check(subject, "partner_marketing", categories=["email"])
    assert not allowed.allowed and allowed.findings[0].rule
    assert kirjuri.check(subject, "customer_relationship").allowed
    preview = kirjuri.preview_erasure(subject)
    assert "relationship" in preview.would_destroy
    assert kirjuri.ledger.head() == kirjuri.projection_status().head


def test_a_legal_basis_that_does_not_exist_names_its_field(kirjuri: Kirjuri) -> None:
    subject = _register(kirjuri, "hanna@hyva.example")
    with pytest.raises(InvalidCommand) as caught:
        kirjuri.check(subject, "customer_relationship", legal_basis="vibes")
    assert caught.value.field == "legal_basis"


def test_policy_items_list_what_the_flags_accept(kirjuri: Kirjuri) -> None:
    purposes = {item.id for item in kirjuri.policy_items("purposes")}
    assert {"customer_relationship", "partner_marketing"} <= purposes
    for kind in PolicyItem.KINDS:
        assert kirjuri.policy_items(kind), kind
    with pytest.raises(InvalidCommand):
        kirjuri.policy_items("colours")


def test_erase_and_verify_and_prove_through_the_facade(kirjuri: Kirjuri) -> None:
    subject = _register(kirjuri, "hanna@hyva.example")
    kirjuri.erase(subject)
    assert kirjuri.state(subject).values["email"].value == "(erased)"
    assert kirjuri.verify().ok
    evidence = kirjuri.prove(subject=subject)
    check = Kirjuri.verify_proof(evidence.model_dump(mode="json"), kirjuri.public_key())
    assert check.ok and check.events == len(evidence.events) >= 2
    assert kirjuri.checkpoints()[-1].checkpoint.size == kirjuri.ledger.head()


def test_importing_the_facade_does_not_import_the_cli() -> None:
    code = (
        "import sys, commands.service; "
        "bad = [m for m in sys.modules"
        " if m == 'argparse' or m.startswith('commands.cli')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# The stream-head table keeps its position through ledger.meta and reads
# the Merkle leaves through the Merkle store, in its own transaction.
TABLE_OWNERS = {
    "kirjuri_data_keys": {"ledger/keys.py"},
    "kirjuri_meta": {"ledger/meta.py"},
    "kirjuri_checkpoints": {"ledger/notary.py"},
    "kirjuri_merkle_": {"projections/merkle.py"},
}


@pytest.mark.parametrize("table", sorted(TABLE_OWNERS))
def test_one_module_owns_each_table(table: str) -> None:
    users = {
        str(path.relative_to(ROOT))
        for package in ("ledger", "projections", "commands")
        for path in (ROOT / package).rglob("*.py")
        if table in path.read_text(encoding="utf-8")
    }
    assert users == TABLE_OWNERS[table]


def test_no_cli_module_holds_sql_or_reaches_past_the_facade() -> None:
    forbidden = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", ".database", "queries.")
    forbidden += (".ledger.", ".projector", ".notary", ".merkle")
    for path in (ROOT / "commands" / "cli").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = [word for word in forbidden if word in text]
        assert found == [], (path.name, found)
