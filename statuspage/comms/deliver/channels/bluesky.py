"""The status account on Bluesky (atproto XRPC over HTTP).

com.atproto.server.createSession logs in with the account's app password; each post is a
com.atproto.repo.createRecord of app.bsky.feed.post, replying to the incident's first post
(root) and latest post (parent). Its record key is derived from the outbox row (a TID of
the row's time and id), so a resend finds the post already there instead of posting twice.
Links become facets, as the Bluesky app does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiohttp

from statuspage.comms.compose.lengths import urls
from statuspage.comms.deliver.channels.base import Message, PostRef, Receipt
from statuspage.comms.deliver.channels.http import Answer, LazySession, post
from statuspage.errors import PermanentDeliveryError, ProviderBusy, TransientDeliveryError

POST = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(at: datetime, clock_id: int) -> str:
    """An atproto TID (13 characters, sortable) from a time and a 10-bit clock id."""
    value = (int(at.timestamp() * 1_000_000) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def link_facets(text: str) -> list[dict[str, Any]]:
    """Facets marking each URL as a link, with UTF-8 byte offsets."""
    facets = []
    for start, end in urls(text):
        byte_start = len(text[:start].encode())
        byte_end = byte_start + len(text[start:end].encode())
        facets.append({
            "index": {"byteStart": byte_start, "byteEnd": byte_end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": text[start:end]}],
        })  # fmt: skip
    return facets


def record(message: Message) -> dict[str, Any]:
    found: dict[str, Any] = {
        "$type": POST,
        "text": message.text,
        "createdAt": message.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "langs": [message.language],
    }
    facets = link_facets(message.text)
    if facets:
        found["facets"] = facets
    if message.reply_to is not None:
        root, parent = message.reply_to
        found["reply"] = {
            "root": {"uri": root.id, "cid": root.ref},
            "parent": {"uri": parent.id, "cid": parent.ref},
        }
    return found


def _error(answer: Answer, what: str) -> Exception:
    try:
        body = json.loads(answer.text)
        reason = f"{body.get('error', '')}: {body.get('message', '')}"[:200]
    except (ValueError, AttributeError):
        reason = ""
    text, code = f"Bluesky {what}: HTTP {answer.status} {reason}".strip(), str(answer.status)
    if answer.status in (401, 403):
        return ProviderBusy(f"{text} (check the handle and app password)", code, 60.0)
    if answer.status == 429:
        return ProviderBusy(text, code, answer.retry_after() or 60.0)
    if answer.status >= 500:
        return TransientDeliveryError(text, code)
    return PermanentDeliveryError(text, code)


class BlueskyChannel:
    name = "social"

    def __init__(self, base_url: str, handle: str, password: str, *, timeout: float = 15.0):
        self._base = base_url.rstrip("/") + "/xrpc/"
        self._handle = handle.lstrip("@")
        self._password = password
        self._http = LazySession(timeout, 2, guard=False)
        self._jwt = ""
        self._did = ""

    async def send(self, message: Message) -> Receipt:
        if not self._jwt:
            await self._login()
        rkey = tid(message.created_at, int(message.key.rpartition(".")[2] or 0))
        answer = await self._create(message, rkey)
        if answer.status in (400, 401) and "ExpiredToken" in answer.text:
            await self._login()
            answer = await self._create(message, rkey)
        if answer.status in (400, 409) and "exist" in answer.text.lower():
            return await self._existing(rkey)  # an earlier attempt posted it
        if not 200 <= answer.status < 300:
            raise _error(answer, "createRecord")
        return self._receipt(answer.text)

    async def _create(self, message: Message, rkey: str) -> Answer:
        body = {"repo": self._did, "collection": POST, "rkey": rkey, "record": record(message)}
        return await self._call("com.atproto.repo.createRecord", body, auth=True)

    async def _existing(self, rkey: str) -> Receipt:
        url = f"{self._base}com.atproto.repo.getRecord"
        params = {"repo": self._did, "collection": POST, "rkey": rkey}
        try:
            async with self._client().get(url, params=params) as resp:
                text = await resp.text()
                if resp.status != 200:
                    raise TransientDeliveryError(f"Bluesky getRecord: HTTP {resp.status}")
        except aiohttp.ClientError as exc:
            raise TransientDeliveryError("Bluesky getRecord failed") from exc
        return self._receipt(text)

    async def _login(self) -> None:
        body = {"identifier": self._handle, "password": self._password}
        answer = await self._call("com.atproto.server.createSession", body, auth=False)
        if answer.status != 200:
            raise _error(answer, "createSession")
        found = json.loads(answer.text)
        self._jwt, self._did = str(found["accessJwt"]), str(found["did"])

    async def _call(self, method: str, body: dict[str, Any], *, auth: bool) -> Answer:
        headers = {"content-type": "application/json"}
        if auth:
            headers["authorization"] = f"Bearer {self._jwt}"
        return await post(self._client(), self._base + method, json.dumps(body).encode(), headers)

    @staticmethod
    def _receipt(text: str) -> Receipt:
        try:
            found = json.loads(text)
            uri, cid = str(found["uri"]), str(found["cid"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientDeliveryError("Bluesky answered without uri and cid") from exc
        return Receipt(uri, PostRef(uri, cid))

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return None  # the record key makes a resend safe

    async def aclose(self) -> None:
        await self._http.aclose()

    def _client(self) -> aiohttp.ClientSession:
        return self._http.get()
