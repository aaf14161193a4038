"""The benchmark stream generator: deterministic, valid, realistic in shape."""

from __future__ import annotations

import json
import secrets
import statistics
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bench.generate import (
    FAMILY_SIZES,
    business_id,
    company_name,
    generate,
    main,
)
from commands.bootstrap import Settings
from commands.models import parse_command
from commands.service import Kirjuri
from ledger.clock import LOCAL_TZ
from ledger.formats import business_id_is_valid

if TYPE_CHECKING:
    from collections.abc import Iterable

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"
FOLD = str.maketrans("äöå", "aoa")

# What the Fluiconnecto policy says about the purposes and recipients the
# generator uses, for counting events without a ledger.
DIRECT_MARKETING = {"electronic_marketing", "direct_marketing", "partner_marketing"}
SALES_CONTACT = {"electronic_marketing", "direct_marketing"}
PROCESSORS_ABROAD = {"email_marketing_platform"}  # a use by them is a transfer too
PROCESSORS = {"email_marketing_platform"}  # no Art. 33 assessment on their use
BREACHES = {
    "consent_required",
    "direct_marketing_objection",
    "sales_contact_objection",
    "breach_assessment",  # a breaching disclosure to another controller
}


def recorded_events(commands: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """(events, findings) the ledger records for the commands, counted from
    the commands alone: values registered, transfers by processors abroad,
    and the findings of the policy rules the stream can break."""
    consent: dict[str, bool] = {}
    objections: dict[str, set[str]] = {}
    events = findings = 0
    for command in commands:
        kind = command["kind"]
        if kind == "register":
            values = ("name", "email", "phone", "title")
            events += 1 + sum(command.get(v) is not None for v in values)
            consent[command["email"]] = False
            objections[command["email"]] = set()
            continue
        subject = command.get("subject", "")
        events += 1
        if kind == "erase" and command.get("request_id"):
            events += 1  # the erasure answers the request
        elif kind == "consent":
            consent[subject] = True
        elif kind == "withdraw-consent":
            consent[subject] = False
        elif kind == "object":
            objections[subject].add(command["scope"])
        elif kind == "lift-objection":
            objections[subject].discard(command["scope"])
        elif kind in ("process", "disclose", "transfer"):
            purpose = command["purpose"]
            objected = objections[subject]
            broken = (
                (purpose == "partner_marketing" and not consent[subject])
                + (purpose in DIRECT_MARKETING and "direct_marketing" in objected)
                + (purpose in SALES_CONTACT and "sales_contact" in objected)
            )
            recipient = command.get("recipient")
            # Art. 33: a breaching disclosure to another controller is assessed.
            broken += bool(broken and recipient and recipient not in PROCESSORS)
            events += broken + (recipient in PROCESSORS_ABROAD)
            findings += broken
    return events, findings


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    return list(generate(100_000, seed=11))


def test_same_seed_same_stream() -> None:
    assert list(generate(5_000, seed=7)) == list(generate(5_000, seed=7))


def test_different_seed_different_stream() -> None:
    assert list(generate(5_000, seed=7)) != list(generate(5_000, seed=8))


def test_every_command_parses() -> None:
    commands = list(generate(5_000))
    assert commands
    kinds = Counter(parse_command(c).kind for c in commands)
    for kind in ("register", "collect", "disclose", "transfer", "process", "consent"):
        assert kinds[kind] > 0, kind


def test_zero_events_is_empty() -> None:
    assert list(generate(0)) == []


@pytest.mark.parametrize("events", [10_000, 100_000])
def test_events_add_up_to_the_request(events: int) -> None:
    recorded, _ = recorded_events(generate(events))
    assert abs(recorded - events) <= 0.10 * events


def test_about_one_percent_breaches(stream: list[dict[str, Any]]) -> None:
    _, findings = recorded_events(stream)
    assert 0.003 * len(stream) < findings < 0.03 * len(stream)


def test_business_ids_valid_and_one_per_company(stream: list[dict[str, Any]]) -> None:
    ids: dict[str, str] = {}
    for command in stream:
        if command["kind"] == "register" and "business_id" in command:
            assert business_id_is_valid(command["business_id"])
            assert (
                ids.setdefault(command["business_id"], command["company"])
                == (command["company"])
            )
    assert len(ids) > 100


def test_business_id_check_digit() -> None:
    assert business_id(1572860) == "1572860-0"
    assert business_id(737546) == "0737546-2"
    for number in range(1_000_000, 1_000_500):
        found = business_id(number)
        assert found is None or business_id_is_valid(found)
    assert sum(business_id(n) is None for n in range(1_000_000, 1_011_000)) > 0


def test_company_names_and_domains_unique_by_construction() -> None:
    names, domains = set(), set()
    count = 0
    for family, size in enumerate(FAMILY_SIZES):
        for index in range(size):
            name, domain, _ = company_name(family, index)
            names.add(name)
            domains.add(domain)
            count += 1
    assert len(names) == len(domains) == count


def test_contacts_look_finnish(stream: list[dict[str, Any]]) -> None:
    registers = [c for c in stream if c["kind"] == "register"]
    emails = [c["email"] for c in registers]
    assert len(set(emails)) == len(emails)
    for command in registers:
        local, domain = command["email"].split("@")
        first, last = command["name"].lower().translate(FOLD).split(" ")
        assert local.startswith(f"{first}.{last}")
        assert domain.endswith(".example")
        assert command["company"].endswith((" Oy", " Oyj", " Ab", " Oy Ab", " AB"))
        if "phone" in command:
            assert command["phone"].startswith(("+358 ", "+46 "))
    suffixes = Counter(c["company"].rsplit(" ", 1)[1] for c in registers)
    assert suffixes["Oy"] > suffixes["AB"] + suffixes["Ab"] > 0
    sources = Counter(c["source"] for c in registers)
    assert {"subject", "event_attendee_list", "company_website"} <= set(sources)


def test_chronological_in_finnish_time(stream: list[dict[str, Any]]) -> None:
    moments = [datetime.fromisoformat(c["at"]) for c in stream]
    assert moments == sorted(moments)
    assert moments[0].year == 2023
    assert moments[-1].year == 2025
    offsets = Counter(c["at"][-6:] for c in stream)
    assert set(offsets) == {"+02:00", "+03:00"}
    for moment in moments[:: max(1, len(moments) // 2000)]:
        assert moment.utcoffset() == moment.astimezone(LOCAL_TZ).utcoffset()
        assert moment.weekday() < 5
        assert 8 <= moment.hour < 17


def test_skewed_key_accounts(stream: list[dict[str, Any]]) -> None:
    per_subject = Counter(c["subject"] for c in stream if "subject" in c)
    counts = sorted(per_subject.values())
    assert counts[-1] >= 20 * statistics.median(counts)
    top = counts[-max(1, len(counts) // 1000) :]
    assert sum(top) > 0.05 * sum(counts)


def test_small_stream_has_a_key_account() -> None:
    per_subject = Counter(c["subject"] for c in generate(10_000) if "subject" in c)
    counts = sorted(per_subject.values())
    assert counts[-1] >= 20 * statistics.median(counts)


def test_references_only_what_came_before(stream: list[dict[str, Any]]) -> None:
    live: set[str] = set()
    erased: set[str] = set()
    requests: set[str] = set()
    for command in stream:
        kind = command["kind"]
        if kind == "register":
            assert command["email"] not in live | erased
            live.add(command["email"])
            continue
        if "subject" in command:
            assert command["subject"] in live, command
        if kind == "request":
            assert command["request_id"] not in requests
            requests.add(command["request_id"])
        elif "request_id" in command and command["request_id"] is not None:
            assert command["request_id"] in requests, command
        if kind == "erase":
            live.discard(command["subject"])
            erased.add(command["subject"])
    assert erased
    assert len(requests) > 50


@pytest.mark.parametrize("seed", [25, 32, 45])  # seeds that once failed
def test_no_accidental_breaches(seed: int) -> None:
    """Nothing is processed while restricted, nor marketed after leaving:
    the only breaches are the ones made on purpose."""
    restricted: set[str] = set()
    left: set[str] = set()
    for command in generate(30_000, seed=seed):
        subject, kind = command.get("subject", ""), command["kind"]
        if kind == "restrict":
            restricted.add(subject)
        elif kind == "lift-restriction":
            restricted.discard(subject)
        elif kind != "rectify":
            assert subject not in restricted, command
        if kind == "left":
            left.add(subject)
        elif command.get("purpose") in DIRECT_MARKETING:
            assert subject not in left, command


def test_request_ids_unique(stream: list[dict[str, Any]]) -> None:
    ids = [c["request_id"] for c in stream if c["kind"] == "request"]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("R-") for i in ids)


def test_main_writes_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    main(["300", "--seed", "3"])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == list(generate(300, seed=3))


def test_a_real_ledger_accepts_the_stream(tmp_path: Path) -> None:
    settings = Settings(
        sqlite_path=tmp_path / "k.db",
        master_key=secrets.token_hex(32),
        signing_key=secrets.token_hex(32),
    )
    commands = list(generate(3_000))
    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), "p")
        start = kirjuri.ledger.head()
        rules: Counter[str] = Counter()
        claims = 0  # request ids' receipts, beside the subjects' events
        for command in commands:
            outcome = kirjuri.execute(parse_command(command), catch_up=False)
            rules.update(f.rule for f in outcome.findings)
            claims += len(outcome.claims)
        head = kirjuri.ledger.head()
    assert abs(head - 3_000) <= 0.15 * 3_000
    # Only the breaches made on purpose, and the count predicted exactly.
    assert set(rules) <= BREACHES
    events, findings = recorded_events(commands)
    assert head - start - claims == events
    assert sum(rules.values()) == findings
