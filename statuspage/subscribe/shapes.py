"""A subscription as its owner sees it: the JSON answers and the facts pages show."""

from __future__ import annotations

from typing import Any

from statuspage.addresses import display_phone
from statuspage.model import Channel, Component, Subscriber
from statuspage.serialize import iso
from statuspage.service.subscriptions import Managed


def shown_address(s: Subscriber, address: str | None = None) -> str:
    value = address or s.address
    return display_phone(value) if s.channel is Channel.SMS else value


def chosen(s: Subscriber, components: list[Component]) -> list[Component]:
    """The components a subscriber follows, in page order (all of them: every one)."""
    if s.all_components:
        return components
    return [c for c in components if c.id in s.component_ids]


def subscription_json(m: Managed, components: list[Component]) -> dict[str, Any]:
    s, c, probe = m.subscriber, m.confirmation, m.probe
    return {
        "id": s.id,
        "channel": s.channel.value,
        "address": s.address,
        "state": s.state.value,
        "all_components": s.all_components,
        "components": [{"id": x.id, "name": x.name} for x in chosen(s, components)],
        "language": s.language,
        "confirmed_at": iso(s.confirmed_at),
        "awaiting_confirmation": None if c is None else {
            "address": c.new_address or s.address, "expires_at": iso(c.expires_at),
        },
        "test_event": None if probe is None else {
            "state": probe.state, "attempts": probe.attempts, "last_error": probe.last_error,
            "next_attempt_at": iso(probe.next_attempt_at), "sent_at": iso(probe.sent_at),
        },
    }  # fmt: skip
