"""Prometheus metrics: requests by route and status, latency, what was
recorded. Each app has its own registry (tests build many apps)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from prometheus_client.metrics_core import Metric
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from ledger.standby import StandbyStats

__all__ = ["Metrics", "MetricsMiddleware", "count_outcome"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kirjuri_http_requests",
            "HTTP requests by route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "kirjuri_http_request_seconds",
            "HTTP request latency by route template",
            ("method", "route"),
            registry=self.registry,
        )
        self.recorded = Counter(
            "kirjuri_commands_recorded", "commands recorded", registry=self.registry
        )
        self.duplicates = Counter(
            "kirjuri_commands_duplicate",
            "retried commands answered from their first recording",
            registry=self.registry,
        )
        self.findings = Counter(
            "kirjuri_findings_raised",
            "compliance findings raised",
            registry=self.registry,
        )
        self.lag = Gauge(
            "kirjuri_read_model_lag",
            "events the slowest read model is behind the log (at the last /readyz)",
            registry=self.registry,
        )
        self.standby = StandbyCollector()
        self.registry.register(self.standby)


class StandbyCollector(Collector):
    """Reads on the hot standby, as the ledger counts them (nothing is
    reported when no standby is configured)."""

    def __init__(self) -> None:
        self.stats: Callable[[], StandbyStats | None] = lambda: None

    def collect(self) -> Iterator[Metric]:
        stats = self.stats()
        if stats is None:
            return
        with stats.lock:
            reads, waited = stats.reads, stats.wait_seconds
            fallbacks = dict(stats.fallbacks)
        yield CounterMetricFamily(
            "kirjuri_standby_reads", "reads served by the hot standby", value=reads
        )
        fell = CounterMetricFamily(
            "kirjuri_standby_fallbacks",
            "reads sent to the primary instead, by reason (lag, error, read_only)",
            labels=("reason",),
        )
        for reason in ("lag", "error", "read_only"):
            fell.add_metric((reason,), fallbacks.get(reason, 0))
        yield fell
        yield CounterMetricFamily(
            "kirjuri_standby_wait_seconds",
            "time reads waited for the standby to replay the primary's writes",
            value=waited,
        )


def count_outcome(
    request: Request, findings: int, *, recorded: int, duplicates: int = 0
) -> None:
    metrics: Metrics = request.app.state.metrics
    metrics.recorded.inc(recorded)
    metrics.duplicates.inc(duplicates)
    metrics.findings.inc(findings)


class MetricsMiddleware:
    """Counts every request under its route template (never its path: a
    path may hold a subject's email)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status[0])).inc()
            self.metrics.latency.labels(method, template).observe(
                time.perf_counter() - started
            )
