"""The checks the settings name (STATUSPAGE_AUTOMATION), and running them in the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from statuspage.automation.read import rules_for
from statuspage.checks.read import validate_checks
from statuspage.checks.runner import Report, Runner, default_sink
from statuspage.checks.spec import CheckSpec
from statuspage.config import Settings
from statuspage.errors import PlanError
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.service.checks import ChecksService

log = logging.getLogger("statuspage.checks")
HOLD_INTERVAL = 1.0  # seconds between asking for the checks lock (PostgreSQL)

OFF = "off"


def configured_checks(setting: str) -> list[CheckSpec]:
    """The `checks:` of the automation file: none when the setting is empty or "off"."""
    if setting.strip().lower() in ("", OFF):
        return []
    path = Path(setting)
    if not path.is_file():
        raise PlanError(f"no automation file at {path} (STATUSPAGE_AUTOMATION)")
    report = validate_checks(path)
    if report.checks is None:
        lines = "; ".join(str(i) for i in report.issues.errors[:5])
        more = len(report.issues.errors) - 5
        tail = f" (and {more} more: statuspage checks validate)" if more > 0 else ""
        raise PlanError(f"the checks in {path} do not validate: {lines}{tail}")
    return report.checks


def engine_for(settings: Settings, service: Service) -> Automation:
    """The alerts rules engine the checks feed: the rules of the same automation file."""
    rules = rules_for(settings.automation)
    if rules is None:  # "off" defines no checks either; nothing calls this then
        raise PlanError("automation is off (STATUSPAGE_AUTOMATION=off): no checks run")
    return Automation(service.ctx, service.incidents, rules)


def runner_for(
    settings: Settings,
    service: Service,
    specs: list[CheckSpec],
    *,
    report: Report | None = None,
    tick: bool = False,
) -> Runner:
    """A runner whose signals go to the rules engine; `tick`: it also ticks the engine
    (the server has its own ticker for that, STATUSPAGE_TICK_INTERVAL)."""
    return Runner(
        specs,
        ChecksService(service.ctx),
        default_sink(engine_for(settings, service), report),
        concurrency=settings.check_concurrency,
        retention=timedelta(days=settings.check_retention_days),
        tick_every=settings.tick_interval if tick else None,
    )


def checks_in_server(settings: Settings, service: Service) -> Coroutine[Any, Any, None]:
    """The server's checks, run forever; a file that does not validate stops the start."""
    specs = configured_checks(settings.automation)

    async def run() -> None:
        if not specs:
            return
        while True:  # one server probes at a time (PostgreSQL: a lock; SQLite: this one)
            await _until_held(service, "checks")
            async with runner_for(settings, service, specs) as runner:
                probing = asyncio.create_task(runner.run_forever())
                await _while_held(service, "checks", probing)
            log.warning("this server no longer runs the checks; another one does")

    return run()


async def _until_held(service: Service, purpose: str) -> None:
    while True:
        if await service.store.holds(purpose):
            return
        await asyncio.sleep(HOLD_INTERVAL)


async def _while_held(service: Service, purpose: str, task: asyncio.Task[None]) -> None:
    """Wait for the task; cancel it when this server loses the lock for `purpose`."""
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=HOLD_INTERVAL)
            if not task.done() and not await service.store.holds(purpose):
                task.cancel()
                await asyncio.wait({task})  # not `await task`: our own cancellation goes on
                return
        task.result()
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
