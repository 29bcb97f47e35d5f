"""The subscriber commands' use cases over the Manage API (remote mode).

Mixed into RemoteService: the same methods as the local use cases, returning the same
objects, so `subscribers ...` prints the same against a server as locally.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from statuspage.cli.wire import Json, maybe_when, when
from statuspage.errors import NotFound
from statuspage.model import Channel, Component, Subscriber, SubscriberState
from statuspage.service.subscriber_import import ImportReport
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit
from statuspage.subscriptions import AwaitingConfirmation, SubscriberData

PAGE_SIZE = 1000


def subscriber_from(j: Json) -> Subscriber:
    channel = Channel(j["mode"])
    address = j["email"] or j["endpoint"] or j["phone_number"] or ""
    return Subscriber(
        id=j["id"], channel=channel, address=address, state=SubscriberState(j["state"]),
        created_at=when(j["created_at"]), updated_at=when(j["updated_at"]),
        all_components=j["all_components"],
        component_ids=() if j["all_components"] else tuple(j["components"]),
        tags=tuple(j["tags"]), language=j["language"], phone_country=j["phone_country"],
        confirmed_at=maybe_when(j["confirmed_at"]),
        unsubscribed_at=maybe_when(j["unsubscribed_at"]),
    )  # fmt: skip


def data_from(j: Json) -> SubscriberData:
    """A data request's answer (statuspage.serialize.subscriber_data_json) read back.

    The answer names the components, so the subscriber carries no component ids here."""
    s, c = j["subscriber"], j["awaiting_confirmation"]
    subscriber = Subscriber(
        id=s["id"], channel=Channel(s["channel"]), address=s["address"],
        state=SubscriberState(s["state"]), created_at=when(s["created_at"]),
        updated_at=when(s["updated_at"]), all_components=s["components"] == "all",
        tags=tuple(s["tags"]), language=s["language"], phone_country=s["phone_country"],
        confirmed_at=maybe_when(s["confirmed_at"]),
        unsubscribed_at=maybe_when(s["unsubscribed_at"]),
    )  # fmt: skip
    awaiting = None if c is None else AwaitingConfirmation(
        c["new_address"], when(c["sent_at"]), when(c["expires_at"]), c["wrong_codes"]
    )  # fmt: skip
    names = None if s["components"] == "all" else tuple(s["components"])
    return SubscriberData(subscriber, names, awaiting, j["messages"])


class RemoteSubscribers:
    """Subscriber use cases for RemoteService (which provides the transport below)."""

    _purge_at: dict[str, datetime | None]

    async def call(self, method: str, path: str, body: Json | None = None, **query: Any) -> Any:
        raise NotImplementedError

    async def _page_path(self, rest: str = "") -> str:
        raise NotImplementedError

    async def list_components(self) -> list[Component]:
        raise NotImplementedError

    def _seen(self, j: Json) -> Subscriber:
        if not hasattr(self, "_purge_at"):
            self._purge_at = {}
        self._purge_at[j["id"]] = maybe_when(j["purge_at"])
        return subscriber_from(j)

    async def purge_times(self, subscriber_ids: list[str]) -> dict[str, datetime]:
        seen = getattr(self, "_purge_at", {})
        return {i: at for i in subscriber_ids if (at := seen.get(i)) is not None}

    async def list_subscribers(
        self,
        *,
        channel: str | None = None,
        state: str | None = None,
        tag: str | None = None,
        component: str | None = None,
        search: str | None = None,
    ) -> list[Subscriber]:
        path = await self._page_path("/subscribers")
        found: list[Subscriber] = []
        page = 0
        while True:
            batch = await self.call(
                "GET", path, type=channel, state=state or "all", tag=tag, component=component,
                q=search, limit=PAGE_SIZE, page=page,
            )  # fmt: skip
            found += [self._seen(j) for j in batch]
            if len(batch) < PAGE_SIZE:
                return found
            page += 1

    async def get_subscriber(self, ref: str) -> Subscriber:
        if "/" in ref:  # a URL cannot be a path segment: look it up by address
            found = [s for s in await self.list_subscribers(search=ref) if s.address == ref]
            if not found:
                raise NotFound(f"unknown subscriber {ref!r}; see `statuspage subscribers list`")
            ref = found[0].id
        return self._seen(await self.call("GET", await self._one(ref)))

    async def _one(self, ref: str, rest: str = "") -> str:
        return await self._page_path(f"/subscribers/{quote(ref, safe='@+')}{rest}")

    async def _id_of(self, ref: str) -> str:
        return ref if "/" not in ref else (await self.get_subscriber(ref)).id

    async def add_subscriber(self, new: NewSubscriber) -> Subscriber:
        field = {Channel.EMAIL: "email", Channel.SMS: "phone_number"}.get(new.channel, "endpoint")
        body: Json = {
            "mode": new.channel.value, field: new.address, "tags": list(new.tags),
            "language": new.language, "skip_confirmation_notification": new.skip_confirmation,
        }  # fmt: skip
        if new.phone_country:
            body["phone_country"] = new.phone_country
        if new.components is not None:
            body["component_ids"] = list(new.components)
        path = await self._page_path("/subscribers")
        return self._seen(await self.call("POST", path, {"subscriber": body}))

    async def unsubscribe_subscribers(self, refs: list[str]) -> list[Subscriber]:
        done = []
        for ref in refs:
            path = await self._one(await self._id_of(ref))
            done.append(self._seen(await self.call("DELETE", path)))
        return done

    async def edit_subscriber(self, ref: str, edit: SubscriberEdit) -> Subscriber:
        body: Json = {"add_tags": list(edit.add_tags), "remove_tags": list(edit.remove_tags)}
        if edit.tags is not None:
            body["tags"] = list(edit.tags)
        if edit.components is not None:
            body["component_ids"] = list(edit.components)
        if edit.language is not None:
            body["language"] = edit.language
        path = await self._one(await self._id_of(ref))
        return self._seen(await self.call("PATCH", path, {"subscriber": body}))

    async def import_csv(self, text: str, skip_confirmation: bool) -> ImportReport:
        path = await self._page_path("/subscribers/import")
        body = {"csv": text, "skip_confirmation_notification": skip_confirmation}
        found = await self.call("POST", path, body)
        return ImportReport(
            found["created"], found["updated"], found["unchanged"],
            [(r["line"], r["reason"]) for r in found["skipped"]],
            [(r["line"], r["reason"]) for r in found["rejected"]],
        )  # fmt: skip

    async def count_subscribers(
        self, *, state: str | None = None, tag: str | None = None, component: str | None = None
    ) -> dict[str, int]:
        path = await self._page_path("/subscribers/count")
        found = await self.call("GET", path, state=state or "all", tag=tag, component=component)
        return {c.value: int(found.get(c.value, 0)) for c in Channel}

    async def subscriber_data(self, ref: str) -> SubscriberData:
        return data_from(await self.call("GET", await self._one(await self._id_of(ref), "/data")))

    async def erase_subscriber(self, ref: str) -> Subscriber:
        path = await self._one(await self._id_of(ref))
        return self._seen(await self.call("DELETE", path, purge=True))
