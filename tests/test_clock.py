"""Local time and bounded moments: what a user sees and what they cannot break.

Inputs are Helsinki time; every output shows the ledger's zone with its
offset. A moment outside a plausible range is one line naming its field,
exit 65, and nothing written, so that it can never brick the ledger.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from commands.models import LOCAL_TZ, parse_command, parse_moment
from commands.service import Kirjuri
from ledger import clock
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

    Cli = Callable[..., tuple[int, str, str]]

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"
AINO = "aino@konepaja.example"
# 30 September 2025, 01:00 in Helsinki (EEST, +03:00) is 29.9. 22:00 UTC.
LOCAL_ONE_AM = "2025-09-30T01:00:00+03:00"
BAD_MOMENTS = [
    "0001-01-01",
    "9999-12-31T23:59:59-05:00",
    "9999-12-30",
    "1969-12-31T23:59:59+00:00",
    "2999-01-01",
]


# The clock ---------------------------------------------------------------


def test_a_moment_without_offset_is_helsinki_time() -> None:
    assert clock.parse("2025-09-30T01:00") == datetime(2025, 9, 30, 1, tzinfo=LOCAL_TZ)
    assert clock.parse("2025-09-30") == datetime(2025, 9, 30, tzinfo=LOCAL_TZ)
    assert clock.local_text("2025-09-29T22:00:00.000000+00:00") == LOCAL_ONE_AM
    assert clock.local_date(datetime(2025, 9, 29, 22, tzinfo=UTC)) == date(2025, 9, 30)
    assert clock.now().utcoffset() == clock.now().astimezone(LOCAL_TZ).utcoffset()


def test_the_ledgers_today_is_the_local_date() -> None:
    assert clock.today() == datetime.now(UTC).astimezone(LOCAL_TZ).date()


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_an_event_time_out_of_range_names_its_field(moment: str) -> None:
    with pytest.raises(InvalidCommand, match=r"^at: is (before 1970|in the future)"):
        parse_command(
            {"kind": "register", "company": "X Oy", "source": "subject", "at": moment}
        )


def test_an_event_time_a_little_ahead_is_clock_skew_not_a_mistake() -> None:
    ahead = (clock.now() + clock.CLOCK_SKEW / 2).isoformat()
    command = parse_command(
        {"kind": "register", "company": "X Oy", "source": "subject", "at": ahead}
    )
    assert command.at.tzinfo == LOCAL_TZ
    later = (clock.now() + clock.CLOCK_SKEW * 2).isoformat()
    with pytest.raises(InvalidCommand, match="at: is in the future"):
        parse_command(
            {"kind": "register", "company": "X Oy", "source": "subject", "at": later}
        )


def test_a_question_may_look_ahead_up_to_the_horizon() -> None:
    assert parse_moment("2090-01-01", "as-of").year == 2090
    for text in ("9999-12-31T23:59:59-05:00", "0001-01-01"):
        with pytest.raises(InvalidCommand, match=r"^as-of: "):
            parse_moment(text, "as-of")


# Bounded at the edge, end to end ----------------------------------------------


def _head(settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        return kirjuri.ledger.head()


def _still_works(cli: Cli) -> None:
    for args in (
        ("history",),
        ("history", "--format", "jsonl"),
        ("verify",),
        ("projections", "rebuild"),
        ("retention", "sweep"),
        ("requests",),
        ("findings",),
    ):
        code, _, err = cli(*args)
        assert code == 0, (args, err)
        assert "Traceback" not in err


def _registered(cli: Cli) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    code, _, err = cli(
        "register",
        "--company",
        "Konepaja Oy",
        "--source",
        "subject",
        "--email",
        AINO,
        "--at",
        "2025-01-10",
    )
    assert code == 0, err


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_a_bad_date_in_a_flag_is_refused_and_the_ledger_keeps_working(
    cli: Cli, settings: Settings, moment: str
) -> None:
    _registered(cli)
    head = _head(settings)
    cases = [
        ("register", "--company", "X Oy", "--source", "subject", "--at", moment),
        ("hold", AINO, "--reason", "complaint 12", "--at", moment),
        ("object", AINO, "--scope=direct_marketing", "--channel=email", "--at", moment),
    ]
    for args in cases:
        code, _, err = cli(*args)
        assert code == 65, (args, err)
        assert err.strip().splitlines() == [err.strip()], err
        assert err.startswith("kirjuri: error: at: "), err
    code, _, err = cli(
        "request", AINO, "--type=access", "--channel=post", f"--received-on={moment}"
    )
    assert code == 65, err
    assert err.startswith("kirjuri: error: received_on: "), err
    assert _head(settings) == head  # nothing written
    _still_works(cli)


def test_a_bad_date_in_a_feed_line_is_a_rejected_line(
    cli: Cli, settings: Settings, tmp_path: Path
) -> None:
    _registered(cli)
    head = _head(settings)
    lines = [
        {"kind": "hold", "subject": AINO, "reason": "complaint 12", "at": moment}
        for moment in BAD_MOMENTS
    ]
    lines.append(
        {"kind": "consent", "subject": AINO, "purpose": "partner_marketing"}
        | {"channel": "web_form", "at": "2025-02-01"}
    )
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = cli("apply", feed)
    assert code == 65
    assert out.startswith(f"recorded 1, duplicates 0, rejected {len(BAD_MOMENTS)}")
    for number in range(1, len(BAD_MOMENTS) + 1):
        assert f"line {number}: at: is " in err
    assert _head(settings) == head + 2  # only the good line (and its receipt)
    _still_works(cli)


def test_a_bad_date_in_a_query_names_its_field(cli: Cli) -> None:
    _registered(cli)
    for args, field in (
        (("history", "--since", "0001-01-01"), "since"),
        (("history", "--until", "9999-12-31T23:59:59-05:00"), "until"),
        (("state", AINO, "--as-of", "9999-12-31"), "as-of"),
        (("retention", "report", "--as-of", "0001-01-01"), "as-of"),
    ):
        code, _, err = cli(*args)
        assert code == 65, (args, err)
        assert err.startswith(f"kirjuri: error: {field}: "), (args, err)
    _still_works(cli)


# Before registration -------------------------------------------------------


def test_events_before_registration_are_refused_flagged_or_kept_by_kind(
    cli: Cli, settings: Settings
) -> None:
    _registered(cli)  # on 10 January 2025
    head = _head(settings)
    # The ledger's own acts cannot precede the person's record.
    for args in (
        ("hold", AINO, "--reason", "complaint 12"),
        ("restrict", AINO, "--ground", "accuracy_contested"),
    ):
        code, _, err = cli(*args, "--at", "2025-01-09")
        assert code == 65, (args, err)
        assert err.startswith("kirjuri: error: at: is before the subject was"), err
    assert _head(settings) == head
    # Using personal data is a fact kept, with a finding.
    code, out, err = cli(
        "disclose",
        AINO,
        "--recipient",
        "delivery_partner",
        "--categories",
        "name",
        "--purpose",
        "order_delivery",
        "--at",
        "2025-01-09",
    )
    assert code == 0, err
    assert "finding: dated_before_registration" in out
    # The person's own acts may come first: kept as they are.
    code, out, err = cli(
        "request",
        AINO,
        "--type=access",
        "--channel=post",
        "--request-id=R-1",
        "--at=2025-01-08",
    )
    assert code == 0, err
    assert "finding" not in out
    code, out, err = cli("answer-request", "R-1", "--at=2025-01-09")
    assert code == 0, err
    assert "finding" not in out
    code, out, _ = cli("findings", "--format", "jsonl")
    assert [json.loads(line)["rule"] for line in out.splitlines()] == [
        "dated_before_registration"
    ]


def test_a_request_cannot_be_answered_before_it_was_received(cli: Cli) -> None:
    _registered(cli)
    code, _, err = cli(
        "request",
        AINO,
        "--type",
        "access",
        "--channel",
        "post",
        "--request-id",
        "R-1",
        "--at",
        "2025-03-10",
    )
    assert code == 0, err
    code, _, err = cli("answer-request", "R-1", "--at", "2025-03-09")
    assert code == 65
    assert err.startswith("kirjuri: error: at: is before R-1 was received"), err
    assert cli("answer-request", "R-1", "--at", "2025-03-11")[0] == 0


# Every output in local time -------------------------------------------------------


def _disclosed_at_one_am(cli: Cli, at: str) -> None:
    _registered(cli)
    code, _, err = cli(
        "disclose",
        AINO,
        "--recipient",
        "delivery_partner",
        "--categories",
        "name",
        "--purpose",
        "order_delivery",
        "--at",
        at,
    )
    assert code == 0, err


@pytest.mark.parametrize("at", ["2025-09-30T01:00", "2025-09-29T22:00:00Z"])
def test_history_shows_local_time_with_its_offset(cli: Cli, at: str) -> None:
    _disclosed_at_one_am(cli, at)
    code, out, _ = cli("history", "--type", "DataDisclosed")
    assert code == 0
    assert LOCAL_ONE_AM in out.splitlines()[1]
    code, out, _ = cli("history", "--type", "DataDisclosed", "--format", "csv")
    assert next(csv.DictReader(io.StringIO(out)))["occurred_at"] == LOCAL_ONE_AM
    code, out, _ = cli("history", "--type", "DataDisclosed", "--format", "jsonl")
    assert json.loads(out)["occurred_at"] == LOCAL_ONE_AM
    # A day filter is a local day: 30.9. holds the event, 29.9. does not.
    code, out, _ = cli("history", "--since", "2025-09-30", "--format", "jsonl")
    assert [json.loads(line)["event_type"] for line in out.splitlines()] == [
        "DataDisclosed"
    ]


def test_the_access_report_json_shows_local_time(cli: Cli) -> None:
    _disclosed_at_one_am(cli, "2025-09-29T22:00:00+00:00")
    code, out, err = cli("access-report", AINO, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    (recipient,) = [r for r in report["recipients"] if r["disclosures"]]
    assert recipient["disclosures"][0]["occurred_at"] == LOCAL_ONE_AM
    assert report["subject"]["registered_at"] == "2025-01-10T00:00:00+02:00"
    assert report["generated_at"].endswith(("+02:00", "+03:00"))


def test_state_and_findings_show_local_time(cli: Cli) -> None:
    _registered(cli)
    code, _, err = cli(
        "consent",
        AINO,
        "--purpose",
        "partner_marketing",
        "--channel",
        "web_form",
        "--at",
        "2025-09-29T22:00:00Z",
    )
    assert code == 0, err
    code, out, _ = cli("state", AINO, "--as-of", "2025-09-30")
    state = json.loads(out)
    assert state["consents"]["partner_marketing"]["since"] == LOCAL_ONE_AM
    assert state["as_of"].startswith("2025-09-30T23:59:59")
    code, _, err = cli(
        "disclose",
        AINO,
        "--recipient",
        "delivery_partner",
        "--categories",
        "name",
        "--purpose",
        "order_delivery",
        "--at",
        "2025-01-09T23:30:00Z",  # 10.1. 01:30 in Helsinki: after registration
    )
    assert code == 0, err
    code, out, _ = cli("findings", "--format", "jsonl")
    assert out == ""


def test_a_request_received_after_midnight_local_is_dated_locally(cli: Cli) -> None:
    _registered(cli)
    code, _, err = cli(
        "request",
        AINO,
        "--type",
        "access",
        "--channel",
        "post",
        "--at",
        "2025-09-29T22:00:00Z",
    )
    assert code == 0, err
    code, out, _ = cli("requests", "--format", "jsonl")
    row = json.loads(out)
    assert row["received_on"] == "2025-09-30"
    assert row["due_on"] == "2025-10-30"


def test_a_sweep_looks_ahead_only_as_a_dry_run(cli: Cli, settings: Settings) -> None:
    _registered(cli)
    head = _head(settings)
    code, _, err = cli("retention", "sweep", "--as-of", "2090-01-01")
    assert code == 65
    assert err.startswith("kirjuri: error: as-of: is in the future"), err
    code, _, err = cli("retention", "sweep", "--as-of", "2090-01-01", "--dry-run")
    assert code == 0, err
    assert "would destroy keys of 1 subjects" in err
    assert _head(settings) == head


def test_checkpoints_are_listed_in_local_time(cli: Cli) -> None:
    _registered(cli)
    assert cli("checkpoint")[0] == 0
    code, out, _ = cli("checkpoints")
    assert code == 0
    stamp = out.splitlines()[-1].split("\t")[1]
    assert datetime.fromisoformat(stamp).utcoffset() == clock.now().utcoffset()


def test_a_bad_date_in_a_csv_row_rejects_that_row(
    cli: Cli, settings: Settings, tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    rows = tmp_path / "contacts.csv"
    rows.write_text(
        "company,business_id,name,email,phone,title,at\n"
        "A Oy,,Aino A,a@a.example,,,0001-01-01\n"
        "B Oy,,Bertta B,b@b.example,,,2025-01-10\n",
        encoding="utf-8",
    )
    code, out, err = cli("import", rows, "--source", "subject")
    assert code == 65
    assert out.startswith("recorded 1 (registered 1,")
    assert ":2: rejected: at: is before 1970-01-01" in err
    _still_works(cli)


def test_the_extremes_of_the_range_leave_every_computation_working(
    cli: Cli,
) -> None:
    """Dates at both ends of the range go through deadlines, retention,
    erasure and the read models without overflowing."""
    assert cli("init", "--policy", POLICY)[0] == 0
    earliest, latest = "1970-01-01T00:00:00+00:00", clock.now().isoformat()
    for at in (earliest, latest):
        code, _, err = cli(
            "register", "--company=X Oy", "--source=subject", f"--at={at}"
        )
        assert code == 0, err
    code, out, _ = cli("history", "--format", "jsonl")
    first, second = (json.loads(line)["subject_id"] for line in out.splitlines())
    for subject, at in ((first, earliest), (second, latest)):
        for args in (
            ("request", subject, "--type=erasure", "--channel=post"),
            ("hold", subject, "--reason=complaint 1"),
            ("release-hold", subject, "--reason=settled"),
        ):
            code, _, err = cli(*args, f"--at={at}")
            assert code == 0, (args, err)
    code, out, _ = cli("requests", "--format", "jsonl")
    first_request = json.loads(out.splitlines()[0])
    assert first_request["due_on"] == "1970-02-02"  # 1.2.1970 was a Sunday
    _still_works(cli)
    code, _, err = cli("retention", "sweep", "--as-of", "2120-01-01", "--dry-run")
    assert code == 0, err
    for subject in (first, second):
        assert cli("erase", subject)[0] == 0
