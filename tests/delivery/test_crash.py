"""Crash safety: SIGKILL the dispatcher mid-batch, start it again, count at the receivers.

Every message arrives; none is lost. Duplicates only for messages in flight at the kill
(at most the concurrency) and none where the receiver takes an idempotency key (webhook-id,
Mastodon's Idempotency-Key) or where the provider can be asked (Twilio: the SMS of an
interrupted attempt is looked up before it is sent again).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.model import new_id
from statuspage.service import Service
from statuspage.service.comms_ops import approve
from statuspage.storage import Store
from tests import raw_db
from tests.conftest import TEST_SECRET_KEY
from tests.delivery.conftest import PLAN, Providers

EMAIL, WEBHOOK, SMS, INCIDENTS = 400, 400, 200, 3
CONCURRENCY = {"EMAIL": 4, "WEBHOOK": 16, "SMS": 8}


def crash_plan(tmp_path: Path) -> Path:
    text = PLAN.read_text().replace(
        'social: {network: bluesky, handle: "@status.acme.test"}',
        'social: {network: mastodon, handle: "@status@acme.test"}',
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def seed(db: Path, hooks_url: str) -> None:
    now = "2026-01-01T00:00:00.000000Z"
    rows = [(new_id(), "email", f"user{n}@example.test") for n in range(EMAIL)]
    rows += [(new_id(), "webhook", f"{hooks_url}/s{n}") for n in range(WEBHOOK)]
    rows += [(new_id(), "sms", f"+1415556{n:04d}") for n in range(SMS)]
    conn = raw_db.connect(db)
    conn.executemany(
        "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
        " VALUES (?, ?, ?, 'active', ?, ?)",
        [(*r, now, now) for r in rows],
    )
    conn.commit()
    conn.close()


async def prepare(db: Path, plan: Path, hooks_url: str) -> None:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store, comms=Comms(load_plan(plan)))
        await svc.ensure_page("Acme", "https://status.acme.test", "Etc/UTC")
        await svc.add_component("API")
        await asyncio.to_thread(seed, db, hooks_url)
        for n in range(INCIDENTS):
            incident = await svc.declare_incident(
                f"Outage {n}", message="Investigating.", severity="SEV1",
                components=[("API", None)],
            )  # fmt: skip
            await approve(store, incident.id, "Dana", svc.now())
    finally:
        await store.close()


def environment(p: Providers, db: Path, plan: Path) -> dict[str, str]:
    settings = {
        "DB": str(db), "COMMS_PLAN": str(plan), "SECRET_KEY": TEST_SECRET_KEY,
        "DISPATCH_LEASE": "2",
        "DISPATCH_POLL": "0.05", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(p.smtp_port),
        "SMTP_SECURITY": "none", "SMTP_FROM": "status@acme.test",
        "TWILIO_ACCOUNT_SID": p.settings(db).twilio_account_sid,
        "TWILIO_AUTH_TOKEN": p.settings(db).twilio_auth_token, "TWILIO_FROM": "+15005550006",
        "TWILIO_API_URL": p.twilio_url, "WEBHOOK_SECRET": p.hooks.secret,
        "WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_ALLOW_PRIVATE": "1", "MASTODON_URL": p.mastodon_url,
        "MASTODON_TOKEN": p.mastodon.token, "EMAIL_RATE": "5000", "SMS_RATE": "5000",
        "WEBHOOK_RATE": "5000", "SOCIAL_RATE": "100",
        **{f"{k}_CONCURRENCY": str(v) for k, v in CONCURRENCY.items()},
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    env.update({f"STATUSPAGE_{k}": v for k, v in settings.items()})
    env["ACME_SLACK_URL"] = p.slack_url + "/owners"
    return env


async def dispatch(env: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "statuspage.cli", "comms", "dispatch", *args,
            env=env, stdout=out, stderr=out,
        )  # fmt: skip


def received(p: Providers) -> int:
    return len(p.smtp.messages) + len(p.hooks.received) + len(p.twilio.created)


def states(db: Path) -> dict[str, int]:
    conn = raw_db.connect(db)
    try:
        return dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    finally:
        conn.close()


async def test_a_dispatcher_killed_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(
    providers: Providers, tmp_path: Path
) -> None:
    db, plan, log = tmp_path / "crash.db", crash_plan(tmp_path), tmp_path / "dispatch.log"
    await prepare(db, plan, providers.hooks_url)
    expected = INCIDENTS * (EMAIL + WEBHOOK + SMS)
    env = environment(providers, db, plan)
    first = await dispatch(env, log)
    for _ in range(600):  # until about a third has arrived, at most 30 s
        await asyncio.sleep(0.05)
        if received(providers) >= expected // 3 or first.returncode is not None:
            break
    assert first.returncode is None, log.read_text()
    first.send_signal(signal.SIGKILL)
    await first.wait()
    at_kill = received(providers)
    assert at_kill < expected, "the batch finished before the kill: make it larger"
    assert states(db).get("sending", 0) > 0  # claims of the dead dispatcher are left behind
    await asyncio.sleep(2.5)  # its leases (2 s) run out
    second = await dispatch(env, log, "--once")
    assert await asyncio.wait_for(second.wait(), 60) == 0, log.read_text()

    left = states(db)
    assert set(left) <= {"sent", "superseded"}, (left, log.read_text()[-3000:])

    mails = Counter(m["Message-ID"] for m in providers.smtp.messages)
    assert len(mails) == INCIDENTS * (EMAIL + 2)  # + the two owners' internal mail
    assert sum(n - 1 for n in mails.values()) <= CONCURRENCY["EMAIL"]

    hook_ids = providers.hooks.ids()
    assert len(hook_ids) == INCIDENTS * WEBHOOK and providers.hooks.rejected == 0
    assert sum(n - 1 for n in hook_ids.values()) <= CONCURRENCY["WEBHOOK"]

    sms = Counter((m["to"], m["body"]) for m in providers.twilio.created)
    assert len(sms) == INCIDENTS * (SMS + 1)  # + the incident commander's
    assert max(sms.values()) == 1  # no SMS twice: interrupted ones were looked up

    assert len(providers.mastodon.statuses) == INCIDENTS  # repeats kept out by the key
    assert at_kill > 0


async def test_sigterm_lets_sends_under_way_finish_and_gives_back_the_rest(
    providers: Providers, tmp_path: Path
) -> None:
    db, plan, log = tmp_path / "term.db", crash_plan(tmp_path), tmp_path / "dispatch.log"
    await prepare(db, plan, providers.hooks_url)
    env = environment(providers, db, plan) | {"STATUSPAGE_SMS_RATE": "5"}
    running = await dispatch(env, log)
    for _ in range(400):  # until a few SMS went out, at most 20 s
        await asyncio.sleep(0.05)
        if len(providers.twilio.created) >= 3:
            break
    running.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(running.wait(), 30) == 0, log.read_text()
    conn = raw_db.connect(db)
    try:
        sms = dict(conn.execute(
            "SELECT state, COUNT(*) FROM outbox WHERE channel = 'sms' GROUP BY state"
        ).fetchall())  # fmt: skip
        untried = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND state = 'queued'"
            " AND attempts = 0 AND lease_owner IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    assert "sending" not in sms  # nothing left claimed: no lease to wait for
    assert sms["sent"] == len(providers.twilio.created)
    assert untried == sms["queued"] > 0
