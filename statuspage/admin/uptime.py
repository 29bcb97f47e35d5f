"""Manage API: a component's uptime over a range of days.

Dates are days of the page's time zone. As on Statuspage, `start` and `end` may be partial:
`2026` or `2026-03` stand for the first (for `start`) or last (for `end`) day of that year or
month. A component group's id is refused with 404: Statuspage answers a group's uptime at
`.../component-groups/{id}/uptime`, which we do not serve, so a client written for it never
asks the component endpoint for a group.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from statuspage.admin.components import COMPONENT
from statuspage.admin.fields import DAYS, FIRST_DAY, LAST_DAY, QueryParam
from statuspage.admin.operations import Call, operation
from statuspage.errors import InvalidInput
from statuspage.keys import Scope
from statuspage.serialize import Json, component_uptime_json

# Years from 1970 to 2999, as every date the Manage API takes (fields.FIRST_DAY, LAST_DAY).
PARTIAL_DATE = r"^(19[7-9]\d|2\d{3})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
RANGE = (
    QueryParam(
        "start",
        "string",
        "First day (YYYY-MM-DD; YYYY-MM or YYYY for the first day of that month or year). "
        "Default: 90 days ago, or the day the component's history begins if later.",
        extra={"pattern": PARTIAL_DATE},
    ),
    QueryParam(
        "end",
        "string",
        "Last day (YYYY-MM-DD; YYYY-MM or YYYY for the last day of that month or year). "
        "Default: today; a later day is taken as today, which counts up to now.",
        extra={"pattern": PARTIAL_DATE},
    ),
)


def partial_date(raw: str | None, name: str, *, last: bool) -> date | None:
    """A day from `2026-03-10`, `2026-03` or `2026`; the month's or year's last if `last`."""
    if raw is None:
        return None
    found = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", raw)
    try:
        if found is None or not FIRST_DAY.year <= int(found.group(1)) <= LAST_DAY.year:
            raise ValueError(raw)
        year, month, day = found.groups()
        if month is None:
            return date(int(year), 12, 31) if last else date(int(year), 1, 1)
        if day is None:
            final = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), final if last else 1)
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput(
            f"{name} must be a day {DAYS} such as 2026-03-10 (or 2026-03, or 2026), not {raw!r}"
        ) from None


@operation(
    "GET",
    COMPONENT + "/uptime",
    scope=Scope.READ,
    summary="A component's uptime over a range of days, as the page shows it (a major outage "
    "counts fully, a partial outage at 30 %; on days built-in checks probed it, the share of "
    "probes not down)",
    response="ComponentUptime",
    query=RANGE,
)
async def component_uptime(call: Call) -> Json:
    found = await call.service.component_uptime(
        call.path["component_id"],
        start=partial_date(call.query["start"], "start", last=False),
        end=partial_date(call.query["end"], "end", last=True),
    )
    return component_uptime_json(found)
