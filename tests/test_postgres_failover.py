"""Several servers on one PostgreSQL deliver one outbox.

Two dispatchers never claim the same row and send every message exactly once, whichever of
them sends. Two real servers (`statuspage serve`), one of them killed with SIGKILL in the
middle of a fan-out to 10,000 webhook subscribers: nothing is lost, repeats stay within the
in-flight bound (the dead dispatcher's webhook concurrency), the survivor takes over sending,
publishing and ticking within seconds, and both pages agree within a second of a write on
either server. Part of `make unit-postgres` (marked `postgres`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.deliver.wiring import make_dispatcher
from statuspage.comms.kit import Comms
from statuspage.config import Settings
from statuspage.model import new_id
from statuspage.service import Service
from statuspage.storage import Store
from statuspage.storage.location import DatabaseUrl
from tests.conftest import TEST_SECRET_KEY
from tests.delivery.standins import WEBHOOK_SECRET, WebhookReceiver, free_port, serve

pytestmark = pytest.mark.postgres

SERVER = os.environ.get("STATUSPAGE_TEST_DB") or "postgresql://postgres@127.0.0.1/test"
SUBSCRIBERS = 10_000
CONCURRENCY = 16  # webhooks each dispatcher sends at once: the most a crash can repeat
LEASE = 2  # seconds: a dead dispatcher's lease, and its rows' leases, run out this fast

# SEV2 tells every subscriber by webhook when it is declared, and nobody of its updates.
PLAN = """\
version: 1
name: Failover test plan
default_severity: SEV2
owners:
  ic: {label: Incident commander, contacts: {email: ic@acme.test}, backup: comms}
  comms: {label: Comms lead, contacts: {email: comms@acme.test}, backup: ic}
segments:
  everyone: {subscribers: {}}
  public: {public: true}
severities:
  SEV2:
    label: Minor
    impact: minor
    cadence: 1h
    owners: {speaks: comms}
    routing:
      declared: {everyone: [webhook], public: [page]}
"""


@pytest.fixture
async def url() -> AsyncIterator[str]:
    """A schema of its own on the test server, dropped afterwards."""
    import asyncpg

    schema = f"f_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{SERVER}{'&' if '?' in SERVER else '?'}search_path={schema}"
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            f" AND application_name LIKE '{schema}%'"
        )
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


@pytest.fixture
def comms(tmp_path: Path) -> Comms:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN)
    return Comms(load_plan(path))


async def seed(url: str, comms: Comms, hooks_url: str, count: int) -> tuple[str, str]:
    """A page, a component, an API key and `count` webhook subscribers; (page id, key)."""
    store = await Store.open(url)
    try:
        svc = Service(store, comms=comms)
        page = await svc.ensure_page("Acme", "https://status.acme.test", "Etc/UTC")
        await svc.add_component("API")
        key = (await svc.create_api_key("on-call", "write"))[1]
        now = "2026-01-01T00:00:00.000000Z"
        async with store.write(public=False) as q:  # one statement (PostgreSQL: unnest)
            await q.executemany(
                "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
                " VALUES (?, 'webhook', ?, 'active', ?, ?)",
                [(new_id(), f"{hooks_url}/s{n}", now, now) for n in range(count)],
            )
        return page.id, key
    finally:
        await store.close()


async def sql(url: str, query: str) -> list[tuple[object, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await conn.fetch(query)]
    finally:
        await conn.close()


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> float:
    """Poll `check` until it holds; the seconds it took (fails after `within` seconds)."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < within, f"not within {within} s: {what}"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def settings(url: str, **changes: object) -> Settings:
    return Settings(
        db=DatabaseUrl(url), secret_key=TEST_SECRET_KEY, webhook_secret=WEBHOOK_SECRET,
        webhook_allow_http=True, webhook_allow_private=True, webhook_rate=5000,
        webhook_concurrency=CONCURRENCY, dispatch_lease=LEASE, dispatch_poll=0.02,
    ).replace(**changes)  # fmt: skip


# --- two dispatchers, in this process --------------------------------------------------


async def test_claims_by_two_dispatchers_at_once_never_overlap(url: str, comms: Comms) -> None:
    await seed(url, comms, "http://127.0.0.1:9", 600)
    stores = [await Store.open(url) for _ in range(2)]
    try:
        svc = Service(stores[0], comms=comms)
        await svc.declare_incident(
            "API down", message="Looking.", severity="SEV2", components=[("API", None)]
        )

        async def drain(store: Store, owner: str) -> list[int]:
            taken: list[int] = []
            while True:
                now = svc.now()
                async with store.write(public=False) as q:
                    claimed = await q.claim_channel(
                        owner, "webhook", now, now + timedelta(minutes=1), 25
                    )
                if not claimed:
                    return taken
                taken += [c.row.id for c in claimed]
                await asyncio.sleep(0)

        one, two = await asyncio.gather(drain(stores[0], "one"), drain(stores[1], "two"))
    finally:
        for store in stores:
            await store.close()
    assert one and two
    assert not set(one) & set(two)
    assert len(one) + len(two) == 600 == len(set(one) | set(two))


async def test_two_dispatchers_on_one_database_send_every_message_exactly_once(
    url: str, comms: Comms
) -> None:
    hooks = WebhookReceiver()
    async with serve(hooks.app()) as hooks_url:
        await seed(url, comms, hooks_url, 2000)
        stores = [await Store.open(url) for _ in range(2)]
        try:
            svc = Service(stores[0], comms=comms)
            await svc.declare_incident(
                "API down", message="Looking.", severity="SEV2", components=[("API", None)]
            )
            dispatchers = [
                await make_dispatcher(settings(url), store, comms, {}) for store in stores
            ]
            runs = [asyncio.create_task(d.run()) for d in dispatchers]

            async def some_arrived() -> bool:
                return len(hooks.received) >= 300

            await eventually(some_arrived, 30, "the first messages")
            (owner,) = (await sql(url, "SELECT owner FROM comms_dispatcher"))[0]
            first = 0 if dispatchers[0].owner == owner else 1
            dispatchers[first].stop()  # sends under way finish, the rest is given back
            await runs[first]

            async def all_arrived() -> bool:
                return len({path for path, _, _ in hooks.received}) >= 2000

            await eventually(all_arrived, 60, "every message")
            dispatchers[1 - first].stop()
            await runs[1 - first]
            for d in dispatchers:
                await d.aclose()
        finally:
            for store in stores:
                await store.close()
    per_subscriber = Counter(path for path, _, _ in hooks.received)
    assert len(per_subscriber) == 2000 and set(per_subscriber.values()) == {1}
    assert hooks.rejected == 0
    sent_by = [d.workers["webhook"].tally["sent"] for d in dispatchers]
    assert all(sent_by) and sum(sent_by) == 2000  # both sent, one after the other
    assert await sql(url, "SELECT state, COUNT(*) FROM outbox GROUP BY state") == [("sent", 2000)]


# --- two servers, one killed in the middle of a fan-out --------------------------------


class Servers:
    """`statuspage serve` processes on loopback ports, one database."""

    def __init__(self, url: str, plan: Path, log: Path) -> None:
        self.url, self.plan, self.log = url, plan, log
        self.procs: list[asyncio.subprocess.Process] = []
        self.ports: list[int] = []

    async def start(self, n: int) -> None:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
        schema = self.url.rsplit("search_path=", 1)[1]
        env |= {
            "STATUSPAGE_DB": f"{self.url}&application_name={schema}_server{n}",
            "STATUSPAGE_COMMS_PLAN": str(self.plan), "STATUSPAGE_SECRET_KEY": TEST_SECRET_KEY,
            "STATUSPAGE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STATUSPAGE_WEBHOOK_ALLOW_HTTP": "1",
            "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE": "1", "STATUSPAGE_WEBHOOK_RATE": "5000",
            "STATUSPAGE_WEBHOOK_CONCURRENCY": str(CONCURRENCY),
            "STATUSPAGE_DISPATCH_LEASE": str(LEASE), "STATUSPAGE_DISPATCH_POLL": "0.05",
            "STATUSPAGE_TICK_INTERVAL": "0.5", "STATUSPAGE_API_RATE_LIMIT": "0",
        }  # fmt: skip
        with self.log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "statuspage.cli", "serve", "--port", str(port),
                env=env, stdout=out, stderr=out,
            )  # fmt: skip
        self.procs.append(proc)
        self.ports.append(port)

    def base(self, n: int) -> str:
        return f"http://127.0.0.1:{self.ports[n]}"

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def pages_agree(http: httpx.AsyncClient, servers: Servers, text: str) -> bool:
    """Both servers serve the same page, and it shows `text`."""
    one, two = [(await http.get(servers.base(n) + "/")).content for n in (0, 1)]
    return one == two and text.encode() in one


async def lock_holders(url: str) -> dict[str, str]:
    """purpose -> application name of the session holding its advisory lock."""
    rows = await sql(
        url,
        "SELECT l.objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a"
        " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
        " AND l.classid = hashtext(current_schema())::oid AND l.objid IN (3, 4)",
    )
    names = {3: "publisher", 4: "ticker"}
    return {names[int(str(objid))]: str(app).rsplit("_", 1)[1] for objid, app in rows}


async def test_a_server_killed_mid_fan_out_loses_nothing_and_the_pages_still_agree(
    url: str, comms: Comms, tmp_path: Path
) -> None:
    plan, log = tmp_path / "plan.yaml", tmp_path / "servers.log"
    hooks = WebhookReceiver()
    async with serve(hooks.app()) as hooks_url, httpx.AsyncClient(timeout=10) as http:
        page_id, key = await seed(url, comms, hooks_url, SUBSCRIBERS)
        servers = Servers(url, plan, log)
        try:
            for n in (0, 1):
                await servers.start(n)

            async def both_up() -> bool:
                try:
                    return all([(await http.get(servers.base(n) + "/")).is_success for n in (0, 1)])
                except httpx.TransportError:
                    return False

            await eventually(both_up, 30, f"both servers up: {log.read_text()[-2000:]}")
            auth = {"Authorization": f"OAuth {key}"}
            declared = await http.post(
                f"{servers.base(0)}/v1/pages/{page_id}/incidents", headers=auth,
                json={"incident": {"name": "API down", "status": "investigating",
                                   "body": "Investigating.", "severity": "SEV2",
                                   "component_ids": ["API"]}},
            )  # fmt: skip
            assert declared.status_code == 201, declared.text
            incident = declared.json()["id"]
            took = [await eventually(lambda: pages_agree(http, servers, "API down"), 5, "pages")]

            async def some_went_out() -> bool:
                return len(hooks.received) >= SUBSCRIBERS // 5

            await eventually(some_went_out, 40, "the first messages")
            updated = await http.patch(
                f"{servers.base(1)}/v1/pages/{page_id}/incidents/{incident}", headers=auth,
                json={"incident": {"status": "identified", "body": "Found the cause."}},
            )  # fmt: skip
            assert updated.status_code == 200, updated.text
            took.append(await eventually(lambda: pages_agree(http, servers, "Found the cause"), 5,
                                         "pages"))  # fmt: skip
            assert max(took) < 1.0, took  # a write on either server shows on both within 1 s

            (owner,) = (await sql(url, "SELECT owner FROM comms_dispatcher"))[0]
            pid = int(str(owner).split(":")[1])
            killed = [p.pid for p in servers.procs].index(pid)
            survivor = 1 - killed
            at_kill = len(hooks.received)
            servers.procs[killed].send_signal(signal.SIGKILL)
            await servers.procs[killed].wait()
            assert at_kill < SUBSCRIBERS, "the fan-out finished before the kill: make it larger"

            async def all_arrived() -> bool:
                return len({path for path, _, _ in hooks.received}) >= SUBSCRIBERS

            await eventually(all_arrived, 60, f"every message: {log.read_text()[-3000:]}")

            async def survivor_holds_both() -> bool:
                holders = await lock_holders(url)
                return holders == {"publisher": f"server{survivor}", "ticker": f"server{survivor}"}

            await eventually(survivor_holds_both, 5, "the survivor publishes and ticks")
        finally:
            await servers.stop()
    per_subscriber = Counter(path for path, _, _ in hooks.received)
    assert len(per_subscriber) == SUBSCRIBERS  # nothing lost
    repeats = sum(n - 1 for n in per_subscriber.values())
    assert repeats <= CONCURRENCY, repeats  # only what was in flight at the kill
    assert hooks.rejected == 0
    states = dict(await sql(url, "SELECT state, COUNT(*) FROM outbox GROUP BY state"))
    assert states == {"sent": SUBSCRIBERS}, states
