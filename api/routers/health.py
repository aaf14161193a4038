"""For orchestrators and scrapers: liveness, readiness, metrics (no token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import allowed, facade
from api.schemas import Health
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from ledger.errors import KirjuriError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health, "description": "not ready"}},
)
async def readyz(
    request: Request, kirjuri: Annotated[Kirjuri, Depends(facade)]
) -> Response:
    """The database answers, a policy is adopted, read models are close behind."""
    bound: int = request.app.state.lag_bound
    try:
        kirjuri.policy()
        status = kirjuri.projection_status()
    except (KirjuriError, OSError) as err:
        body = Health(status=f"not ready: {type(err).__name__}")
        return JSONResponse(body.model_dump(), status_code=503)
    lag = max((status.head - p for p in status.positions.values()), default=0)
    request.app.state.metrics.lag.set(lag)
    body = Health(status="ok" if lag <= bound else "behind", head=status.head, lag=lag)
    return JSONResponse(body.model_dump(), status_code=200 if lag <= bound else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
async def metrics(
    request: Request, _: Annotated[Caller, Depends(allowed("metrics"))]
) -> Response:
    """Prometheus text format."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
