"""SQL for subscribers, the components they follow and their tags."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from statuspage.model import Channel, Subscriber, SubscriberState
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


def _subscriber(row: aiosqlite.Row, components: Iterable[str], tags: Iterable[str]) -> Subscriber:
    return Subscriber(
        id=row["id"],
        channel=Channel(row["channel"]),
        address=row["address"],
        state=SubscriberState(row["state"]),
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        all_components=bool(row["all_components"]),
        component_ids=tuple(components),
        tags=tuple(sorted(tags)),
        language=row["language"],
        phone_country=row["phone_country"],
        confirmed_at=parse_ts_or_none(row["confirmed_at"]),
        unsubscribed_at=parse_ts_or_none(row["unsubscribed_at"]),
    )


_ORDER = {"created_at": "created_at", "address": "address"}


class SubscriberQueries(QueryBase):
    async def save_subscriber(self, s: Subscriber) -> None:
        """Insert or update a subscriber with its component list and tags."""
        await self.execute(
            "INSERT INTO subscribers (id, channel, address, state, all_components, language,"
            " phone_country, created_at, updated_at, confirmed_at, unsubscribed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET address = excluded.address,"
            " state = excluded.state, all_components = excluded.all_components,"
            " language = excluded.language, phone_country = excluded.phone_country,"
            " updated_at = excluded.updated_at, confirmed_at = excluded.confirmed_at,"
            " unsubscribed_at = excluded.unsubscribed_at",
            (
                s.id,
                s.channel.value,
                s.address,
                s.state.value,
                int(s.all_components),
                s.language,
                s.phone_country,
                ts(s.created_at),
                ts(s.updated_at),
                ts_or_none(s.confirmed_at),
                ts_or_none(s.unsubscribed_at),
            ),
        )
        # Only what changed is written, so the audit log shows a tag added, not every tag
        # deleted and inserted again on every save.
        await self.execute(
            "DELETE FROM subscriber_components WHERE subscriber_id = ?"
            " AND component_id NOT IN (SELECT value FROM json_each(?))",
            (s.id, json.dumps(s.component_ids)),
        )
        await self.executemany(
            "INSERT OR IGNORE INTO subscriber_components (subscriber_id, component_id)"
            " VALUES (?, ?)",
            [(s.id, c) for c in s.component_ids],
        )
        await self.execute(
            "DELETE FROM subscriber_tags WHERE subscriber_id = ?"
            " AND tag NOT IN (SELECT value FROM json_each(?))",
            (s.id, json.dumps(s.tags)),
        )
        await self.executemany(
            "INSERT OR IGNORE INTO subscriber_tags (subscriber_id, tag) VALUES (?, ?)",
            [(s.id, t) for t in s.tags],
        )

    async def get_subscriber(self, subscriber_id: str) -> Subscriber | None:
        rows = list(await self.fetchall("SELECT * FROM subscribers WHERE id = ?", (subscriber_id,)))
        found = await self._hydrate_subscribers(rows)
        return found[0] if found else None

    async def find_subscriber(self, channel: Channel, address: str) -> Subscriber | None:
        rows = list(
            await self.fetchall(
                "SELECT * FROM subscribers WHERE channel = ? AND address = ?",
                (channel.value, address),
            )
        )
        found = await self._hydrate_subscribers(rows)
        return found[0] if found else None

    async def list_subscribers(
        self,
        *,
        channel: Channel | None = None,
        state: SubscriberState | None = None,
        tag: str | None = None,
        component_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        search: str | None = None,
        order: str = "created_at",
        descending: bool = False,
    ) -> list[Subscriber]:
        """Subscribers matching every filter given, oldest first.

        `component_id` matches those who follow that component or every component;
        `search`, those whose address contains it (in any ASCII case). `order`: created_at
        or address.
        """
        direction = "DESC" if descending else "ASC"
        sort = f"{_ORDER[order]} {direction}, id {direction}"
        # The only formatted part, the order, comes from _ORDER.
        sql = (
            "SELECT * FROM subscribers s WHERE (:channel IS NULL OR channel = :channel)"  # noqa: S608
            " AND (:search IS NULL OR instr(lower(address), lower(:search)) > 0)"
            " AND (:state IS NULL OR state = :state)"
            " AND (:tag IS NULL OR EXISTS (SELECT 1 FROM subscriber_tags t"
            "      WHERE t.subscriber_id = s.id AND t.tag = :tag))"
            " AND (:component IS NULL OR all_components = 1 OR EXISTS (SELECT 1 FROM"
            "      subscriber_components c WHERE c.subscriber_id = s.id"
            "      AND c.component_id = :component))"
            f" ORDER BY {sort} LIMIT :limit OFFSET :offset"
        )
        rows = list(
            await self.fetchall(
                sql,
                {
                    "channel": channel.value if channel else None,
                    "state": state.value if state else None,
                    "tag": tag,
                    "component": component_id,
                    "search": search,
                    "limit": -1 if limit is None else limit,
                    "offset": offset,
                },
            )
        )
        return await self._hydrate_subscribers(rows)

    async def confirmation_expiries(self, subscriber_ids: Iterable[str]) -> dict[str, datetime]:
        """When each pending confirmation expires (the Manage API's purge_at)."""
        rows = await self.fetchall(
            "SELECT subscriber_id, expires_at FROM subscriber_confirmations"
            " WHERE subscriber_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(subscriber_ids)),),
        )
        return {r["subscriber_id"]: parse_ts(r["expires_at"]) for r in rows}

    async def _hydrate_subscribers(self, rows: list[aiosqlite.Row]) -> list[Subscriber]:
        ids = json.dumps([r["id"] for r in rows])
        components: dict[str, list[str]] = defaultdict(list)
        for row in await self.fetchall(
            "SELECT subscriber_id, component_id FROM subscriber_components"
            " WHERE subscriber_id IN (SELECT value FROM json_each(?))"
            " ORDER BY subscriber_id, component_id",
            (ids,),
        ):
            components[row["subscriber_id"]].append(row["component_id"])
        tags: dict[str, list[str]] = defaultdict(list)
        for row in await self.fetchall(
            "SELECT subscriber_id, tag FROM subscriber_tags"
            " WHERE subscriber_id IN (SELECT value FROM json_each(?))",
            (ids,),
        ):
            tags[row["subscriber_id"]].append(row["tag"])
        return [_subscriber(r, components[r["id"]], tags[r["id"]]) for r in rows]
