"""Webhooks: the Statuspage-compatible JSON payload, signed the Standard Webhooks way.

Headers: `webhook-id` (stable for the outbox row, so a receiver can drop a resend),
`webhook-timestamp` (seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, keyed with the bytes of a `whsec_<base64>` secret.
Any 2xx is success; 410 Gone unsubscribes; every other answer is retried.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import datetime

import aiohttp

from statuspage.comms.deliver.channels.base import Message, Receipt
from statuspage.comms.deliver.channels.http import LazySession, post
from statuspage.errors import InvalidInput, RecipientGone, TransientDeliveryError
from statuspage.url_guard import check_url

USER_AGENT = "statuspage-webhooks/1"
PREFIX = "whsec_"


def secret_bytes(secret: str) -> bytes:
    """The key of a `whsec_...` secret; InvalidInput when it is not one."""
    if not secret.startswith(PREFIX):
        raise InvalidInput("the webhook secret must look like whsec_<base64>")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("the webhook secret is not valid base64 after whsec_") from exc
    if len(key) < 24:
        raise InvalidInput("the webhook secret is too short (at least 24 bytes)")
    return key


def sign(key: bytes | hmac.HMAC, msg_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value (`key` may be an HMAC already keyed with it)."""
    mac = key.copy() if isinstance(key, hmac.HMAC) else hmac.new(key, digestmod=hashlib.sha256)
    mac.update(f"{msg_id}.{timestamp}.".encode())
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode()


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        secret: str,
        *,
        timeout: float = 10.0,
        connections: int = 32,
        allow_http: bool = False,
        allow_private: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = hmac.new(secret_bytes(secret), digestmod=hashlib.sha256)  # copied per message
        self._allow_http = allow_http
        self._allow_private = allow_private
        self._clock = clock
        self._http = LazySession(timeout, connections, guard=True, allow_private=allow_private)

    async def send(self, message: Message) -> Receipt:
        check_url(message.to, allow_http=self._allow_http, allow_private=self._allow_private)
        body = message.text.encode()
        msg_id, timestamp = f"msg_{message.key}", int(self._clock())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._key, msg_id, timestamp, body),
        }
        answer = await post(self._client(), message.to, body, headers)
        if 200 <= answer.status < 300:
            return Receipt(msg_id)
        if answer.status == 410:
            raise RecipientGone("410 Gone: the receiver asked us to stop", "410")
        raise TransientDeliveryError(
            f"HTTP {answer.status} from the receiver", str(answer.status), answer.retry_after()
        )

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return None  # a resend carries the same webhook-id: receivers drop duplicates

    async def aclose(self) -> None:
        await self._http.aclose()

    def _client(self) -> aiohttp.ClientSession:
        return self._http.get()
