"""Field lists and helpers the Manage API's endpoint modules share."""

from __future__ import annotations

from typing import TypeVar

from statuspage.admin.fields import QueryParam
from statuspage.admin.operations import Call
from statuspage.model import Component, ComponentStatus

COMPONENT_STATUSES = tuple(s.value for s in ComponentStatus)
PAGE_ID = "/pages/{page_id}"

PAGING = (
    QueryParam("page", "integer", "Page of results, from 1.", minimum=1, default=1),
    QueryParam("per_page", "integer", "Results per page.", minimum=1, maximum=1000, default=100),
)


T = TypeVar("T")


def page_slice(items: list[T], call: Call) -> list[T]:
    """The page of `items` that the `page` and `per_page` query parameters ask for."""
    size: int = call.query["per_page"]
    start = (call.query["page"] - 1) * size
    return items[start : start + size]


async def components_by_id(call: Call) -> dict[str, Component]:
    return {c.id: c for c in await call.service.list_components()}
