"""What the subscription pages share: the channels and languages offered, rendering in
the public page's look, content negotiation, and answers for errors.

Unlike the published page these are rendered per request (they hold forms and personal
links); they are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from statuspage import languages
from statuspage.comms.compose.templates import Templates
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.config import Settings
from statuspage.errors import InvalidField, RateLimited, StatuspageError
from statuspage.languages import DEFAULT
from statuspage.links import LinkExpired, LinkInvalid
from statuspage.model import Channel, Component, Group, Page, translated
from statuspage.service import Service
from statuspage.site.render import Chrome, Renderer, asset_urls
from statuspage.site.snapshot import Snapshot
from statuspage.subscribe import messages

log = logging.getLogger("statuspage.subscribe")
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer"}  # fmt: skip
JSON_TYPES = ("application/json",)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Offer:
    """What /subscribe offers: channels configured for delivery, and for each channel the
    languages its messages can be written in (those with templates; en always)."""

    channels: tuple[Channel, ...]
    languages: tuple[tuple[str, str], ...]  # (tag, name in that language), en first
    default_country: str
    countries: tuple[str, ...]  # allowed for SMS (empty: any)
    by_channel: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (channel, tags)

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.channels)

    def languages_for(self, channel: Channel) -> tuple[tuple[str, str], ...]:
        """The languages offered for a channel's messages: (tag, name), en first."""
        codes = dict(self.by_channel).get(channel.value, (DEFAULT,))
        return tuple((code, name) for code, name in self.languages if code in codes)


def make_offer(settings: Settings, templates: Templates | None, configured: set[str]) -> Offer:
    """The offer of a server: nothing without a secret key or a comms plan to send with."""
    usable = settings.secret_key and templates is not None
    channels = tuple(Channel(c) for c in settings.offered_channels() if usable and c in configured)
    if not channels:
        log.warning("/subscribe offers no channel (needs STATUSPAGE_SECRET_KEY, a comms plan "
                    "and a configured channel)")  # fmt: skip
    by_channel = tuple(
        (c.value, _languages_of(templates, c) if templates is not None else (DEFAULT,))
        for c in channels
    )
    every = {code for _, codes in by_channel for code in codes} | {DEFAULT}
    languages = tuple((c, language_name(c)) for c in sorted(every, key=_language_order))
    return Offer(
        channels, languages, settings.sms_default_country, settings.sms_country_list(), by_channel
    )


def _languages_of(templates: Templates, channel: Channel) -> tuple[str, ...]:
    """The languages a channel's messages can be written in: those with its templates."""
    found = templates.languages(PlanChannel(channel.value), "declared")
    return tuple(sorted({DEFAULT, *found}, key=_language_order))


def _language_order(code: str) -> tuple[bool, str]:
    return code != DEFAULT, code


def language_name(code: str) -> str:
    """A language's name in itself (简体中文, Русский), for a menu of languages."""
    if code in languages.NAMES:
        return languages.NAMES[code]
    try:
        parsed = Locale.parse(languages.locale_id(code))
    except (ValueError, LookupError):
        return code
    return str(parsed.get_display_name(parsed) or code)


class Pages:
    """The subscription templates inside the page's base template: one Renderer per
    language, made when that language is first asked for and kept."""

    def __init__(self) -> None:
        self.assets = asset_urls()
        self._renderers: dict[str, Renderer] = {}

    def renderer(self, language: str) -> Renderer:
        found = self._renderers.get(language)
        if found is None:
            found = self._renderers[language] = Renderer(language)
        return found

    async def page(self, request: Request) -> Page:
        """The page (from the published snapshot when there is one), once per request."""
        found: Page | None = getattr(request.state, "page", None)
        if found is None:
            snapshot = _snapshot(request)
            found = snapshot.page if snapshot is not None else await service(request).page()
            request.state.page = found
        return found

    async def chrome(self, request: Request, language: str) -> Chrome:
        publisher = getattr(request.app.state.published, "publisher", None)
        page = await self.page(request)
        if publisher is not None and publisher.snapshot is not None:
            chrome: Chrome = publisher.builder.chrome(publisher.snapshot)
        else:
            offered = request.app.state.subscribe_offer.channel_names
            chrome = Chrome(
                page.name, page.url, page.time_zone, assets=self.assets,
                subscribe_channels=offered,
            )  # fmt: skip
        name = translated(page.translations, "name", language)
        return replace(chrome, name=name) if name else chrome


def _snapshot(request: Request) -> Snapshot | None:
    publisher = getattr(request.app.state.published, "publisher", None)
    return getattr(publisher, "snapshot", None)


@dataclass(frozen=True)
class View:
    """The subscription pages in one reader's language."""

    pages: Pages
    renderer: Renderer
    chosen: str | None = None  # a language asked for by ?lang=: remembered in the cookie

    @property
    def language(self) -> str:
        return self.renderer.language

    def gettext(self, text: str) -> str:
        return self.renderer.gettext(text)

    def say(self, exc: StatuspageError) -> str:
        """What a refusal says to the reader, in their language when it can."""
        if isinstance(exc, RateLimited):
            minutes = max(1, round(exc.retry_after / 60))
            return self.gettext(messages.TOO_MANY) % {"n": minutes}
        return self.gettext(exc.message) if exc.message in messages.PUBLIC else exc.message

    def link(self, path: str) -> str:
        """A path of the subscription pages that keeps this language (?lang= unless en)."""
        return self.renderer.dynamic_href(path)

    async def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        chrome = await self.pages.chrome(request, self.language)
        body = self.renderer.page(
            f"subscribe/{template}",
            chrome=chrome, tz=ZoneInfo(chrome.time_zone), locale=self.language,
            language=self.language, section="subscribe", **context,
        )  # fmt: skip
        return self.finish(request, HTMLResponse(body, status, headers=NO_STORE))

    def finish(self, request: Request, response: Response) -> Response:
        """The language headers (and cookie, for a language chosen by ?lang=) of an answer."""
        response.headers["Content-Language"] = self.language
        response.headers["Vary"] = "Accept-Language, Cookie"
        if self.chosen is not None:
            remember_language(response, request, self.chosen)
        return response


def remember_language(response: Response, request: Request, language: str) -> None:
    """The reader's choice of language, for every page of the site (a year)."""
    response.set_cookie(
        languages.COOKIE, language, max_age=LANGUAGE_COOKIE_AGE, path="/", samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


async def view(request: Request, preferred: str | None = None) -> View:
    """The pages in the reader's language: ?lang=, then the cookie (the reader's choice),
    then `preferred` (the language of the subscriber whose link was opened: the language of
    the message it came from), then Accept-Language, else the page's default language."""
    site = pages(request)
    query = request.query_params.get(languages.QUERY)
    chosen = languages.canonical(query) if query else None
    language = languages.negotiate(
        explicit=[chosen, request.cookies.get(languages.COOKIE), preferred],
        accept=request.headers.get("accept-language", ""),
        default=(await site.page(request)).language,
    )  # fmt: skip
    return View(site, site.renderer(language), chosen)


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def offer(request: Request) -> Offer:
    found: Offer = request.app.state.subscribe_offer
    return found


def pages(request: Request) -> Pages:
    """The renderers of the subscription pages (one set per app)."""
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
    site = await view(request)
    response = await site.render(
        request, "problem.html", link_status(exc), title=site.gettext("Subscriptions"),
        heading=_heading(site, exc), message=site.say(exc),
        retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
    )  # fmt: skip
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _heading(site: View, exc: StatuspageError) -> str:
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
