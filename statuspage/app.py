"""create_app(settings) -> Starlette: the lifespan opens the store, runs the publisher (and
its election), the ticker and the dispatcher that sends the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware

from statuspage import admin, alert_hooks, hooks, subscribe
from statuspage.body_limit import BodyLimit
from statuspage.checks.uptime import uptime_feeds
from statuspage.checks.wiring import checks_in_server, configured_checks
from statuspage.comms.deliver.wiring import make_dispatcher, missing_settings
from statuspage.comms.kit import Comms, load_comms
from statuspage.config import Settings, load_settings
from statuspage.events import Clock, utcnow
from statuspage.lifespan import StartupErrors
from statuspage.metrics.exporter import Metrics
from statuspage.mirror.wiring import mirror_in_server
from statuspage.service import Service
from statuspage.site import errors
from statuspage.site.asgi import SiteApp
from statuspage.site.publisher import Published, Publisher
from statuspage.storage import Store

log = logging.getLogger("statuspage")
# How often a server asks for the publisher lock (PostgreSQL: one publisher at a time), so
# another takes over within about this long after the holder's session ends.
ELECTION_INTERVAL = 1.0


def create_app(settings: Settings, clock: Clock = utcnow) -> Starlette:
    """The ASGI app for one page; nothing is opened until the lifespan starts."""
    published = Published()
    metrics = Metrics(settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        comms = load_comms(settings, os.environ)  # a broken plan stops the start, clearly
        store = await Store.open(settings.db)
        dispatcher = sending = None
        tasks: list[asyncio.Task[None]] = []
        try:  # whatever fails, the store is closed: its thread would keep the process alive
            policy = settings.subscription_policy()
            # The components whose uptime the checks' probes give (a broken file stops here).
            checks = configured_checks(settings.automation)
            feeds = uptime_feeds(checks)
            metrics.checks = tuple(c.name for c in checks)
            service = Service(
                store, clock, comms=comms, subscription_policy=policy, uptime_feeds=feeds
            )
            app.state.settings = settings
            app.state.service = service
            app.state.subscribe_offer = subscribe.make_offer(
                settings, comms.templates if comms else None, _configured(settings, comms)
            )
            offered = app.state.subscribe_offer.channel_names
            publisher = Publisher(
                store, settings, clock, published, subscribe_channels=offered, uptime_feeds=feeds
            )
            # A write in this process (Manage API, hooks, subscribe forms, the ticker) is
            # published as soon as it commits; another process's writes (the CLI) by the poll.
            store.after_commit.append(publisher.poke)
            publisher.observers.append(metrics.publish.observe)
            await publisher.start()
            await metrics.start()  # its own connection (and port, when configured)
            tasks.append(asyncio.create_task(_tick_forever(service, settings.tick_interval)))
            app.state.automation = automation = alert_hooks.automation_for(settings, service)
            tasks.append(
                asyncio.create_task(alert_hooks.tick_forever(automation, settings.tick_interval))
            )
            tasks.append(asyncio.create_task(publisher.run(settings.poll_interval)))
            tasks.append(
                asyncio.create_task(mirror_in_server(settings, os.environ, publisher, metrics))
            )
            tasks.append(asyncio.create_task(publisher.elect(ELECTION_INTERVAL)))
            tasks.append(asyncio.create_task(checks_in_server(settings, service)))
            if comms is not None and settings.dispatcher:
                dispatcher = await make_dispatcher(settings, store, comms, os.environ)
                sending = asyncio.create_task(dispatcher.run())
            yield
        finally:
            if dispatcher is not None and sending is not None:
                dispatcher.stop()  # sends under way finish; unsent claims are given back
                await sending
                await dispatcher.aclose()
            for task in tasks:
                task.cancel()
            # Every task is waited for, and one that had failed neither stops the others'
            # shutdown nor goes unsaid.
            for task, ended in zip(
                tasks, await asyncio.gather(*tasks, return_exceptions=True), strict=True
            ):
                if isinstance(ended, Exception):
                    log.error("a server task had failed: %s", task.get_coro(), exc_info=ended)
            await metrics.stop()
            await store.close()

    return SiteApp(
        published,
        routes=[
            *admin.routes,
            *hooks.routes,
            *alert_hooks.routes,
            *subscribe.routes,
            *metrics.routes,
            *errors.routes,
        ],
        exception_handlers=errors.exception_handlers,
        # A failed start as one line; bodies capped before any handler reads them.
        middleware=[Middleware(StartupErrors), Middleware(BodyLimit)],
        lifespan=lifespan,
    )


def _configured(settings: Settings, comms: Comms | None) -> set[str]:
    """The subscriber channels that can deliver (their settings are there)."""
    if comms is None:
        return set()
    return {"email", "sms", "webhook", "slack"} - set(missing_settings(settings, comms.plan))


async def _tick_forever(service: Service, interval: float) -> None:
    """Perform due maintenance transitions every few seconds; a failure is logged, not fatal."""
    while True:
        try:
            if not await service.store.holds("ticker"):  # another server ticks (PostgreSQL)
                await asyncio.sleep(interval)
                continue
            report = await service.tick_report()
            for t in report.transitions:
                log.info("maintenance %s is now %s", t.incident_id, t.status.value)
            for notice in report.notices:
                log.info("comms: incident %s: %s", notice.incident_id, notice.text)
            if purged := await service.purge_unconfirmed():
                log.info("deleted %d subscriptions never confirmed", purged)
        except Exception:
            log.exception("tick failed; trying again in %s s", interval)
        await asyncio.sleep(interval)


def app_from_environment() -> Starlette:
    """The factory uvicorn calls in each worker: settings from STATUSPAGE_* variables."""
    return create_app(load_settings())
