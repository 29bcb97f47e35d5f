"""What a probe found and what a check's state is: pure types, shared with storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    UP = "up"
    DEGRADED = "degraded"  # answered, but slowly or with a certificate about to expire
    DOWN = "down"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.UP: 0, Outcome.DEGRADED: 1, Outcome.DOWN: 2}


@dataclass(frozen=True)
class Probe:
    """One probe of one check: its outcome, how long it took, and why (when not up)."""

    outcome: Outcome
    latency_ms: float | None
    detail: str = ""
    cert_expires_at: datetime | None = None


@dataclass(frozen=True)
class CheckResult:
    """A stored probe."""

    name: str
    at: datetime
    probe: Probe


@dataclass(frozen=True)
class CheckState:
    """A check's state as its retries settled it, and the probes in a row that failed."""

    name: str
    state: Outcome
    failures: int
    since: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Tally:
    """The probes of one check (or several) in one day: how many, how many were down, and
    the worst outcome. What the uptime from checks is computed from (`checks.uptime`)."""

    probes: int
    down: int
    worst: Outcome

    def __add__(self, other: Tally) -> Tally:
        worst = max(self.worst, other.worst, key=lambda o: o.rank)
        return Tally(self.probes + other.probes, self.down + other.down, worst)


@dataclass(frozen=True)
class ProbeMark:
    """Where the stored probes stand: the first and last row id, when the oldest was taken,
    and a summary of the checks' states that moves when one changes. Equal marks: the
    probes behind the uptime figures did not change."""

    first_id: int
    last_id: int
    first_at: datetime | None
    states: tuple[object, ...]
