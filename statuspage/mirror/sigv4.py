"""AWS Signature Version 4 for S3 requests: the headers that sign one request.

S3, R2, GCS's S3 API and MinIO all take it. The body is hashed whole (the objects are a
status page's pages, small), so every request is signed as it is sent; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credentials:
    """An access key; the secret and the session token are never shown in a repr."""

    access_key: str
    secret_key: str = field(repr=False)
    session_token: str = field(default="", repr=False)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret: str, day: str, region: str, service: str = "s3") -> bytes:
    key = _hmac(("AWS4" + secret).encode(), day)
    return _hmac(_hmac(_hmac(key, region), service), "aws4_request")


def canonical_query(query: dict[str, str]) -> str:
    """Query parameters sorted and encoded the SigV4 way (RFC 3986, `~` kept)."""
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in query.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def sign(
    method: str,
    host: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    credentials: Credentials,
    region: str,
    now: datetime,
) -> dict[str, str]:
    """`headers` plus Host, X-Amz-Date, X-Amz-Content-Sha256, the token and Authorization.

    `path` is the request's path already percent-encoded (as sent); every header given is
    signed.
    """
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    signed = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
    signed |= {"host": host, "x-amz-date": stamp, "x-amz-content-sha256": payload}
    if credentials.session_token:
        signed["x-amz-security-token"] = credentials.session_token
    names = sorted(signed)
    canonical = "\n".join(
        [
            method,
            path,
            canonical_query(query),
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            payload,
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    signature = hmac.new(
        signing_key(credentials.secret_key, day, region), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    signed["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed
