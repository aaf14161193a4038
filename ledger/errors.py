"""The errors Kirjuri raises: one tree, so callers can catch them all."""

from __future__ import annotations

__all__ = [
    "ConcurrencyConflict",
    "ConfigurationError",
    "InvalidCommand",
    "KeyDestroyed",
    "KeyUnavailable",
    "KirjuriError",
    "PolicyError",
    "UnknownSubject",
]


class KirjuriError(Exception):
    """Base of every error Kirjuri raises on purpose; its text is one line."""

    exit_code = 1


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
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownSubject(InvalidCommand):
    """No subject has that id or email."""

    def __init__(self, reference: str, problem: str = "no such subject") -> None:
        super().__init__("subject", f"{problem}: {reference}")


class ConcurrencyConflict(KirjuriError):
    """Another writer appended to the same subject first; retry the command."""

    exit_code = 75  # EX_TEMPFAIL


class KeyUnavailable(KirjuriError):
    """A data key was destroyed (erased) or cannot be unwrapped."""


class KeyDestroyed(KeyUnavailable):
    """The data key's destruction is recorded: its values are erased."""
