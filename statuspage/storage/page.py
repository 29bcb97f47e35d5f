"""SQL for the page row."""

from __future__ import annotations

from statuspage.model import Page
from statuspage.storage.convert import parse_ts, ts
from statuspage.storage.translations import TranslationQueries


class PageQueries(TranslationQueries):
    async def get_page(self) -> Page | None:
        row = await self.fetchone("SELECT * FROM page LIMIT 1")
        if row is None:
            return None
        return Page(
            id=row["id"],
            name=row["name"],
            url=row["url"],
            time_zone=row["time_zone"],
            created_at=parse_ts(row["created_at"]),
            updated_at=parse_ts(row["updated_at"]),
            language=row["language"],
            translations=(await self.translations_of("page", [row["id"]])).get(row["id"], ()),
        )

    async def save_page(self, page: Page) -> None:
        await self.execute(
            "INSERT INTO page (id, name, url, time_zone, language, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url,"
            " time_zone = excluded.time_zone, language = excluded.language,"
            " updated_at = excluded.updated_at",
            (
                page.id,
                page.name,
                page.url,
                page.time_zone,
                page.language,
                ts(page.created_at),
                ts(page.updated_at),
            ),
        )
