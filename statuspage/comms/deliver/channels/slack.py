"""Slack incoming webhooks: the rendered block message, POSTed as JSON.

The dispatcher paces each URL to one message a second (Slack's limit per webhook).
Slack answers 200 "ok"; 404 no_service and 410 channel_is_archived mean the webhook is
gone for good (a subscriber's is then unsubscribed); 429 carries Retry-After.
"""

from __future__ import annotations

from datetime import datetime

import aiohttp

from statuspage.comms.deliver.channels.base import Message, Receipt
from statuspage.comms.deliver.channels.http import LazySession, post
from statuspage.errors import PermanentDeliveryError, RecipientGone, TransientDeliveryError
from statuspage.url_guard import check_url

GONE = frozenset({404, 410})


class SlackChannel:
    name = "slack"

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        connections: int = 8,
        allow_http: bool = False,
        allow_private: bool = False,
    ) -> None:
        self._allow_http = allow_http
        self._allow_private = allow_private
        self._http = LazySession(timeout, connections, guard=True, allow_private=allow_private)

    async def send(self, message: Message) -> Receipt:
        check_url(message.to, allow_http=self._allow_http, allow_private=self._allow_private)
        headers = {"content-type": "application/json; charset=utf-8"}
        answer = await post(self._client(), message.to, message.text.encode(), headers)
        reason = answer.text.strip()[:100] or f"HTTP {answer.status}"
        if 200 <= answer.status < 300:
            return Receipt()
        if answer.status in GONE:
            raise RecipientGone(f"Slack: {reason} (the webhook is gone)", str(answer.status))
        if answer.status == 429 or answer.status >= 500:
            raise TransientDeliveryError(f"Slack: {reason}", str(answer.status),
                                         answer.retry_after())  # fmt: skip
        raise PermanentDeliveryError(f"Slack: {reason}", str(answer.status))

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return None

    async def aclose(self) -> None:
        await self._http.aclose()

    def _client(self) -> aiohttp.ClientSession:
        return self._http.get()
