"""End to end through the CLI: a year of the notice's processing, then answers.

Runs on both backends. The access report is checked field by field, and the
database and the logs are searched for every personal value of the year.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POLICY = ROOT / "policies" / "fluiconnecto.toml"
AINO = "aino.virtanen@esimerkki.fi"
MIKKO = "mikko.korhonen@korhonenhydro.example"


@pytest.fixture
def year(cli: Callable[..., tuple[int, str, str]]) -> list[str]:
    """The demo's year recorded; returns everything it logged on stderr."""
    logs = []
    for args in (
        ("init", "--policy", POLICY),
        ("import", EXAMPLES / "crm-contacts.csv", "--source", "event_attendee_list"),
        ("apply", EXAMPLES / "year-2025.jsonl"),
    ):
        code, _, err = cli(*args)
        assert code == 0, err
        logs.append(err)
    return logs


def personal_values() -> list[str]:
    """Every personal value the demo records (from its input files)."""
    values: list[str] = []
    with (EXAMPLES / "crm-contacts.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values += [row[c] for c in ("company", "name", "email", "phone", "title")]
            values += [row["business_id"]] if row["business_id"] else []
    for line in (EXAMPLES / "year-2025.jsonl").read_text(encoding="utf-8").splitlines():
        if line.startswith("{") and (value := json.loads(line).get("value")):
            values.append(value)
    return values


def report_of(cli: Callable[..., tuple[int, str, str]], subject: str) -> dict[str, Any]:
    code, out, err = cli("access-report", subject, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def test_access_report_answers_article_15_field_by_field(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    report = report_of(cli, AINO)
    assert report["subject"]["company"] == "Konepaja Virtanen Oy"
    assert report["subject"]["business_id"] == "2345678-0"
    assert report["subject"]["status"] == "customer"
    assert report["controller"]["name"] == "Fluiconnecto Oy"

    held = {(v["category"], v["value"], v["current"]) for v in report["personal_data"]}
    assert ("email", AINO, True) in held
    assert ("phone", "+358 40 123 4567", False) in held  # history kept
    assert ("phone", "+358 40 765 0011", True) in held  # rectified
    assert ("billing_address", "Teollisuustie 12, 40320 Jyväskylä", True) in held

    purposes = {p["id"]: p["legal_basis"] for p in report["purposes"]}
    assert purposes["partner_marketing"] == "consent"
    assert purposes["invoicing_accounting"] == "legal_obligation"
    assert purposes["debt_collection"] == "legitimate_interest"

    recipients = {r["id"]: r for r in report["recipients"] if not r["standing"]}
    standing = {r["id"] for r in report["recipients"] if r["standing"]}
    assert standing == {
        "crm_storage",
        "email_service",
        "website_hosting",
        "digital_workspace",
    }
    assert set(recipients) == {
        "delivery_partner",
        "marketing_partner",
        "email_marketing_platform",
        "customs_us",
        "group_company_us",
        "debt_collector",
    }
    delivery = recipients["delivery_partner"]["disclosures"]
    assert [(d["reference"], d["purpose"]) for d in delivery] == [
        ("10023", "order_delivery")
    ]
    assert len(recipients["marketing_partner"]["disclosures"]) == 2
    assert (
        recipients["debt_collector"]["disclosures"][0]["reference"] == "INV-2025-0456"
    )

    transfers = {
        (t["country"], t["safeguard"], t["purpose"]) for t in report["transfers"]
    }
    assert transfers == {
        ("US", "art49_third_party_contract", "customs_export"),
        ("US", "scc", "group_administration"),
        ("US", "scc", "electronic_marketing"),
    }

    consents = {c["name"]: c for c in report["consents"]}
    assert consents["partner_marketing"]["active"] is False
    assert consents["partner_marketing"]["since"].startswith("2025-06-1")
    objections = {o["name"]: o for o in report["objections"]}
    assert objections["direct_marketing"]["active"] is True
    assert objections["direct_marketing"]["since"].startswith("2025-03-03")

    request = report["request"]
    assert (request["request_id"], request["received_on"], request["due_on"]) == (
        "R-2025-021",
        "2025-11-03",
        "2025-12-03",
    )
    assert request["free_of_charge"] is True

    retention = {r["category"]: r["retention"] for r in report["retention"]}
    assert retention["billing_address"] == "accounting_voucher"
    assert retention["email"] == "relationship"
    assert {s["id"] for s in report["sources"]} >= {"event_attendee_list", "subject"}
    assert any("tietosuoja.fi" in right for right in report["rights"])
    assert report["automated_decision_making"]


def test_findings_flag_the_breaches_of_the_year(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    code, out, _ = cli("findings", "--format", "jsonl")
    found = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert sorted(f["rule"] for f in found) == [
        "breach_assessment",  # the disclosure to the partner after withdrawal
        "consent_required",
        "direct_marketing_objection",
        "direct_marketing_objection",
        "restricted",
    ]


def test_auditor_queries_history_by_recipient_and_year(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    code, out, _ = cli(
        "history",
        "--recipient",
        "debt_collector",
        "--since",
        "2025-01-01",
        "--until",
        "2026-01-01",
        "--format",
        "jsonl",
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["event_type"], r["reference"]) for r in rows] == [
        ("DataDisclosed", "INV-2025-0456")
    ]
    code, out, _ = cli("history", "--type", "DataTransferred", "--format", "csv")
    transfers = list(csv.DictReader(out.splitlines()))
    assert {t["country"] for t in transfers} == {"US"}
    assert all(t["safeguard"] for t in transfers)


def test_state_as_of_a_date_shows_consents_then_in_force(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    code, out, _ = cli("state", AINO, "--as-of", "2025-03-02")
    state = json.loads(out)
    assert code == 0
    assert state["consents"]["partner_marketing"]["in_force"] is True
    assert "direct_marketing" not in state["objections"]
    assert state["values"]["phone"]["value"] == "+358 40 123 4567"
    code, out, _ = cli("state", AINO)
    assert json.loads(out)["objections"]["direct_marketing"]["in_force"] is True


def test_portability_export_holds_only_what_the_person_provided(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    code, out, _ = cli("export", AINO)
    categories = {d["category"] for d in json.loads(out)["data"]}
    assert code == 0
    assert {"delivery_address", "orders", "phone"} <= categories
    # Kept on a legal obligation (accounting), not on consent or contract.
    assert "billing_address" not in categories
    # Collected from the fair's attendee list, not provided by the person.
    assert "email" not in categories


def test_no_personal_value_in_clear_in_the_database_or_the_logs(
    cli: Callable[..., tuple[int, str, str]], year: list[str], settings: Settings
) -> None:
    stored = stored_text(settings)
    # A control: clear metadata (in the events' state) is found by this search.
    assert b"INV-2025-0456" in stored
    values = personal_values()
    assert len(values) > 20
    # Values under 6 characters would match random base64 of ciphertext.
    assert min(len(v) for v in values) >= 6
    leaked = [v for v in values if v.encode() in stored]
    assert leaked == []
    logged = "\n".join(year)
    assert "recorded" in logged  # the logs did capture the work
    assert [v for v in values if v in logged] == []


def stored_text(settings: Settings) -> bytes:
    """Every byte the backend holds for this ledger."""
    if settings.database_url is None:
        files = [
            settings.sqlite_path,
            *settings.sqlite_path.parent.glob("kirjuri.db-*"),
        ]
        return b"".join(f.read_bytes() for f in files if f.exists())
    base, _, schema = settings.database_url.partition("?schema=")
    chunks = []
    with psycopg.connect(base) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                chunks.append(row.encode())
            # bytea columns render as hex in ::text; decode them too.
            for (row,) in conn.execute(
                f"SELECT encode(convert_to(t::text, 'UTF8'), 'escape') FROM "
                f'"{schema}"."{table}" t'
            ):
                chunks.append(row.encode())
    blob = b"\n".join(chunks)
    # Stored events' state is bytea: hex in text form, so decode hex runs too.
    return blob + _decode_hex_runs(blob)


def _decode_hex_runs(blob: bytes) -> bytes:
    out = []
    for match in re.finditer(rb"\\\\x([0-9a-f]+)|\\x([0-9a-f]+)", blob):
        digits = match.group(1) or match.group(2)
        out.append(bytes.fromhex(digits.decode()[: len(digits) // 2 * 2]))
    return b"\n".join(out)


def test_bad_input_is_one_line_naming_the_field_and_writes_nothing(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    cases = [
        (("register", "--company", "X Oy", "--source", "fair"), "source"),
        (
            ("register", "--company", "X Oy", "--source", "subject", "--email", "x"),
            "value",
        ),
        (
            (
                "register",
                "--company",
                "X Oy",
                "--source",
                "subject",
                "--business-id",
                "1234567-8",
            ),
            "business_id",
        ),
        (
            (
                "collect",
                "nobody@example.fi",
                "--category",
                "email",
                "--value",
                "a@b.fi",
                "--source",
                "subject",
                "--purposes",
                "customer_relationship",
            ),
            "subject",
        ),
        (
            (
                "consent",
                "12345678",
                "--purpose",
                "partner_marketing",
                "--channel",
                "web",
                "--at",
                "2025-02-30",
            ),
            "at",
        ),
        (("history", "--since", "yesterday"), "since"),
    ]
    for args, field in cases:
        code, out, err = cli(*args)
        lines = err.strip().splitlines()
        assert code == 65, (args, err)
        assert lines[-1].startswith(f"kirjuri: error: {field}:"), (args, err)
    code, out, _ = cli("history", "--format", "jsonl")
    assert out == ""


def test_import_rejects_a_bad_row_whole_and_records_the_good_ones(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "company,name,email,phone\n"
        "Hyvä Oy,Hanna Hyvä,hanna@hyva.example,+358 40 111 2222\n"
        "Huono Oy,Harri Huono,harri-at-huono.example,+358 40 333 4444\n"
        "Toinen Oy,Tiina Toinen,tiina@toinen.example,\n",
        encoding="utf-8",
    )
    code, out, err = cli("import", contacts, "--source", "event_attendee_list")
    assert code == 65
    assert "recorded 2 (registered 2, updated 0), duplicates 0, rejected 1" in out
    assert f"{contacts}:3: rejected: value: email is not an email address" in err
    code, out, _ = cli("history", "--type", "SubjectRegistered", "--format", "jsonl")
    assert len(out.splitlines()) == 2
    code, out, _ = cli("history", "--category", "phone", "--format", "jsonl")
    assert len(out.splitlines()) == 1  # Harri's phone was not half-written


def test_commands_before_init_say_how_to_start(
    cli: Callable[..., tuple[int, str, str]], settings: Settings
) -> None:
    if settings.database_url is not None:
        pytest.skip("an empty PostgreSQL schema is a valid place to init")
    code, _, err = cli("findings")
    assert code == 78
    assert "run 'kirjuri init'" in err


def test_check_answers_before_processing(
    cli: Callable[..., tuple[int, str, str]], year: list[str]
) -> None:
    code, out, _ = cli("check", AINO, "--purpose", "electronic_marketing")
    assert code == 1
    assert "direct_marketing_objection" in out
    code, out, _ = cli(
        "check",
        MIKKO,
        "--purpose",
        "order_delivery",
        "--recipient",
        "delivery_partner",
        "--category",
        "name",
    )
    assert (code, out.strip()) == (0, "allowed")


def test_a_feed_records_around_a_bad_line_and_names_it(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"kind": "register", "company": "A Oy", "email": "a@a.example",'
        ' "source": "subject"}\n'
        '{"kind": "collect", "subject": "a@a.example", "category": "shoe_size",'
        ' "value": "42", "source": "subject", "purposes": ["customer_relationship"]}\n'
        "not json\n"
        '{"kind": "request", "subject": "a@a.example", "type": "access",'
        ' "channel": "post", "request_id": "R-9"}\n'
        '{"kind": "answer-request", "request_id": "R-9"}\n',
        encoding="utf-8",
    )
    code, out, err = cli("apply", feed, "--batch-size", "10")
    assert code == 65
    assert out.startswith("recorded 3, duplicates 0, rejected 2")
    assert "line 2: category: unknown category 'shoe_size'" in err
    assert "line 3: " in err
    code, out, _ = cli("requests", "--format", "jsonl")
    assert json.loads(out)["status"] == "answered"


def test_an_import_with_the_same_person_twice_registers_them_once(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    contacts = tmp_path / "twice.csv"
    contacts.write_text(
        "company,name,email,phone\n"
        "Hyvä Oy,Hanna Hyvä,hanna@hyva.example,+358 40 111 2222\n"
        "Hyvä Oy,Hanna Hyvä,HANNA@hyva.example,+358 40 999 8888\n",
        encoding="utf-8",
    )
    code, out, _ = cli("import", contacts, "--source", "event_attendee_list")
    summary = "recorded 2 (registered 1, updated 1), duplicates 0, rejected 0"
    summary += ", findings 0"
    assert (code, out.strip()) == (0, summary)
    code, out, _ = cli("state", "hanna@hyva.example")
    assert json.loads(out)["values"]["phone"]["value"] == "+358 40 999 8888"
