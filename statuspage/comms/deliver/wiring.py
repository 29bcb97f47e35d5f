"""Channels, limits and the dispatcher from the settings (the app and the CLI call this).

A channel whose settings are missing is left out with the reason, which the dispatcher
logs once and `comms status` shows; its messages stay queued until it is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from statuspage.comms.deliver.channels import Channel
from statuspage.comms.deliver.channels.bluesky import BlueskyChannel
from statuspage.comms.deliver.channels.email import EmailChannel, SmtpConfig, message_id_domain
from statuspage.comms.deliver.channels.mastodon import MastodonChannel
from statuspage.comms.deliver.channels.slack import SlackChannel
from statuspage.comms.deliver.channels.sms import SmsChannel, TwilioConfig
from statuspage.comms.deliver.channels.webhook import WebhookChannel, secret_bytes
from statuspage.comms.deliver.dispatcher import Dispatcher, Timing
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.comms.deliver.worker import Limits
from statuspage.comms.kit import Comms
from statuspage.comms.plan.schema import Network, Plan
from statuspage.config import PREFIX, Settings
from statuspage.errors import InvalidInput
from statuspage.events import utcnow
from statuspage.links import LinkSigner
from statuspage.storage import Store

STATUS_HOOK = "/hooks/twilio/status"
log = logging.getLogger("statuspage.dispatch")


def limits_for(s: Settings) -> dict[str, Limits]:
    return {
        "email": Limits(s.email_rate, s.email_concurrency, burst=max(1.0, s.email_rate / 20)),
        "sms": Limits(s.sms_rate, s.sms_concurrency, burst=1.0),
        "webhook": Limits(
            s.webhook_rate, s.webhook_concurrency, burst=max(1.0, s.webhook_rate / 20)
        ),
        "slack": Limits(s.slack_rate, s.slack_concurrency, burst=1.0, per_key_rate=1.0),
        "social": Limits(s.social_rate, 1, burst=1.0, batch=1),
    }  # fmt: skip


def missing_settings(s: Settings, plan: Plan) -> dict[str, str]:
    """Why each channel that is not configured is not."""
    missing = {}
    if not s.smtp_host or not s.smtp_from:
        missing["email"] = f"set {PREFIX}SMTP_HOST and {PREFIX}SMTP_FROM"
    if not (s.twilio_account_sid and s.twilio_auth_token):
        missing["sms"] = f"set {PREFIX}TWILIO_ACCOUNT_SID and {PREFIX}TWILIO_AUTH_TOKEN"
    elif not (s.twilio_messaging_service_sid or s.twilio_from):
        missing["sms"] = f"set {PREFIX}TWILIO_MESSAGING_SERVICE_SID or {PREFIX}TWILIO_FROM"
    if not s.webhook_secret:
        missing["webhook"] = f"set {PREFIX}WEBHOOK_SECRET (whsec_...) to sign webhooks"
    else:
        try:
            secret_bytes(s.webhook_secret)
        except InvalidInput as exc:
            missing["webhook"] = f"{PREFIX}WEBHOOK_SECRET: {exc}"
    social = _social_missing(s, plan)
    if social:
        missing["social"] = social
    return missing


def _social_missing(s: Settings, plan: Plan) -> str | None:
    if plan.social is None:
        return "the comms plan names no social account"
    if plan.social.network is Network.MASTODON and not (s.mastodon_url and s.mastodon_token):
        return f"set {PREFIX}MASTODON_URL and {PREFIX}MASTODON_TOKEN"
    if plan.social.network is Network.BLUESKY and not s.bluesky_app_password:
        return f"set {PREFIX}BLUESKY_APP_PASSWORD"
    if plan.social.network is Network.X:
        return "posting to X is not supported; the page shows every update"
    return None


def build_channels(s: Settings, plan: Plan, page_url: str) -> dict[str, Channel]:
    """The configured channels."""
    missing = missing_settings(s, plan)
    made: dict[str, Channel] = {}
    if "email" not in missing:
        made["email"] = EmailChannel(SmtpConfig(
            s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_from, s.smtp_user,
            s.smtp_password, s.smtp_timeout, s.email_unsubscribe_mailto, s.email_concurrency,
            s.smtp_ca_file, domain=message_id_domain(page_url),
        ))  # fmt: skip
    if "sms" not in missing:
        made["sms"] = SmsChannel(TwilioConfig(
            s.twilio_account_sid, s.twilio_auth_token, s.twilio_messaging_service_sid,
            s.twilio_from, page_url.rstrip("/") + STATUS_HOOK, s.sms_validity,
            s.twilio_api_url, connections=max(4, s.sms_concurrency),
        ))  # fmt: skip
    if "webhook" not in missing:
        made["webhook"] = WebhookChannel(
            s.webhook_secret, timeout=s.webhook_timeout, connections=s.webhook_concurrency,
            allow_http=s.webhook_allow_http, allow_private=s.webhook_allow_private,
        )  # fmt: skip
    made["slack"] = SlackChannel(
        timeout=s.webhook_timeout, connections=s.slack_concurrency,
        allow_http=s.webhook_allow_http, allow_private=s.webhook_allow_private,
    )  # fmt: skip
    if "social" not in missing and plan.social is not None:
        made["social"] = _social(s, plan)
    return made


def _social(s: Settings, plan: Plan) -> Channel:
    assert plan.social is not None
    if plan.social.network is Network.MASTODON:
        return MastodonChannel(s.mastodon_url, s.mastodon_token)
    handle = s.bluesky_handle or plan.social.handle
    return BlueskyChannel(s.bluesky_url, handle, s.bluesky_app_password)


async def make_dispatcher(
    settings: Settings,
    store: Store,
    comms: Comms,
    environ: Mapping[str, str],
    channels: Mapping[str, Channel] | None = None,
    now: Callable[[], datetime] = utcnow,
) -> Dispatcher:
    """The dispatcher for these settings (channels may be given, e.g. fakes in tests)."""
    async with store.read() as q:
        page = await q.get_page()
    page_url = page.url if page else settings.public_url
    if channels is None:
        channels = build_channels(settings, comms.plan, page_url)
    if "sms" in channels and not page_url.startswith("https://"):
        log.warning(
            "SMS delivery reports go to %s%s, which Twilio cannot reach over https;"
            " set the page URL (statuspage page set --url)", page_url, STATUS_HOOK,
        )  # fmt: skip
    made = dict(channels)
    missing = {k: v for k, v in missing_settings(settings, comms.plan).items() if k not in made}
    policy = RetryPolicy(
        settings.dispatch_max_attempts, settings.dispatch_backoff, settings.dispatch_backoff_max,
        settings.dispatch_reconcile_after,
    )  # fmt: skip
    return Dispatcher(
        store, comms.plan, comms.templates, made, limits_for(settings),
        signer=LinkSigner(settings.secret_key), environ=environ, unconfigured=missing,
        policy=policy, timing=Timing(settings.dispatch_lease, settings.dispatch_poll), now=now,
    )  # fmt: skip
