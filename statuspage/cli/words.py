"""Status words and impacts as people type them ("partial outage", Partial_Outage, partial):
read into the canonical value before a use case sees them, so the server in remote mode
gets the same word the local database would (see statuspage.model.pick)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from statuspage.model import INCIDENT_IMPACTS, OPEN_INCIDENT, ComponentStatus, IncidentStatus, pick

COMPONENT_STATUSES = tuple(s.value for s in ComponentStatus)
IMPACTS = tuple(i.value for i in INCIDENT_IMPACTS)
OPEN_STATUSES = tuple(s.value for s in IncidentStatus if s in OPEN_INCIDENT)
UPDATE_STATUSES = (*OPEN_STATUSES, IncidentStatus.RESOLVED.value)


def component_status(value: str, what: str = "component status", extra: Sequence[str] = ()) -> str:
    return pick(value, (*COMPONENT_STATUSES, *extra), what)


def impact(value: str | None) -> str | None:
    return None if value is None else pick(value, IMPACTS, "impact")


def incident_status(value: str | None, choices: Sequence[str] = UPDATE_STATUSES) -> str | None:
    return None if value is None else pick(value, choices, "incident status")


class Word(click.Choice[str]):
    """An option's word read as status words are (any case, hyphens or spaces, a prefix);
    a typo is refused with the closest word and all of them, on one line."""

    def __init__(self, choices: Sequence[str], what: str) -> None:
        super().__init__(choices)
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return pick(str(value), [str(c) for c in self.choices], self.what)
