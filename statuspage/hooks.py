"""Twilio's web hooks: delivery reports (/hooks/twilio/status) and replies to our number
(/hooks/twilio/inbound). Both refuse any request without a valid X-Twilio-Signature."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from statuspage.comms.deliver.channels.twilio_signature import signature_ok
from statuspage.config import Settings
from statuspage.service import Service

log = logging.getLogger("statuspage.hooks")
TWIML = "application/xml"


async def _verified(request: Request) -> dict[str, str] | None:
    """The form's fields when Twilio signed this request with our auth token, else None."""
    settings: Settings = request.app.state.settings
    service: Service = request.app.state.service
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    suffix = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    page = await service.page()
    urls = {page.url.rstrip("/") + suffix, settings.public_url.rstrip("/") + suffix,
            str(request.url)}  # fmt: skip
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature_ok(settings.twilio_auth_token, urls, params, signature):
        log.warning("refused an unsigned or wrongly signed request to %s", request.url.path)
        return None
    return params


async def twilio_status(request: Request) -> Response:
    params = await _verified(request)
    if params is None:
        return Response("forbidden", 403)
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    if not sid:
        return Response("no MessageSid", 400)
    code = params.get("ErrorCode", "")
    key = request.query_params.get("key", "")
    hint = key.rpartition(".")[2]
    service: Service = request.app.state.service
    done = await service.record_sms_report(
        sid, status, int(code) if code.isdigit() else None, int(hint) if hint.isdigit() else None
    )
    log.info("twilio status %s %s%s: %s", sid, status, f" ({code})" if code else "", done)
    return Response(status_code=204)


async def twilio_inbound(request: Request) -> Response:
    params = await _verified(request)
    if params is None:
        return Response("forbidden", 403)
    service: Service = request.app.state.service
    reply = await service.answer_sms(params.get("From", ""), params.get("Body", ""))
    if reply.changed:
        log.info("SMS %s: %d subscription(s) changed", reply.keyword, reply.changed)
    message = f"<Message>{escape(reply.text)}</Message>" if reply.text else ""
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>'
    return Response(body, media_type=TWIML)


routes = [
    Route("/hooks/twilio/status", twilio_status, methods=["POST"]),
    Route("/hooks/twilio/inbound", twilio_inbound, methods=["POST"]),
]
