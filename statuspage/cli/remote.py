"""The CLI's remote mode: the use cases the commands call, over the admin API (/v1).

`RemoteService` offers the same async methods as `Service` for everything the component,
group, page, incident and maintenance commands call, and returns the same domain objects,
so a command prints the same thing and exits the same way against a server as locally.
References (names or ids) are sent as given: the server resolves them with the very code
that resolves them locally, so errors read the same too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from statuspage import __version__
from statuspage.cli.remote_subscribers import RemoteSubscribers
from statuspage.cli.wire import (
    Json,
    component_from,
    group_from,
    incident_from,
    page_from,
    template_from,
)
from statuspage.errors import (
    AuthError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    RemoteError,
    StatuspageError,
)
from statuspage.incident_templates import IncidentTemplate
from statuspage.kpis import Report
from statuspage.kpis_json import report_from_json
from statuspage.model import (
    Component,
    Group,
    Incident,
    Kind,
    MaintenanceStatus,
    Page,
    TranslationSubject,
    check_message,
    check_title,
)
from statuspage.serialize import iso

TIMEOUT = 15.0
RETRY_429 = 2  # retries of a rate-limited request, when the wait is short
MAX_WAIT = 10
ERRORS: dict[int, type[StatuspageError]] = {
    401: AuthError,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
}
ComponentSpec = tuple[str, str | None]
Texts = Mapping[str, str]
# Where each subject's `translations` go: the object's path and its body's wrapper.
TRANSLATED = {
    TranslationSubject.COMPONENT: ("/components/", "component"),
    TranslationSubject.GROUP: ("/component-groups/", "component_group"),
    TranslationSubject.INCIDENT: ("/incidents/", "incident"),
}


class RemoteService(RemoteSubscribers):
    """The use cases of one page, carried out by the server at `base_url`."""

    def __init__(
        self, base_url: str, token: str, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"OAuth {token}",
                "User-Agent": f"statuspage-cli/{__version__}",
            },
            timeout=TIMEOUT,
            transport=transport,
        )
        self._page: Page | None = None

    async def __aenter__(self) -> RemoteService:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        await self._client.aclose()

    def now(self) -> datetime:
        return datetime.now(UTC)

    # -- transport ----------------------------------------------------------------------

    async def call(self, method: str, path: str, body: Json | None = None, **query: Any) -> Any:
        """One request to /v1; our errors for refusals, RemoteError for anything else."""
        params = {k: _query_value(v) for k, v in query.items() if v is not None}
        for attempt in range(RETRY_429 + 1):
            response = await self._send(method, "/v1" + path, body, params)
            if response.status_code != 429:
                break
            wait = int(response.headers.get("retry-after", "1") or 1)
            if attempt == RETRY_429 or wait > MAX_WAIT:
                raise RateLimited(f"the server's rate limit: try again in {wait} s", wait)
            await asyncio.sleep(wait)
        return self._answer(response)

    async def _send(
        self, method: str, path: str, body: Json | None, params: dict[str, str]
    ) -> httpx.Response:
        try:
            return await self._client.request(method, path, json=body, params=params)
        except httpx.TimeoutException as exc:
            raise RemoteError(f"{self.base_url} did not answer within {TIMEOUT:g} s") from exc
        except httpx.ConnectError as exc:
            raise RemoteError(
                f"cannot reach {self.base_url}: {exc or type(exc).__name__}; is `statuspage serve`"
                " running there? (the URL comes from --server or STATUSPAGE_SERVER)"
            ) from exc
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach {self.base_url}: {exc or type(exc).__name__}") from exc

    def _answer(self, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and body is not None:
            return body
        message = body.get("error") if isinstance(body, dict) else None
        if not isinstance(message, str):
            raise RemoteError(
                f"{self.base_url} answered {response.status_code} {response.reason_phrase}; "
                "is it a statuspage server?"
            )
        error = ERRORS.get(response.status_code)
        if error is AuthError:
            raise AuthError(f"{message} (check STATUSPAGE_TOKEN)")
        if error is not None:
            raise error(message)
        raise RemoteError(f"the server failed ({response.status_code}): {message}")

    async def _all(self, path: str, size: int = 1000) -> list[Json]:
        found: list[Json] = []
        page = 1
        while True:
            batch = await self.call("GET", path, page=page, per_page=size)
            found += batch
            if len(batch) < size:
                return found
            page += 1

    async def _page_path(self, rest: str = "") -> str:
        return f"/pages/{(await self.page()).id}{rest}"

    # -- page, groups, components -------------------------------------------------------

    async def page(self) -> Page:
        if self._page is None:
            pages = await self.call("GET", "/pages")
            if not pages:
                raise NotFound("the server has no page yet; run `statuspage init` there")
            self._page = page_from(pages[0])
        return self._page

    async def update_page(
        self,
        *,
        name: str | None = None,
        url: str | None = None,
        time_zone: str | None = None,
        language: str | None = None,
    ) -> Page:
        body = _given(name=name, url=url, time_zone=time_zone, language=language)
        self._page = page_from(await self.call("PATCH", await self._page_path(), {"page": body}))
        return self._page

    async def translate(
        self, subject: TranslationSubject, ref: str, language: str, texts: dict[str, str | None]
    ) -> str:
        """Set or clear translations of a row through its object's `translations` field."""
        body = {"translations": {language: texts}}
        if subject is TranslationSubject.PAGE:
            page = await self.call("PATCH", await self._page_path(), {"page": body})
            self._page = page_from(page)
            return self._page.id
        if subject not in TRANSLATED:
            raise InvalidInput("translate an update with translate_update (it needs its incident)")
        path, wrapper = TRANSLATED[subject]
        found = await self.call("PATCH", await self._page_path(path + _ref(ref)), {wrapper: body})
        return str(found["id"])

    async def translate_update(
        self, incident_id: str, update_id: str | None, language: str, text: str | None
    ) -> str:
        incident = await self.get_incident(incident_id)
        ids = [u.id for u in incident.updates]
        wanted = (update_id or "").strip() or (ids[0] if ids else "")
        if wanted not in ids:
            raise NotFound(
                f"{incident.id} has no update {update_id!r}; its updates are: "
                + (", ".join(ids) or "none")
            )
        body = {"translations": {language: {"body": text}}}
        path = f"/incidents/{_ref(incident.id)}/incident_updates/{_ref(wanted)}"
        await self.call("PATCH", await self._page_path(path), {"incident_update": body})
        return wanted

    async def list_groups(self) -> list[Group]:
        return [group_from(g) for g in await self._all(await self._page_path("/component-groups"))]

    async def add_group(
        self, name: str, description: str | None = None, position: int | None = None
    ) -> Group:
        body = {"name": name, **_given(description=description, position=position)}
        path = await self._page_path("/component-groups")
        return group_from(await self.call("POST", path, {"component_group": body}))

    async def remove_group(self, ref: str, *, ungroup: bool = False) -> Group:
        path = await self._page_path(f"/component-groups/{_ref(ref)}")
        return group_from(await self.call("DELETE", path, ungroup=ungroup))

    async def list_components(self) -> list[Component]:
        return [component_from(c) for c in await self._all(await self._page_path("/components"))]

    async def get_component(self, ref: str) -> Component:
        path = await self._page_path(f"/components/{_ref(ref)}")
        return component_from(await self.call("GET", path))

    async def add_component(
        self,
        name: str,
        *,
        group: str | None = None,
        description: str | None = None,
        position: int | None = None,
        status: str = "operational",
        start_date: date | None = None,
    ) -> Component:
        body = {
            "name": name,
            "status": status,
            **_given(group_id=group, description=description, position=position),
            **_given(start_date=start_date.isoformat() if start_date else None),
        }
        path = await self._page_path("/components")
        return component_from(await self.call("POST", path, {"component": body}))

    async def set_component_status(self, ref: str, status: str) -> Component:
        path = await self._page_path(f"/components/{_ref(ref)}")
        return component_from(await self.call("PATCH", path, {"component": {"status": status}}))

    async def remove_component(self, ref: str) -> Component:
        path = await self._page_path(f"/components/{_ref(ref)}")
        return component_from(await self.call("DELETE", path))

    # -- incidents and maintenance ------------------------------------------------------

    async def _incident(
        self, method: str, rest: str, body: Json | None = None, **q: Any
    ) -> Incident:
        path = await self._page_path(f"/incidents{rest}")
        return incident_from(await self.call(method, path, body, **q))

    async def get_incident(self, incident_id: str) -> Incident:
        return await self._incident("GET", f"/{_ref(incident_id)}")

    async def list_incidents(
        self,
        *,
        open_only: bool = False,
        kind: Kind | None = Kind.INCIDENT,
        limit: int | None = None,
    ) -> list[Incident]:
        path = await self._page_path("/incidents")
        wanted = limit if limit is not None else 10**9
        found: list[Json] = []
        page = 1
        while len(found) < wanted:
            size = min(100, wanted - len(found))
            batch = await self.call(
                "GET",
                path,
                kind=kind.value if kind else None,
                open=open_only,
                limit=size,
                page=page,
            )
            found += batch
            if len(batch) < size:
                break
            page += 1
        return [incident_from(i) for i in found]

    async def declare_incident(
        self,
        title: str,
        *,
        message: str,
        impact: str | None = None,
        severity: str | None = None,
        components: Sequence[ComponentSpec] = (),
        status: str = "investigating",
        deliver_notifications: bool = True,
        translations: Texts | None = None,
        title_translations: Texts | None = None,
    ) -> Incident:
        check_title(title, "incident name"), check_message(message)
        if impact is None and severity is None:
            # The local use case asks for one; the API would compute an impact instead.
            raise InvalidInput("give an impact: none, minor, major or critical")
        body = {
            "name": title,
            "body": message,
            "status": status,
            "deliver_notifications": deliver_notifications,
            **_given(impact_override=impact, severity=severity),
            **_components(components),
            **_translations(translations, title_translations),
        }
        return await self._incident("POST", "", {"incident": body})

    async def update_incident(
        self,
        incident_id: str,
        *,
        message: str,
        status: str | None = None,
        severity: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        body = {"body": message, "deliver_notifications": deliver_notifications}
        body |= _given(status=status, severity=severity) | _components(components)
        return await self._patch(incident_id, Kind.INCIDENT, body | _translations(translations))

    async def resolve_incident(
        self,
        incident_id: str,
        *,
        message: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        body = {"status": "resolved", "deliver_notifications": deliver_notifications}
        body |= _given(body=message) | _components(components) | _translations(translations)
        return await self._patch(incident_id, Kind.INCIDENT, body)

    async def _patch(self, incident_id: str, kind: Kind, body: Json) -> Incident:
        return await self._incident(
            "PATCH", f"/{_ref(incident_id)}", {"incident": body}, kind=kind.value
        )

    async def set_postmortem(self, incident_id: str, body: str, *, publish: bool) -> Incident:
        path = f"/{_ref(incident_id)}"
        await self.call(
            "PUT",
            await self._page_path(f"/incidents{path}/postmortem"),
            {"postmortem": {"body_draft": body, "publish": publish}},
        )
        return await self._incident("GET", path)

    async def backfill_incident(
        self,
        title: str,
        *,
        impact: str,
        components: Sequence[ComponentSpec],
        started: datetime,
        resolved: datetime,
        message: str,
    ) -> Incident:
        body = {
            "name": title,
            "body": message,
            "impact_override": impact,
            "backfilled": True,
            "backfill_date": iso(started),
            "backfill_resolved_at": iso(resolved),
            **_components(components),
        }
        return await self._incident("POST", "", {"incident": body})

    async def schedule_maintenance(
        self,
        title: str,
        *,
        start: datetime,
        end: datetime,
        components: Sequence[str],
        message: str | None = None,
        auto_start: bool = True,
        auto_complete: bool = True,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
        title_translations: Texts | None = None,
    ) -> Incident:
        body = {
            "name": title,
            "scheduled_for": start.isoformat(),
            "scheduled_until": end.isoformat(),
            "component_ids": list(components),
            "scheduled_auto_in_progress": auto_start,
            "scheduled_auto_completed": auto_complete,
            "deliver_notifications": deliver_notifications,
            **_given(body=message),
            **_translations(translations, title_translations),
        }
        return await self._incident("POST", "", {"incident": body})

    async def transition_maintenance(
        self,
        incident_id: str,
        status: MaintenanceStatus,
        *,
        message: str | None = None,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        body = {"status": status.value, "deliver_notifications": deliver_notifications}
        body |= _given(body=message) | _translations(translations)
        return await self._patch(incident_id, Kind.MAINTENANCE, body)

    # -- incident templates ---------------------------------------------------------------

    async def create_template(
        self,
        name: str,
        *,
        title: str,
        body: str,
        group_id: str | None = None,
        update_status: str | None = None,
        should_tweet: bool = False,
        should_send_notifications: bool = True,
        components: Sequence[str] = (),
    ) -> IncidentTemplate:
        fields = {
            "name": name,
            "title": title,
            "body": body,
            "should_tweet": should_tweet,
            "should_send_notifications": should_send_notifications,
            "component_ids": list(components),
            **_given(group_id=group_id, update_status=update_status),
        }
        path = await self._page_path("/incident_templates")
        return template_from(await self.call("POST", path, {"template": fields}))

    async def list_templates(self) -> list[IncidentTemplate]:
        path = await self._page_path("/incident_templates")
        return [template_from(t) for t in await self.call("GET", path)]

    async def get_template(self, ref: str) -> IncidentTemplate:
        path = await self._page_path(f"/incident_templates/{_ref(ref)}")
        return template_from(await self.call("GET", path))

    async def remove_template(self, ref: str) -> IncidentTemplate:
        path = await self._page_path(f"/incident_templates/{_ref(ref)}")
        return template_from(await self.call("DELETE", path))

    async def comms_report(self, since: datetime) -> Report:
        page = await self.page()
        shape = await self.call("GET", f"/pages/{page.id}/reports/comms", since=iso(since))
        return report_from_json(shape)


def _given(**values: Any) -> Json:
    return {k: v for k, v in values.items() if v is not None}


def _translations(bodies: Texts | None, names: Texts | None = None) -> Json:
    """Message and name translations as the API's `translations` field (ours)."""
    merged: dict[str, dict[str, str]] = {}
    for field, texts in (("body", bodies), ("name", names)):
        for language, text in (texts or {}).items():
            merged.setdefault(language, {})[field] = text
    return {"translations": merged} if merged else {}


def _components(specs: Sequence[ComponentSpec]) -> Json:
    """CLI component specs as the API's fields: every name in order, statuses by name.

    A name given without a status maps to null, which the server reads as the CLI does.
    """
    if not specs:
        return {}
    return {"component_ids": [r for r, _ in specs], "components": dict(specs)}


def _ref(ref: str) -> str:
    return quote(ref, safe="")


def _query_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
