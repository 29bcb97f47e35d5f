"""The twilio client's HTTP layer on aiohttp, with connection reuse and an optional base
URL: tests and benchmarks point the real client at a local stand-in for the API."""

from __future__ import annotations

import base64
import functools
import logging
from typing import Any
from urllib.parse import SplitResult, quote_plus, urlsplit, urlunsplit

import aiohttp
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

log = logging.getLogger("statuspage.twilio")


def _pairs(values: dict[str, object] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in (values or {}).items():
        items = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, str(item)) for item in items)
    return pairs


@functools.lru_cache(maxsize=4)
def _split(url: str) -> SplitResult:
    return urlsplit(url)


# One event's SMS share their body, sender and validity: each is quoted once (quote_plus
# works a character at a time, in Python).
_quote = functools.lru_cache(maxsize=1024)(quote_plus)


def _urlencode(pairs: list[tuple[str, str]]) -> bytes:
    """`urlencode(pairs).encode()`."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs).encode()


class TwilioHttp(AsyncHttpClient):  # type: ignore[misc]
    def __init__(self, base_url: str = "", timeout: float = 15.0, connections: int = 16) -> None:
        super().__init__(log, True, timeout)
        self.base_url = base_url.rstrip("/")
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _url(self, url: str) -> str:
        if not self.base_url:
            return url
        parts, base = urlsplit(url), _split(self.base_url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the twilio interface
        allow_redirects: bool = False,
    ) -> Any:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.connections)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        form = _pairs(data)
        if form:  # encoded here: aiohttp's FormData costs more than the rest of the request
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        async with self._session.request(
            method.upper(), self._url(url), params=_pairs(params),
            data=_urlencode(form) if form else None, headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as resp:  # fmt: skip
            text = await resp.text()
            return Response(resp.status, text, dict(resp.headers))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
