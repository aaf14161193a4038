"""Master key rotation cut short anywhere leaves every value readable at the
next start, and `init` never replaces a master key; both backends."""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from commands.service import Kirjuri
from ledger.errors import ConcurrencyConflict, ConfigurationError, InvalidCommand
from ledger.keys import KeyFileError, KeyStore
from projections.reports.access import build_access_report
from tests.test_erasure import VALUES, rich_subject

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from commands.bootstrap import Settings

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"


class Crash(BaseException):
    """The process dying at a step (nothing after it runs)."""


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """Settings whose master key is a key file, and a subject with values."""
    keyed = replace(settings, master_key=None, master_key_file=tmp_path / "master.key")
    with Kirjuri.open(keyed, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        subject = rich_subject(kirjuri)
    yield keyed, subject


def _readable(settings: Settings, subject: str) -> set[str]:
    with Kirjuri.open(settings) as kirjuri:
        report = build_access_report(kirjuri.ledger, UUID(subject))
        assert kirjuri.ledger.keys.rotation() is None
    return {str(v.value) for v in report.personal_data}


def _crash(*_: object, **__: object) -> None:
    raise Crash


def _rotate_crashing(settings: Settings, target: Path | None = None) -> None:
    with Kirjuri.open(settings) as kirjuri, pytest.raises(Crash):
        kirjuri.rotate_master_key(target)


def test_a_crash_after_the_new_key_is_written_keeps_the_old_key(
    keyed: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, subject = keyed
    old = settings.key_file.read_text()
    with monkeypatch.context() as patch:
        patch.setattr(KeyStore, "rotate", _crash)
        _rotate_crashing(settings)
    assert settings.key_file.with_name("master.key.new").exists()
    assert VALUES["phone"] in _readable(settings, subject)
    assert settings.key_file.read_text() == old
    assert not settings.key_file.with_name("master.key.new").exists()


def test_a_crash_after_the_rewrap_finds_the_new_key_beside_the_key_file(
    keyed: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, subject = keyed
    old = settings.key_file.read_text()
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", _crash)
        _rotate_crashing(settings)
    pending = settings.key_file.with_name("master.key.new").read_text()
    assert VALUES["phone"] in _readable(settings, subject)
    assert settings.key_file.read_text() == pending != old


def test_a_crash_after_the_rename_uses_the_new_key(
    keyed: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, subject = keyed
    old = settings.key_file.read_text()
    with monkeypatch.context() as patch:
        patch.setattr(KeyStore, "end_rotation", _crash)
        _rotate_crashing(settings)
    assert settings.key_file.read_text() != old
    assert VALUES["phone"] in _readable(settings, subject)


def test_a_failed_rename_says_where_the_key_is_and_the_next_start_uses_it(
    keyed: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, subject = keyed
    pending = settings.key_file.with_name("master.key.new")

    def full_disk(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full_disk)
        with Kirjuri.open(settings) as kirjuri, pytest.raises(KeyFileError) as err:
            kirjuri.rotate_master_key()
        assert err.value.exit_code == 74
        assert f"the new master key is in {pending}" in str(err.value)
        # Still failing at the next start: the new key is used where it is.
        with Kirjuri.open(settings) as kirjuri:
            report = build_access_report(kirjuri.ledger, UUID(subject))
            assert VALUES["phone"] in {str(v.value) for v in report.personal_data}
    assert VALUES["phone"] in _readable(settings, subject)
    assert not pending.exists()


def test_a_rotation_to_another_file_is_found_after_a_crash(
    keyed: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """KIRJURI_MASTER_KEY given as text: the new key file is named, and a
    crash before it is in place still leaves the next start its key."""
    settings, subject = keyed
    env = replace(settings, master_key=settings.key_file.read_text().strip())
    target = tmp_path / "rotated.key"
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", _crash)
        _rotate_crashing(env, target)
    assert VALUES["phone"] in _readable(env, subject)
    assert target.exists()
    rotated = replace(settings, master_key=target.read_text().strip())
    assert VALUES["phone"] in _readable(rotated, subject)


@pytest.mark.parametrize("kind", ["directory", "symlink", "device", "other key"])
def test_rotation_never_replaces_what_is_not_the_key_file(
    keyed: tuple[Settings, str], tmp_path: Path, kind: str
) -> None:
    settings, subject = keyed
    target = tmp_path / "target"
    if kind == "directory":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(settings.key_file)
    elif kind == "device":
        target = Path("/dev/null")
    else:
        target.write_text("00" * 32 + "\n")
    with Kirjuri.open(settings) as kirjuri, pytest.raises(InvalidCommand):
        kirjuri.rotate_master_key(target)
    assert target.is_dir() or target.is_symlink() or target.exists()
    if kind == "other key":
        assert target.read_text() == "00" * 32 + "\n"
    assert VALUES["phone"] in _readable(settings, subject)


# init never replaces a master key --------------------------------------------


def test_init_refuses_a_new_master_key_for_a_ledger_that_has_keys(
    keyed: tuple[Settings, str],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, subject = keyed
    kept = settings.key_file.read_text()
    settings.key_file.unlink()
    monkeypatch.delenv("KIRJURI_MASTER_KEY")
    monkeypatch.setenv("KIRJURI_MASTER_KEY_FILE", str(settings.key_file))
    code, out, err = cli("init", "--policy", POLICY)
    assert (code, out) == (78, "")
    assert err.strip().splitlines() == [
        f"kirjuri: error: {settings.key_file}: no master key file, and this ledger "
        "has keys: restore the key file from your backup (a new key would open none)"
    ]
    assert not settings.key_file.exists()
    code, _, err = cli("findings")
    assert code == 78
    assert "restore it from your backup" in err and "kirjuri init" not in err
    settings.key_file.write_text(kept)
    settings.key_file.chmod(0o600)
    assert VALUES["phone"] in _readable(settings, subject)


def test_init_on_a_ledger_with_keys_keeps_its_master_key(
    keyed: tuple[Settings, str],
) -> None:
    settings, subject = keyed
    kept = settings.key_file.read_text()
    with Kirjuri.open(settings, create=True):
        pass
    assert settings.key_file.read_text() == kept
    assert VALUES["phone"] in _readable(settings, subject)


def test_a_missing_key_file_is_not_replaced_by_opening(
    keyed: tuple[Settings, str],
) -> None:
    settings, _ = keyed
    settings.key_file.unlink()
    with pytest.raises(ConfigurationError, match="restore it from your backup"):
        Kirjuri.open(settings)
    assert not settings.key_file.exists()


# every key a run needs is there before it writes --------------------------------


@pytest.mark.parametrize("verb", ["apply", "import"])
def test_a_feed_without_its_signing_key_writes_nothing(
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    verb: str,
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    _, before, _ = cli("history", "--format", "jsonl")
    monkeypatch.setenv("KIRJURI_SIGNING_KEY", "")
    if verb == "apply":
        source = tmp_path / "feed.jsonl"
        source.write_text(
            '{"kind": "register", "company": "Hyvä Oy", "source": "subject"}\n'
        )
        code, out, err = cli("apply", source)
    else:
        source = tmp_path / "contacts.csv"
        source.write_text(
            "company,name,email\nHyvä Oy,Hanna Hyvä,hanna@hyva.example\n",
            encoding="utf-8",
        )
        code, out, err = cli("import", source, "--source", "event_attendee_list")
    assert (code, out) == (78, "")
    assert len(err.strip().splitlines()) == 1
    assert "no signing key" in err
    assert cli("history", "--format", "jsonl")[1] == before


def test_init_never_replaces_the_signing_key_of_a_ledger_with_checkpoints(
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    assert cli("checkpoint")[0] == 0
    monkeypatch.setenv("KIRJURI_SIGNING_KEY", "")
    code, _, err = cli("init", "--policy", POLICY)
    assert code == 78
    assert "no signing key; restore it from your backup" in err
    assert not settings.signing_file.exists()


def test_a_second_rotation_never_overwrites_the_record_of_one_under_way(
    keyed: tuple[Settings, str],
) -> None:
    settings, subject = keyed
    with Kirjuri.open(settings) as kirjuri:
        kirjuri.ledger.keys.begin_rotation(
            {"target": "x", "pending": "y", "key_id": "z"}
        )
        with pytest.raises(ConcurrencyConflict):
            kirjuri.ledger.keys.begin_rotation(
                {"target": "a", "pending": "b", "key_id": "c"}
            )
        kirjuri.ledger.keys.end_rotation()
    assert VALUES["phone"] in _readable(settings, subject)
