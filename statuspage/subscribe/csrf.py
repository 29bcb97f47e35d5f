"""CSRF protection of the subscription forms: a signed double-submit token.

The first page a browser gets sets a random cookie (HttpOnly, SameSite=Strict); every form
carries a token that is that cookie's value signed with the secret key (and dated). A POST
is accepted when the token is genuine, recent and matches the cookie, and when the
browser does not say the request came from another site (Origin, Sec-Fetch-Site). The
one-click unsubscribe POST (RFC 8058) needs none of this: its signed link is the credential.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

from statuspage.errors import Forbidden

COOKIE = "sp_csrf"
FIELD = "csrf_token"
MAX_AGE = 12 * 3600  # a form left open longer is refused (and shown again, fresh)


def _signer(secret: str) -> TimestampSigner:
    return TimestampSigner(secret, salt="statuspage.csrf")


def token_for(request: Request, secret: str) -> tuple[str, str]:
    """(cookie value, form token) for the page being rendered."""
    cookie = request.cookies.get(COOKIE) or ""
    if len(cookie) < 32:
        cookie = secrets.token_urlsafe(32)
    return cookie, _signer(secret).sign(cookie).decode()


def set_cookie(response: Response, request: Request, cookie: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=secure,
                        path="/")  # fmt: skip


def check(request: Request, token: str, secret: str) -> None:
    """Refuse (Forbidden) a form POST without a genuine, matching token, or from elsewhere."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("this form was sent from another site")
    origin = request.headers.get("origin")
    if origin and origin != "null" and not _same_origin(request, origin):
        raise Forbidden("this form was sent from another site")
    cookie = request.cookies.get(COOKIE, "")
    try:
        signed = _signer(secret).unsign(token, max_age=MAX_AGE).decode()
    except BadSignature as exc:
        raise Forbidden("the form has expired; please send it again") from exc
    if not cookie or not hmac.compare_digest(signed, cookie):
        raise Forbidden("the form has expired; please send it again")


def _same_origin(request: Request, origin: str) -> bool:
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.netloc == host or parts.netloc == request.url.netloc
