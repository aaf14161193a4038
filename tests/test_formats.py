"""Formats of personal values: business IDs checked by python-stdnum."""

from __future__ import annotations

import pytest

from ledger.formats import business_id_is_valid, check_format

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def _hand_made(value: str) -> bool:
    """The check Kirjuri made before python-stdnum, as the reference."""
    digits, check = value.split("-")
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    return int(check) == (0 if remainder == 0 else 11 - remainder)


def test_business_ids_are_judged_as_before() -> None:
    candidates = [
        f"{base:07d}-{check}" for base in range(0, 10**7, 4999) for check in range(10)
    ]
    judged = {c: business_id_is_valid(c) for c in candidates}
    assert judged == {c: _hand_made(c) for c in candidates}
    assert sum(judged.values()) > len(candidates) // 20  # about one in eleven


@pytest.mark.parametrize(
    "value",
    ["07375462", "737546-2", "0737546 2", "٠٧٣٧٥٤٦-٢", "0737546-3"],
)
def test_only_the_written_form_with_its_check_digit_is_a_business_id(
    value: str,
) -> None:
    assert not business_id_is_valid(value)
    assert check_format("business_id", value) is not None


def test_a_valid_business_id_passes() -> None:
    assert business_id_is_valid("0737546-2")
    assert check_format("business_id", " 0737546-2 ") is None
