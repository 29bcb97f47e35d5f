"""The page's logo and accent colour (`page set --logo/--accent`): checked, then stored together."""

from __future__ import annotations

from statuspage.branding import check_accent, check_logo
from statuspage.errors import NotFound
from statuspage.model import Logo, Page
from statuspage.service.context import ServiceContext


class Branding:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def set_page_branding(
        self, *, logo: bytes | None = None, accent: str | None = None, remove_logo: bool = False
    ) -> Page:
        """Set the logo (file bytes) and/or the accent (#rgb, #rrggbb; "" for the default).

        Both are checked before anything is written: a bad logo or colour stores neither.
        """
        checked: Logo | None = check_logo(logo) if logo is not None else None
        colour = check_accent(accent) if accent else accent
        async with self.ctx.write() as q:
            page = await q.get_page()
            if page is None:
                raise NotFound("no page yet; run `statuspage init` first")
            now = self.ctx.now()
            if colour is not None:
                await q.set_accent(page.id, colour, now)
            if checked is not None or remove_logo:
                await q.set_logo(page.id, checked, now)
            found = await q.get_page()
            return found if found is not None else page
