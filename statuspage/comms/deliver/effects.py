"""The side effects of an outcome, written in the transaction that records it."""

from __future__ import annotations

import logging
from datetime import datetime

from statuspage.comms.deliver.alerts import alert_blocked
from statuspage.comms.deliver.outcomes import Effects
from statuspage.comms.plan.schema import Plan
from statuspage.confirmations import confirm_probed
from statuspage.storage import Queries
from statuspage.storage.outbox import OutboxRow

log = logging.getLogger("statuspage.dispatch")


async def apply_effects(
    q: Queries, plan: Plan, row: OutboxRow, effects: Effects, now: datetime
) -> None:
    if effects.unsubscribe is not None and await q.unsubscribe(effects.unsubscribe, now):
        log.info("subscriber %s unsubscribed: the provider reports an opt-out", effects.unsubscribe)
    if effects.confirm is not None and await confirm_probed(q, effects.confirm, now):
        log.info("subscriber %s confirmed: the test event was answered", row.recipient_id)
    if effects.post is not None and row.channel == "social":
        await q.add_thread_post(
            row.incident_id, row.channel, effects.post.id, effects.post.ref, now
        )
    block = effects.block
    if block is not None:
        added = await q.block_template(
            block.channel, block.template, block.language, block.code, block.reason,
            row.incident_id, now,
        )  # fmt: skip
        if added:
            log.warning(
                "%s template %s (%s) stopped: %s; owners alerted",
                block.channel, block.template, block.language, block.reason,
            )  # fmt: skip
            await alert_blocked(q, plan, row.incident_id, block, now)
