"""Retries before down: how one probe's outcome moves a check's state. Pure.

A check is up until `retries + 1` probes in a row fail; it then takes the latest failed
probe's outcome (degraded or down), and stays failing, following each later failed probe's
outcome, until one probe is up again: the first good probe restores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statuspage.checks.outcome import CheckState, Outcome


@dataclass(frozen=True)
class Step:
    state: CheckState
    previous: Outcome  # the state before the probe (up for a check never probed)

    @property
    def changed(self) -> bool:
        return self.state.state is not self.previous


def step(
    previous: CheckState | None, name: str, outcome: Outcome, retries: int, at: datetime
) -> Step:
    """The check's state after a probe with `outcome` at `at`."""
    old = previous.state if previous is not None else Outcome.UP
    if outcome is Outcome.UP:
        failures = 0
        new = Outcome.UP
    else:
        failures = (previous.failures if previous is not None else 0) + 1
        new = outcome if failures > retries else old
    since = previous.since if previous is not None and new is old else at
    return Step(CheckState(name, new, failures, since, at), old)
