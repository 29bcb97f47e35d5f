"""Where the comms plan is: light, so that a command finds it without loading the comms kit."""

from __future__ import annotations

from pathlib import Path

from statuspage.config import Settings
from statuspage.resources import DEFAULT_PLAN

OFF = ("off", "none", "no")


def plan_path(settings: Settings) -> Path | None:
    """The plan the settings name: STATUSPAGE_COMMS_PLAN, else the shipped default, or None."""
    value = settings.comms_plan.strip()
    if value.lower() in OFF:
        return None
    if value:
        return Path(value)
    return DEFAULT_PLAN
