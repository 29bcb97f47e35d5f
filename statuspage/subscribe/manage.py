"""/subscriptions/manage and /subscriptions/unsubscribe: the signed links of every message.

Managing changes components, language or the address (a new address is confirmed before
it is used), unsubscribes, subscribes again, or sends a webhook's test event again.
Opening the unsubscribe link shows a button; its POST unsubscribes at once, with no form
token (RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to that URL).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from statuspage.addresses import countries
from statuspage.errors import Forbidden, InvalidField, RateLimited, StatuspageError
from statuspage.model import Channel, Subscriber
from statuspage.service.subscriptions import Managed
from statuspage.subscribe import csrf
from statuspage.subscribe.forms import Form, json_form, manage_change, read_form, read_json
from statuspage.subscribe.shapes import shown_address, subscription_json
from statuspage.subscribe.site import (
    NO_STORE,
    Offer,
    component_tree,
    json_answer,
    json_error,
    language_name,
    offer,
    problem,
    service,
    view,
    wants_json,
)

NOTICES = ("saved", "sent", "resubscribed", "retested")
ACTIONS = ("save", "unsubscribe", "resubscribe", "retest")


async def manage_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    try:
        found = await service(request).managed(token)
    except StatuspageError as exc:
        return await problem(request, exc)
    if wants_json(request):
        return json_answer(subscription_json(found, await service(request).list_components()))
    notice = next((n for n in NOTICES if request.query_params.get(n)), None)
    return await render_manage(request, found, token, _form_of(found), {}, notice=notice)


def _form_of(m: Managed) -> Form:
    s = m.subscriber
    values = {"scope": "all" if s.all_components else "some", "language": s.language}
    return Form(values, list(s.component_ids))


async def manage_post(request: Request) -> Response:
    if wants_json(request):
        return await _manage_json(request)
    svc = service(request)
    try:
        form = await read_form(request)
        token = form.get("token")
        found = await svc.managed(token)
    except StatuspageError as exc:
        return await problem(request, exc)
    try:
        csrf.check(request, form.get(csrf.FIELD), svc.subscription_policy.secret_key)
        return await _act(request, form, token, found)
    except (InvalidField, Forbidden, RateLimited) as exc:
        field = exc.field if isinstance(exc, InvalidField) else "form"
        status = exc.http_status
        said = (await view(request, found.subscriber.language)).say(exc)
        response = await render_manage(request, found, token, form, {field: said}, status=status)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except StatuspageError as exc:
        return await problem(request, exc)


async def _act(request: Request, form: Form, token: str, found: Managed) -> Response:
    svc, action = service(request), form.get("action", "save")
    if action == "unsubscribe":
        return await unsubscribed_page(request, await svc.unsubscribe_link(token))
    if action == "resubscribe":
        await svc.resubscribe_link(token)
        return await _back(request, token, "resubscribed")
    if action == "retest":
        await svc.retest(token)
        return await _back(request, token, "retested")
    s = found.subscriber
    change = manage_change(form, offer(request), s.channel, s.language)
    _, sent = await svc.manage(token, change)
    return await _back(request, token, "sent" if sent else "saved")


async def _back(request: Request, token: str, notice: str) -> Response:
    """After a change, the manage page again (POST, redirect, GET), in the same language."""
    site = await view(request)
    query = urlencode({"token": token, notice: "1"})
    path = site.link(f"/subscriptions/manage?{query}")
    return site.finish(request, RedirectResponse(path, 303, headers=NO_STORE))


async def _manage_json(request: Request) -> Response:
    svc = service(request)
    try:
        body = await read_json(request)
        token = str(body.pop("token", ""))
        action = str(body.pop("action", "save"))
        found = await svc.managed(token)
        if action not in ACTIONS:
            raise InvalidField("action", f"action must be one of: {', '.join(ACTIONS)}")
        if action == "unsubscribe":
            await svc.unsubscribe_link(token)
        elif action == "resubscribe":
            await svc.resubscribe_link(token)
        elif action == "retest":
            await svc.retest(token)
        else:
            form = json_form(body) if "components" in body else _form_of(found)
            form.values.update({k: str(v) for k, v in body.items() if k != "components"})
            s = found.subscriber
            await svc.manage(token, manage_change(form, offer(request), s.channel, s.language))
        found = await svc.managed(token)
    except StatuspageError as exc:
        return json_error(exc)
    return json_answer(subscription_json(found, await svc.list_components()))


async def render_manage(
    request: Request,
    found: Managed,
    token: str,
    form: Form,
    errors: dict[str, str],
    *,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    svc, s, c = service(request), found.subscriber, found.confirmation
    site = await view(request, s.language)
    cookie, form_token = csrf.token_for(request, svc.subscription_policy.secret_key)
    sms = s.channel is Channel.SMS
    context: dict[str, Any] = {
        "title": site.gettext("Your subscription"), "s": s, "shown": shown_address(s),
        "pending_address": shown_address(s, c.new_address) if c and c.new_address else None,
        "probe": found.probe, "token": token, "values": form.values,
        "ticked": set(form.components), "scope": form.get("scope", "all"), "errors": errors,
        "notice": notice, "languages": _languages(offer(request), s), "csrf_token": form_token,
        "tree": component_tree(await svc.list_components(), await svc.list_groups()),
        "countries": countries(site.renderer.locale, offer(request).countries) if sms else [],
        "country": form.get("phone_country") or s.phone_country or offer(request).default_country,
    }  # fmt: skip
    response = await site.render(request, "manage.html", status, **context)
    csrf.set_cookie(response, request, cookie)
    return response


def _languages(found: Offer, s: Subscriber) -> tuple[tuple[str, str], ...]:
    """The languages the manage page offers: the channel's, and the subscriber's own."""
    offered = found.languages_for(s.channel)
    if s.language in {code for code, _ in offered}:
        return offered
    return (*offered, (s.language, language_name(s.language)))


async def unsubscribe_page(request: Request) -> Response:
    """The link's page: who would be unsubscribed, and the button (never on a GET alone)."""
    token = request.query_params.get("token", "")
    try:
        found = await service(request).managed(token, "unsubscribe")
    except StatuspageError as exc:
        return await problem(request, exc)
    s = found.subscriber
    site = await view(request, s.language)
    action = site.link(f"/subscriptions/unsubscribe?{urlencode({'token': token})}")
    return await site.render(
        request, "unsubscribe.html", title=site.gettext("Unsubscribe"), s=s,
        shown=shown_address(s), action=action,
    )  # fmt: skip


async def unsubscribe_post(request: Request) -> Response:
    """RFC 8058 one-click: the signed link is the credential; no form token is needed."""
    token = request.query_params.get("token", "")
    if not token and not wants_json(request):
        token = (await read_form(request)).get("token")
    try:
        done = await service(request).unsubscribe_link(token)
    except StatuspageError as exc:
        return await problem(request, exc)
    if wants_json(request) or "application/json" in request.headers.get("accept", ""):
        return json_answer({"id": done.id, "state": done.state.value})
    return await unsubscribed_page(request, done)


async def unsubscribed_page(request: Request, s: Any) -> Response:
    site, svc = await view(request, s.language), service(request)
    cookie, form_token = csrf.token_for(request, svc.subscription_policy.secret_key)
    response = await site.render(
        request, "unsubscribed.html", title=site.gettext("You are unsubscribed"), s=s,
        shown=shown_address(s), token=svc.signer.token(s.id, "manage"), csrf_token=form_token,
    )  # fmt: skip
    csrf.set_cookie(response, request, cookie)
    return response
