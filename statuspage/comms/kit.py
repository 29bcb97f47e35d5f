"""The comms kit as the use cases see it: severities, planning events, reminders on the tick.

`Comms` implements statuspage.service.CommsHooks for one validated plan. `LazyComms` loads
the plan the first time a use case needs it, so commands that only read (`incident list`)
still work while someone fixes a broken plan; anything that would send refuses, clearly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from statuspage.comms.plan.where import plan_path as plan_path  # where it was
from statuspage.config import Settings
from statuspage.errors import InvalidInput, PlanError
from statuspage.events import Event, Notice
from statuspage.model import Impact
from statuspage.storage import Queries

if TYPE_CHECKING:  # the compose stage (templates, Jinja2) loads with the plan, not before
    from statuspage.comms.compose.templates import Templates
    from statuspage.comms.plan.schema import Plan


class Comms:
    """One loaded plan, wired for the use cases."""

    def __init__(self, plan: Plan) -> None:
        from statuspage.comms.compose.fanout import Planner
        from statuspage.comms.compose.reminders import Reminders
        from statuspage.comms.compose.templates import templates_for

        self.plan = plan
        self.templates: Templates = templates_for(plan.template_dirs)
        self.planner = Planner(plan, self.templates)
        self.reminders = Reminders(plan, self.planner)

    def severity(self, name: str | None, impact: str | None = None) -> str | None:
        """The plan's severity by name (any case); without one, the most severe whose impact
        is `impact`, else the plan's default_severity. InvalidInput when there is none."""
        if name is not None:
            found = self.plan.severity(name)
            if found is None:
                raise InvalidInput(
                    f"unknown severity {name!r}; the comms plan defines "
                    f"{', '.join(self.plan.severities)} (see: statuspage plan show)"
                )
            return found.key
        if impact is None:
            raise InvalidInput(
                "give an impact (none, minor, major, critical) or a severity "
                f"({', '.join(self.plan.severities)})"
            )
        for key, policy in self.plan.severities.items():
            if policy.impact is not None and policy.impact.value == impact:
                return key
        return self.plan.default_severity

    def impact_for(self, severity: str) -> Impact | None:
        found = self.plan.severity(severity)
        return found.impact if found else None

    async def on_event(self, q: Queries, event: Event) -> None:
        await self.planner.plan_event(q, event)

    async def on_tick(self, q: Queries, now: datetime) -> Sequence[Notice]:
        return await self.reminders.tick(q, now)


def load_comms(settings: Settings, environ: Mapping[str, str] | None = None) -> Comms | None:
    """The comms kit of the configured plan; None when no plan is configured."""
    path = plan_path(settings)
    if path is None:
        return None
    if not path.is_file():
        raise PlanError(f"no comms plan at {path}; check STATUSPAGE_COMMS_PLAN")
    from statuspage.comms.compose.validate import load_plan

    return Comms(load_plan(path, environ))


class LazyComms:
    """Loads the plan on first use; a broken plan fails the first command that needs it."""

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.environ = environ
        self._loaded: Comms | None = None

    @property
    def configured(self) -> bool:
        return plan_path(self.settings) is not None

    def load(self) -> Comms:
        if self._loaded is None:
            try:
                loaded = load_comms(self.settings, self.environ)
            except PlanError as exc:
                raise PlanError(
                    f"{exc}; to change the page without messages meanwhile, set "
                    "STATUSPAGE_COMMS_PLAN=off"
                ) from exc
            if loaded is None:
                raise PlanError(
                    f"no comms plan is configured: STATUSPAGE_COMMS_PLAN={self.settings.comms_plan}"
                    " turns it off; unset it for the shipped plan, or set it to your plan's path"
                )
            self._loaded = loaded
        return self._loaded

    def severity(self, name: str | None, impact: str | None = None) -> str | None:
        return self.load().severity(name, impact)

    def impact_for(self, severity: str) -> Impact | None:
        return self.load().impact_for(severity)

    async def on_event(self, q: Queries, event: Event) -> None:
        await self.load().on_event(q, event)

    async def on_tick(self, q: Queries, now: datetime) -> Sequence[Notice]:
        return await self.load().on_tick(q, now)
