"""The errors Kirjuri raises: one tree, so callers can catch them all.

Their text is what a person reads (and logs keep): one line, bounded in
length, with emails and phone numbers masked, whatever the input was.
"""

from __future__ import annotations

import re

from ledger.redaction import one_line

__all__ = [
    "ConcurrencyConflict",
    "ConfigurationError",
    "InvalidCommand",
    "KeyDestroyed",
    "KeyUnavailable",
    "KirjuriError",
    "PolicyError",
    "UnknownFinding",
    "UnknownSubject",
    "mask_reference",
]


class KirjuriError(Exception):
    """Base of every error Kirjuri raises on purpose; its text is one line."""

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


class ConfigurationError(KirjuriError):
    """The environment or a key file is missing or wrong."""

    exit_code = 78  # EX_CONFIG


class PolicyError(KirjuriError):
    """A policy file is unreadable or inconsistent."""

    exit_code = 78


class InvalidCommand(KirjuriError):
    """Malformed input: refused, and nothing was written."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, field: str, problem: str) -> None:
        # A field name may come from the input (an unknown JSON key).
        field = field if _FIELD.match(field) else "field"
        problem = one_line(problem)
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}\Z")
# What names a subject: an id or a prefix of one (with a digit, so that a
# name of hex letters, "Ada", is not taken for one), or a request's id.
_SUBJECT_REFERENCE = re.compile(
    r"(?:(?=[^0-9]{0,35}[0-9])[0-9a-fA-F-]{1,36}|request:[A-Za-z0-9_.-]{1,64})\Z"
)


class UnknownSubject(InvalidCommand):
    """No subject has that id or email."""

    def __init__(self, reference: str, problem: str = "no such subject") -> None:
        super().__init__("subject", f"{problem}: {mask_reference(reference)}")


class UnknownFinding(InvalidCommand):
    """No finding has that id (its sequence number in the log)."""

    def __init__(self, finding_id: int) -> None:
        super().__init__("finding_id", f"no finding {finding_id}")


def mask_reference(reference: str) -> str:
    """A subject reference as an error may show it: an id as given, an email
    masked, anything else (a name given where an id was expected) hidden."""
    reference = reference.strip()
    if _SUBJECT_REFERENCE.match(reference):
        return reference
    if "@" in reference and len(reference) <= 254:
        local, _, domain = reference.rpartition("@")
        return f"{local[:1]}…@{domain}"
    return f"(not shown, {len(reference)} characters)"


class ConcurrencyConflict(KirjuriError):
    """Another writer appended to the same subject first; retry the command."""

    exit_code = 75  # EX_TEMPFAIL


class KeyUnavailable(KirjuriError):
    """A data key is missing or does not unwrap: the key table and the master
    key do not belong together (a restore, a wrong key file)."""

    exit_code = 78


class KeyDestroyed(KeyUnavailable):
    """The data key's destruction is recorded: its values are erased, and a
    command that would seal a new value under it is refused."""

    exit_code = 65
