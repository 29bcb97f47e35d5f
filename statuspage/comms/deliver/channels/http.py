"""Outgoing HTTP for channels (aiohttp), through the SSRF guard (statuspage.url_guard).

Redirects are not followed; an answer is read up to 64 KiB; network trouble is transient,
and an address the guard refuses is permanent.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from statuspage.errors import PermanentDeliveryError, TransientDeliveryError
from statuspage.url_guard import RefusedTarget
from statuspage.url_resolver import GuardedResolver

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after", "")
        try:
            return max(0.0, float(value))
        except ValueError:
            return None


def session(
    timeout: float, connections: int, *, guard: bool, allow_private: bool = False
) -> aiohttp.ClientSession:
    resolver = GuardedResolver(allow_private) if guard else None
    connector = aiohttp.TCPConnector(limit=connections, resolver=resolver, ttl_dns_cache=10)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout), trust_env=False
    )


class LazySession:
    """A channel's one HTTP session: opened on first use (inside the running loop), closed
    with the channel."""

    def __init__(
        self, timeout: float, connections: int, *, guard: bool, allow_private: bool = False
    ) -> None:
        self._args = (timeout, connections)
        self._guard, self._allow_private = guard, allow_private
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = session(
                *self._args, guard=self._guard, allow_private=self._allow_private
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


async def post(
    client: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> Answer:
    """POST and read (at most 64 KiB of) the answer; network trouble is transient."""
    try:
        async with client.post(url, data=body, headers=headers, allow_redirects=False) as resp:
            text = (await resp.content.read(MAX_BODY)).decode("utf-8", "replace")
            return Answer(resp.status, {k.lower(): v for k, v in resp.headers.items()}, text)
    except aiohttp.ClientConnectorError as exc:
        cause = getattr(exc, "os_error", None) or exc.__cause__
        if isinstance(cause, RefusedTarget):
            raise PermanentDeliveryError(f"refused: {cause}") from exc
        raise TransientDeliveryError(f"cannot connect: {type(cause or exc).__name__}") from exc
    except TimeoutError as exc:
        raise TransientDeliveryError("timed out") from exc
    except aiohttp.ClientError as exc:
        raise TransientDeliveryError(f"connection failed: {type(exc).__name__}") from exc
