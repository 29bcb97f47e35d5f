"""/subscribe: the form (one tab per channel, no JavaScript needed) and its JSON twin.

The answer is the same whether or not the address is subscribed already; a request that
fills the honeypot field gets it too, and nothing is done.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from statuspage.addresses import Address, countries, display_phone, normalise
from statuspage.errors import Forbidden, InvalidField, RateLimited, StatuspageError
from statuspage.model import Channel
from statuspage.subscribe import csrf
from statuspage.subscribe.forms import (
    Form,
    default_language,
    json_form,
    read_form,
    read_json,
    subscribe_request,
)
from statuspage.subscribe.site import (
    client,
    component_tree,
    json_answer,
    json_error,
    offer,
    problem,
    service,
    view,
    wants_json,
)

log = logging.getLogger("statuspage.subscribe")


async def subscribe_page(request: Request) -> Response:
    chosen = request.query_params.get("channel", "")
    return await render_form(request, Form({"channel": chosen}), {})


async def subscribe_post(request: Request) -> Response:
    if wants_json(request):
        return await _subscribe_json(request)
    try:
        form = await read_form(request)
    except StatuspageError as exc:
        return await problem(request, exc)
    try:
        csrf.check(request, form.get(csrf.FIELD), service(request).subscription_policy.secret_key)
    except Forbidden as exc:
        return await render_form(request, form, {"form": (await view(request)).say(exc)}, 403)
    try:
        return await _subscribe_form(request, form)
    except InvalidField as exc:
        said = (await view(request)).say(exc)
        return await render_form(request, form, {exc.field: said}, 422)
    except RateLimited as exc:
        said = (await view(request)).say(exc)
        response = await render_form(request, form, {"form": said}, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response


async def _subscribe_form(request: Request, form: Form) -> Response:
    wanted = subscribe_request(form, offer(request), (await view(request)).language)
    svc = service(request)
    if form.honeypot_filled:
        log.info("a subscribe request filled the honeypot field; nothing done")
        address = normalise(wanted.channel, wanted.address, wanted.phone_country,
                            svc.address_rules)  # fmt: skip
    else:
        address = await svc.subscribe(wanted, client(request))
    return await sent_page(request, address)


async def sent_page(request: Request, address: Address) -> Response:
    """What to do next: check the inbox, type the SMS code, or wait for the test event."""
    site = await view(request)
    shown = display_phone(address.value) if address.channel is Channel.SMS else address.value
    if address.channel is Channel.SMS:
        cookie, token = csrf.token_for(request, service(request).subscription_policy.secret_key)
        response = await site.render(
            request, "verify.html", title=site.gettext("Enter your code"), phone=address.value,
            shown=shown, errors={}, csrf_token=token,
        )  # fmt: skip
        csrf.set_cookie(response, request, cookie)
        return response
    return await site.render(
        request, "sent.html", title=site.gettext("Check your messages"),
        channel=address.channel.value, shown=shown,
    )  # fmt: skip


async def _subscribe_json(request: Request) -> Response:
    try:
        form = json_form(await read_json(request))
        reader = (await view(request)).language
        address = await service(request).subscribe(
            subscribe_request(form, offer(request), reader), client(request)
        )
    except StatuspageError as exc:
        return json_error(exc)
    channel = address.channel
    return json_answer(
        {"status": "pending", "channel": channel.value, "address": address.value,
         "next": _next_step(channel)},
        202,
    )  # fmt: skip


def _next_step(channel: Channel) -> str:
    if channel is Channel.EMAIL:
        return "confirm with the link we e-mailed (it works for 48 hours)"
    if channel is Channel.SMS:
        return "POST the SMS code to /subscriptions/confirm, or reply YES to the SMS"
    return "answer the test event we send with a 2xx; the subscription starts then"


async def render_form(
    request: Request, form: Form, errors: dict[str, str], status: int = 200
) -> Response:
    site, svc, found = await view(request), service(request), offer(request)
    if not found.channels:
        return await site.render(
            request, "unavailable.html", title=site.gettext("Subscribe"), status=200
        )
    channel = _chosen(form, found.channels)
    language = form.get("language") or default_language(found, channel, site.language)
    cookie, token = csrf.token_for(request, svc.subscription_policy.secret_key)
    tree = component_tree(await svc.list_components(), await svc.list_groups())
    context: dict[str, Any] = {
        "title": site.gettext("Subscribe to updates"), "offer": found, "channel": channel.value,
        "values": {**form.values, "language": language},
        "languages": found.languages_for(channel), "ticked": set(form.components),
        "scope": form.get("scope", "all"), "errors": errors, "tree": tree,
        "countries": countries(site.renderer.locale, found.countries)
        if channel is Channel.SMS else [],
        "country": form.get("phone_country") or found.default_country, "csrf_token": token,
    }  # fmt: skip
    response = await site.render(request, "subscribe.html", status, **context)
    csrf.set_cookie(response, request, cookie)
    return response


def _chosen(form: Form, channels: tuple[Channel, ...]) -> Channel:
    name = form.get("channel")
    return next((c for c in channels if c.value == name), channels[0])
