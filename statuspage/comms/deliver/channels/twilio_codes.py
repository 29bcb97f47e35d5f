"""Twilio's error codes as our delivery errors (no SDK here: the web hooks use it too).

Codes come back from a Messages create (HTTP 400/429/5xx with `code`) or later in a status
callback (`ErrorCode` with MessageStatus undelivered/failed).
"""

from __future__ import annotations

from statuspage.errors import (
    ContentRejected,
    DeliveryError,
    PermanentDeliveryError,
    ProviderBusy,
    RecipientGone,
    TransientDeliveryError,
)

OPTED_OUT = frozenset({21610})  # the recipient replied STOP
FILTERED = frozenset({30007})  # a carrier filtered the content
QUEUE_FULL = frozenset({20429, 30001, 21611})  # too many requests, queue overflow
TRANSIENT = frozenset({20500, 20503, 30008})  # Twilio's own errors, unknown error
KNOWN = {
    21211: "invalid 'To' phone number",
    21408: "no permission to send to this region",
    21610: "the recipient replied STOP",
    21611: "too many messages queued for this sender",
    21614: "'To' is not a mobile number",
    20429: "too many requests",
    30001: "queue overflow",
    30003: "unreachable handset",
    30004: "message blocked by the recipient",
    30005: "unknown destination handset",
    30006: "landline or unreachable carrier",
    30007: "carrier filtered the message",
    30008: "unknown error",
}


def describe(code: int | None, message: str = "") -> str:
    what = KNOWN.get(code or 0) or message or "error"
    return f"{code}: {what}" if code else what


def error_for(code: int | None, http_status: int | None, message: str = "") -> DeliveryError:
    """Our error for a Twilio error code (and the HTTP status of the API answer)."""
    text, provider_code = describe(code, message), str(code) if code else None
    if code in OPTED_OUT:
        return RecipientGone(text, provider_code)
    if code in FILTERED:
        return ContentRejected(text, provider_code)
    if code in QUEUE_FULL or http_status == 429:
        return ProviderBusy(text, provider_code or "429")
    if code in TRANSIENT or (http_status is not None and http_status >= 500):
        return TransientDeliveryError(text, provider_code or str(http_status))
    if http_status in (401, 403):
        # The account's credentials or permissions: nothing a retry of this message fixes,
        # but not this message's fault either. Keep it queued, slowly.
        return ProviderBusy(f"Twilio refused our credentials ({text})", provider_code, 60.0)
    return PermanentDeliveryError(text, provider_code)
