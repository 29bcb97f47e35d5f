"""What the CLI's commands ask of a page, typed: met by `Service` (local) and by the CLI's
`RemoteService` (the admin API), so mypy checks that a command uses only what both have.

Commands that work on the local database only (init, serve, tick, token, audit, comms,
export) are typed against `Service` itself and run through `Context.run_local`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from statuspage.incident_templates import IncidentTemplate
from statuspage.kpis import Report
from statuspage.model import (
    Component,
    Group,
    Incident,
    Kind,
    MaintenanceStatus,
    Page,
    Subscriber,
    TranslationSubject,
)
from statuspage.service.subscriber_import import ImportReport
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit
from statuspage.subscriptions import SubscriberData

ComponentSpec = tuple[str, str | None]
Texts = Mapping[str, str]  # language -> text


class Operations(Protocol):
    """The use cases behind the commands that work in remote mode too: page, group,
    component, incident, maintenance and subscribers."""

    def now(self) -> datetime: ...
    async def page(self) -> Page: ...
    async def update_page(
        self,
        *,
        name: str | None = ...,
        url: str | None = ...,
        time_zone: str | None = ...,
        language: str | None = ...,
    ) -> Page: ...
    async def translate(
        self, subject: TranslationSubject, ref: str, language: str, texts: dict[str, str | None]
    ) -> str: ...
    async def translate_update(
        self, incident_id: str, update_id: str | None, language: str, text: str | None
    ) -> str: ...
    async def list_groups(self) -> list[Group]: ...
    async def add_group(
        self, name: str, description: str | None = ..., position: int | None = ...
    ) -> Group: ...
    async def remove_group(self, ref: str, *, ungroup: bool = ...) -> Group: ...
    async def list_components(self) -> list[Component]: ...
    async def get_component(self, ref: str) -> Component: ...
    async def add_component(
        self,
        name: str,
        *,
        group: str | None = ...,
        description: str | None = ...,
        position: int | None = ...,
        status: str = ...,
        start_date: date | None = ...,
    ) -> Component: ...
    async def set_component_status(self, ref: str, status: str) -> Component: ...
    async def remove_component(self, ref: str) -> Component: ...
    async def get_incident(self, incident_id: str) -> Incident: ...
    async def list_incidents(
        self, *, open_only: bool = ..., kind: Kind | None = ..., limit: int | None = ...
    ) -> list[Incident]: ...
    async def declare_incident(
        self,
        title: str,
        *,
        message: str,
        impact: str | None = ...,
        severity: str | None = ...,
        components: Sequence[ComponentSpec] = ...,
        status: str = ...,
        deliver_notifications: bool = ...,
        translations: Texts | None = ...,
        title_translations: Texts | None = ...,
    ) -> Incident: ...
    async def update_incident(
        self,
        incident_id: str,
        *,
        message: str,
        status: str | None = ...,
        severity: str | None = ...,
        components: Sequence[ComponentSpec] = ...,
        deliver_notifications: bool = ...,
        translations: Texts | None = ...,
    ) -> Incident: ...
    async def resolve_incident(
        self,
        incident_id: str,
        *,
        message: str | None = ...,
        components: Sequence[ComponentSpec] = ...,
        deliver_notifications: bool = ...,
        translations: Texts | None = ...,
    ) -> Incident: ...
    async def set_postmortem(self, incident_id: str, body: str, *, publish: bool) -> Incident: ...
    async def backfill_incident(
        self,
        title: str,
        *,
        impact: str,
        components: Sequence[ComponentSpec],
        started: datetime,
        resolved: datetime,
        message: str,
    ) -> Incident: ...
    async def schedule_maintenance(
        self,
        title: str,
        *,
        start: datetime,
        end: datetime,
        components: Sequence[str],
        message: str | None = ...,
        auto_start: bool = ...,
        auto_complete: bool = ...,
        deliver_notifications: bool = ...,
        translations: Texts | None = ...,
        title_translations: Texts | None = ...,
    ) -> Incident: ...
    async def transition_maintenance(
        self,
        incident_id: str,
        status: MaintenanceStatus,
        *,
        message: str | None = ...,
        deliver_notifications: bool = ...,
        translations: Texts | None = ...,
    ) -> Incident: ...

    # -- incident templates --------------------------------------------------------------
    async def create_template(
        self,
        name: str,
        *,
        title: str,
        body: str,
        group_id: str | None = ...,
        update_status: str | None = ...,
        should_tweet: bool = ...,
        should_send_notifications: bool = ...,
        components: Sequence[str] = ...,
    ) -> IncidentTemplate: ...
    async def list_templates(self) -> list[IncidentTemplate]: ...
    async def get_template(self, ref: str) -> IncidentTemplate: ...
    async def remove_template(self, ref: str) -> IncidentTemplate: ...

    # -- subscribers ---------------------------------------------------------------------
    async def purge_times(self, subscriber_ids: list[str]) -> dict[str, datetime]: ...
    async def list_subscribers(
        self,
        *,
        channel: str | None = ...,
        state: str | None = ...,
        tag: str | None = ...,
        component: str | None = ...,
        search: str | None = ...,
    ) -> list[Subscriber]: ...
    async def get_subscriber(self, ref: str) -> Subscriber: ...
    async def add_subscriber(self, new: NewSubscriber) -> Subscriber: ...
    async def unsubscribe_subscribers(self, refs: list[str]) -> list[Subscriber]: ...
    async def edit_subscriber(self, ref: str, edit: SubscriberEdit) -> Subscriber: ...
    async def import_csv(self, text: str, skip_confirmation: bool) -> ImportReport: ...
    async def count_subscribers(
        self, *, state: str | None = ..., tag: str | None = ..., component: str | None = ...
    ) -> dict[str, int]: ...
    async def subscriber_data(self, ref: str) -> SubscriberData: ...
    async def erase_subscriber(self, ref: str) -> Subscriber: ...
    async def comms_report(self, since: datetime) -> Report: ...
