"""The app factory: routers, one error handler, limits, metrics.

    app = create_app(lambda: Kirjuri.open(settings))

``open_kirjuri`` gives the facade as a context (a test gives its own
ledger in a ``nullcontext``), entered when the app starts and left when it
stops. Routes are ``async``: each worker process runs one facade call at a
time (the facade is not shared between threads); ``--workers`` adds
processes.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

import web
from api import problems
from api.limits import BodyLimit
from api.metrics import Metrics, MetricsMiddleware
from api.routers import (
    commands,
    exchange,
    health,
    history,
    inquiry,
    integrity,
    policy,
    requests,
    ropa,
    subjects,
)
from api.unexpected import UnexpectedErrors
from commands.bootstrap import Settings
from commands.service import Kirjuri

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractContextManager

__all__ = ["BODY_LIMIT", "create_app", "from_environ"]

BODY_LIMIT = 1_000_000  # bytes: a batch of 1,000 commands fits
LAG_BOUND = 10_000  # events a read model may be behind and still be ready


def create_app(
    open_kirjuri: Callable[[], AbstractContextManager[Kirjuri]],
    *,
    body_limit: int = BODY_LIMIT,
    lag_bound: int = LAG_BOUND,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_kirjuri() as kirjuri, kirjuri.writes_followed():
            app.state.kirjuri = kirjuri
            app.state.metrics.standby.stats = kirjuri.standby_stats
            yield

    app = FastAPI(
        title="Kirjuri",
        summary="An audit ledger of personal-data processing (GDPR)",
        version="1",
        lifespan=lifespan,
    )
    app.state.metrics = Metrics()
    app.state.lag_bound = lag_bound
    routers = (
        health,
        commands,
        subjects,
        history,
        requests,
        integrity,
        policy,
        ropa,
        exchange,
        inquiry,
    )
    for module in routers:
        app.include_router(module.router, responses=problems.documented())
    problems.install(app)
    web.mount(app)  # the pages (web/), after the API's error handlers
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(UnexpectedErrors)  # outermost of ours: catches them all
    return app


def from_environ() -> FastAPI:
    """What ``kirjuri serve`` runs in each worker (uvicorn's factory)."""
    settings = Settings.from_environ()
    return create_app(lambda: Kirjuri.open(settings))
