"""Reading the subscription forms (and their JSON equivalents) into use-case requests.

A form is read into `Form` (every value as typed, so a refused form is shown again as it
was sent) and then into a request; a refused value raises InvalidField naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from statuspage import languages
from statuspage.addresses import FIELDS
from statuspage.body_limit import MAX_PUBLIC
from statuspage.errors import InvalidField, InvalidInput
from statuspage.model import Channel
from statuspage.service.subscriptions import ManageChange, SubscribeRequest
from statuspage.subscribe.site import Offer

MAX_FORM = MAX_PUBLIC  # BodyLimit refuses larger bodies before they are read
HONEYPOT = "website"


@dataclass
class Form:
    """A form as sent: single values and the components ticked."""

    values: dict[str, str] = field(default_factory=dict)
    components: list[str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default).strip()

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.values.get(HONEYPOT, "").strip())


async def read_form(request: Request) -> Form:
    if len(await request.body()) > MAX_FORM:  # form() then parses these bytes
        raise InvalidInput("the form is too large")
    data: FormData = await request.form(max_files=0, max_fields=500)
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    ticked = [v for v in data.getlist("components") if isinstance(v, str)]
    return Form(values, ticked)


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_FORM:
        raise InvalidInput("the body is too large")
    try:
        value = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the body is not valid JSON") from exc
    if not isinstance(value, dict):
        raise InvalidInput("the body must be a JSON object")
    return value


def json_form(body: dict[str, Any]) -> Form:
    """A JSON body as a form: `components` a list (or "all"), the rest strings."""
    values: dict[str, str] = {}
    for key, value in body.items():
        if key == "components":
            continue
        if value is not None and not isinstance(value, str | bool | int):
            raise InvalidField(key, f"{key} must be a string")
        values[key] = "" if value is None else str(value)
    wanted = body.get("components", "all")
    if wanted in ("all", None):
        values["scope"] = "all"
        return Form(values, [])
    if not isinstance(wanted, list) or not all(isinstance(c, str) for c in wanted):
        raise InvalidField("components", 'components must be a list of ids, or "all"')
    values["scope"] = "some"
    return Form(values, list(wanted))


def channel_of(form: Form, offer: Offer) -> Channel:
    name = form.get("channel", offer.channels[0].value if offer.channels else "email")
    for channel in offer.channels:
        if channel.value == name:
            return channel
    if not offer.channels:
        raise InvalidField("channel", "This page does not take subscriptions.")
    offered = ", ".join(c.value for c in offer.channels)
    raise InvalidField("channel", f"Choose how you want to hear from us: {offered}.",
                       f"channel must be one of: {offered}")  # fmt: skip


def address_of(form: Form, channel: Channel) -> str:
    """The address field of the channel; JSON may say `address` (or `endpoint`) instead."""
    own = FIELDS[channel]
    return form.get(own) or form.get("address") or form.get("endpoint")


def components_of(form: Form) -> tuple[str, ...] | None:
    scope = form.get("scope", "all")
    if scope == "all":
        return None
    if scope != "some":
        raise InvalidField("scope", "Choose every component, or the ones you want.")
    if not form.components:
        raise InvalidField("components", "Choose at least one component, or all of them.")
    return tuple(form.components)


def language_of(form: Form, offer: Offer, channel: Channel, default: str) -> str:
    """The language chosen for the messages: one offered for the channel (forgiving about
    how it is written: zh-CN is zh-Hans); `default` when the form does not say."""
    given = form.get("language")
    if not given:
        return default
    offered = tuple(code for code, _ in offer.languages_for(channel))
    found = languages.canonical(given, offered)
    if found is None:
        staff = f"unknown language {given!r}; choose one of: {', '.join(offered)}"
        raise InvalidField("language", "Choose one of the languages offered.", staff)
    return found


def default_language(offer: Offer, channel: Channel, reader: str) -> str:
    """The language a new subscriber gets unless they choose: the reader's, when offered."""
    offered = [code for code, _ in offer.languages_for(channel)]
    return reader if reader in offered else languages.DEFAULT


def subscribe_request(
    form: Form, offer: Offer, reader: str = languages.DEFAULT
) -> SubscribeRequest:
    """What a subscribe form asks for; `reader` is the language the form was read in."""
    channel = channel_of(form, offer)
    return SubscribeRequest(
        channel,
        address_of(form, channel),
        form.get("phone_country") or offer.default_country,
        components_of(form),
        language_of(form, offer, channel, default_language(offer, channel, reader)),
    )


def manage_change(form: Form, offer: Offer, channel: Channel, current: str) -> ManageChange:
    """A change asked for on the manage page; the language stays `current` unless chosen."""
    return ManageChange(
        components_of(form),
        language_of(form, offer, channel, current),
        address_of(form, channel),
        form.get("phone_country") or None,
    )
