"""A CLI a person can find their way in: help, version, policy, '-', and one
line naming the field (never a traceback) for every mistake we know of."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from commands.cli import main
from commands.progress import TerminalProgress, progress_for
from commands.service import Kirjuri
from ledger.checkpoints import Signer

if TYPE_CHECKING:
    from collections.abc import Callable

    Cli = Callable[..., tuple[int, str, str]]

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
EMAIL = "eero@pumppu.example"


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_version_and_grouped_help_with_an_example_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kirjuri 0.")
    text = _help(capsys)
    for group in ("record:", "query:", "requests:", "integrity:", "lifecycle:"):
        assert f"\n  {group}" in text, group
    assert text.count("    e.g. kirjuri ") >= 5
    assert "  access-report " in text and "  verify-proof " in text


def test_help_shows_choices_of_enum_options_and_marks_the_required(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys, "object")
    assert "direct_marketing" in text  # ObjectionScope's values
    assert "required options:" in text
    required = text.split("required options:")[1]
    assert "--scope" in required and "--channel" in required
    assert "--at" not in required
    text = _help(capsys, "disclose")
    assert "legitimate_interest" in text  # LegalBasis's values
    assert "kirjuri policy show recipients" in " ".join(text.split())
    assert "legal_obligation" in _help(capsys, "check")
    assert "access" in _help(capsys, "request").split("--type")[1]


@pytest.fixture
def eero(cli: Cli) -> str:
    assert cli("init", "--policy", POLICY)[0] == 0
    code, out, err = cli(
        "register", "--company", "Pumppu Oy", "--email", EMAIL, "--source", "subject"
    )
    assert code == 0, err
    return out.split(":")[0]


def test_policy_show_lists_what_the_flags_accept(cli: Cli, eero: str) -> None:
    code, out, _ = cli("policy", "show", "purposes")
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "label", "detail"]
    assert "partner_marketing" in out and "consent" in out
    code, out, _ = cli("policy", "show", "recipients", "--format", "jsonl")
    assert "customs_us" in {json.loads(line)["id"] for line in out.splitlines()}
    code, out, _ = cli("policy", "show")
    assert code == 0
    for kind in ("purposes:", "recipients:", "channels:", "retention:"):
        assert kind in out


def test_dash_means_stdout_for_every_output(
    cli: Cli, eero: str, tmp_path: Path
) -> None:
    code, out, _ = cli("access-report", EMAIL, "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out)["subject"]["id"] == eero
    code, out, _ = cli("export", EMAIL, "-o", "-")
    assert code == 0 and json.loads(out)["subject"] == eero
    code, out, _ = cli("prove", "--subject", EMAIL, "-o", "-")
    assert code == 0 and json.loads(out)["format"] == "kirjuri-evidence/1"
    assert not (tmp_path / "-").exists()


def test_dash_means_stdin_for_import_and_apply(
    cli: Cli, eero: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_text = "company,name,email\nHydro Oy,Mikko K,mikko@hydro.example\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(csv_text))
    code, out, err = cli("import", "-", "--source", "event_attendee_list")
    assert code == 0, err
    assert out.startswith("recorded 1 (registered 1,")
    line = {"kind": "left", "subject": "mikko@hydro.example"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(line) + "\n"))
    code, out, err = cli("apply", "-")
    assert code == 0, err
    assert out.startswith("recorded 1,")
    assert not sys.stdin.closed  # stdin is the caller's: left open


@pytest.mark.parametrize(
    ("args", "field", "exit_code"),
    [
        (("access-report", EMAIL, "-o", "missing/report.md"), "output", 74),
        (("export", EMAIL, "-o", "missing/export.json"), "output", 74),
        (("prove", "--subject", EMAIL, "-o", "missing/e.json"), "output", 74),
        (("checkpoints", "--export", "a-file/inside"), "export", 74),
        (("apply", "missing.jsonl"), "file", 65),
        (("import", "missing.csv"), "file", 65),
        (("verify-proof", "missing.json", "--public-key", "x"), "file", 65),
        (("verify", "--checkpoint", "missing.txt"), "checkpoint", 65),
        (("init", "--policy", "missing.toml"), "policy", 65),
        (
            ("check", EMAIL, "--purpose", "direct_marketing", "--legal-basis", "vibes"),
            "legal_basis",
            65,
        ),
        (("object", EMAIL, "--scope", "everything", "--channel", "post"), "scope", 65),
        (("history", "--limit", "many"), "limit", 65),
        (("verify", "--from", "99999999999999999999"), "from", 65),
        (("verify", "--from", "50", "--to", "10"), "to", 65),
        (("prove", "--sequence", "0"), "sequence", 65),
        (("export", EMAIL, "-o", "bad\x00name"), "output", 65),
        (("apply", "bad\x00name"), "file", 65),
        (("apply", "-", "--batch-size", "0"), "batch_size", 65),
        (("consent", EMAIL), "purpose", 64),
        (("no-such-verb",), "verb", 64),
    ],
)
def test_a_mistake_is_one_line_naming_the_field(  # noqa: PLR0917 - fixtures, a case
    cli: Cli,
    eero: str,
    tmp_path: Path,
    args: tuple[str, ...],
    field: str,
    exit_code: int,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    head = _head(cli)
    code, out, err = cli("-q", *args)
    assert code == exit_code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("kirjuri: error: ") and field in err, err
    assert out == ""
    assert not (tmp_path / "missing").exists()
    assert _head(cli) == head  # nothing written


def test_a_malformed_evidence_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    key = str(Signer("kirjuri/test", Ed25519PrivateKey.generate()).verifier)
    for text in ('{"format": "kirjuri-evidence/1", "events": ["x"]}', "[1]", "{"):
        (tmp_path / "e.json").write_text(text)
        code, _, err = cli("verify-proof", "e.json", "--public-key", key)
        assert code == 65, err
        assert err.count("\n") == 1 and err.startswith("kirjuri: error: file:"), err


def _head(cli: Cli) -> int:
    code, out, _ = cli("projections", "status")
    assert code == 0
    return int(out.splitlines()[0].split("/")[1])


def test_an_unexpected_error_is_one_line_with_its_class_only(
    cli: Cli, eero: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError(f"boom with {EMAIL}")

    monkeypatch.setattr(Kirjuri, "export", broken)
    monkeypatch.setenv("KIRJURI_LOG_LEVEL", "info")
    code, out, err = cli("export", EMAIL)
    assert out == ""
    assert code == 70
    assert err.splitlines()[-1] == "kirjuri: internal error: RuntimeError"
    assert "Traceback" not in err and "eero@" not in err and "boom" not in err
    monkeypatch.setenv("KIRJURI_LOG_LEVEL", "debug")
    code, _, err = cli("export", EMAIL)
    assert code == 70 and "Traceback" in err and "eero@" not in err


def test_quiet_keeps_only_warnings(cli: Cli, eero: str) -> None:
    code, _, err = cli("start-relationship", EMAIL)
    assert code == 0 and "recorded" in err  # the fixture logs debug
    code, _, err = cli("-q", "end-relationship", EMAIL)
    assert code == 0 and err == ""
    code, _, err = cli("start-relationship", EMAIL, "--quiet")
    assert code == 0 and err == ""


def test_progress_shows_an_eta_and_only_on_a_terminal() -> None:
    bar = TerminalProgress("apply", io.StringIO())
    bar.total = 1000
    assert bar.line(250, 5.0).endswith("250/1000 (50/s, ETA 15s)")
    assert bar.line(0, 0.0).endswith("0/1000 (0/s)")
    unknown = TerminalProgress("apply", io.StringIO())
    assert unknown.line(120, 2.0) == "apply 120 (60/s)"
    assert progress_for("x", io.StringIO()) is None  # not a terminal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_for("x", Terminal()) is not None
    assert progress_for("x", Terminal(), quiet=True) is None


ODD_VALUES = (
    "",
    "-",
    "0",
    "-1",
    "99999999999999999999",
    "2025-13-01",
    "%",
    "bad\x00byte",
    "a" * 300,
    "nowhere/x",
    "/",
    "nobody@example.fi",
)
VERBS_TAKING_A_VALUE = (
    ("access-report", "{}"),
    ("access-report", EMAIL, "--request", "{}"),
    ("access-report", EMAIL, "-o", "{}"),
    ("export", "{}"),
    ("history", "--limit", "{}"),
    ("history", "--subject", "{}"),
    ("history", "--type", "{}"),
    ("state", EMAIL, "--as-of", "{}"),
    ("state", "{}"),
    ("findings", "--subject", "{}"),
    ("requests", "--subject", "{}"),
    ("check", "{}", "--purpose", "direct_marketing"),
    ("check", EMAIL, "--purpose", "{}"),
    ("check", EMAIL, "--purpose", "direct_marketing", "--recipient", "{}"),
    ("check", EMAIL, "--purpose", "direct_marketing", "--legal-basis", "{}"),
    ("verify", "--from", "{}"),
    ("verify", "--checkpoint", "{}"),
    ("prove", "--sequence", "{}"),
    ("prove", "--subject", "{}", "-o", "{}"),
    ("verify-proof", "{}", "--public-key", "{}"),
    ("checkpoints", "--export", "{}"),
    ("retention", "report", "--as-of", "{}"),
    ("retention", "sweep", "--dry-run", "--as-of", "{}"),
    ("policy", "show", "{}"),
    ("erase", "{}", "--dry-run"),
    ("keys", "{}"),
    ("projections", "{}"),
    ("apply", "{}"),
    ("import", "{}"),
    ("init", "--policy", "{}"),
    ("apply", "-", "--batch-size", "{}"),
)


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_odd_values_in_every_option_give_one_line_never_a_traceback(
    cli: Cli, eero: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bounded sweep of odd values through the verbs (the storage is the
    same code on both backends; SQLite keeps it quick)."""
    head = _head(cli)
    for verb in VERBS_TAKING_A_VALUE:
        for value in ODD_VALUES:
            monkeypatch.setattr(sys, "stdin", io.StringIO(""))
            args = [part.replace("{}", value) for part in verb]
            code, _, err = cli("-q", *args)
            assert code in {0, 1, 64, 65, 74, 78}, (args, err)
            assert "Traceback" not in err and "internal error" not in err, args
            if code > 1 and verb[0] not in {"apply", "import"}:  # feeds: a line each
                assert err.count("\n") == 1, (args, err)
                assert err.startswith("kirjuri: error: "), (args, err)
    assert _head(cli) == head  # the dry runs and failures wrote nothing
