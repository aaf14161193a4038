"""Errors as answers: RFC 9457 problem details from one place.

Each `KirjuriError` keeps the one-line text the CLI prints; the status says
what kind of failure it was, and ``errors[0].pointer`` names the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import PersistenceError
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from commands.models import COMMANDS
from commands.usecases.identities import NotPermitted
from ledger.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidCommand,
    KeyUnavailable,
    KirjuriError,
    UnknownFinding,
    UnknownSubject,
)
from ledger.redaction import one_line

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

__all__ = [
    "PROBLEM",
    "FieldError",
    "Problem",
    "Refused",
    "documented",
    "install",
    "problem_response",
]

PROBLEM = "application/problem+json"
_KINDS = frozenset(str(c.model_fields["kind"].default) for c in COMMANDS)

# The most specific class first.
_STATUS: tuple[tuple[type[KirjuriError], int], ...] = (
    (UnknownSubject, 404),
    (UnknownFinding, 404),
    (NotPermitted, 403),
    (InvalidCommand, 422),
    (ConcurrencyConflict, 409),
    (KeyUnavailable, 503),
    (ConfigurationError, 503),
)
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    detail: str
    pointer: str  # a JSON pointer into the request ("#/subject")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


def documented() -> dict[int | str, dict[str, Any]]:
    """The problems every route may answer, for the OpenAPI document."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "model": Problem,
            "description": title,
            "content": {PROBLEM: {"schema": schema}},
        }
        for status, title in _TITLES.items()
        if status not in (405, 415, 500)
    }


class Refused(Exception):
    """A request the API itself refuses (no token, a role without the right)."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


def problem_response(
    status: int,
    detail: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    errors = [] if field is None else [FieldError(detail=detail, pointer=f"#/{field}")]
    body = Problem(
        title=_TITLES.get(status, "Error"), status=status, detail=detail, errors=errors
    )
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=PROBLEM, headers=headers
    )


def _kirjuri_error(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, KirjuriError)
    status = next((code for cls, code in _STATUS if isinstance(err, cls)), 400)
    field = err.field if isinstance(err, InvalidCommand) else None
    return problem_response(status, str(err), field)


def _refused(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, Refused)
    headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
    return problem_response(err.status, err.detail, err.field, headers)


def _invalid_request(_: Request, err: Exception) -> JSONResponse:
    """FastAPI's validation, said as the CLI says it: the field, one line."""
    assert isinstance(err, RequestValidationError)
    first: dict[str, Any] = err.errors()[0] if err.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query")]
    kinds = {"union_tag_invalid", "union_tag_not_found"}
    # Past the union's tag ("register") is the field; never echo the input.
    if first.get("type") in kinds:
        field, message = "kind", "not a command kind"
    else:
        parts = where[1:] if where and where[0] in _KINDS else where
        field = ".".join(parts) or "body"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    error = InvalidCommand(field, message)
    return problem_response(422, str(error), error.field)


def _model_error(_: Request, err: Exception) -> JSONResponse:
    """A model built from input by a route: its first error, as the CLI says it."""
    assert isinstance(err, ValidationError)
    first: dict[str, Any] = dict(err.errors()[0]) if err.errors() else {}
    field = ".".join(str(p) for p in first.get("loc", ())) or "body"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    error = InvalidCommand(field, message)
    return problem_response(422, str(error), error.field)


def _http_error(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, HTTPException)
    headers = dict(err.headers) if err.headers else None  # Allow, for a 405
    return problem_response(err.status_code, one_line(str(err.detail)), None, headers)


def _storage_error(_: Request, err: Exception) -> JSONResponse:
    return problem_response(503, f"database: {type(err).__name__}")


def install(app: FastAPI) -> None:
    app.add_exception_handler(KirjuriError, _kirjuri_error)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(PersistenceError, _storage_error)
