"""Formats of personal values that are refused when malformed."""

from __future__ import annotations

import re

from stdnum.fi import ytunnus

__all__ = ["check_format"]

# RFC 5321's limit; also bounds the work of the pattern below.
EMAIL_LIMIT = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")
# The written form (python-stdnum also takes it without the dash or with
# six digits, which Kirjuri does not store).
_BUSINESS_ID = re.compile(r"[0-9]{7}-[0-9]")


def business_id_is_valid(value: str) -> bool:
    """A Finnish business ID (Y-tunnus): seven digits, a dash, a check digit."""
    return _BUSINESS_ID.fullmatch(value) is not None and bool(ytunnus.is_valid(value))


def check_format(kind: str | None, value: str) -> str | None:
    """The problem with a value, or None if it has the format."""
    if not value.strip():
        return "is empty"
    if kind == "email" and len(value.strip()) > EMAIL_LIMIT:
        return f"is longer than {EMAIL_LIMIT} characters"
    if kind == "email" and not _EMAIL.match(value.strip()):
        return f"is not an email address: {_mask(value)}"
    if kind == "phone" and not _PHONE.match(value.strip()):
        return "is not a phone number"
    if kind == "business_id" and not business_id_is_valid(value.strip()):
        return "is not a valid Finnish business ID (1234567-8, check digit)"
    return None


def _mask(value: str) -> str:
    """Enough of a value to recognise it in an error, not to read it."""
    value = value.strip()
    return value[:1] + "…" if len(value) > 1 else "…"
