"""All the SQL of the project, as one object bound to the current transaction."""

from __future__ import annotations

from statuspage.storage.components import ComponentQueries
from statuspage.storage.incidents import IncidentQueries
from statuspage.storage.page import PageQueries
from statuspage.storage.public import PublicQueries
from statuspage.storage.subscribers import SubscriberQueries


class Queries(PublicQueries, PageQueries, ComponentQueries, IncidentQueries, SubscriberQueries):
    """Every query, on the connection of one transaction."""
