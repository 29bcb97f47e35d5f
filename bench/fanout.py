"""Fan-out benchmark: one SEV1 declaration to 100,000 subscribers, delivered.

60,000 e-mail, 30,000 SMS and 10,000 webhook subscribers of every component; the shipped
default plan routes SEV1 `declared` to all three. Local receivers run in their own processes
(bench/receivers.py: an SMTP server, a Twilio Messages API stand-in driven by the real twilio
client, a webhook receiver); a sample of what they got is checked (webhook signatures with
the standardwebhooks library, e-mail headers, the SMS form). The dispatcher runs on uvloop,
as it does inside the server (uvicorn takes uvloop when it is installed). Prints:

- the time to enqueue (declare: the change and its 100k outbox rows in one transaction),
- with limits lifted, the throughput of each channel while all three send at once (what
  the targets are about: one update to all 100k), and of each channel sending alone,
- the dispatcher process's peak memory,
- then, with STATUSPAGE_SMS_RATE=50, the SMS rate achieved against that limit.

    .venv/bin/python bench/fanout.py          (or: make bench-fanout)

On PostgreSQL: STATUSPAGE_BENCH_DB=postgresql://...?search_path=SCHEMA (an empty schema);
BENCH_DISPATCHERS=2 runs a second dispatcher on a connection of its own, as a second server.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from email import message_from_string, policy
from pathlib import Path
from typing import Any

import uvloop
from standardwebhooks.webhooks import Webhook

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.deliver.dispatcher import Dispatcher
from statuspage.comms.deliver.wiring import build_channels, make_dispatcher
from statuspage.comms.kit import Comms
from statuspage.comms.plan.audience import ENV_REF
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.comms.plan.schema import Plan
from statuspage.config import Settings
from statuspage.model import new_id
from statuspage.resources import DEFAULT_PLAN
from statuspage.service import Service
from statuspage.service.comms_ops import approve
from statuspage.storage import Store

SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # e.g. 0.1 for a quick look
DISPATCHERS = int(os.environ.get("BENCH_DISPATCHERS", "1"))  # 2: two servers' dispatchers
MIX = {k: int(v * SCALE) for k, v in {"email": 60_000, "sms": 30_000, "webhook": 10_000}.items()}
TARGETS = {"email": 500, "sms": 500, "webhook": 1000}
SMS_LIMIT, LIMITED_SECONDS = 50.0, 20.0
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(store: Store, http: str) -> None:
    now = "2026-01-01T00:00:00.000000Z"
    addresses = {
        "email": lambda n: f"user{n}@example.test",
        "sms": lambda n: f"+1415{n:07d}",
        "webhook": lambda n: f"{http}/hook/{n}",
    }
    if not isinstance(store.path, Path):  # PostgreSQL (STATUSPAGE_BENCH_DB)
        async with store.write(public=False) as q:
            await q.executemany(
                "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
                " VALUES (?, ?, ?, 'active', ?, ?)",
                [
                    (new_id(), ch, addresses[ch](n), now, now)
                    for ch, k in MIX.items()
                    for n in range(k)
                ],
            )
        return
    conn = sqlite3.connect(store.path)
    conn.executemany(
        "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
        " VALUES (?, ?, ?, 'active', ?, ?)",
        ((new_id(), ch, addresses[ch](n), now, now) for ch, k in MIX.items() for n in range(k)),
    )
    conn.commit()
    conn.close()


def stats(http: str, since: float = 0) -> dict[str, Any]:
    with urllib.request.urlopen(f"{http}/stats?since={since}", timeout=10) as answer:
        return dict(json.loads(answer.read()))


def check_samples(http: str, secret: str) -> str:
    """Check the messages the receivers kept; one line saying what was checked."""
    with urllib.request.urlopen(f"{http}/samples", timeout=10) as answer:
        samples = json.loads(answer.read())
    verifier = Webhook(secret)
    for hook in samples["webhook"]:
        payload = verifier.verify(hook["body"], hook["headers"])  # raises when forged
        assert payload["incident"]["name"] == "API down", payload
    assert len({h["headers"]["webhook-id"] for h in samples["webhook"]}) == len(samples["webhook"])
    for raw in samples["email"]:
        mail = message_from_string(raw, policy=policy.default)
        assert mail.get_content_type() == "multipart/alternative", raw[:500]
        if not mail["To"].startswith("user"):
            continue  # an owner's: no unsubscribe headers
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", raw[:500]
        assert mail["List-Unsubscribe"] and mail["Message-ID"], raw[:500]
    for form in samples["sms"]:
        assert form["To"].startswith("+1415") and "API down" in form["Body"], form
    assert all(samples.values()), {k: len(v) for k, v in samples.items()}
    counts = ", ".join(f"{len(v)} {k}" for k, v in samples.items())
    return f"checked at the receivers: {counts} (signatures, headers, forms): OK"


BENCH_KEY = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def settings_for(db: Path, smtp_port: int, http: str, **changes: Any) -> Settings:
    base = Settings(
        db=db, secret_key=BENCH_KEY, dispatch_poll=0.05, dispatch_lease=120,
        smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security="none",
        smtp_from="Bench Status <status@bench.test>", email_rate=1e6, email_concurrency=24,
        twilio_account_sid="AC" + "0" * 32, twilio_auth_token="token",
        twilio_from="+15005550006", twilio_api_url=http, sms_rate=1e6, sms_concurrency=48,
        webhook_secret="whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        webhook_allow_http=True, webhook_allow_private=True, webhook_rate=1e6,
        webhook_concurrency=64,
    )  # fmt: skip
    return base.replace(**changes)


def owners_environ(plan: Plan) -> dict[str, str]:
    """The owners' e-mail and SMS contact points (${NAME} in the plan), at the receivers."""
    environ = {}
    for n, owner in enumerate(plan.owners.values()):
        for channel, value in owner.contacts.items():
            ref = ENV_REF.match(value)
            if ref and channel is PlanChannel.EMAIL:
                environ[ref.group(1)] = f"owner{n}@owners.bench.test"
            elif ref and channel is PlanChannel.SMS:
                environ[ref.group(1)] = f"+1415555{n:04d}"
    return environ


async def only(
    svc: Service, comms: Comms, settings: Settings, names: set[str], store: Store | None = None
) -> Dispatcher:
    """A dispatcher sending on these channels only (the others' rows stay queued)."""
    page = await svc.page()
    made = build_channels(settings, comms.plan, page.url)
    for name in set(made) - names:
        await made.pop(name).aclose()
    return await make_dispatcher(
        settings, store or svc.store, comms, owners_environ(comms.plan), made
    )


async def deliver(
    svc: Service, comms: Comms, settings: Settings, http: str, names: set[str]
) -> dict[str, float]:
    """Send the queued rows of these channels; messages per second of each."""
    async with svc.store.read() as q:
        counts = await q.queued_by_channel()
    expected = {ch: counts.get(ch, 0) for ch in names}
    base = (await asyncio.to_thread(stats, http))["counts"]
    # More dispatchers (BENCH_DISPATCHERS, PostgreSQL) stand for more servers: each on a
    # store (connection) of its own, as a server has.
    stores = [await Store.open(svc.store.path) for _ in range(DISPATCHERS - 1)]
    dispatchers = [
        await only(svc, comms, settings, names | {"slack"}, store) for store in [svc.store, *stores]
    ]
    started = time.perf_counter()
    runs = [asyncio.create_task(d.run()) for d in dispatchers]
    done: dict[str, float] = {}
    last, progress = None, started
    while len(done) < len(expected) and time.perf_counter() - progress < 30:  # else stuck
        await asyncio.sleep(0.25)
        got = (await asyncio.to_thread(stats, http))["counts"]
        if got != last:
            last, progress = got, time.perf_counter()
        for ch, n in expected.items():
            if ch not in done and got[ch] - base[ch] >= n:
                done[ch] = time.perf_counter() - started
    for d in dispatchers:
        d.stop()
    await asyncio.gather(*runs)
    for d in dispatchers:
        await d.aclose()
    for store in stores:
        await store.close()
    if len(dispatchers) > 1:
        shares = [sum(w.tally["sent"] for w in d.workers.values()) for d in dispatchers]
        print(f"  {'+'.join(sorted(names))}: sent by each dispatcher: {shares}", flush=True)
    return {ch: expected[ch] / done[ch] if ch in done else 0.0 for ch in expected}


async def limited_sms(svc: Service, comms: Comms, settings: Settings, http: str) -> float:
    dispatcher = await only(svc, comms, settings, {"sms"})
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(2.0)  # warm-up: start, first claims
    since = time.time()
    await asyncio.sleep(LIMITED_SECONDS)
    dispatcher.stop()
    await running
    await dispatcher.aclose()
    window = await asyncio.to_thread(stats, http, since)
    first, last = window["span"]["sms"]
    return (window["since"]["sms"] - 1) / (last - first)


async def main() -> None:
    smtp_port, http_port = free_port(), free_port()
    http = f"http://127.0.0.1:{http_port}"
    receivers = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything runs
        [sys.executable, str(HERE / "receivers.py"), str(smtp_port), str(http_port)],
        stdout=subprocess.PIPE,
    )
    try:
        assert receivers.stdout is not None
        receivers.stdout.readline()
        if url := os.environ.get("STATUSPAGE_BENCH_DB"):  # postgresql://...?search_path=S
            print(f"on PostgreSQL: {url}", flush=True)
            await run(url, smtp_port, http)
            return
        with tempfile.TemporaryDirectory() as tmp:
            await run(Path(tmp) / "bench.db", smtp_port, http)
    finally:
        receivers.terminate()
        receivers.wait()


async def run(path: Path | str, smtp_port: int, http: str) -> None:
    store = await Store.open(path, create=True)
    try:
        # Every update goes out at once: the e-mail and SMS coalescing windows (60 s in the
        # shipped plan) would hold the second and third rounds back.
        comms = Comms(replace(load_plan(DEFAULT_PLAN), coalesce={}))
        await measure(Service(store, comms=comms), comms, smtp_port, http)
    finally:
        await store.close()


async def measure(svc: Service, comms: Comms, smtp_port: int, http: str) -> None:
    path = svc.store.path
    await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
    await svc.add_component("API")
    await seed(svc.store, http)
    started = time.perf_counter()
    incident = await svc.declare_incident(
        "API down", message="Investigating.", severity="SEV1", components=[("API", None)]
    )
    enqueue = time.perf_counter() - started
    await approve(svc.store, incident.id, "bench", svc.now())
    settings = settings_for(path, smtp_port, http)
    together = await deliver(svc, comms, settings, http, set(MIX))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(await asyncio.to_thread(check_samples, http, settings.webhook_secret), flush=True)
    await update(svc, incident.id, "Found it.")
    alone = {}
    for name in MIX:
        alone |= await deliver(svc, comms, settings, http, {name})
    await update(svc, incident.id, "Fix rolling out.")
    limited = settings_for(path, smtp_port, http, sms_rate=SMS_LIMIT, sms_concurrency=8)
    achieved = await limited_sms(svc, comms, limited, http)
    report(enqueue, together, alone, peak, achieved)


async def update(svc: Service, incident_id: str, text: str) -> None:
    """An update to everyone again (the earlier messages are all sent by now)."""
    await svc.update_incident(incident_id, message=text, status="identified")
    await approve(svc.store, incident_id, "bench", svc.now())


def report(
    enqueue: float,
    together: dict[str, float],
    alone: dict[str, float],
    peak: float,
    achieved: float,
) -> None:
    ok = lambda good: "OK" if good else "MISSED"  # noqa: E731
    print(
        f"enqueue SEV1 to {sum(MIX.values()):,} subscribers: {enqueue:.2f} s "
        f"({ok(enqueue < 2)}, target < 2 s)"
    )
    print("throughput, messages/s: all three channels at once (the target) | each alone")
    for ch, target in TARGETS.items():
        print(
            f"  {ch:8} {together[ch]:6.0f}/s | {alone[ch]:6.0f}/s "
            f"(target >= {target}/s: {ok(together[ch] >= target)} at once, "
            f"{ok(alone[ch] >= target)} alone)"
        )
    print(f"peak memory of the dispatching process: {peak:.0f} MB ({ok(peak < 300)}, < 300 MB)")
    off = abs(achieved - SMS_LIMIT) / SMS_LIMIT * 100
    print(
        f"SMS at a {SMS_LIMIT:.0f}/s limit: {achieved:.2f}/s over {LIMITED_SECONDS:.0f} s "
        f"({off:.1f}% off; {ok(off <= 5)}, within 5%)"
    )


if __name__ == "__main__":
    uvloop.run(main())
