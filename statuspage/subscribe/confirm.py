"""/subscriptions/confirm: confirming by the e-mailed link or by the SMS code.

Opening the link shows what it confirms and a button; only the POST confirms (mail
scanners open links). The JSON twin takes {"token"} or {"phone", "code"}.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from statuspage.errors import Forbidden, InvalidField, RateLimited, StatuspageError
from statuspage.model import Subscriber
from statuspage.service.subscriptions import Managed
from statuspage.subscribe import csrf
from statuspage.subscribe.forms import Form, read_form, read_json
from statuspage.subscribe.shapes import chosen, shown_address, subscription_json
from statuspage.subscribe.site import (
    client,
    json_answer,
    json_error,
    problem,
    service,
    view,
    wants_json,
)


async def confirm_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    try:
        found = await service(request).confirmation(token)
    except StatuspageError as exc:
        return await problem(request, exc)
    if wants_json(request):
        return json_answer(subscription_json(found, await service(request).list_components()))
    if found.confirmation is None:
        return await confirmed_page(request, found.subscriber)
    return await _confirm_form(request, found, token)


async def _confirm_form(request: Request, found: Managed, token: str) -> Response:
    svc, s, c = service(request), found.subscriber, found.confirmation
    site = await view(request, s.language)
    cookie, form_token = csrf.token_for(request, svc.subscription_policy.secret_key)
    response = await site.render(
        request, "confirm.html", title=site.gettext("Confirm your subscription"),
        s=s, shown=shown_address(s, c.new_address if c else None),
        new_address=bool(c and c.new_address), token=token,
        components=chosen(s, await svc.list_components()), csrf_token=form_token,
    )  # fmt: skip
    csrf.set_cookie(response, request, cookie)
    return response


async def confirm_post(request: Request) -> Response:
    if wants_json(request):
        return await _confirm_json(request)
    try:
        form = await read_form(request)
    except StatuspageError as exc:
        return await problem(request, exc)
    if "code" in form.values:
        return await _code_form(request, form)
    try:
        csrf.check(request, form.get(csrf.FIELD), service(request).subscription_policy.secret_key)
        done = await service(request).confirm_link(form.get("token"), client(request))
    except StatuspageError as exc:
        return await problem(request, exc)
    return await confirmed_page(request, done)


async def _code_form(request: Request, form: Form) -> Response:
    svc = service(request)
    try:
        csrf.check(request, form.get(csrf.FIELD), svc.subscription_policy.secret_key)
        done = await svc.confirm_code(
            form.get("phone"), form.get("phone_country") or None, form.get("code"),
            client(request),
        )  # fmt: skip
    except (InvalidField, Forbidden, RateLimited) as exc:
        return await _verify_again(request, form, exc)
    except StatuspageError as exc:
        return await problem(request, exc)
    return await confirmed_page(request, done)


async def _verify_again(request: Request, form: Form, exc: StatuspageError) -> Response:
    site, svc = await view(request), service(request)
    cookie, token = csrf.token_for(request, svc.subscription_policy.secret_key)
    field = exc.field if isinstance(exc, InvalidField) else "code"
    status = 429 if isinstance(exc, RateLimited) else exc.http_status
    response = await site.render(
        request, "verify.html", status, title=site.gettext("Enter your code"),
        phone=form.get("phone"), shown=form.get("phone"), errors={field: site.say(exc)},
        csrf_token=token,
    )  # fmt: skip
    csrf.set_cookie(response, request, cookie)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def confirmed_page(request: Request, s: Subscriber) -> Response:
    site, svc = await view(request, s.language), service(request)
    manage = site.link(f"/subscriptions/manage?token={svc.signer.token(s.id, 'manage')}")
    return await site.render(
        request, "confirmed.html", title=site.gettext("You are subscribed"), s=s,
        shown=shown_address(s), components=chosen(s, await svc.list_components()),
        manage=manage,
    )  # fmt: skip


async def _confirm_json(request: Request) -> Response:
    svc = service(request)
    try:
        body = await read_json(request)
        if "code" in body:
            done = await svc.confirm_code(
                str(body.get("phone", "")), body.get("phone_country") or None,
                str(body.get("code", "")), client(request),
            )  # fmt: skip
        else:
            done = await svc.confirm_link(str(body.get("token", "")), client(request))
    except StatuspageError as exc:
        return json_error(exc)
    return json_answer(subscription_json(Managed(done), await svc.list_components()))
