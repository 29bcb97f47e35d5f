"""Manage API: the comms KPIs report (`statuspage report` over HTTP, and its remote mode).

`since` is a span back from now (`90d`, `12h`, `4w`) or a UTC time; the answer is the shape
of `statuspage report --json` (statuspage.kpis_json, version 1).
"""

from __future__ import annotations

from datetime import UTC, datetime

from statuspage.admin.fields import QueryParam
from statuspage.admin.operations import Call, operation
from statuspage.errors import InvalidInput
from statuspage.keys import Scope
from statuspage.kpis import span
from statuspage.kpis_json import report_json
from statuspage.serialize import Json

SINCE = (
    r"^([1-9][0-9]{0,5}[hdw]|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,6})?Z)$"
)
SINCE_PARAM = QueryParam(
    "since",
    "string",
    "Incidents declared since then: a span back from now (90d, 12h, 4w) or a UTC time "
    "(2026-03-01T00:00:00Z). Default: 90d.",
    default="90d",
    extra={"pattern": SINCE},
)


def since_time(raw: str, now: datetime) -> datetime:
    """The start of the report from `since`."""
    length = span(raw, "since")
    if length is not None:
        return now - length
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not raw.endswith("Z"):
        raise InvalidInput(
            f"since must be a span such as 90d, 12h or 4w, or a UTC time such as "
            f"2026-03-01T00:00:00Z (got {raw!r})"
        )
    return parsed.astimezone(UTC)


@operation(
    "GET",
    "/pages/{page_id}/reports/comms",
    scope=Scope.READ,
    summary="Comms KPIs of the incidents declared since a time: per incident, severity and "
    "month (the shape of `statuspage report --json`)",
    response="CommsReport",
    query=(SINCE_PARAM,),
)
async def comms_report(call: Call) -> Json:
    start = since_time(call.query["since"], call.service.now())
    return report_json(await call.service.comms_report(start))
