"""Use cases: each public method is exactly one transaction.

A use case changes the rows, appends the update, records component status changes and
emits its Event to the sinks (the comms kit writes outbox rows there) — all in the same
transaction, so a change and the messages it causes are stored together or not at all.
"""

from __future__ import annotations

from statuspage.service.admin_components import AdminComponentService
from statuspage.service.admin_history import AdminHistoryService
from statuspage.service.admin_incidents import AdminIncidentService
from statuspage.service.admin_uptime import AdminUptimeService
from statuspage.service.audit import AuditService
from statuspage.service.base import CommsHooks, TransactionSink
from statuspage.service.comms_ops import CommsOpsService
from statuspage.service.components import ComponentService
from statuspage.service.incidents import IncidentService
from statuspage.service.maintenance import MaintenanceService, TickReport, Transition
from statuspage.service.sms_hooks import SmsHookService
from statuspage.service.subscriber_import import SubscriberImportService
from statuspage.service.subscribers import SubscriberAdminService
from statuspage.service.subscriptions import SubscriptionService
from statuspage.service.templates import TemplateService
from statuspage.service.tokens import TokenService


class Service(
    # The admin API's use cases come first: they build on the core ones after them.
    AdminComponentService,
    AdminIncidentService,
    AdminHistoryService,
    AdminUptimeService,
    TemplateService,
    TokenService,
    AuditService,
    SubscriptionService,
    SubscriberAdminService,
    SubscriberImportService,
    SmsHookService,
    CommsOpsService,
    ComponentService,
    IncidentService,
    MaintenanceService,
):
    """Every use case of a status page."""


__all__ = ["CommsHooks", "Service", "TickReport", "TransactionSink", "Transition"]
