"""A check's change of state as alert signals: the built-in checks feed the alerts rules.

Each change of a check's state (up -> down, down -> degraded, down -> up, ...) becomes
signals for the rules engine (`statuspage.service.automation`), exactly as an alert from
Alertmanager would: source "check", fingerprint "check:NAME", and the labels

- `statuspage_component`: a component the check feeds (one firing signal per component),
- `check` and `alertname`: the check's name,
- `severity`: critical when down, warning when degraded,
- `statuspage_status`: the check's `down:` or `degraded:` status, which the default rule
  (and any rule without a `status:` of its own) honours before the severity.

A check back up is one resolved signal: the engine lets go of every component it held.
What hears them is a `SignalSink` (`statuspage.checks.runner.EngineSink` in practice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from statuspage.automation.rules import COMPONENT_LABEL, STATUS_LABEL
from statuspage.automation.signals import ALERTNAME, SEVERITY, Signal
from statuspage.checks.outcome import Outcome
from statuspage.checks.spec import CheckSpec

SOURCE = "check"
CHECK_LABEL = "check"
SEVERITIES = {Outcome.DOWN: "critical", Outcome.DEGRADED: "warning"}


class SignalSink(Protocol):
    """What follows the checks: the alerts rules engine, one delivery per change."""

    async def send(self, signals: Sequence[Signal], /, *, action: str) -> None: ...

    async def retain(self, fed: Mapping[str, Sequence[str]], /) -> None: ...

    async def tick(self) -> None: ...


def fingerprint(check: str) -> str:
    return f"{SOURCE}:{check}"


def check_of(signal: Signal) -> str:
    """The check a signal came from."""
    return signal.labels.get(CHECK_LABEL, signal.fingerprint.removeprefix(f"{SOURCE}:"))


def signals_for(spec: CheckSpec, state: Outcome, detail: str, at: datetime) -> list[Signal]:
    """The signals of a check entering `state`: one per component it feeds when failing,
    one resolved signal (for all of them) when up."""
    summary = f"{spec.name} ({spec.target}) is {state.value}" + (f": {detail}" if detail else "")
    if state is Outcome.UP:
        labels = {CHECK_LABEL: spec.name, ALERTNAME: spec.name}
        return [Signal(SOURCE, fingerprint(spec.name), labels, False, "", summary, at)]
    severity = SEVERITIES[state]
    status = spec.down if state is Outcome.DOWN else spec.degraded
    return [
        Signal(
            source=SOURCE,
            fingerprint=fingerprint(spec.name),
            labels={
                COMPONENT_LABEL: component,
                CHECK_LABEL: spec.name,
                ALERTNAME: spec.name,
                SEVERITY: severity,
                STATUS_LABEL: status.value,
            },
            firing=True,
            severity=severity,
            summary=summary,
            at=at,
        )
        for component in spec.components
    ]


def fed_by(specs: Sequence[CheckSpec]) -> dict[str, tuple[str, ...]]:
    """Each check's fingerprint and the components it feeds: what the engine may keep."""
    return {fingerprint(spec.name): spec.components for spec in specs}
