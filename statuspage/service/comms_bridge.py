"""Temporary: the comms use cases the CLI calls, as thin methods over statuspage.comms.

r2-comms moves approve, status, retry and preview into statuspage/service/comms_ops.py
with these very method names; when both are merged this module goes (comms_ops wins).
The comms modules are imported inside the methods: they import `statuspage.service`
themselves, so importing them at load time would be a cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from statuspage.service.base import ServiceBase
from statuspage.storage import Store

if TYPE_CHECKING:
    from statuspage.comms.delivery_status import DeliveryStatus
    from statuspage.comms.plan import Plan
    from statuspage.comms.status import Approval, CommsStatus
    from statuspage.model import Incident

P_co = TypeVar("P_co", covariant=True)


class IncidentPreviewer(Protocol[P_co]):
    """statuspage.comms.preview.Previewer, as the use case needs it."""

    async def of_incident(
        self, store: Store, incident_id: str, phase: str | None, now: datetime
    ) -> P_co: ...


class CommsBridgeService(ServiceBase):
    async def preview_messages(
        self, previewer: IncidentPreviewer[P_co], incident_id: str, phase: str | None
    ) -> P_co:
        """What the incident's latest update would send now (or as `phase`); nothing stored."""
        return await previewer.of_incident(self.store, incident_id, phase, self.now())

    async def approve_messages(
        self, incident_id: str, by: str, update_id: str | None = None
    ) -> list[Approval]:
        """Record who approved the incident's held customer messages, and release them."""
        from statuspage.comms.status import approve

        return await approve(self.store, incident_id, by, self.now(), update_id)

    async def comms_status(self, plan: Plan, incident: Incident) -> CommsStatus:
        """What the comms kit says about an incident: due time, approvals, message counts."""
        from statuspage.comms.status import incident_status

        return await incident_status(self.store, plan, incident)

    async def delivery_status(
        self, incident_id: str, unconfigured_here: dict[str, str]
    ) -> DeliveryStatus:
        """The incident's messages per phase, channel and state, and why some failed."""
        from statuspage.comms.delivery_status import delivery_status

        return await delivery_status(self.store, incident_id, unconfigured_here, self.now())

    async def retry_failed(
        self, incident_id: str | None, channel: str | None
    ) -> tuple[dict[str, int], int]:
        """Queue failed messages again: counts per channel, and the stale ones superseded."""
        from statuspage.comms.delivery_status import retry_failed

        return await retry_failed(self.store, self.now(), incident_id, channel)
