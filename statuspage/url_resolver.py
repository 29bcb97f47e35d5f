"""The SSRF guard's resolver for aiohttp (see statuspage.url_guard): apart from the guard's
checks, so that checking an address as it is given does not import aiohttp."""

from __future__ import annotations

import asyncio
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

from statuspage.url_guard import RefusedTarget, non_global


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
