"""Rendering one event's message for many subscribers: once, then filled in per subscriber.

What differs between two subscribers of one segment, channel and language is only their
id and their signed manage and unsubscribe links. So the template is rendered once with
placeholders in their place, and each message is that text with the placeholders
replaced. The first subscriber's message is also rendered in full and compared: a
template that does anything else with those values (cuts a link, say) is rendered in full
for everyone, so the shortcut never changes a message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from statuspage.comms.compose.context import Facts, Recipient, recipient_vars
from statuspage.comms.compose.templates import Rendered, Templates
from statuspage.comms.plan.schema import Channel
from statuspage.links import LinkSigner

PLACEHOLDERS = ("Zq7subscriberIdQ7z", "Zq7manageTokenQ7z", "Zq7unsubscribeTokenQ7z")
FULL = "full"  # a cache entry saying: render this one in full every time


@dataclass(frozen=True)
class Personal:
    """One subscriber's own values: id and link tokens."""

    subscriber_id: str
    manage: str
    unsubscribe: str

    def values(self) -> tuple[str, str, str]:
        return (self.subscriber_id, self.manage, self.unsubscribe)


def fill(rendered: Rendered, personal: Personal) -> Rendered:
    def one(text: str | None) -> str | None:
        if text is None:
            return None
        for placeholder, value in zip(PLACEHOLDERS, personal.values(), strict=True):
            text = text.replace(placeholder, value)
        return text

    r = rendered
    return Rendered(r.channel, r.template, r.language, one(r.text) or "", one(r.subject),
                    one(r.html))  # fmt: skip


class Personaliser:
    def __init__(self, templates: Templates, signer: LinkSigner, smart_sms: bool) -> None:
        self.templates = templates
        self.signer = signer
        self.smart_sms = smart_sms
        self._personal: dict[str, Personal] = {}

    def personal(self, subscriber_id: str) -> Personal:
        found = self._personal.get(subscriber_id)
        if found is None:
            if len(self._personal) >= 4096:
                self._personal.clear()
            found = self._personal[subscriber_id] = Personal(
                subscriber_id,
                self.signer.token(subscriber_id, "manage"),
                self.signer.token(subscriber_id, "unsubscribe"),
            )
        return found

    def render(
        self,
        facts: Facts,
        variables: dict[str, Any],
        r: Recipient,
        template: str,
        cache: dict[tuple[str, str, str], Rendered | str],
    ) -> Rendered:
        """The message for `r` (a subscriber); `variables`: what all recipients share."""
        assert r.subscriber_id is not None
        personal = self.personal(r.subscriber_id)
        key = (template, r.language, r.channel)
        entry = cache.get(key)
        if entry is None:
            full = self.full(facts, variables, r, template)
            shaped = self._with_placeholders(facts, variables, r, template)
            cache[key] = shaped if fill(shaped, personal) == full else FULL
            return full
        if isinstance(entry, Rendered):
            return fill(entry, personal)
        return self.full(facts, variables, r, template)

    def full(
        self, facts: Facts, variables: dict[str, Any], r: Recipient, template: str
    ) -> Rendered:
        merged = {**variables, **recipient_vars(facts, r, self.signer)}
        return self._render(r, template, merged)

    def _with_placeholders(
        self, facts: Facts, variables: dict[str, Any], r: Recipient, template: str
    ) -> Rendered:
        stand_in = replace(r, subscriber_id=PLACEHOLDERS[0])
        mine = recipient_vars(facts, replace(r, subscriber_id=None), self.signer)
        base = facts.page.url.rstrip("/")
        mine["subscriber"] = {"id": PLACEHOLDERS[0], "channel": r.channel,
                              "language": r.language}  # fmt: skip
        mine["links"] = {
            **mine["links"],
            "manage": f"{base}/subscriptions/manage?token={PLACEHOLDERS[1]}",
            "unsubscribe": f"{base}/subscriptions/unsubscribe?token={PLACEHOLDERS[2]}",
        }
        return self._render(stand_in, template, {**variables, **mine})

    def _render(self, r: Recipient, template: str, variables: dict[str, Any]) -> Rendered:
        return self.templates.render(
            Channel(r.channel), template, r.language, variables, smart_sms=self.smart_sms
        )
