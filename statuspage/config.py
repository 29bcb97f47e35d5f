"""Settings: a frozen dataclass read from STATUSPAGE_* environment variables and an optional file.

Precedence: defaults < the TOML file named by STATUSPAGE_CONFIG < environment variables.
Fields marked secret are read from the environment only and never shown in a repr or a log.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from statuspage import setting_rules as rules
from statuspage.errors import InvalidInput
from statuspage.storage.location import Location
from statuspage.subscriptions import SubscriptionPolicy

PREFIX = "STATUSPAGE_"


def _secret(default: str = "") -> Any:
    return field(default=default, repr=False, metadata={"secret": True})


@dataclass(frozen=True)
class Settings:
    """Everything configurable; see the README's "Settings" table."""

    db: Location = Path("statuspage.db")
    # How often the server performs due automatic transitions (maintenance start/complete).
    tick_interval: float = 5.0
    # How often each server process looks for changes made by other processes.
    poll_interval: float = 0.25
    # Default time zone for a new page; afterwards the page's own setting rules.
    time_zone: str = "Etc/UTC"
    page_name: str = "Status"
    public_url: str = "http://127.0.0.1:8000"
    contact_email: str = ""
    contact_url: str = ""
    security_contact: str = ""
    social_url: str = ""
    social_handle: str = ""
    # Cache-Control of the published page, API and feeds (seconds), fit for a CDN in front.
    cache_max_age: int = 10
    cache_stale_while_revalidate: int = 30
    cache_stale_if_error: int = 86400
    # One log line per request; on, published URLs go the ordinary ASGI way (some 2.5 times
    # fewer requests/s). The proxy or CDN in front logs anyway.
    access_log: bool = False
    # Published URLs answered in uvicorn's HTTP protocol itself (on the tested uvicorn range);
    # false: every request the ordinary ASGI way (`serve --no-fast-path` does the same).
    fast_path: bool = True
    secret_key: str = _secret()
    # Admin API: requests a minute per API key (and failed attempts per address); 0 = no limit.
    api_rate_limit: float = 120.0
    # Admin API: how many requests a key may make at once before the rate applies.
    api_rate_burst: int = 30
    # The comms plan (YAML). Empty: the shipped default (statuspage/comms_plans/default.yaml);
    # "off": no plan, so no messages are planned.
    comms_plan: str = ""
    # Alerts in: the automation rules (YAML). Empty: the default rule only (alerts labelled
    # statuspage_component=NAME); "off": the /hooks/alerts/... endpoints answer 503.
    automation: str = ""
    # The generic alerts hook also takes requests signed with this (HMAC-SHA256).
    alerts_hmac_secret: str = _secret()
    # SMS sender throughput in messages (segments) per second: 1 for a long code, 3 for a
    # toll-free number, 100 for a short code. Previews estimate send times from it.
    sms_rate: float = 1.0
    # Previews warn when sending one update by SMS would take longer than this (seconds).
    sms_warn_after: float = 600.0
    # Delivery: the dispatcher, its channels and their limits. A channel without
    # its settings is "not configured": its messages wait, queued, until it is.
    dispatcher: bool = True  # run the dispatcher inside the server
    dispatch_lease: float = 60.0  # seconds a claimed message is reserved for one dispatcher
    dispatch_poll: float = 1.0  # seconds between looks for due messages when idle
    dispatch_max_attempts: int = 8  # then a message that keeps failing transiently fails
    dispatch_backoff: float = 30.0  # first retry after about this many seconds, doubling
    dispatch_backoff_max: float = 3600.0
    dispatch_reconcile_after: float = 120.0  # seconds before an ambiguous SMS is looked up
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls, tls (implicit, port 465) or none
    smtp_user: str = ""
    smtp_password: str = _secret()
    smtp_from: str = ""  # e.g. "Acme Status <status@acme.example>"
    smtp_timeout: float = 30.0
    smtp_ca_file: str = ""  # a CA bundle to trust for the SMTP server (a private CA)
    email_unsubscribe_mailto: str = ""  # a processed unsubscribe mailbox; empty: no mailto
    email_rate: float = 20.0  # messages per second
    email_concurrency: int = 8  # SMTP connections (and messages in flight)
    twilio_account_sid: str = ""
    twilio_auth_token: str = _secret()
    twilio_messaging_service_sid: str = ""
    twilio_from: str = ""
    twilio_api_url: str = ""  # tests and benchmarks only: a local stand-in for the API
    sms_concurrency: int = 4
    sms_validity: int = 1800  # seconds a message may wait in Twilio's queue, then expires
    webhook_secret: str = _secret()  # whsec_... (Standard Webhooks)
    webhook_timeout: float = 10.0
    webhook_rate: float = 100.0
    webhook_concurrency: int = 32
    webhook_allow_http: bool = False
    webhook_allow_private: bool = False  # private, loopback, link-local targets (tests only)
    slack_rate: float = 20.0  # across all URLs; each URL gets at most 1 message a second
    slack_concurrency: int = 8
    mastodon_url: str = ""  # the status account's server, e.g. https://acme.social
    mastodon_token: str = _secret()
    bluesky_url: str = "https://bsky.social"
    bluesky_handle: str = ""  # default: the comms plan's social handle
    bluesky_app_password: str = _secret()
    social_rate: float = 1.0
    # Self-service subscriptions: the channels /subscribe offers (those configured
    # for delivery among them), lifetimes and the limits that keep the forms from abuse.
    subscribe_channels: str = "email,sms,webhook,slack"
    subscribe_confirm_ttl: float = 172800.0  # seconds a confirmation link works (48 h)
    subscribe_code_ttl: float = 3600.0  # seconds an SMS confirmation code works
    subscribe_code_attempts: int = 5  # wrong codes before a code stops working
    subscribe_pending_cap: int = 5  # confirmations sent to one address per confirm TTL
    subscribe_rate_ip: int = 10  # subscribe requests per client address (IPv6: /64) an hour
    subscribe_rate_address: int = 3  # subscribe requests per subscriber address an hour
    subscribe_confirm_rate_ip: int = 30  # confirmations tried per client address an hour
    sms_default_country: str = "US"  # the country picker's default (ISO 3166 alpha-2)
    sms_countries: str = ""  # ISO codes SMS subscriptions may use ("US,CA"); empty: any
    # /metrics in the Prometheus format: off; key (on the server's port, for an API key sent
    # as Authorization: Bearer); port (on metrics_host:metrics_port, no key: keep it private).
    metrics: str = "off"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    # Built-in checks (the `checks:` list of the automation file): probes run at once at
    # most, and how many days their results are kept.
    check_concurrency: int = 16
    check_retention_days: int = 30
    # Publishing to object storage: s3://bucket/prefix (endpoint, region and keys from the
    # standard AWS_* variables); empty: off. See the README's "Publishing to object storage".
    mirror: str = ""
    mirror_encoding: str = "gzip"  # gzip: compressible objects stored gzip-encoded; identity
    mirror_attempts: int = 5  # tries of one bucket call before the pass is tried again later
    mirror_backoff: float = 1.0  # seconds before the first retry, doubling
    mirror_backoff_max: float = 60.0
    mirror_concurrency: int = 8  # uploads at once
    # CDN purge after each mirror pass: a URL template with {url}, and/or Cloudflare's API.
    cdn_purge_url: str = ""
    cdn_purge_method: str = "post"  # post, or purge (Varnish, Fastly)
    cloudflare_zone: str = ""
    cloudflare_token: str = _secret()
    cloudflare_api_url: str = "https://api.cloudflare.com/client/v4"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not rule_for(f.name).valid(value):
                raise refusal(f.name, value)
        if self.dispatch_backoff_max < self.dispatch_backoff:
            raise InvalidInput(
                f"{PREFIX}DISPATCH_BACKOFF_MAX must be at least {PREFIX}DISPATCH_BACKOFF "
                f'({self.dispatch_backoff:g}) (got "{self.dispatch_backoff_max:g}")'
            )

    def offered_channels(self) -> tuple[str, ...]:
        return tuple(c.strip().lower() for c in self.subscribe_channels.split(",") if c.strip())

    def sms_country_list(self) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in self.sms_countries.split(",") if c.strip())

    def subscription_policy(self) -> SubscriptionPolicy:
        """The settings as the subscription use cases take them."""
        return SubscriptionPolicy(
            secret_key=self.secret_key,
            confirm_ttl=timedelta(seconds=self.subscribe_confirm_ttl),
            code_ttl=timedelta(seconds=self.subscribe_code_ttl),
            code_attempts=self.subscribe_code_attempts,
            pending_cap=self.subscribe_pending_cap,
            rate_ip=self.subscribe_rate_ip,
            rate_address=self.subscribe_rate_address,
            confirm_rate_ip=self.subscribe_confirm_rate_ip,
            allow_http=self.webhook_allow_http,
            allow_private=self.webhook_allow_private,
            default_country=self.sms_default_country,
            sms_countries=self.sms_country_list(),
        )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


CHANNELS = ("email", "sms", "webhook", "slack")
DAY = 86400

# What each setting accepts, checked at start (every command and the server). The README's
# settings table shows the same ranges.
RULES: dict[str, rules.Rule] = {
    "db": rules.database(),
    "tick_interval": rules.seconds(0.05, DAY),
    "poll_interval": rules.seconds(0.01, 3600),  # tests republish within hundredths
    "time_zone": rules.time_zone(),
    "page_name": rules.text(200, required=True),
    "public_url": rules.url(required=True),
    "contact_email": rules.email(),
    "contact_url": rules.url(),
    "security_contact": rules.contact(),
    "social_url": rules.url(),
    "social_handle": rules.text(100),
    "cache_max_age": rules.count(0, 365 * DAY, "a whole number of seconds"),
    "cache_stale_while_revalidate": rules.count(0, 365 * DAY, "a whole number of seconds"),
    "cache_stale_if_error": rules.count(0, 365 * DAY, "a whole number of seconds"),
    "access_log": rules.flag(),
    "fast_path": rules.flag(),
    "secret_key": rules.secret_key(),
    "api_rate_limit": rules.number(0, 1_000_000, "a number of requests a minute (0: no limit)"),
    "api_rate_burst": rules.count(1, 1_000_000),
    "comms_plan": rules.path(),
    "automation": rules.path(),
    "alerts_hmac_secret": rules.secret_key(),
    "sms_rate": rules.rate(1_000_000, "messages"),
    "sms_warn_after": rules.seconds(1, 7 * DAY),
    "dispatcher": rules.flag(),
    "dispatch_lease": rules.seconds(1, DAY),
    "dispatch_poll": rules.seconds(0.01, 3600),
    "dispatch_max_attempts": rules.count(1, 100),
    "dispatch_backoff": rules.seconds(0.01, DAY),
    "dispatch_backoff_max": rules.seconds(0.01, 7 * DAY),
    "dispatch_reconcile_after": rules.seconds(1, DAY),
    "smtp_host": rules.token(253),
    "smtp_port": rules.port(),
    "smtp_security": rules.choice("starttls", "tls", "none"),
    "smtp_user": rules.text(320),
    "smtp_password": rules.text(1024),
    "smtp_from": rules.email(mailbox=True),
    "smtp_timeout": rules.seconds(0.1, 600),
    "smtp_ca_file": rules.path(),
    "email_unsubscribe_mailto": rules.email(),
    "email_rate": rules.rate(1_000_000, "messages"),
    "email_concurrency": rules.count(1, 1000),
    "twilio_account_sid": rules.token(64),
    "twilio_auth_token": rules.token(),
    "twilio_messaging_service_sid": rules.token(64),
    "twilio_from": rules.text(64),
    "twilio_api_url": rules.url(),
    "sms_concurrency": rules.count(1, 1000),
    "sms_validity": rules.count(1, 36000, "a whole number of seconds"),  # Twilio's range
    "webhook_secret": rules.webhook_secret(),
    "webhook_timeout": rules.seconds(0.1, 600),
    "webhook_rate": rules.rate(1_000_000, "messages"),
    "webhook_concurrency": rules.count(1, 10000),
    "webhook_allow_http": rules.flag(),
    "webhook_allow_private": rules.flag(),
    "slack_rate": rules.rate(1_000_000, "messages"),
    "slack_concurrency": rules.count(1, 1000),
    "mastodon_url": rules.url(),
    "mastodon_token": rules.token(),
    "bluesky_url": rules.url(required=True),
    "bluesky_handle": rules.token(253),
    "bluesky_app_password": rules.token(),
    "social_rate": rules.rate(1000, "posts"),
    "subscribe_channels": rules.names(CHANNELS),
    "subscribe_confirm_ttl": rules.seconds(60, 30 * DAY),
    "subscribe_code_ttl": rules.seconds(10, DAY),
    "subscribe_code_attempts": rules.count(1, 100),
    "subscribe_pending_cap": rules.count(1, 1000),
    "subscribe_rate_ip": rules.count(1, 1_000_000),
    "subscribe_rate_address": rules.count(1, 1_000_000),
    "subscribe_confirm_rate_ip": rules.count(1, 1_000_000),
    "sms_default_country": rules.country(),
    "sms_countries": rules.countries(),
    "metrics": rules.choice("off", "key", "port"),
    "metrics_host": rules.host(),
    "metrics_port": rules.port(),
    "check_concurrency": rules.count(1, 1000),
    "check_retention_days": rules.count(1, 3650, "a whole number of days"),
    "mirror": rules.s3_url(),
    "mirror_encoding": rules.choice("gzip", "identity"),
    "mirror_attempts": rules.count(1, 100),
    "mirror_backoff": rules.seconds(0.01, 3600),
    "mirror_backoff_max": rules.seconds(0.01, DAY),
    "mirror_concurrency": rules.count(1, 256),
    "cdn_purge_url": rules.url_template("{url}"),
    "cdn_purge_method": rules.choice("post", "purge"),
    "cloudflare_zone": rules.token(64),
    "cloudflare_token": rules.token(),
    "cloudflare_api_url": rules.url(required=True),
}


def refusal(name: str, value: Any) -> InvalidInput:
    """The one line for a value a setting does not accept (a secret's value is never shown)."""
    if FIELDS[name].metadata.get("secret"):
        size = len(str(value))
        got = f"a value of {size} character{'' if size == 1 else 's'}"
    else:
        shown = str(value)
        got = json.dumps(shown if len(shown) <= 80 else shown[:77] + "...", ensure_ascii=False)
    return InvalidInput(f"{PREFIX}{name.upper()} must be {rule_for(name).accepts} (got {got})")


def rule_for(name: str) -> rules.Rule:
    """The setting's rule; one not in RULES yet (a test says so) is held to its type."""
    found = RULES.get(name)
    if found is not None:
        return found
    return rules.of_type(type(FIELDS[name].default))


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from the config file and environment, then explicit overrides (e.g. CLI flags)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_file = env.get(PREFIX + "CONFIG")
    if config_file:
        values.update(_read_file(Path(config_file)))
    for f in dataclasses.fields(Settings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return Settings(**{name: _convert(name, value) for name, value in values.items()})


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read settings file {path}: {exc}") from exc
    known = {f.name: f for f in dataclasses.fields(Settings)}
    for key in data:
        if key not in known:
            raise InvalidInput(f"{path}: unknown setting {key!r}")
        if known[key].metadata.get("secret"):
            raise InvalidInput(
                f"{path}: {key} is a secret; set it in the environment as {PREFIX}{key.upper()}"
            )
    return data


def _convert(name: str, value: Any) -> Any:
    if name not in FIELDS:
        raise InvalidInput(f"unknown setting {name!r}")
    rule = rule_for(name)
    try:
        parsed = rule.parse(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or not rule.valid(parsed):
        raise refusal(name, value)  # the value as given: "-1", not -1.0
    return parsed


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
