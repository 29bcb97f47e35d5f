"""What the subscription pages share: the channels and languages offered, rendering in
the public page's look, content negotiation, and answers for errors.

Unlike the published page these are rendered per request (they hold forms and personal
links); they are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from statuspage.comms.compose.templates import Templates
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.config import Settings
from statuspage.errors import InvalidField, RateLimited, StatuspageError
from statuspage.links import LinkExpired, LinkInvalid
from statuspage.model import Channel, Component, Group
from statuspage.service import Service
from statuspage.site.render import Chrome, Renderer, asset_urls

log = logging.getLogger("statuspage.subscribe")
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer"}  # fmt: skip
JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class Offer:
    """What /subscribe offers: channels configured for delivery, languages with templates."""

    channels: tuple[Channel, ...]
    languages: tuple[tuple[str, str], ...]  # (code, name in that language)
    default_country: str
    countries: tuple[str, ...]  # allowed for SMS (empty: any)

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.channels)


def make_offer(settings: Settings, templates: Templates | None, configured: set[str]) -> Offer:
    """The offer of a server: nothing without a secret key or a comms plan to send with."""
    usable = settings.secret_key and templates is not None
    channels = tuple(Channel(c) for c in settings.offered_channels() if usable and c in configured)
    if not channels:
        log.warning("/subscribe offers no channel (needs STATUSPAGE_SECRET_KEY, a comms plan "
                    "and a configured channel)")  # fmt: skip
    codes = {"en"}
    for channel in channels:
        if templates is not None:
            codes |= set(templates.languages(PlanChannel(channel.value), "declared"))
    languages = tuple(sorted(((c, _language_name(c)) for c in codes), key=lambda x: x[0] != "en"))
    return Offer(channels, languages, settings.sms_default_country, settings.sms_country_list())


def _language_name(code: str) -> str:
    try:
        return str(Locale.parse(code).get_display_name(code) or code)
    except (ValueError, LookupError):
        return code


class Pages:
    """Renders the subscription templates inside the page's base template."""

    def __init__(self, locale: str = "en") -> None:
        self.renderer = Renderer(locale)
        self.assets = asset_urls()

    async def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        chrome = await self.chrome(request)
        body = self.renderer.page(
            f"subscribe/{template}",
            chrome=chrome, tz=ZoneInfo(chrome.time_zone), locale=self.renderer.locale,
            section="subscribe", **context,
        )  # fmt: skip
        return HTMLResponse(body, status, headers=NO_STORE)

    async def chrome(self, request: Request) -> Chrome:
        publisher = getattr(request.app.state.published, "publisher", None)
        if publisher is not None and publisher.snapshot is not None:
            return publisher.builder.chrome(publisher.snapshot)  # type: ignore[no-any-return]
        page = await service(request).page()
        offered = request.app.state.subscribe_offer.channel_names
        return Chrome(
            page.name, page.url, page.time_zone, assets=self.assets, subscribe_channels=offered
        )

    def gettext(self, text: str) -> str:
        return self.renderer.gettext(text)


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def offer(request: Request) -> Offer:
    found: Offer = request.app.state.subscribe_offer
    return found


def pages(request: Request) -> Pages:
    found: Pages | None = getattr(request.app.state, "subscribe_pages", None)
    if found is None:
        found = request.app.state.subscribe_pages = Pages()
    return found


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def wants_json(request: Request) -> bool:
    """JSON in, JSON out; a GET asks with Accept."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "GET":
        return media in JSON_TYPES
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status, headers={**NO_STORE, **(headers or {})})


def json_error(exc: StatuspageError) -> Response:
    body: dict[str, Any] = {"error": exc.message}
    headers = {}
    if isinstance(exc, InvalidField):
        body["field"] = exc.field
    if isinstance(exc, RateLimited):
        body["retry_after"] = exc.retry_after
        headers["Retry-After"] = str(exc.retry_after)
    return json_answer(body, link_status(exc), headers)


def link_status(exc: StatuspageError) -> int:
    """410 for an expired link, 400 for one that is not valid; else the error's own."""
    if isinstance(exc, LinkExpired):
        return 410
    if isinstance(exc, LinkInvalid):
        return 400
    return exc.http_status


async def problem(request: Request, exc: StatuspageError) -> Response:
    """An error as a page (or JSON): a bad link, too many attempts..."""
    if wants_json(request):
        return json_error(exc)
    site = pages(request)
    response = await site.render(
        request, "problem.html", link_status(exc), title=site.gettext("Subscriptions"),
        heading=_heading(site, exc), message=exc.message,
        retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
    )  # fmt: skip
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _heading(site: Pages, exc: StatuspageError) -> str:
    if isinstance(exc, LinkExpired):
        return site.gettext("This link has expired")
    if isinstance(exc, LinkInvalid):
        return site.gettext("This link does not work")
    if isinstance(exc, RateLimited):
        return site.gettext("Too many attempts")
    return site.gettext("Something is not right")


def component_tree(
    components: list[Component], groups: list[Group]
) -> list[tuple[Group | None, list[Component]]]:
    """Components grouped as on the page: ungrouped ones and groups in page order."""
    by_id = {g.id: g for g in groups}
    tree: list[tuple[Group | None, list[Component]]] = []
    placed: dict[str, list[Component]] = {}
    for c in components:
        if c.group_id is None or c.group_id not in by_id:
            tree.append((None, [c]))
        elif c.group_id in placed:
            placed[c.group_id].append(c)
        else:
            placed[c.group_id] = [c]
            tree.append((by_id[c.group_id], placed[c.group_id]))
    return tree
