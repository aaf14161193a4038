"""Fuzzing the CLI and feeds: no input ever prints a traceback, leaves a
half-written command or an orphan data key, or gets an undocumented exit code.

Hypothesis mutates realistic invocations (the README's tour) and feed lines
(the example year). The runs are derandomised, so CI sees the same inputs
every time; set KIRJURI_FUZZ_EXAMPLES higher to search longer locally.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from commands.service import Kirjuri
from ledger.keys import LEDGER_SUBJECT

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("KIRJURI_FUZZ_EXAMPLES", "60"))
# Exit codes the README documents: ok, "no" (check, verify), usage (argparse),
# bad data, I/O, conflict, configuration (70, an internal error, is not).
DOCUMENTED_EXITS = {0, 1, 64, 65, 74, 75, 78}
MAX_ERROR_LINE = 400
EMAIL = "aino.virtanen@esimerkki.fi"

# What a careless person or a broken sender puts in a field.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "-",
        "--",
        "%",
        "_",
        "*",
        "0",
        "-1",
        "999999999999999999999",
        "vibes",
        "0001-01-01",
        "9999-12-31T23:59:59-05:00",
        "2025-02-30",
        "2025-13-01",
        "1970-01-01T00:00:00Z",
        "nul\x00byte",
        "esc\x1b[31mred",
        "line\nbreak",
        "tab\tbed",
        "Jyväskylä",
        "😀",
        "x@y.fi",
        "matti.meikalainen@example.fi",
        "+358 40 765 4321",
        "a" * 5_000,
        "a@" * 20_000,
        "../../../etc/passwd",
        "/nonexistent/folder/out.json",
        "customs_us",
        "partner_marketing",
        "access",
        "request:R-404",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff",
    ]
)
VALUE = st.one_of(NASTY, st.text(max_size=40))

# Invocations a user of the README would type; {s} is a known subject.
BASE = [
    "register --company 'Pohjolan Pumppu Oy' --business-id 1234567-1"
    " --name 'Eero Salo' --email eero.salo@pumppu.example --source company_website",
    "collect {s} --category phone --value '+358 40 111 2222' --source subject"
    " --purposes customer_relationship",
    "rectify {s} --category title --value Toimitusjohtaja",
    "consent {s} --purpose partner_marketing --channel web_form",
    "withdraw-consent {s} --purpose partner_marketing --channel unsubscribe_link",
    "object {s} --scope direct_marketing --channel email",
    "disclose {s} --recipient customs_us --categories name,company"
    " --purpose customs_export --reference 10090",
    "transfer {s} --recipient customs_us --country US --categories company"
    " --purpose customs_export",
    "process {s} --purpose direct_marketing --categories email"
    " --activity newsletter_sent",
    "request {s} --type access --channel post --received-on 2025-11-03",
    "extend-request R-1 --reason 'Many systems to search'",
    "hold {s} --reason 'Dispute over order 10102'",
    "release-hold {s} --reason 'Settled'",
    "left {s} --at 2025-06-01",
    "erase {s} --dry-run",
    "check {s} --purpose partner_marketing --legal-basis consent",
    "history --recipient debt_collector --since 2025-01-01 --until 2026-01-01"
    " --format csv --limit 5",
    "history --purpose customs_export --category name --type disclosed",
    "state {s} --as-of 2025-03-03",
    "access-report {s} --format json --lang fi",
    "access-report {s} --format html -o out/report.html",
    "export {s} -o out/export.json",
    "findings --subject {s}",
    "requests --open --format jsonl",
    "verify --from 1 --to 5",
    "prove --sequence 3 -o out/evidence.json",
    "checkpoints --export out/checkpoints",
    "retention report --as-of 2030-01-01",
    "retention sweep --dry-run --as-of 2030-01-01",
    "projections status",
]


@st.composite
def invocations(draw: st.DrawFn) -> list[str]:
    """A README-like invocation with one to three mutations."""
    argv = shlex.split(draw(st.sampled_from(BASE)).format(s=EMAIL))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["value", "value", "drop", "flag", "dup"]))
        # The verb stays, mostly: a wrong verb is argparse's business.
        first = 0 if draw(st.integers(0, 9)) == 0 else 1
        index = draw(st.integers(min(first, len(argv) - 1), len(argv) - 1))
        if action == "value":
            argv[index] = draw(VALUE)
        elif action == "drop" and len(argv) > 1:
            del argv[index]
        elif action == "flag":
            argv.insert(index, draw(st.sampled_from(["--bogus", "-o", "--at", "-"])))
        else:
            argv.insert(index, argv[index])
    return argv


def _key_subjects(kirjuri: Kirjuri) -> set[str]:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute("SELECT DISTINCT subject_id FROM {p}kirjuri_data_keys")
        return {row["subject_id"] for row in cursor.fetchall()}


def _snapshot(settings_: Settings) -> tuple[int, set[str]]:
    """The log's head and the subjects holding data keys."""
    with Kirjuri.open(settings_) as kirjuri:
        return kirjuri.ledger.head(), _key_subjects(kirjuri)


def _orphans(settings_: Settings) -> set[str]:
    """Subjects with a data key and no event: what a refused command left."""
    with Kirjuri.open(settings_) as kirjuri:
        return {
            subject
            for subject in _key_subjects(kirjuri)
            if UUID(subject) != LEDGER_SUBJECT
            and not kirjuri.ledger.exists(UUID(subject))
        }


def _assert_clean_failure(argv: list[str], code: int, out: str, err: str) -> None:
    assert code in DOCUMENTED_EXITS, (argv, code, err[-500:])
    assert "Traceback" not in err + out, (argv, err[-2000:])
    for line in err.splitlines():
        if line.startswith("kirjuri:"):
            assert len(line) <= MAX_ERROR_LINE, (argv, line[:200])
    if code not in (0, 1):
        assert "matti.meikalainen@example.fi" not in err, (argv, err)


@pytest.fixture
def fuzz_ledger(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> Callable[..., tuple[int, str, str]]:
    """A ledger holding the example contacts and year, and an out/ folder."""
    for folder in ("policies", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "out").mkdir()
    for command in (
        ("init", "--policy", "policies/fluiconnecto.toml"),
        ("import", "examples/crm-contacts.csv", "--source", "event_attendee_list"),
        ("apply", "examples/year-2025.jsonl"),
        ("request", EMAIL, "--type", "access", "--channel", "post"),
    ):
        code, _, err = cli(*command)
        assert code == 0, (command, err)
    return cli


def test_fuzzed_cli_calls_fail_cleanly_and_write_nothing_half(
    fuzz_ledger: Callable[..., tuple[int, str, str]], settings: Settings
) -> None:
    """Mutated CLI calls end with a documented exit code and one-line errors;
    a refused write leaves the log and the key table as they were."""

    @settings_for_fuzz
    @given(argv=invocations())
    def run(argv: list[str]) -> None:
        head, keys = _snapshot(settings)
        try:
            code, out, err = fuzz_ledger(*argv)
        except SystemExit as exit_:  # argparse's usage errors
            code, out, err = int(exit_.code or 0), "", ""
        except BaseException as exc:  # a traceback a user would see
            pytest.fail(f"{argv!r} raised {type(exc).__name__}: {exc!s:.300}")
        _assert_clean_failure(argv, code, out, err)
        if code != 0:
            assert _snapshot(settings) == (head, keys), (argv, code, err[-300:])

    run()
    assert _orphans(settings) == set()


FEED_LINES = [
    line
    for line in (ROOT / "examples" / "year-2025.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.startswith("{")
]


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """A feed of example lines, some mutated: fields replaced or dropped,
    lines cut short, bytes that are not UTF-8."""
    lines = draw(st.lists(st.sampled_from(FEED_LINES), min_size=1, max_size=12))
    out: list[bytes] = []
    for line in lines:
        data: dict[str, Any] = json.loads(line)
        action = draw(st.sampled_from(["keep", "value", "drop", "cut", "bytes"]))
        key = draw(st.sampled_from(sorted(data)))
        if action == "value":
            data[key] = draw(
                st.one_of(VALUE, st.integers(), st.none(), st.lists(VALUE))
            )
        elif action == "drop":
            del data[key]
        encoded = json.dumps(data, ensure_ascii=False).encode()
        if action == "cut":
            encoded = encoded[: draw(st.integers(0, len(encoded)))]
        elif action == "bytes":
            at = draw(st.integers(0, len(encoded)))
            encoded = encoded[:at] + b"\xff\xfe\xe4" + encoded[at:]
        out.append(encoded)
    return b"\n".join(out) + b"\n"


def test_fuzzed_feeds_are_recorded_line_by_line_with_a_summary(
    fuzz_ledger: Callable[..., tuple[int, str, str]],
    settings: Settings,
    tmp_path: Path,
) -> None:
    """A mutated feed ends with a summary and a documented exit code; every
    line is recorded or rejected by number; no orphan keys are left."""
    feed = tmp_path / "feed.jsonl"

    @settings_for_fuzz
    @given(content=feeds())
    def run(content: bytes) -> None:
        feed.write_bytes(content)
        try:
            code, out, err = fuzz_ledger("apply", str(feed))
        except BaseException as exc:
            pytest.fail(f"apply raised {type(exc).__name__}: {exc!s:.300}")
        _assert_clean_failure(
            ["apply", content.decode(errors="replace")], code, out, err
        )
        assert code in (0, 65), (code, err[-300:])
        assert "recorded" in out, (out, err[-300:])

    run()
    assert _orphans(settings) == set()


settings_for_fuzz = fuzz_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
