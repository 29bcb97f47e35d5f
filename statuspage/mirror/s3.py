"""A small S3 client over httpx: put, get, delete and list objects, signed with SigV4.

Why not boto3: it is synchronous (each call would hold a thread) and large; aiobotocore pins
botocore exactly. The mirror needs four calls, and httpx is already ours.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

from statuspage.errors import InvalidInput, MirrorError
from statuspage.mirror.sigv4 import Credentials, sign

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@dataclass(frozen=True)
class Bucket:
    """Where the site goes: `s3://bucket/prefix`, and how to reach that bucket."""

    name: str
    prefix: str  # "" or "status/" (always ends in "/")
    endpoint: str  # https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000 (MinIO)
    region: str
    credentials: Credentials = field(repr=False)
    path_style: bool = True

    def key(self, name: str) -> str:
        return self.prefix + name


def parse_target(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix` -> ("bucket", "prefix/"); anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(f"a mirror must be an s3://bucket/prefix URL (got {url!r})")
    prefix = parts.path.strip("/")
    return parts.netloc, prefix + "/" if prefix else ""


def bucket_from(url: str, environ: Mapping[str, str]) -> Bucket:
    """The bucket of an s3:// URL, reached the way the standard AWS variables say."""
    name, prefix = parse_target(url)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    custom = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL") or ""
    access = environ.get("AWS_ACCESS_KEY_ID", "")
    secret = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access or not secret:
        raise InvalidInput(f"publishing to {url} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    token = environ.get("AWS_SESSION_TOKEN", "")
    endpoint = custom.rstrip("/") or f"https://s3.{region}.amazonaws.com"
    # Path-style for other stores (MinIO has no bucket host names); virtual hosts on AWS,
    # unless a dot in the name would break the certificate's wildcard.
    path_style = bool(custom) or "." in name
    return Bucket(name, prefix, endpoint, region, Credentials(access, secret, token), path_style)


class S3:
    """The four calls the mirror makes, on one connection pool."""

    def __init__(
        self, bucket: Bucket, timeout: float = 30.0, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.bucket = bucket
        self._clock = clock or (lambda: datetime.now(UTC))
        self._http = httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def put(self, name: str, body: bytes, headers: Mapping[str, str]) -> str:
        """Upload one object; its ETag."""
        response = await self._send("PUT", name, headers=dict(headers), body=body)
        return str(response.headers.get("etag", "")).strip('"')

    async def get(self, name: str) -> bytes | None:
        """An object's bytes as stored, or None when there is none."""
        response = await self._send("GET", name, missing_ok=True)
        return None if response.status_code == 404 else response.content

    async def delete(self, name: str) -> None:
        await self._send("DELETE", name, missing_ok=True)

    async def listing(self) -> dict[str, str]:
        """Every key under the prefix (without it), with its ETag."""
        found: dict[str, str] = {}
        query = {"list-type": "2", "prefix": self.bucket.prefix}
        while True:
            root = ET.fromstring((await self._send("GET", None, query=query)).content)  # noqa: S314 -- our bucket's answer
            for item in root.iter(NS + "Contents"):
                key = item.findtext(NS + "Key") or ""
                found[key.removeprefix(self.bucket.prefix)] = (
                    item.findtext(NS + "ETag") or ""
                ).strip('"')
            token = root.findtext(NS + "NextContinuationToken")
            if root.findtext(NS + "IsTruncated") != "true" or not token:
                return found
            query = {**query, "continuation-token": token}

    async def _send(
        self,
        method: str,
        name: str | None,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        query: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> httpx.Response:
        host, path = self._where(name)
        signed = sign(
            method, host, path, query or {}, headers or {}, body,
            self.bucket.credentials, self.bucket.region, self._clock(),
        )  # fmt: skip
        url = f"{urlsplit(self.bucket.endpoint).scheme}://{host}{path}"
        try:
            response = await self._http.request(
                method, url, params=query, headers=signed, content=body or None
            )
        except httpx.HTTPError as exc:
            raise MirrorError(f"{method} {self._shown(name)}: {type(exc).__name__}") from exc
        if response.status_code >= 300 and not (missing_ok and response.status_code == 404):
            raise MirrorError(
                f"{method} {self._shown(name)}: HTTP {response.status_code} {_code(response)}"
            )
        return response

    def _where(self, name: str | None) -> tuple[str, str]:
        host = urlsplit(self.bucket.endpoint).netloc
        key = "" if name is None else quote(self.bucket.key(name), safe="/-_.~")
        if self.bucket.path_style:
            return host, f"/{self.bucket.name}/{key}"
        return f"{self.bucket.name}.{host}", f"/{key}"

    def _shown(self, name: str | None) -> str:
        return f"s3://{self.bucket.name}/{self.bucket.key(name or '')}"


def _code(response: httpx.Response) -> str:
    """S3's error code (NoSuchBucket, AccessDenied, ...) when the body names one."""
    try:
        return ET.fromstring(response.content).findtext("Code") or ""  # noqa: S314
    except ET.ParseError:
        return ""
