"""SQL for the page row."""

from __future__ import annotations

from datetime import datetime

from statuspage.model import Logo, Page
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
            accent=row["accent"],
            logo=await self.get_logo(row["id"]),
        )

    async def get_logo(self, page_id: str) -> Logo | None:
        row = await self.fetchone(
            "SELECT content_type, data, digest FROM page_logo WHERE page_id = ?", (page_id,)
        )
        if row is None:
            return None
        return Logo(row["content_type"], bytes(row["data"]), row["digest"])

    async def set_accent(self, page_id: str, accent: str, at: datetime) -> None:
        await self.execute(
            "UPDATE page SET accent = ?, updated_at = ? WHERE id = ?", (accent, ts(at), page_id)
        )

    async def set_logo(self, page_id: str, logo: Logo | None, at: datetime) -> None:
        """Store (or, with None, remove) the page's logo."""
        if logo is None:
            await self.execute("DELETE FROM page_logo WHERE page_id = ?", (page_id,))
        else:
            await self.execute(
                "INSERT INTO page_logo (page_id, content_type, data, digest, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (page_id) DO UPDATE SET"
                " content_type = excluded.content_type, data = excluded.data,"
                " digest = excluded.digest, updated_at = excluded.updated_at",
                (page_id, logo.content_type, logo.data, logo.digest, ts(at)),
            )
        await self.execute("UPDATE page SET updated_at = ? WHERE id = ?", (ts(at), page_id))

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
