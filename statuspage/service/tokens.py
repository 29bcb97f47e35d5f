"""Use cases for API keys: create (shown once), list, revoke, authenticate."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from statuspage.audit import current_actor
from statuspage.errors import AuthError, Conflict, NotFound
from statuspage.keys import ApiKey, Scope, generate_key, hash_key, key_id_of, matches
from statuspage.model import check_title, parse_enum
from statuspage.service.context import ServiceContext

# A key's "last used" stamp is refreshed at most this often, so reads stay reads.
TOUCH_INTERVAL = timedelta(minutes=1)


class Tokens:
    """API keys: create (shown once), list, revoke, authenticate."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def create_api_key(self, name: str, scope: str = "write") -> tuple[ApiKey, str]:
        """A new key; returns it with the full key, which is never stored or shown again."""
        name = check_title(name, "key name")
        parsed = parse_enum(Scope, scope, "scope")
        key_id, secret = generate_key()
        async with self.ctx.write(public=False) as q:
            if await q.find_api_key(name) is not None:
                raise Conflict(
                    f"an active key named {name!r} exists; revoke it or pick another name"
                )
            key = ApiKey(
                key_id, name, parsed, hash_key(secret), self.ctx.now(), current_actor().name
            )
            await q.save_api_key(key)
        return key, secret

    async def list_api_keys(self) -> list[ApiKey]:
        async with self.ctx.read() as q:
            return await q.list_api_keys()

    async def revoke_api_key(self, ref: str) -> ApiKey:
        """Revoke a key by id or name; it stops working at once, in every server process."""
        async with self.ctx.write(public=False) as q:
            key = await q.find_api_key(ref.strip())
            if key is None:
                raise NotFound(f"no active key named {ref!r}; see `statuspage token list`")
            if not key.active:
                raise Conflict(f"key {key.name} ({key.id}) is already revoked")
            key = replace(key, revoked_at=self.ctx.now())
            await q.save_api_key(key)
            return key

    async def authenticate(self, secret: str, source: str) -> ApiKey:
        """The key this secret belongs to; AuthError for a wrong, unknown or revoked key."""
        key_id = key_id_of(secret)
        async with self.ctx.read() as q:
            key = await q.get_api_key(key_id) if key_id else None
        if key is None or not matches(secret, key.key_hash):
            raise AuthError("invalid API key")
        if not key.active:
            raise AuthError("this API key has been revoked")
        now = self.ctx.now()
        stale = key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL
        if stale or key.last_used_from != source:
            async with self.ctx.write(public=False) as q:
                await q.touch_api_key(key.id, now, source, now - TOUCH_INTERVAL)
        return key
