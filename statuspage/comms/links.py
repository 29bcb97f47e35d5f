"""The links a message carries: the incident, and the subscriber's manage and unsubscribe pages.

Made in one place so the subscription pages (step 5) verify exactly what messages sign:
a token is scoped to one subscriber and one purpose, signed with settings.secret_key.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from statuspage.errors import InvalidInput

PURPOSES = ("manage", "unsubscribe")
PREVIEW_KEY = "preview-only-not-a-secret"  # marks links in previews; never sent


@dataclass(frozen=True)
class LinkSigner:
    """Signs subscriber tokens; `preview()` makes unsendable links for previews and checks."""

    secret_key: str
    for_preview: bool = False

    @classmethod
    def preview(cls) -> LinkSigner:
        return cls(PREVIEW_KEY, for_preview=True)

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        if not self.secret_key:
            raise InvalidInput(
                "STATUSPAGE_SECRET_KEY is not set: manage and unsubscribe links cannot be "
                "signed; set it in the environment"
            )
        return URLSafeSerializer(self.secret_key, salt=f"statuspage.subscriber.{purpose}")

    def token(self, subscriber_id: str, purpose: str) -> str:
        return str(self._serializer(purpose).dumps(subscriber_id))

    def subscriber_id(self, token: str, purpose: str) -> str | None:
        """The subscriber a token was made for, or None when it is forged or for another use."""
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def incident_url(page_url: str, incident_id: str) -> str:
    return f"{page_url.rstrip('/')}/incidents/{incident_id}"


def subscriber_links(page_url: str, subscriber_id: str, signer: LinkSigner) -> dict[str, str]:
    """`manage` and `unsubscribe` URLs for one subscriber (routes served by step 5)."""
    base = page_url.rstrip("/")
    return {
        purpose: f"{base}/subscriptions/{purpose}?token={signer.token(subscriber_id, purpose)}"
        for purpose in PURPOSES
    }
