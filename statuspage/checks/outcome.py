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
