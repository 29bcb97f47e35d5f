"""`statuspage comms test`: a test message through each configured channel to the plan's owners.

Sent at once through the real channel clients (not the outbox: nothing is stored), so a
provider's refusal comes back as it is, with the reason the channel explains. A channel
that is not configured, or an owner's contact that is not set, is "skipped: not
configured", with what to set.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from statuspage.comms.deliver.channels import Channel as Sender
from statuspage.comms.deliver.channels import Message
from statuspage.comms.plan.audience import ENV_REF, contact_address
from statuspage.comms.plan.schema import Channel, Plan
from statuspage.errors import DeliveryError, InvalidInput
from statuspage.model import new_id, pick

SENT, SKIPPED, FAILED = "sent", "skipped", "failed"


@dataclass(frozen=True)
class Probe:
    """One test message: to whom, on which channel, and what came of it."""

    role: str
    channel: str
    address: str
    outcome: str  # sent, skipped or failed
    detail: str = ""


def targets(plan: Plan, channel: str | None, owner: str | None) -> list[tuple[str, Channel]]:
    """(role, channel) pairs to test: every owner's every contact, or the ones asked for."""
    if owner is not None:  # as people type it: "incident commander", a prefix, a typo named
        owner = pick(owner, list(plan.owners), "owner role")
    known = sorted({c.value for o in plan.owners.values() for c in o.contacts})
    if channel is not None and channel not in known:
        close = difflib.get_close_matches(channel.lower(), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InvalidInput(f"no owner has a {channel!r} contact; {hint}one of {', '.join(known)}")
    return [
        (key, c)
        for key, o in plan.owners.items()
        if owner in (None, key)
        for c in o.contacts
        if channel in (None, c.value)
    ]


def text_of(page_name: str, role_label: str, channel: Channel) -> tuple[str, str]:
    """(subject, text) of the test message; Slack gets its JSON payload."""
    subject = f"Test message from {page_name}"
    text = (
        f"This is a test of the {channel.value} channel of {page_name} for the {role_label}. "
        "Incident messages will reach you here. No action is needed."
    )
    if channel is Channel.SLACK:
        return subject, json.dumps({"text": text})
    return subject, text


async def probe(
    plan: Plan,
    senders: Mapping[str, Sender],
    unconfigured: Mapping[str, str],
    environ: Mapping[str, str],
    page_name: str,
    now: datetime,
    *,
    channel: str | None = None,
    owner: str | None = None,
) -> list[Probe]:
    """Send the test messages, one at a time; every outcome is reported, none raises."""
    found = []
    for role, on in targets(plan, channel, owner):
        found.append(await _one(plan, senders, unconfigured, environ, page_name, now, role, on))
    return found


async def _one(
    plan: Plan,
    senders: Mapping[str, Sender],
    unconfigured: Mapping[str, str],
    environ: Mapping[str, str],
    page_name: str,
    now: datetime,
    role: str,
    channel: Channel,
) -> Probe:
    owner = plan.owners[role]
    raw = owner.contacts[channel]
    address = contact_address(raw, environ)
    if not address:
        unset = ENV_REF.match(raw)
        how = f"set {unset.group(1)}" if unset else f"give the role a {channel.value} contact"
        return Probe(role, channel.value, raw, SKIPPED, f"not configured: {how}")
    sender = senders.get(channel.value)
    if sender is None:
        why = unconfigured.get(channel.value, "the channel is not set up")
        return Probe(role, channel.value, address, SKIPPED, f"not configured: {why}")
    subject, text = text_of(page_name, owner.label, channel)
    message = Message(
        key=f"test.{new_id()}", channel=channel.value, to=address, text=text, created_at=now,
        subject=subject, thread_key=f"test.{new_id()}", opens_thread=True,
        unique=f"test/{new_id()}",
    )  # fmt: skip
    try:
        receipt = await sender.send(message)
    except DeliveryError as exc:
        code = f" [{exc.provider_code}]" if exc.provider_code else ""
        return Probe(role, channel.value, address, FAILED, f"{exc}{code}")
    sent = receipt.provider_message_id
    return Probe(role, channel.value, address, SENT, f"provider id {sent}" if sent else "")


def format_probes(found: list[Probe]) -> str:
    if not found:
        return "No owner has a contact on that channel."
    lines = []
    for p in found:
        detail = f": {p.detail}" if p.detail else ""
        lines.append(f"{p.role} · {p.channel} · {p.address}: {p.outcome}{detail}")
    sent = sum(p.outcome == SENT for p in found)
    failed = sum(p.outcome == FAILED for p in found)
    skipped = len(found) - sent - failed
    lines.append(f"{sent} sent, {failed} failed, {skipped} skipped (not configured).")
    return "\n".join(lines)
