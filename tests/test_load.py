"""The load test, bounded (bench.load): concurrent clients through a real
``kirjuri serve``, one request of each cut off before its answer and sent
again. Invariants only, never timings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bench.load import run

if TYPE_CHECKING:
    from pathlib import Path

CLIENTS, COMMANDS = 3, 60


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cut_off_requests_are_retried_with_nothing_lost_or_doubled(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = None if backend == "sqlite" else request.getfixturevalue("postgres_url")
    found = run(url, tmp_path, CLIENTS, COMMANDS, 1, cut=1 / COMMANDS)
    assert found["commands"] == found["answered"] == CLIENTS * COMMANDS
    assert found["cut"] == CLIENTS  # one request of each client
    assert (found["lost"], found["duplicated"]) == (0, 0)
    assert found["events_as_sent"]
    assert found["duplicates_not_resent"] == 0  # a duplicate answer was a retry
    assert found["verify"] and found["read_models_equal_rebuild"]
