"""Who is acting: the actor of the writes made in the current task, and audit log entries.

The CLI, the admin API and the server set the actor around a use case with `acting_as`;
`Store.write()` hands it to the database, whose triggers copy every row change into the
append-only audit log together with it.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who makes a change (key name or OS user), through what, from where, doing what."""

    name: str
    via: str  # api, cli, server
    source: str  # the client's IP address, or cli@hostname
    action: str | None = None  # "incident declare", "PATCH /v1/pages/{page_id}/incidents/{id}"


# The via of automatic changes (alerts in): the comms kit holds their customer messages.
AUTOMATION = "automation"

_CURRENT: ContextVar[Actor | None] = ContextVar("statuspage_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute the writes made inside the block (and in tasks started there) to `actor`."""
    token = _CURRENT.set(actor)
    try:
        yield actor
    finally:
        _CURRENT.reset(token)


def current_actor() -> Actor:
    """The actor set by `acting_as`, or this process as "system" when none is."""
    return _CURRENT.get() or Actor("system", "server", f"server@{socket.gethostname()}")


def local_actor(action: str) -> Actor:
    """The person at this terminal: their OS user name, from cli@hostname."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (e.g. in a bare container)
        user = "unknown-user"
    return Actor(user, "cli", f"cli@{socket.gethostname()}", action)


@dataclass(frozen=True)
class RowChange:
    """One row inserted, updated or deleted; before/after are the row's columns."""

    table: str
    row_id: str
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    incident_id: str | None = None

    def changed_fields(self) -> list[str]:
        """The columns whose value differs between before and after (updated_at aside)."""
        before, after = self.before or {}, self.after or {}
        keys = dict.fromkeys([*before, *after])
        return [k for k in keys if k != "updated_at" and before.get(k) != after.get(k)]


@dataclass(frozen=True)
class AuditEntry:
    """Everything one transaction (one use case) changed."""

    tx_id: str
    at: datetime
    actor: str
    via: str
    source: str
    action: str | None
    changes: tuple[RowChange, ...]
