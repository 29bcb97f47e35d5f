"""API keys: scopes, the key format, and hashing. Pure: no database, no clock.

A key reads `sp_<id>_<secret>`: the id finds the stored row, the 256-bit secret proves
possession. Only the SHA-256 hash of the whole key is stored; with this much entropy a
slow password hash adds nothing, and a constant-time comparison leaks nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from statuspage.model import ID_LENGTH, new_id

PREFIX = "sp_"
_FORMAT = re.compile(rf"^{PREFIX}([a-z0-9]{{{ID_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    ALERTS = "alerts"  # only posts alerts to /hooks/alerts/... (statuspage.alert_hooks)

    def allows(self, needed: Scope) -> bool:
        """read < write < admin: a scope allows what it names and everything below.

        alerts stands aside: an alerts key may post alerts and nothing else; admin may too.
        """
        if Scope.ALERTS in (self, needed):
            return self is needed or self is Scope.ADMIN
        order = [Scope.READ, Scope.WRITE, Scope.ADMIN]
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class ApiKey:
    """A stored key: everything but the key itself."""

    id: str
    name: str
    scope: Scope
    key_hash: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None
    last_used_from: str | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def generate_key() -> tuple[str, str]:
    """A new (key id, full key)."""
    key_id = new_id()
    return key_id, f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str) -> str | None:
    """The id inside a well-formed key, or None for anything else."""
    match = _FORMAT.match(key)
    return match.group(1) if match else None


def matches(key: str, stored_hash: str) -> bool:
    """Whether `key` hashes to `stored_hash`, compared in constant time."""
    return hmac.compare_digest(hash_key(key), stored_hash)
