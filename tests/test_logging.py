"""Logs: JSON lines off a terminal, and never a personal value in clear."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import structlog

from commands.logs import configure_logging

if TYPE_CHECKING:
    import pytest


def test_personal_fields_and_emails_are_masked_in_json_logs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info", json=True)
    log = structlog.get_logger("test")
    log.info(
        "contact seen",
        email="aino.virtanen@esimerkki.fi",
        value="+358 40 123 4567",
        note="mail from aino.virtanen@esimerkki.fi",
        subject="5f0e8c1e-0000-4000-8000-000000000001",
    )
    line = capsys.readouterr().err.strip()
    record = json.loads(line)
    assert record["email"] == "[redacted]"
    assert record["value"] == "[redacted]"
    assert record["note"] == "mail from [email]"
    assert record["subject"] == "5f0e8c1e-0000-4000-8000-000000000001"
    assert "esimerkki" not in line and "4567" not in line


def test_levels_below_the_configured_one_are_dropped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("warning", json=True)
    structlog.get_logger("test").info("chatter")
    structlog.get_logger("test").warning("worth knowing")
    lines = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["worth knowing"]
