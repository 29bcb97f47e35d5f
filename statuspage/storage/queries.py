"""All the SQL of the project, as one object bound to the current transaction."""

from __future__ import annotations

from statuspage.storage.admin import AdminQueries
from statuspage.storage.api_keys import ApiKeyQueries
from statuspage.storage.audit import AuditQueries
from statuspage.storage.automation import AutomationQueries
from statuspage.storage.checks import CheckQueries
from statuspage.storage.components import ComponentQueries
from statuspage.storage.delivery import DeliveryQueries
from statuspage.storage.delivery_admin import DeliveryAdminQueries
from statuspage.storage.incidents import IncidentQueries
from statuspage.storage.outbox import OutboxQueries
from statuspage.storage.outbox_claims import OutboxClaimQueries
from statuspage.storage.page import PageQueries
from statuspage.storage.public import PublicQueries
from statuspage.storage.ratelimits import RateLimitQueries
from statuspage.storage.reports import ReportQueries
from statuspage.storage.subscribers import SubscriberQueries
from statuspage.storage.subscriptions import SubscriptionQueries
from statuspage.storage.templates import TemplateQueries


class Queries(
    PublicQueries,
    PageQueries,
    ComponentQueries,
    IncidentQueries,
    SubscriberQueries,
    OutboxQueries,
    OutboxClaimQueries,
    ApiKeyQueries,
    AuditQueries,
    TemplateQueries,
    AdminQueries,
    DeliveryQueries,
    DeliveryAdminQueries,
    SubscriptionQueries,
    RateLimitQueries,
    ReportQueries,
    AutomationQueries,
    CheckQueries,
):
    """Every query, on the connection of one transaction."""
