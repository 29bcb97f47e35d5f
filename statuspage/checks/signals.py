"""A check's change of state as a signal, the shape the alerts automation follows.

Each change of a check's state (up -> down, down -> degraded, down -> up, ...) becomes one
`Signal` per component the check feeds: firing (with the status the check asks for) or
resolved. What hears them is a `SignalSink`: today `statuspage.service.checks` applies them
directly (`ChecksService.apply`); with the alerts rules engine they go to its rules instead
(see `statuspage.checks.runner.default_sink`, the one place to switch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from statuspage.checks.outcome import Outcome
from statuspage.checks.spec import CheckSpec
from statuspage.model import ComponentStatus

SOURCE = "check"
COMPONENT_LABEL = "statuspage_component"
SEVERITIES = {Outcome.DOWN: "critical", Outcome.DEGRADED: "warning"}


@dataclass(frozen=True)
class Signal:
    """One check's state for one component: firing (down or degraded) or resolved (up)."""

    source: str
    fingerprint: str
    labels: Mapping[str, str]
    firing: bool
    at: datetime
    severity: str = ""
    summary: str = ""
    status: ComponentStatus | None = None  # the status the check asks of the component
    outcome: Outcome = field(default=Outcome.UP)

    @property
    def check(self) -> str:
        return self.labels["check"]

    @property
    def component(self) -> str:
        return self.labels[COMPONENT_LABEL]


class SignalSink(Protocol):
    """What follows checks' changes of state (applies them to components, or feeds rules)."""

    async def __call__(self, signal: Signal, /) -> None: ...


def signals_for(spec: CheckSpec, state: Outcome, detail: str, at: datetime) -> list[Signal]:
    """The signals of a check entering `state`: one per component it feeds."""
    firing = state is not Outcome.UP
    severity = SEVERITIES.get(state, "")
    status = {Outcome.DOWN: spec.down, Outcome.DEGRADED: spec.degraded}.get(state)
    return [
        Signal(
            source=SOURCE,
            fingerprint=f"{SOURCE}:{spec.name}",
            labels={COMPONENT_LABEL: component, "check": spec.name, "severity": severity}
            if firing
            else {COMPONENT_LABEL: component, "check": spec.name},
            firing=firing,
            at=at,
            severity=severity,
            summary=f"{spec.name} ({spec.target}) is {state.value}: {detail}",
            status=status,
            outcome=state,
        )
        for component in spec.components
    ]


def resolved(check: str, component: str, at: datetime) -> Signal:
    """A check letting go of a component it no longer feeds (or a check no longer defined)."""
    return Signal(
        source=SOURCE,
        fingerprint=f"{SOURCE}:{check}",
        labels={COMPONENT_LABEL: component, "check": check},
        firing=False,
        at=at,
        summary=f"{check} no longer feeds {component}",
    )
