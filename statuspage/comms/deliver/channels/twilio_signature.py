"""Checking X-Twilio-Signature with the twilio library's validator (web hooks use this,
so they never import the SDK's client)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from twilio.request_validator import RequestValidator


def signature_ok(
    auth_token: str, urls: Iterable[str], params: Mapping[str, str], signature: str
) -> bool:
    """Whether `signature` signs the request at any of `urls` (as Twilio may have seen it)."""
    if not auth_token or not signature:
        return False
    validator = RequestValidator(auth_token)
    return any(validator.validate(url, dict(params), signature) for url in urls)


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio sends for this request (for tests and stand-ins)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))
