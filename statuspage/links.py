"""Signed links: the incident, and a subscriber's manage, unsubscribe and confirm pages.

Below both the comms kit (its messages carry them) and the service and subscription pages
(they verify them), so the pages verify exactly what messages sign:
a token is scoped to one subscriber and one purpose, signed with settings.secret_key.
A confirmation link also carries the nonce of the confirmation it answers and expires;
the SMS code is derived from the same nonce, so a newer confirmation voids both.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from statuspage.errors import InvalidInput

PURPOSES = ("manage", "unsubscribe")
CONFIRM = "confirm"
CODE_DIGITS = 6
PREVIEW_KEY = "preview-only-not-a-secret"  # marks links in previews; never sent


@dataclass(frozen=True)
class LinkSigner:
    """Signs subscriber tokens; `preview()` makes unsendable links for previews and checks."""

    secret_key: str

    @classmethod
    def preview(cls) -> LinkSigner:
        return cls(PREVIEW_KEY)

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        return _signing(self._key(), purpose)[0]

    def _key(self) -> str:
        if not self.secret_key:
            raise InvalidInput(
                "STATUSPAGE_SECRET_KEY is not set: subscription links cannot be "
                "signed; set it in the environment"
            )
        return self.secret_key

    def _timed(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._key(), salt=f"statuspage.subscriber.{CONFIRM}")

    def token(self, subscriber_id: str, purpose: str) -> str:
        """What `URLSafeSerializer(key, salt).dumps(subscriber_id)` makes, made faster (a
        fan-out signs two per subscriber): the keyed HMAC is made once, and the payload is
        never compressed (an id never gets shorter by it; `loads` takes both forms)."""
        mac = _signing(self._key(), purpose)[1].copy()
        payload = base64_encode(json.dumps(subscriber_id))  # a string: compact as it is
        mac.update(payload)
        return (payload + b"." + base64_encode(mac.digest())).decode()

    def subscriber_id(self, token: str, purpose: str) -> str | None:
        """The subscriber a token was made for, or None when it is forged or for another use."""
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def confirm_token(self, subscriber_id: str, nonce: str) -> str:
        """The token of a confirmation link: this subscriber, this confirmation only."""
        return str(self._timed().dumps([subscriber_id, nonce]))

    def confirmed(self, token: str, max_age: timedelta) -> tuple[str, str] | None:
        """(subscriber id, nonce) of a confirmation token; None when forged or for another
        purpose; LinkExpired when it is older than `max_age`."""
        try:
            value = self._timed().loads(token, max_age=int(max_age.total_seconds()))
        except SignatureExpired as exc:
            raise LinkExpired("this confirmation link has expired") from exc
        except BadSignature:
            return None
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return value[0], value[1]
        return None

    def code(self, subscriber_id: str, nonce: str) -> str:
        """The SMS confirmation code of one confirmation: 6 digits, never stored."""
        message = f"statuspage.subscriber.code:{subscriber_id}:{nonce}".encode()
        digest = hmac.new(self._key().encode(), message, hashlib.sha256).digest()
        return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)

    def code_matches(self, subscriber_id: str, nonce: str, given: str) -> bool:
        return hmac.compare_digest(self.code(subscriber_id, nonce), given)

    def keyed(self, scope: str, value: str) -> str:
        """A stable pseudonym of a value (an IP or an address) for rate limits: its HMAC."""
        message = f"{scope}:{value}".encode()
        digest = hmac.new(self._key().encode(), message, hashlib.sha256).hexdigest()
        return f"{scope}:{digest[:32]}"


@functools.lru_cache(maxsize=8)
def _signing(key: str, purpose: str) -> tuple[URLSafeSerializer, hmac.HMAC]:
    """The serializer of one purpose, and the HMAC its signer would key for every token."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    serializer = URLSafeSerializer(key, salt=f"statuspage.subscriber.{purpose}")
    signer = serializer.make_signer()
    # By the digest's name: hmac then takes OpenSSL's HMAC, not its pure-Python fallback.
    digest = signer.digest_method().name
    return serializer, hmac.new(signer.derive_key(), digestmod=digest)


class LinkInvalid(InvalidInput):
    """A link that is forged, for another purpose, or replaced by a newer one."""


class LinkExpired(LinkInvalid):
    """A signed link that was valid but is too old."""


def confirm_url(page_url: str, token: str) -> str:
    return f"{page_url.rstrip('/')}/subscriptions/confirm?token={token}"


def incident_url(page_url: str, incident_id: str) -> str:
    return f"{page_url.rstrip('/')}/incidents/{incident_id}"


def subscriber_links(page_url: str, subscriber_id: str, signer: LinkSigner) -> dict[str, str]:
    """`manage` and `unsubscribe` URLs for one subscriber (routes of statuspage.subscribe)."""
    base = page_url.rstrip("/")
    return {
        purpose: f"{base}/subscriptions/{purpose}?token={signer.token(subscriber_id, purpose)}"
        for purpose in PURPOSES
    }
