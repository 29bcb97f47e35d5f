"""The comms report as JSON: the shape of `statuspage report --json` (and the README's).

Version 1. Times are ISO-8601 UTC; durations whole seconds; a figure with nothing to
measure is null. Adding fields is compatible; renaming or removing one bumps "version".
"""

from __future__ import annotations

from collections.abc import Mapping

from statuspage.kpis import Cadence, Counts, IncidentKpis, Report, Summary
from statuspage.serialize import Json, iso

VERSION = 1


def counts_json(messages: Mapping[str, Counts]) -> Json:
    return {
        channel: {"sent": c.sent, "delivered": c.delivered, "failed": c.failed,
                  "pending": c.pending}
        for channel, c in messages.items()
    }  # fmt: skip


def cadence_json(c: Cadence) -> Json:
    return {
        "promised": c.promised,
        "kept": c.kept,
        "missed": c.missed,
        "running": c.running,
        "met_percent": c.percent,
    }


def incident_json(k: IncidentKpis) -> Json:
    f = k.facts
    return {
        "id": f.id,
        "name": f.name,
        "severity": f.severity,
        "status": f.status,
        "declared_at": iso(f.created_at),
        "started_at": iso(f.started_at),
        "resolved_at": iso(f.resolved_at),
        "first_public_update_seconds": k.first_public_seconds,
        "cadence": cadence_json(k.cadence),
        "approvals": k.approvals,
        "approval_wait_seconds": k.approval_wait_seconds,
        "awaiting_approval": k.awaiting_approval,
        "time_to_resolve_seconds": k.resolve_seconds,
        "messages": counts_json(f.messages),
        "subscribers_reached": f.reached,
    }


def summary_json(s: Summary) -> Json:
    shape: Json = {
        "severity": s.severity,
        "incidents": s.incidents,
        "resolved": s.resolved,
        "mean_first_public_update_seconds": s.mean_first_public_seconds,
        "cadence": cadence_json(s.cadence),
        "mean_approval_wait_seconds": s.mean_approval_wait_seconds,
        "mttr_seconds": s.mttr_seconds,
        "messages": counts_json(s.messages),
    }
    if s.reached is not None:
        shape["subscribers_reached"] = s.reached
    return shape


def report_json(r: Report) -> Json:
    return {
        "version": VERSION,
        "since": iso(r.since),
        "until": iso(r.until),
        "time_zone": r.time_zone,
        "incidents": [incident_json(k) for k in r.incidents],
        "severities": [summary_json(s) for s in r.severities],
        "months": [{"month": month, **summary_json(s)} for month, s in r.months],
    }
