"""The seam between the use cases and the two wings that follow a change.

A use case emits an `Event` inside its transaction (the comms kit plans its messages there, so
a change and the messages it causes are stored together); after the transaction commits, the
`EventSink`s hear that the public state changed (the read side republishes at once). The
clock every part shares lives here too. Nothing here imports more of ours than the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """Something the comms kit may tell people about, emitted inside the change's transaction.

    phase: declared, updated, resolved, postmortem, maintenance_scheduled,
    maintenance_updated, maintenance_started, maintenance_completed, maintenance_cancelled.
    """

    phase: str
    incident_id: str
    update_id: str | None
    at: datetime
    deliver_notifications: bool = True


@dataclass(frozen=True)
class Notice:
    """Something the comms kit did on a tick (a reminder sent, say), in one line."""

    incident_id: str
    text: str


class EventSink(Protocol):
    """What hears, after a transaction commits, that it changed what the public sees.

    Called in the writing task right after COMMIT with the revision the change made, so it
    must neither block nor fail: the read side only wakes its publisher. Only writes made
    through the same Store are heard; another process's writes are found by polling.
    """

    def __call__(self, revision: int, /) -> None: ...
