"""`Service`: every use case of a status page, as one object the CLI, the web and the
tests hold. It is a thin facade: the use cases live in focused services (incidents,
maintenance, components, subscribers, comms operations, tokens, ...), each built with the
same frozen `ServiceContext`; a service that builds on another is handed it here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Self, TypeVar

from statuspage.addresses import Address, Rules
from statuspage.audit import AuditEntry
from statuspage.comms.deliver.inbound import Reply
from statuspage.comms.plan.schema import Plan
from statuspage.events import Clock, utcnow
from statuspage.incident_templates import IncidentTemplate
from statuspage.keys import ApiKey
from statuspage.kpis import Report
from statuspage.links import LinkSigner
from statuspage.model import (
    Component,
    Group,
    Impact,
    Incident,
    IncidentUpdate,
    Kind,
    MaintenanceStatus,
    Page,
    Subscriber,
    TranslationSubject,
)
from statuspage.service.admin_components import ComponentAdmin, ComponentChange
from statuspage.service.admin_history import History
from statuspage.service.admin_incidents import IncidentAdmin, IncidentChange
from statuspage.service.admin_uptime import Uptime
from statuspage.service.audit import Audit
from statuspage.service.branding import Branding
from statuspage.service.comms_ops import (
    Approval,
    CommsOps,
    CommsStatus,
    DeliveryStatus,
    P,
    Previews,
)
from statuspage.service.components import (
    Components,
)
from statuspage.service.context import CommsHooks, ServiceContext, TransactionSink
from statuspage.service.incidents import ComponentSpec, Incidents
from statuspage.service.maintenance import Maintenance, TickReport, Transition
from statuspage.service.reports import MetricsSnapshot, Reports
from statuspage.service.sms_hooks import SmsHooks
from statuspage.service.subscriber_import import ImportReport, ImportRow, SubscriberImport
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit, Subscribers
from statuspage.service.subscription_base import SubscriptionRules
from statuspage.service.subscriptions import ManageChange, Managed, SubscribeRequest, Subscriptions
from statuspage.service.templates import Templates
from statuspage.service.tokens import Tokens
from statuspage.service.translations import FieldTexts, Texts, Translations
from statuspage.storage import Store
from statuspage.storage.location import DatabaseUrl
from statuspage.subscriptions import (
    SubscriberData,
    SubscriptionPolicy,
)
from statuspage.uptime import RangeUptime

W = TypeVar("W")


class Service:
    """Every use case of a status page; each public method is one transaction."""

    def __init__(
        self,
        store: Store,
        clock: Clock = utcnow,
        sinks: Sequence[TransactionSink] = (),
        comms: CommsHooks | None = None,
        subscription_policy: SubscriptionPolicy | None = None,
        uptime_feeds: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`uptime_feeds`: the checks whose probes give a component's uptime, by component
        name or id (statuspage.checks.uptime.uptime_feeds of the automation file)."""
        self.ctx = ctx = ServiceContext.build(store, clock, sinks, comms, subscription_policy)
        self.components = Components(ctx)
        self.incidents = Incidents(ctx)
        self.maintenance = Maintenance(ctx)
        self.translations = Translations(ctx, self.components)
        self.branding = Branding(ctx)
        self.component_admin = ComponentAdmin(ctx, self.components, self.translations)
        self.incident_admin = IncidentAdmin(
            ctx, self.incidents, self.maintenance, self.translations
        )
        self.history = History(ctx, self.incidents, self.translations)
        self.uptime = Uptime(ctx, self.components, uptime_feeds)
        self.templates = Templates(ctx)
        self.tokens = Tokens(ctx)
        self.audit = Audit(ctx)
        rules = SubscriptionRules(ctx)
        self.subscriptions = Subscriptions(ctx, rules)
        self.subscribers = Subscribers(ctx, rules)
        self.subscriber_import = SubscriberImport(ctx, rules)
        self.sms_hooks = SmsHooks(ctx, rules)
        self.comms_ops = CommsOps(ctx)
        self.reports = Reports(ctx)

    @classmethod
    async def open(
        cls,
        db: Path | DatabaseUrl,
        *,
        create: bool = False,
        comms: CommsHooks | None = None,
        subscription_policy: SubscriptionPolicy | None = None,
        clock: Clock = utcnow,
    ) -> Self:
        """The use cases on the database at `db` (opened and migrated); `close` it after."""
        store = await Store.open(db, create=create)
        return cls(store, clock, comms=comms, subscription_policy=subscription_policy)

    async def close(self) -> None:
        await self.ctx.store.close()

    # The shared state, read-only: a different store, clock or plan is a new Service.
    @property
    def store(self) -> Store:
        return self.ctx.store

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def sinks(self) -> list[TransactionSink]:
        return self.ctx.sinks

    @property
    def comms(self) -> CommsHooks | None:
        return self.ctx.comms

    @property
    def subscription_policy(self) -> SubscriptionPolicy:
        return self.ctx.subscription_policy

    @property
    def signer(self) -> LinkSigner:
        return self.ctx.signer

    @property
    def address_rules(self) -> Rules:
        return self.ctx.address_rules

    @property
    def applied_migrations(self) -> list[str]:
        """The migrations that opening the database applied (`init` reports them)."""
        return list(self.ctx.store.applied_migrations)

    def now(self) -> datetime:
        return self.ctx.now()

    async def attach(self, wing: Callable[[Store], Awaitable[W]]) -> W:
        """Run a wing that works on the store itself (the outbox dispatcher, the snapshot
        reader) on this service's store, as the app wires them at start: callers above
        the service never hold the store."""
        return await wing(self.ctx.store)

    # ComponentAdmin (statuspage.service.admin_components)
    async def create_component(self, change: ComponentChange) -> Component:
        return await self.component_admin.create_component(change)

    async def edit_component(self, ref: str, change: ComponentChange) -> Component:
        return await self.component_admin.edit_component(ref, change)

    async def get_group(self, ref: str) -> Group:
        return await self.component_admin.get_group(ref)

    async def create_group(
        self,
        name: str,
        *,
        description: str | None = None,
        position: int | None = None,
        components: Sequence[str] = (),
        translations: FieldTexts | None = None,
    ) -> Group:
        return await self.component_admin.create_group(
            name,
            description=description,
            position=position,
            components=components,
            translations=translations,
        )

    async def edit_group(
        self,
        ref: str,
        *,
        name: str | None = None,
        description: str | None = None,
        clear_description: bool = False,
        position: int | None = None,
        components: Sequence[str] | None = None,
        translations: FieldTexts | None = None,
    ) -> Group:
        return await self.component_admin.edit_group(
            ref,
            name=name,
            description=description,
            clear_description=clear_description,
            position=position,
            components=components,
            translations=translations,
        )

    # IncidentAdmin (statuspage.service.admin_incidents)
    async def create_incident(self, change: IncidentChange) -> Incident:
        return await self.incident_admin.create_incident(change)

    async def change_incident(
        self, incident_id: str, change: IncidentChange, *, expect: Kind | None = None
    ) -> Incident:
        return await self.incident_admin.change_incident(incident_id, change, expect=expect)

    # History (statuspage.service.admin_history)
    async def delete_incident(self, incident_id: str) -> Incident:
        return await self.history.delete_incident(incident_id)

    async def edit_incident_update(
        self,
        incident_id: str,
        update_id: str,
        *,
        body: str | None = None,
        display_at: datetime | None = None,
        deliver_notifications: bool | None = None,
        translations: FieldTexts | None = None,
    ) -> IncidentUpdate:
        return await self.history.edit_incident_update(
            incident_id,
            update_id,
            body=body,
            display_at=display_at,
            deliver_notifications=deliver_notifications,
            translations=translations,
        )

    async def publish_postmortem(self, incident_id: str) -> Incident:
        return await self.history.publish_postmortem(incident_id)

    async def revert_postmortem(self, incident_id: str) -> Incident:
        return await self.history.revert_postmortem(incident_id)

    async def delete_postmortem(self, incident_id: str) -> Incident:
        return await self.history.delete_postmortem(incident_id)

    async def find_incidents(
        self,
        *,
        kind: str | None = None,
        open_only: bool = False,
        statuses: list[str] | None = None,
        text: str | None = None,
        limit: int = 100,
        page: int = 1,
    ) -> list[Incident]:
        return await self.history.find_incidents(
            kind=kind, open_only=open_only, statuses=statuses, text=text, limit=limit, page=page
        )

    # Uptime (statuspage.service.admin_uptime)
    async def component_uptime(
        self, ref: str, *, start: date | None = None, end: date | None = None
    ) -> RangeUptime:
        return await self.uptime.component_uptime(ref, start=start, end=end)

    # Templates (statuspage.service.templates)
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
        return await self.templates.create_template(
            name,
            title=title,
            body=body,
            group_id=group_id,
            update_status=update_status,
            should_tweet=should_tweet,
            should_send_notifications=should_send_notifications,
            components=components,
        )

    async def list_templates(self) -> list[IncidentTemplate]:
        return await self.templates.list_templates()

    async def get_template(self, ref: str) -> IncidentTemplate:
        return await self.templates.get_template(ref)

    async def remove_template(self, ref: str) -> IncidentTemplate:
        return await self.templates.remove_template(ref)

    # Tokens (statuspage.service.tokens)
    async def create_api_key(self, name: str, scope: str = "write") -> tuple[ApiKey, str]:
        return await self.tokens.create_api_key(name, scope)

    async def list_api_keys(self) -> list[ApiKey]:
        return await self.tokens.list_api_keys()

    async def revoke_api_key(self, ref: str) -> ApiKey:
        return await self.tokens.revoke_api_key(ref)

    async def authenticate(self, secret: str, source: str) -> ApiKey:
        return await self.tokens.authenticate(secret, source)

    # Audit (statuspage.service.audit)
    async def audit_entries(
        self, *, since: datetime | None = None, incident_id: str | None = None, limit: int = 50
    ) -> list[AuditEntry]:
        return await self.audit.audit_entries(since=since, incident_id=incident_id, limit=limit)

    # Subscriptions (statuspage.service.subscriptions)
    async def subscribe(self, req: SubscribeRequest, client: str) -> Address:
        return await self.subscriptions.subscribe(req, client)

    async def confirmation(self, token: str) -> Managed:
        return await self.subscriptions.confirmation(token)

    async def confirm_link(self, token: str, client: str) -> Subscriber:
        return await self.subscriptions.confirm_link(token, client)

    async def confirm_code(
        self, phone: str, country: str | None, code: str, client: str
    ) -> Subscriber:
        return await self.subscriptions.confirm_code(phone, country, code, client)

    async def managed(self, token: str, purpose: str = "manage") -> Managed:
        return await self.subscriptions.managed(token, purpose)

    async def manage(self, token: str, change: ManageChange) -> tuple[Managed, bool]:
        return await self.subscriptions.manage(token, change)

    async def unsubscribe_link(self, token: str) -> Subscriber:
        return await self.subscriptions.unsubscribe_link(token)

    async def resubscribe_link(self, token: str) -> Managed:
        return await self.subscriptions.resubscribe_link(token)

    async def retest(self, token: str) -> Managed:
        return await self.subscriptions.retest(token)

    # Subscribers (statuspage.service.subscribers)
    async def list_subscribers(
        self,
        *,
        channel: str | None = None,
        state: str | None = None,
        tag: str | None = None,
        component: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str = "created_at",
        descending: bool = False,
    ) -> list[Subscriber]:
        return await self.subscribers.list_subscribers(
            channel=channel,
            state=state,
            tag=tag,
            component=component,
            search=search,
            limit=limit,
            offset=offset,
            order=order,
            descending=descending,
        )

    async def purge_times(self, subscriber_ids: list[str]) -> dict[str, datetime]:
        return await self.subscribers.purge_times(subscriber_ids)

    async def get_subscriber(self, ref: str) -> Subscriber:
        return await self.subscribers.get_subscriber(ref)

    async def add_subscriber(self, new: NewSubscriber) -> Subscriber:
        return await self.subscribers.add_subscriber(new)

    async def edit_subscriber(self, ref: str, edit: SubscriberEdit) -> Subscriber:
        return await self.subscribers.edit_subscriber(ref, edit)

    async def unsubscribe_subscribers(self, refs: Sequence[str]) -> list[Subscriber]:
        return await self.subscribers.unsubscribe_subscribers(refs)

    async def reactivate_subscribers(self, refs: Sequence[str]) -> list[Subscriber]:
        return await self.subscribers.reactivate_subscribers(refs)

    async def resend_confirmations(self, refs: Sequence[str]) -> list[Subscriber]:
        return await self.subscribers.resend_confirmations(refs)

    async def count_subscribers(
        self, *, state: str | None = None, tag: str | None = None, component: str | None = None
    ) -> dict[str, int]:
        return await self.subscribers.count_subscribers(state=state, tag=tag, component=component)

    async def subscriber_data(self, ref: str) -> SubscriberData:
        return await self.subscribers.subscriber_data(ref)

    async def erase_subscriber(self, ref: str) -> Subscriber:
        return await self.subscribers.erase_subscriber(ref)

    async def purge_unconfirmed(self) -> int:
        return await self.subscribers.purge_unconfirmed()

    # SubscriberImport (statuspage.service.subscriber_import)
    async def import_subscribers(
        self, columns: Sequence[str], rows: Sequence[ImportRow], skip_confirmation: bool
    ) -> ImportReport:
        return await self.subscriber_import.import_subscribers(columns, rows, skip_confirmation)

    async def import_csv(self, text: str, skip_confirmation: bool) -> ImportReport:
        return await self.subscriber_import.import_csv(text, skip_confirmation)

    # SmsHooks (statuspage.service.sms_hooks)
    async def record_sms_report(
        self, provider_id: str, status: str, code: int | None, row_hint: int | None
    ) -> str:
        return await self.sms_hooks.record_sms_report(provider_id, status, code, row_hint)

    async def answer_sms(self, sender: str, body: str) -> Reply:
        return await self.sms_hooks.answer_sms(sender, body)

    # CommsOps (statuspage.service.comms_ops)
    async def approve_messages(
        self, incident_id: str, by: str, update_id: str | None = None
    ) -> list[Approval]:
        return await self.comms_ops.approve_messages(incident_id, by, update_id)

    async def comms_status(self, plan: Plan, incident: Incident) -> CommsStatus:
        return await self.comms_ops.comms_status(plan, incident)

    async def delivery_status(
        self, incident_id: str, unconfigured_here: dict[str, str]
    ) -> DeliveryStatus:
        return await self.comms_ops.delivery_status(incident_id, unconfigured_here)

    async def retry_failed(
        self, incident_id: str | None, channel: str | None
    ) -> tuple[dict[str, int], int]:
        return await self.comms_ops.retry_failed(incident_id, channel)

    async def preview_messages(
        self, previews: Previews[P], incident_id: str, phase: str | None
    ) -> P:
        return await self.comms_ops.preview_messages(previews, incident_id, phase)

    # Components (statuspage.service.components)
    async def page(self) -> Page:
        return await self.components.page()

    async def ensure_page(self, name: str, url: str, time_zone: str) -> Page:
        return await self.components.ensure_page(name, url, time_zone)

    async def update_page(
        self,
        *,
        name: str | None = None,
        url: str | None = None,
        time_zone: str | None = None,
        language: str | None = None,
    ) -> Page:
        return await self.translations.edit_page(
            name=name, url=url, time_zone=time_zone, language=language
        )

    async def edit_page(
        self,
        *,
        name: str | None = None,
        url: str | None = None,
        time_zone: str | None = None,
        language: str | None = None,
        translations: FieldTexts | None = None,
    ) -> Page:
        return await self.translations.edit_page(
            name=name, url=url, time_zone=time_zone, language=language, translations=translations
        )

    async def set_page_branding(
        self, *, logo: bytes | None = None, accent: str | None = None, remove_logo: bool = False
    ) -> Page:
        return await self.branding.set_page_branding(
            logo=logo, accent=accent, remove_logo=remove_logo
        )

    async def set_page_language(self, language: str) -> Page:
        return await self.translations.set_page_language(language)

    async def translate_update(
        self, incident_id: str, update_id: str | None, language: str, text: str | None
    ) -> str:
        return await self.translations.translate_update(incident_id, update_id, language, text)

    async def translate(
        self,
        subject: TranslationSubject,
        ref: str,
        language: str,
        texts: dict[str, str | None],
    ) -> str:
        return await self.translations.translate(subject, ref, language, texts)

    async def add_group(
        self, name: str, description: str | None = None, position: int | None = None
    ) -> Group:
        return await self.components.add_group(name, description, position)

    async def list_groups(self) -> list[Group]:
        return await self.components.list_groups()

    async def remove_group(self, ref: str, *, ungroup: bool = False) -> Group:
        return await self.components.remove_group(ref, ungroup=ungroup)

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
        return await self.components.add_component(
            name,
            group=group,
            description=description,
            position=position,
            status=status,
            start_date=start_date,
        )

    async def list_components(self) -> list[Component]:
        return await self.components.list_components()

    async def get_component(self, ref: str) -> Component:
        return await self.components.get_component(ref)

    async def set_component_status(self, ref: str, status: str) -> Component:
        return await self.components.set_component_status(ref, status)

    async def remove_component(self, ref: str) -> Component:
        return await self.components.remove_component(ref)

    # Comms KPIs and metrics (statuspage.service.reports)
    async def comms_report(self, since: datetime) -> Report:
        return await self.reports.comms_report(since)

    async def metrics_snapshot(self, checks: Sequence[str] = ()) -> MetricsSnapshot:
        return await self.reports.metrics_snapshot(checks)

    # Incidents (statuspage.service.incidents)
    def impact_for(self, impact: str | None, severity: str | None) -> tuple[Impact, bool]:
        return self.incidents.impact_for(impact, severity)

    def severity_for(self, severity: str | None, impact: str | None = None) -> str | None:
        return self.incidents.severity_for(severity, impact)

    async def declare_incident(
        self,
        title: str,
        *,
        message: str,
        impact: str | None = None,
        components: Sequence[ComponentSpec] = (),
        status: str = "investigating",
        severity: str | None = None,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
        title_translations: Texts | None = None,
    ) -> Incident:
        return await self.incidents.declare_incident(
            title,
            message=message,
            impact=impact,
            components=components,
            status=status,
            severity=severity,
            deliver_notifications=deliver_notifications,
            translations=translations,
            title_translations=title_translations,
        )

    async def update_incident(
        self,
        incident_id: str,
        *,
        message: str,
        status: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        severity: str | None = None,
        translations: Texts | None = None,
    ) -> Incident:
        return await self.incidents.update_incident(
            incident_id,
            message=message,
            status=status,
            components=components,
            deliver_notifications=deliver_notifications,
            severity=severity,
            translations=translations,
        )

    async def resolve_incident(
        self,
        incident_id: str,
        *,
        message: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        return await self.incidents.resolve_incident(
            incident_id,
            message=message,
            components=components,
            deliver_notifications=deliver_notifications,
            translations=translations,
        )

    async def set_postmortem(self, incident_id: str, body: str, *, publish: bool) -> Incident:
        return await self.incidents.set_postmortem(incident_id, body, publish=publish)

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
        return await self.incidents.backfill_incident(
            title,
            impact=impact,
            components=components,
            started=started,
            resolved=resolved,
            message=message,
        )

    async def get_incident(self, incident_id: str) -> Incident:
        return await self.incidents.get_incident(incident_id)

    async def list_incidents(
        self,
        *,
        open_only: bool = False,
        kind: Kind | None = Kind.INCIDENT,
        limit: int | None = None,
    ) -> list[Incident]:
        return await self.incidents.list_incidents(open_only=open_only, kind=kind, limit=limit)

    # Maintenance (statuspage.service.maintenance)
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
        return await self.maintenance.schedule_maintenance(
            title,
            start=start,
            end=end,
            components=components,
            message=message,
            auto_start=auto_start,
            auto_complete=auto_complete,
            deliver_notifications=deliver_notifications,
            translations=translations,
            title_translations=title_translations,
        )

    async def transition_maintenance(
        self,
        incident_id: str,
        status: MaintenanceStatus,
        *,
        message: str | None = None,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        return await self.maintenance.transition_maintenance(
            incident_id,
            status,
            message=message,
            deliver_notifications=deliver_notifications,
            translations=translations,
        )

    async def tick(self) -> list[Transition]:
        return await self.maintenance.tick()

    async def tick_report(self) -> TickReport:
        return await self.maintenance.tick_report()
