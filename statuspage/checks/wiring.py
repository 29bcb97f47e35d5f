"""The checks the settings name (STATUSPAGE_AUTOMATION), and running them in the server."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from statuspage.checks.read import validate_checks
from statuspage.checks.runner import Runner, default_sink
from statuspage.checks.spec import CheckSpec
from statuspage.config import Settings
from statuspage.errors import PlanError
from statuspage.service import Service
from statuspage.service.checks import ChecksService

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


def runner_for(settings: Settings, service: Service, specs: list[CheckSpec]) -> Runner:
    checks = ChecksService(service.ctx)
    return Runner(
        specs,
        checks,
        default_sink(checks),
        concurrency=settings.check_concurrency,
        retention=timedelta(days=settings.check_retention_days),
    )


def checks_in_server(settings: Settings, service: Service) -> Coroutine[Any, Any, None]:
    """The server's checks, run forever; a file that does not validate stops the start."""
    specs = configured_checks(settings.automation)

    async def run() -> None:
        if not specs:
            return
        async with runner_for(settings, service, specs) as runner:
            await runner.run_forever()

    return run()
