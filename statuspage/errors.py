"""One exception hierarchy for the whole project.

    StatuspageError                 anything we raise on purpose
    ├── InvalidInput                bad value from a user (CLI option, API field, form)
    │   └── InvalidField            ... in one named field (a form shows it beside the field)
    ├── NotFound                    unknown component, group, incident, subscriber...
    ├── Conflict                    a transition the current state refuses
    ├── PlanError                   a comms plan that does not validate
    ├── AuthError                   missing or wrong credentials
    │   └── Forbidden               credentials fine, scope too small
    ├── RateLimited                 too many requests; carries retry_after seconds
    ├── RemoteError                 the remote server could not be reached or refused
    ├── MirrorError                 the object store (the site's mirror) refused or failed
    └── DeliveryError               a channel could not deliver a message
        ├── TransientDeliveryError  try again later
        │   ├── ProviderBusy        ... and send slower (queue full, rate limited)
        │   └── AmbiguousDelivery   the provider may have accepted it: look before resending
        └── PermanentDeliveryError  do not try again
            ├── RecipientGone       opted out or gone for good: unsubscribe them
            └── ContentRejected     the provider filters this content: stop sending it

The CLI turns any of these into one line on stderr and exit code 2; the web
layer turns them into a JSON error (API) or an error page (HTML).
"""

from __future__ import annotations


class StatuspageError(Exception):
    """Base of every error raised on purpose."""

    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(StatuspageError):
    """A value given by a user is not acceptable."""

    http_status = 422


class InvalidField(InvalidInput):
    """A value given in one named field is not acceptable.

    `message` is what a public form shows beside the field: a sentence, for the public.
    str() is the one line staff see (CLI, Manage API): `staff` when given (lower case,
    naming the value), else the message as such a line.
    """

    def __init__(self, field: str, message: str, staff: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.staff = staff or one_line(message)

    def __str__(self) -> str:
        return self.staff


def one_line(sentence: str) -> str:
    """A sentence as an error line: "Enter a URL." -> "enter a URL" (acronyms kept)."""
    text = sentence.strip().removesuffix(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


class NotFound(StatuspageError):
    """The thing asked for does not exist."""

    http_status = 404


class Conflict(StatuspageError):
    """The current state does not allow the requested change."""

    http_status = 409


class PlanError(StatuspageError):
    """A comms plan does not validate."""

    http_status = 422


class AuthError(StatuspageError):
    """Credentials are missing or wrong."""

    http_status = 401


class Forbidden(AuthError):
    """Credentials are valid but do not allow this."""

    http_status = 403


class RateLimited(StatuspageError):
    """Too many requests; try again after `retry_after` seconds."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RemoteError(StatuspageError):
    """The remote statuspage server could not be reached or refused the request."""


class DeliveryError(StatuspageError):
    """A channel could not deliver a message."""

    def __init__(self, message: str, provider_code: str | None = None) -> None:
        super().__init__(message)
        self.provider_code = provider_code


class TransientDeliveryError(DeliveryError):
    """Delivery failed for a reason that may pass; retry later."""

    def __init__(
        self, message: str, provider_code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, provider_code)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Delivery failed for good; do not retry."""


class ProviderBusy(TransientDeliveryError):
    """The provider is over its limit or its queue is full: retry, and slow the channel."""


class AmbiguousDelivery(TransientDeliveryError):
    """The request may have been accepted (e.g. a timeout after sending): never resend blindly."""


class RecipientGone(PermanentDeliveryError):
    """The recipient opted out (STOP, 410 Gone) or no longer exists: unsubscribe them."""


class ContentRejected(PermanentDeliveryError):
    """The provider or a carrier filtered the content: stop sending this template."""


class MirrorError(StatuspageError):
    """The object store that mirrors the public site could not be reached or refused a call."""

    http_status = 502
