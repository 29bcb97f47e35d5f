"""The comms report as JSON: the shape of `statuspage report --json` (and the README's).

Version 1. Times are ISO-8601 UTC; durations whole seconds; a figure with nothing to
measure is null. Adding fields is compatible; renaming or removing one bumps "version".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from statuspage.kpis import Cadence, Counts, IncidentFacts, IncidentKpis, Report, Summary
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


# --- back from JSON: the remote CLI prints the server's report as tables -------------------


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _time(value: str | None) -> datetime | None:
    return None if value is None else _at(value)


def _counts(shape: Json) -> dict[str, Counts]:
    return {ch: Counts(c["sent"], c["delivered"], c["failed"], c["pending"])
            for ch, c in shape.items()}  # fmt: skip


def _cadence(shape: Json) -> Cadence:
    return Cadence(shape["kept"], shape["missed"], shape["running"])


def incident_from_json(shape: Json) -> IncidentKpis:
    facts = IncidentFacts(
        id=shape["id"],
        name=shape["name"],
        severity=shape["severity"],
        status=shape["status"],
        created_at=_at(shape["declared_at"]),
        started_at=_at(shape["started_at"]),
        resolved_at=_time(shape["resolved_at"]),
        messages=_counts(shape["messages"]),
        reached=shape["subscribers_reached"],
    )
    return IncidentKpis(
        facts=facts,
        first_public_seconds=shape["first_public_update_seconds"],
        cadence=_cadence(shape["cadence"]),
        approvals=shape["approvals"],
        approval_wait_seconds=shape["approval_wait_seconds"],
        awaiting_approval=shape["awaiting_approval"],
        resolve_seconds=shape["time_to_resolve_seconds"],
    )


def summary_from_json(shape: Json) -> Summary:
    return Summary(
        severity=shape["severity"],
        incidents=shape["incidents"],
        resolved=shape["resolved"],
        mean_first_public_seconds=shape["mean_first_public_update_seconds"],
        cadence=_cadence(shape["cadence"]),
        mean_approval_wait_seconds=shape["mean_approval_wait_seconds"],
        mttr_seconds=shape["mttr_seconds"],
        messages=_counts(shape["messages"]),
        reached=shape.get("subscribers_reached"),
    )


def report_from_json(shape: Json) -> Report:
    """The report a server sent (`report_json`'s shape), to print as the local one."""
    return Report(
        since=_at(shape["since"]),
        until=_at(shape["until"]),
        time_zone=shape["time_zone"],
        incidents=tuple(incident_from_json(i) for i in shape["incidents"]),
        severities=tuple(summary_from_json(s) for s in shape["severities"]),
        months=tuple((m["month"], summary_from_json(m)) for m in shape["months"]),
    )
