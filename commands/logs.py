"""Logging: structlog, readable on a terminal, JSON lines otherwise.

A processor masks personal values before anything is rendered, so a
careless ``log.info(..., email=...)`` never writes one in clear.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Any

import structlog

from ledger.redaction import mask_in_log

if TYPE_CHECKING:
    from collections.abc import MutableMapping

__all__ = ["PERSONAL_KEYS", "configure_logging", "redact_personal"]

# Keys whose values are personal data by name.
PERSONAL_KEYS = frozenset(
    {"value", "name", "email", "phone", "title", "company", "business_id", "address"}
)


def redact_personal(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():
        if key in PERSONAL_KEYS and value is not None:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str) and "@" in value:
            event_dict[key] = mask_in_log(value)
    return event_dict


class _DroppingLogger(structlog.PrintLogger):
    """Prints to stderr; a line that cannot be written (a closed pipe, a full
    disk) is dropped, so logging can never fail or undo a write."""

    def msg(self, message: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().msg(message)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


def _stderr_logger(*_: Any) -> structlog.PrintLogger:
    return _DroppingLogger(sys.stderr)


def configure_logging(level: str = "info", *, json: bool | None = None) -> None:
    """Once, at the entrypoint; logs go to stderr so stdout stays data."""
    as_json = not sys.stderr.isatty() if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # Look stderr up per logger: it may be replaced (tests, redirection).
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
