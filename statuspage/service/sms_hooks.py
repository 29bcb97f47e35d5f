"""The Twilio web hooks' use cases: a delivery report, and a reply to our number; each
one transaction, running the deliver stage's handlers inside it (the one place the service
reaches into comms.deliver: see the import contract in pyproject.toml).
"""

from __future__ import annotations

from statuspage.comms.deliver.inbound import Reply, handle_sms
from statuspage.comms.deliver.receipts import record_report
from statuspage.service.context import ServiceContext
from statuspage.service.subscription_base import SubscriptionRules


class SmsHooks:
    """What the Twilio hooks record: delivery reports and SMS replies."""

    def __init__(self, ctx: ServiceContext, rules: SubscriptionRules) -> None:
        self.ctx = ctx
        self.rules = rules

    async def record_sms_report(
        self, provider_id: str, status: str, code: int | None, row_hint: int | None
    ) -> str:
        """Apply one SMS delivery report (one transaction); what it did, for the log."""
        plan = getattr(self.ctx.comms, "plan", None)
        async with self.ctx.write(public=False) as q:
            return await record_report(
                q, plan, "sms", provider_id, status, code, self.ctx.now(), row_hint
            )

    async def answer_sms(self, sender: str, body: str) -> Reply:
        """Act on an SMS reply to our number (STOP, START, YES, a code...), in one transaction."""
        policy = self.ctx.subscription_policy
        signer = self.ctx.signer if policy.secret_key else None
        async with self.ctx.write(public=False) as q:
            return await handle_sms(q, sender, body, self.ctx.now(), signer, policy.code_attempts)
