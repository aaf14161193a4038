"""The web app on the API's FastAPI app: routers, static files, errors."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse

from commands.usecases.identities import NotPermitted
from ledger.errors import KirjuriError, UnknownSubject
from web import auth, routers
from web.render import render

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response

__all__ = ["API_PREFIXES", "is_page", "mount"]

STATIC = Path(__file__).resolve().parent / "static"
# Paths that are the API's; every other path is a page.
API_PREFIXES = ("/v1/", "/v1", "/healthz", "/readyz", "/metrics", "/docs", "/openapi")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def mount(app: FastAPI) -> None:
    """Every module of web.routers with a ``router``, the static files, and
    the pages' error answers (HTML; the API's paths keep problem details)."""
    for info in sorted(pkgutil.iter_modules(routers.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routers.__name__}.{info.name}")
        if hasattr(module, "router"):
            app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(auth.SignInNeeded, _sign_in)
    app.add_exception_handler(auth.PasswordNeeded, _password)
    app.add_exception_handler(auth.PurposeNeeded, _purpose)
    app.add_exception_handler(auth.PageRefused, _refused)
    for kind in (KirjuriError, HTTPException, RequestValidationError):
        _wrap(app, kind)


def _sign_in(_: Request, err: Exception) -> Response:
    assert isinstance(err, auth.SignInNeeded)
    url = auth.sign_in_url(err.next_path) + ("&ended=1" if err.ended else "")
    return RedirectResponse(url, status_code=303)


def _password(_: Request, __: Exception) -> Response:
    return RedirectResponse("/password", status_code=303)


def _purpose(_: Request, err: Exception) -> Response:
    assert isinstance(err, auth.PurposeNeeded)
    return RedirectResponse(auth.purpose_url(err.next_path), status_code=303)


def _refused(request: Request, err: Exception) -> Response:
    assert isinstance(err, auth.PageRefused)
    return error_page(request, err.status, err.message)


def error_page(
    request: Request, status: int, message: str, detail: str = ""
) -> Response:
    return render(
        request,
        "error.html",
        {"message": message, "detail": detail, "status": status},
        title=f"{status}",
        status=status,
    )


def _wrap(app: FastAPI, kind: type[Exception]) -> None:
    """A page's error as the error page; the API's as before."""
    previous = app.exception_handlers.get(kind)

    async def handle(request: Request, err: Exception) -> Response:
        if is_page(request) or previous is None:
            return _page_error(request, err)
        answer = previous(request, err)
        if hasattr(answer, "__await__"):
            answer = await answer
        return answer

    app.add_exception_handler(kind, handle)


def _page_error(request: Request, err: Exception) -> Response:
    if isinstance(err, HTTPException):
        status = err.status_code
        key = {403: "error.403", 404: "error.404"}.get(status, "error.title")
        return error_page(request, status, key)
    if isinstance(err, RequestValidationError):
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "form"
        return error_page(request, 422, "error.title", f"{where}: not valid")
    if isinstance(err, UnknownSubject):  # its text masks an email
        return error_page(request, 404, "error.404", str(err))
    if isinstance(err, NotPermitted):
        return error_page(request, 403, "error.403")
    # One line naming the field; never a value the person typed.
    return error_page(request, 422, "error.title", str(err))
