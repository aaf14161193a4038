"""Feeds and imports through the CLI: re-runs, bad lines, pipes, signals."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import structlog
from eventsourcing.persistence import OperationalError

from commands.logs import configure_logging
from ledger.application import Ledger

if TYPE_CHECKING:
    from commands.bootstrap import Settings

CLI = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POLICY = ROOT / "policies" / "fluiconnecto.toml"
AINO = "aino.virtanen@esimerkki.fi"
REGISTER = (
    '{"kind": "register", "company": "A Oy", "email": "a@a.example",'
    ' "source": "subject", "at": "2025-01-02"}'
)
DISCLOSE = (
    '{"kind": "disclose", "subject": "a@a.example", "recipient": "delivery_partner",'
    ' "categories": ["name"], "purpose": "order_delivery", "at": "2025-02-0%d"}'
)


def count(cli: CLI, *args: str) -> int:
    code, out, err = cli("history", "--format", "jsonl", *args)
    assert code == 0, err
    return len(out.splitlines())


def test_running_the_demo_imports_again_records_nothing_twice(cli: CLI) -> None:
    """The issue's own example: the access report listed each disclosure twice."""
    assert cli("init", "--policy", POLICY)[0] == 0
    first = [
        cli("import", EXAMPLES / "crm-contacts.csv", "--source", "event_attendee_list"),
        cli("apply", EXAMPLES / "year-2025.jsonl"),
    ]
    events = count(cli)
    _, out, _ = cli("access-report", AINO, "--format", "json")
    disclosures = json.loads(out)["recipients"]
    again = [
        cli("import", EXAMPLES / "crm-contacts.csv", "--source", "event_attendee_list"),
        cli("apply", EXAMPLES / "year-2025.jsonl"),
    ]
    assert [c for c, _, _ in again] == [c for c, _, _ in first] == [0, 0]
    assert again[0][1].startswith("recorded 0 (registered 0, updated 0), duplicates ")
    assert again[1][1].startswith("recorded 0, duplicates ")
    assert count(cli) == events
    _code, out, _ = cli("access-report", AINO, "--format", "json")
    assert json.loads(out)["recipients"] == disclosures


def test_a_later_export_collects_only_the_values_not_yet_held(
    cli: CLI, tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    header = "company,name,email,phone\n"
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(header + "A Oy,Anna A,anna@a.example,+358 40 111 2222\n")
    later.write_text(header + "A Oy,Anna A,anna@a.example,+358 40 999 8888\n")
    assert cli("import", first, "--source", "event_attendee_list")[0] == 0
    _code, out, _ = cli("import", later, "--source", "event_attendee_list")
    assert out.startswith("recorded 1 (registered 0, updated 1), duplicates 0")
    assert count(cli, "--category", "name") == 1
    assert count(cli, "--category", "email") == 1
    assert count(cli, "--category", "phone") == 2


def test_a_feed_line_that_is_not_utf8_is_rejected_and_the_rest_recorded(
    cli: CLI, tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    feed = tmp_path / "feed.jsonl"
    bad = '{"kind": "collect", "subject": "a@a.example", "category": "name",'
    bad += ' "value": "Äijä", "source": "subject", "purposes": ["marketing"]}'
    feed.write_bytes(
        b"\n".join(
            [
                REGISTER.encode(),
                bad.encode("latin-1"),
                (DISCLOSE % 3).encode(),
            ]
        )
        + b"\n"
    )
    code, out, err = cli("apply", feed)
    assert code == 65
    assert out.startswith("recorded 2, duplicates 0, rejected 1")
    assert "kirjuri: line 2: not UTF-8 text" in err
    assert "checkpoint" in err
    assert "Traceback" not in err


def test_csv_rows_with_a_broken_quote_or_wrong_fields_are_rejected_by_line(
    cli: CLI, tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "company,name,email\n"
        'A Oy,"Anna A,anna@a.example\n'
        "B Oy,Bert B,bert@b.example,extra\n"
        "C Oy,Cecilia C\n"
        "D Oy,Daniel D,daniel@d.example\n",
        encoding="utf-8",
    )
    code, out, err = cli("import", contacts, "--source", "event_attendee_list")
    assert code == 65
    assert out.startswith(
        "recorded 1 (registered 1, updated 0), duplicates 0, rejected 3"
    )
    assert f"{contacts}:2: rejected: not a CSV row" in err
    assert f"{contacts}:3: rejected: has 4 fields, the header 3" in err
    assert f"{contacts}:4: rejected: has 2 fields, the header 3" in err
    assert count(cli, "--type", "SubjectRegistered") == 1


def test_an_import_needs_a_source_from_the_flag_or_the_row(
    cli: CLI, tmp_path: Path
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "company,email,source\nA Oy,a@a.example,company_website\nB Oy,b@b.example,\n",
        encoding="utf-8",
    )
    code, out, err = cli("import", contacts)
    assert code == 65
    assert f"{contacts}:3: rejected: source: not given" in err
    code, out, _ = cli("history", "--type", "SubjectRegistered", "--format", "jsonl")
    assert len(out.splitlines()) == 1


def _env(settings: Settings) -> dict[str, str]:
    url = settings.database_url or f"sqlite:{settings.sqlite_path}"
    return {
        **os.environ,
        "KIRJURI_DATABASE_URL": url,
        "KIRJURI_MASTER_KEY": settings.master_key or "",
        "KIRJURI_SIGNING_KEY": settings.signing_key or "",
        "KIRJURI_LOG_LEVEL": "info",
    }


def kirjuri_process(
    settings: Settings, *args: str, **popen: object
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "commands.cli", *args],
        env=_env(settings),
        cwd=ROOT,
        **popen,
    )


def test_a_closed_stdout_keeps_what_was_recorded_and_exits_74(
    cli: CLI, settings: Settings, tmp_path: Path
) -> None:
    """`kirjuri apply feed 2>&1 | head -1` with head gone: records stay."""
    assert cli("init", "--policy", POLICY)[0] == 0
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([REGISTER, DISCLOSE % 3, DISCLOSE % 4]) + "\n")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    process = kirjuri_process(settings, "apply", str(feed), stdout=write, stderr=write)
    os.close(write)
    assert process.wait(timeout=120) == 74
    assert count(cli, "--type", "DataDisclosed") == 2
    assert cli("verify")[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_ends_a_feed_after_the_batch_saying_what_was_recorded(
    cli: CLI, settings: Settings, signum: signal.Signals
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    process = kirjuri_process(
        settings,
        "apply",
        "-",
        "--batch-size",
        "1",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin and process.stderr and process.stdout
    # Line 1 is saved once line 2 is read (its batch is full): then signal.
    process.stdin.write(f"{REGISTER}\n{DISCLOSE % 3}\n".encode())
    process.stdin.flush()
    logged = b""
    while b"batch recorded" not in logged:
        logged = process.stderr.readline()
        assert logged, "the feed ended before its first batch"
    process.send_signal(signum)
    process.stdin.write((DISCLOSE % 4 + "\n").encode())
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    assert process.wait(timeout=120) == 128 + signum
    # The signal came after line 1's batch, or while line 2 was pending.
    pattern = f"kirjuri: {signum.name}: stopped after line (\\d)"
    match = re.search(pattern.encode(), err)
    assert match, err
    last = int(match[1])
    assert last in (1, 2)
    assert b"Traceback" not in err
    assert out.startswith(f"recorded {last}, duplicates 0, rejected 0".encode())
    assert count(cli, "--type", "DataDisclosed") == last - 1  # line 3: never


def test_a_log_line_that_cannot_be_written_is_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Logging never fails a write: a closed stderr loses the line, no more."""

    class Closed:
        def write(self, _: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stderr", Closed())
    configure_logging("info", json=True)
    structlog.get_logger("kirjuri").info("recorded", events=3)


def test_subjects_are_found_by_email_name_prefix_or_company(cli: CLI) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    cli("import", EXAMPLES / "crm-contacts.csv", "--source", "event_attendee_list")

    def found(text: str) -> list[str]:
        code, out, err = cli("subjects", "--search", text, "--format", "jsonl")
        assert code == 0, err
        return [json.loads(line)["email"] for line in out.splitlines()]

    assert found(AINO.upper()) == [AINO]
    assert found("virt") == [AINO]  # the start of a word of the name
    assert found("aino v") == [AINO]
    assert found("hydrauliikka") == ["mikko.korhonen@korhonenhydro.example"]
    assert found("nobody") == []
    code, _, err = cli("subjects", "--search", "a")
    assert code == 65
    assert "search:" in err


def test_the_cli_refuses_a_known_email_and_registers_a_second_person_on_purpose(
    cli: CLI,
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    base = ("register", "--company", "A Oy", "--source", "subject")
    code, out, _ = cli(*base, "--email", "a@a.example")
    first = out.split(":")[0]
    code, _, err = cli(*base, "--email", "A@A.example")
    assert code == 65
    assert first in err
    assert "a@a.example" not in err.lower().split("error:")[-1]
    code, out, _ = cli(*base, "--email", "A@A.example", "--new-subject")
    assert code == 0
    assert out.split(":")[0] != first


def test_a_database_failure_mid_feed_keeps_says_and_checkpoints_what_was_saved(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([REGISTER, DISCLOSE % 3, DISCLOSE % 4]) + "\n")
    real = Ledger.append
    saves: list[int] = []

    def failing_second(self: Ledger, events: Any) -> list[int]:
        saves.append(1)
        if len(saves) == 2:
            raise OperationalError("server closed the connection")
        return real(self, events)

    monkeypatch.setattr(Ledger, "append", failing_second)
    code, out, err = cli("apply", feed, "--batch-size", "1")
    assert code == 74
    assert "stopped after line 1 (the last recorded)" in err
    assert "checkpoint" in err
    assert out.startswith("recorded 1, duplicates 0")
    monkeypatch.setattr(Ledger, "append", real)
    code, out, _ = cli("apply", feed, "--batch-size", "1")
    assert (code, out.split(",")[:2]) == (0, ["recorded 2", " duplicates 1"])


def test_a_command_sent_twice_from_the_cli_says_it_is_a_duplicate(cli: CLI) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    args = ("register", "--company", "A Oy", "--source", "subject")
    args += ("--email", "a@a.example", "--command-id", "crm-7")
    code, first, _ = cli(*args)
    code, again, _ = cli(*args)
    assert code == 0
    assert again.split(":")[0] == first.split(":")[0]
    assert "nothing: a duplicate" in again
