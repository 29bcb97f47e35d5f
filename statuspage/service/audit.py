"""Reading the audit log (it is written by the database itself, see migration 0301)."""

from __future__ import annotations

from datetime import datetime

from statuspage.audit import AuditEntry
from statuspage.service.context import ServiceContext


class Audit:
    """Reading the audit log."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def audit_entries(
        self, *, since: datetime | None = None, incident_id: str | None = None, limit: int = 50
    ) -> list[AuditEntry]:
        """The newest entries, one per use case, newest first."""
        async with self.ctx.read() as q:
            return await q.list_audit(since=since, incident_id=incident_id, limit=limit)
