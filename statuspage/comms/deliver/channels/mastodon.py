"""The status account on Mastodon: POST /api/v1/statuses with an Idempotency-Key.

The key is the outbox row's, so a resend after a crash or a timeout is recognised by the
server and not posted twice. Updates reply to the incident's latest post (in_reply_to_id),
so the thread from its first post tells the story.
"""

from __future__ import annotations

import json
from datetime import datetime

import aiohttp

from statuspage.comms.deliver.channels.base import Message, PostRef, Receipt
from statuspage.comms.deliver.channels.http import Answer, LazySession, post
from statuspage.errors import PermanentDeliveryError, ProviderBusy, TransientDeliveryError


def _error(answer: Answer) -> Exception:
    try:
        reason = str(json.loads(answer.text).get("error", ""))[:200]
    except (ValueError, AttributeError):
        reason = ""
    text = f"Mastodon HTTP {answer.status}" + (f": {reason}" if reason else "")
    code = str(answer.status)
    if answer.status in (401, 403):
        return ProviderBusy(f"{text} (check STATUSPAGE_MASTODON_TOKEN)", code, 60.0)
    if answer.status == 429:
        return ProviderBusy(text, code, answer.retry_after() or 60.0)
    if answer.status >= 500:
        return TransientDeliveryError(text, code, answer.retry_after())
    return PermanentDeliveryError(text, code)


class MastodonChannel:
    name = "social"

    def __init__(self, base_url: str, token: str, *, timeout: float = 15.0) -> None:
        self._url = base_url.rstrip("/") + "/api/v1/statuses"
        self._token = token
        self._http = LazySession(timeout, 2, guard=False)

    async def send(self, message: Message) -> Receipt:
        status: dict[str, str] = {
            "status": message.text, "visibility": "public", "language": message.language,
        }  # fmt: skip
        if message.reply_to is not None:
            status["in_reply_to_id"] = message.reply_to[1].id
        headers = {
            "authorization": f"Bearer {self._token}",
            "idempotency-key": message.key,
            "content-type": "application/json",
        }
        answer = await post(self._client(), self._url, json.dumps(status).encode(), headers)
        if not 200 <= answer.status < 300:
            raise _error(answer)
        try:
            post_id = str(json.loads(answer.text)["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientDeliveryError("Mastodon answered without a status id") from exc
        return Receipt(post_id, PostRef(post_id))

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return None  # the Idempotency-Key makes a resend safe

    async def aclose(self) -> None:
        await self._http.aclose()

    def _client(self) -> aiohttp.ClientSession:
        return self._http.get()
