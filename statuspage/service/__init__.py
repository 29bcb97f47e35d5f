"""Use cases: each public method is exactly one transaction.

A use case changes the rows, appends the update, records component status changes and
emits its Event to the sinks (the comms kit writes outbox rows there) — all in the same
transaction, so a change and the messages it causes are stored together or not at all.
`Service` (service/facade.py) holds the focused services, which share one `ServiceContext`.
"""

from __future__ import annotations

from statuspage.service.context import CommsHooks, ServiceContext, TransactionSink
from statuspage.service.facade import Service
from statuspage.service.maintenance import TickReport, Transition

__all__ = [
    "CommsHooks",
    "Service",
    "ServiceContext",
    "TickReport",
    "TransactionSink",
    "Transition",
]
