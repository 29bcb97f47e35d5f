"""Outgoing HTTP for channels (aiohttp), with the SSRF guard for subscriber-given URLs.

A subscriber's webhook or Slack URL must not reach into our network. The guard resolves
the host when connecting and refuses it when ANY of its addresses is not global (private,
loopback, link-local, shared, reserved, multicast...); the connection then goes to the
addresses it checked, so a name that resolves differently a moment later (DNS rebinding)
changes nothing. Literal addresses in URLs are checked the same way. Redirects are not
followed.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from statuspage.errors import PermanentDeliveryError, TransientDeliveryError

MAX_BODY = 64 * 1024


class RefusedTarget(OSError):
    """The URL leads to an address we do not send to."""


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


def non_global(address: str) -> bool:
    """Whether an IP address is one we refuse to send to (not on the public internet)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class GuardedResolver(AbstractResolver):
    """Resolves a host and refuses it when any of its addresses is not global."""

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        found: list[ResolveResult] = []
        for fam, _, proto, _, sockaddr in infos:
            address = str(sockaddr[0])
            if not self.allow_private and non_global(address):
                raise RefusedTarget(f"{host} resolves to {address}, which is not public")
            found.append(
                ResolveResult(hostname=host, host=address, port=int(sockaddr[1]), family=fam,
                              proto=proto, flags=socket.AI_NUMERICHOST)
            )  # fmt: skip
        if not found:
            raise OSError(f"{host} has no address")
        return found

    async def close(self) -> None:
        return None


def check_url(url: str, *, allow_http: bool, allow_private: bool) -> None:
    """Refuse a URL we must not post to (wrong scheme, a literal private address)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise PermanentDeliveryError(f"refused: {parts.scheme or 'no'} URL scheme (https only)")
    if not parts.hostname:
        raise PermanentDeliveryError("refused: the URL has no host")
    if not allow_private and _literal_non_global(parts.hostname):
        raise PermanentDeliveryError("refused: the URL's address is not public")


@functools.lru_cache(maxsize=4096)
def _literal_non_global(host: str) -> bool:
    """Whether the host is an IP address we refuse (a name is checked when resolved)."""
    try:
        return non_global(host)
    except ValueError:
        return False


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
