"""Telling a CDN which URLs changed: a URL template, or Cloudflare's purge-by-URL API.

Template (STATUSPAGE_CDN_PURGE_URL): one request per changed URL, `{url}` replaced by the
URL, percent-encoded (e.g. `https://cache.internal/purge?url={url}`), with the method of
STATUSPAGE_CDN_PURGE_METHOD (POST, or PURGE for Varnish and Fastly's URL purge).
Cloudflare (STATUSPAGE_CLOUDFLARE_ZONE and the token STATUSPAGE_CLOUDFLARE_TOKEN):
POST {api}/zones/{zone}/purge_cache {"files": [...]}, 30 URLs a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from statuspage.errors import MirrorError

CLOUDFLARE_API = "https://api.cloudflare.com/client/v4"
CLOUDFLARE_BATCH = 30  # URLs per purge request (the smallest plan's limit)


@dataclass(frozen=True)
class Purge:
    """Where to send the changed URLs; nothing is sent when neither is set."""

    template: str = ""
    method: str = "POST"
    cloudflare_zone: str = ""
    cloudflare_token: str = field(default="", repr=False)
    cloudflare_api: str = CLOUDFLARE_API
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.template or self.cloudflare_zone)

    async def __call__(self, urls: Sequence[str]) -> None:
        """Purge these URLs everywhere configured; a refusal raises MirrorError."""
        if not urls or not self.configured:
            return
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            if self.template:
                for url in urls:
                    target = self.template.replace("{url}", quote(url, safe=""))
                    _check(await _send(http, self.method, target), "purge")
            if self.cloudflare_zone:
                await self._cloudflare(http, urls)

    async def _cloudflare(self, http: httpx.AsyncClient, urls: Sequence[str]) -> None:
        endpoint = f"{self.cloudflare_api.rstrip('/')}/zones/{self.cloudflare_zone}/purge_cache"
        headers = {"Authorization": f"Bearer {self.cloudflare_token}"}
        for start in range(0, len(urls), CLOUDFLARE_BATCH):
            files = list(urls[start : start + CLOUDFLARE_BATCH])
            response = await _send(http, "POST", endpoint, json={"files": files}, headers=headers)
            _check(response, "Cloudflare purge")


async def _send(http: httpx.AsyncClient, method: str, url: str, **kwargs: object) -> httpx.Response:
    try:
        return await http.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise MirrorError(f"CDN purge: {type(exc).__name__}") from exc


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 300:
        raise MirrorError(f"{what}: HTTP {response.status_code}")
