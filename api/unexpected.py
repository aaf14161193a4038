"""The last guard: an error no handler expected is answered (a problem
document on the API, a plain page elsewhere) and logged by its type and
route only — never re-raised, so no traceback with a value in it reaches
the server's log."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from starlette.responses import HTMLResponse, Response

from api.problems import problem_response
from web.site import API_PREFIXES

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["UnexpectedErrors"]

log = structlog.get_logger("kirjuri.api")

_PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>500 – Kirjuri</title></head><body><main><h1>Something went wrong"
    "</h1><p>The error was logged; nothing was written by this request.</p>"
    '<p lang="fi">Jokin meni vikaan; virhe kirjattiin lokiin, eikä tämä'
    ' pyyntö kirjoittanut mitään.</p><p><a href="/">Kirjuri</a></p></main>'
    "</body></html>\n"
)


class UnexpectedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as err:  # the last guard, by design
            path = str(scope.get("path", ""))
            log.error("unexpected error", path=path[:200], error=type(err).__name__)
            if started:
                return  # the answer had begun: the client sees it cut short
            answer: Response = (
                problem_response(500, "internal error: it was logged")
                if path.startswith(API_PREFIXES)
                else HTMLResponse(_PAGE, status_code=500)
            )
            await answer(scope, receive, send)
