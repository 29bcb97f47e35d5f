"""Alerts in: POST /hooks/alerts/alertmanager, /hooks/alerts/grafana and /hooks/alerts/generic.

Each takes an API key of scope `alerts` (or admin) as `Authorization: Bearer <key>`, which is
what Alertmanager's `http_config.authorization` and Grafana's webhook contact point send. The
generic hook also takes an HMAC-SHA256 signature instead: `X-Statuspage-Timestamp: <unix
seconds>` and `X-Statuspage-Signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>`,
the secret being STATUSPAGE_ALERTS_HMAC_SECRET; a timestamp more than 5 minutes off is refused,
so a captured request cannot be replayed later. Bad credentials: 401; a key of another scope:
403; a malformed body: 400 with the reason. In every refusal nothing is applied.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from statuspage.automation.payloads import parse
from statuspage.automation.read import rules_for
from statuspage.config import Settings
from statuspage.errors import AuthError, Forbidden, InvalidInput
from statuspage.keys import Scope
from statuspage.service import Service
from statuspage.service.automation import Automation

log = logging.getLogger("statuspage.automation")
SIGNATURE = "x-statuspage-signature"
TIMESTAMP = "x-statuspage-timestamp"
TOLERANCE = 300  # seconds a signed request's timestamp may be off


def automation_for(settings: Settings, service: Service) -> Automation | None:
    """Automation on the service's context, or None when STATUSPAGE_AUTOMATION is off; a rules
    file that does not validate raises InvalidInput (the server does not start)."""
    rules = rules_for(settings.automation)
    if rules is None:
        return None
    return Automation(service.ctx, service.incidents, rules)


async def tick_forever(automation: Automation | None, interval: float) -> None:
    """Let due alerts apply or go every few seconds (their `for` and `hold_down`)."""
    while automation is not None:
        try:
            outcome = await automation.tick()
            for change in outcome.changes:
                log.info("%s is now %s (rule %s)", change.component, change.new.value, change.rule)
        except Exception:
            log.exception("automation tick failed; trying again in %s s", interval)
        await asyncio.sleep(interval)


def _error(status: int, text: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="statuspage alerts"'
    return JSONResponse({"error": text}, status, headers=headers)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _check_key(request: Request, header: str) -> None:
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthError("malformed Authorization header; send Authorization: Bearer <api-key>")
    service: Service = request.app.state.service
    found = await service.authenticate(key.strip(), _client(request))
    if not found.scope.allows(Scope.ALERTS):
        raise Forbidden(f"this key has scope {found.scope.value}; alerts need scope alerts")


def signature_ok(secret: str, body: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Whether `signature` is sha256=HMAC(secret, "<timestamp>.<body>") and the timestamp is
    within TOLERANCE of now."""
    if not secret or not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(f"sha256={expected.hexdigest()}", signature.strip())


def _check_signature(request: Request, body: bytes) -> None:
    settings: Settings = request.app.state.settings
    timestamp = request.headers.get(TIMESTAMP, "")
    signature = request.headers.get(SIGNATURE, "")
    if not signature_ok(settings.alerts_hmac_secret, body, timestamp, signature, time.time()):
        raise AuthError("bad or stale signature (X-Statuspage-Signature, X-Statuspage-Timestamp)")


async def _authorise(request: Request, source: str, body: bytes) -> None:
    header = request.headers.get("authorization", "")
    if header:
        await _check_key(request, header)
    elif source == "generic" and request.headers.get(SIGNATURE):
        _check_signature(request, body)
    else:
        raise AuthError("missing credentials; send Authorization: Bearer <api-key of scope alerts>")


def _hook(source: str) -> Route:
    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            await _authorise(request, source, body)
        except AuthError as exc:  # Forbidden too
            log.warning("refused alerts from %s: %s", _client(request), exc)
            return _error(exc.http_status, str(exc))
        automation: Automation | None = request.app.state.automation
        if automation is None:
            return _error(503, "automation is off on this server (STATUSPAGE_AUTOMATION=off)")
        try:
            signals = parse(source, body)
        except InvalidInput as exc:
            return _error(400, str(exc))
        outcome = await automation.receive(signals, source=f"{source}@{_client(request)}")
        return JSONResponse(outcome.as_json(), headers={"Cache-Control": "no-store"})

    return Route(f"/hooks/alerts/{source}", receive, methods=["POST"], name=f"alerts_{source}")


routes = [_hook("alertmanager"), _hook("grafana"), _hook("generic")]
