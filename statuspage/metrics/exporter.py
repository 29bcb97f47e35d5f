"""Serving /metrics: on the server's port behind an API key, or on a port of its own.

STATUSPAGE_METRICS=key: `GET /metrics` on the server's port, for any active API key sent as
`Authorization: Bearer <key>` (401 otherwise). STATUSPAGE_METRICS=port: `GET /metrics` on
STATUSPAGE_METRICS_HOST:STATUSPAGE_METRICS_PORT (loopback by default) without a key, and
404 on the server's port. off (the default): 404 everywhere.

A scrape reads one snapshot (a handful of aggregate queries) on a database connection of
its own, so a scrape never holds up the server's writes, publishing or sending (SQLite in WAL
mode reads beside a writer); scrapes that arrive while one is read share its answer, so a
crowd of scrapers costs one read at a time.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from statuspage.config import Settings
from statuspage.errors import AuthError, InvalidInput, StatuspageError
from statuspage.events import Clock, utcnow
from statuspage.keys import Scope
from statuspage.metrics.collector import PublishTimes, SnapshotCollector, Source
from statuspage.service import Service

PATH = "/metrics"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="metrics"'}


class Metrics:
    """What one server process exports: publish times, extra sources, the scrape itself."""

    def __init__(self, settings: Settings, clock: Clock = utcnow) -> None:
        self.db = settings.db
        self.clock = clock
        self.mode = settings.metrics
        self.host = settings.metrics_host
        self.port = settings.metrics_port
        self.publish = PublishTimes()
        self.sources: list[Source] = []  # more families (the object-storage mirror's)
        self.checks: tuple[str, ...] = ()  # the built-in checks defined (set at start)
        self._lock = asyncio.Lock()
        self._reads = 0
        self._last = b""
        self._runner: web.AppRunner | None = None
        self._reader: Service | None = None  # the scrapes' own connection

    @property
    def routes(self) -> list[BaseRoute]:
        """The /metrics route of the server's own port (key mode only)."""
        return [Route(PATH, self._keyed, methods=["GET"])] if self.mode == "key" else []

    async def scrape(self, reader: Service) -> bytes:
        """The exposition text; a scrape that waited for another's read takes its answer."""
        seen = self._reads
        async with self._lock:
            if self._reads != seen:
                return self._last
            snap = await reader.metrics_snapshot(self.checks)
            registry = CollectorRegistry(auto_describe=False)
            registry.register(SnapshotCollector(snap, self.publish, self.sources))
            self._last = generate_latest(registry)
            self._reads += 1
            return self._last

    async def start(self) -> None:
        """Open the scrapes' connection; in port mode listen on the metrics port (every
        server worker shares it)."""
        if self.mode == "off":
            return
        self._reader = await Service.open(self.db, clock=self.clock)
        if self.mode == "port":
            await self._listen()

    async def _listen(self) -> None:
        async def handle(request: web.Request) -> web.Response:
            body = await self.scrape(self.reader)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        app = web.Application()
        app.router.add_get(PATH, handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_port=True)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise InvalidInput(
                f"cannot serve metrics on {self.host}:{self.port} (STATUSPAGE_METRICS_HOST, "
                f"STATUSPAGE_METRICS_PORT): {exc.strerror or exc}"
            ) from exc
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    @property
    def reader(self) -> Service:
        if self._reader is None:
            raise StatuspageError("metrics are not started")
        return self._reader

    async def _keyed(self, request: Request) -> Response:
        service: Service = request.app.state.service
        scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _refused("send an API key: Authorization: Bearer <key>")
        source = request.client.host if request.client else "unknown"
        try:
            found = await service.authenticate(key.strip(), source)
        except AuthError as exc:
            return _refused(str(exc))
        if not found.scope.allows(Scope.READ):
            return PlainTextResponse(f"this key has scope {found.scope.value}\n", 403)
        return Response(await self.scrape(self.reader), media_type=CONTENT_TYPE_LATEST)


def _refused(reason: str) -> Response:
    return PlainTextResponse(reason + "\n", 401, headers=CHALLENGE)
