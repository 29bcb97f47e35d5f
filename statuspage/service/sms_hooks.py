"""The Twilio web hooks' use cases: a delivery report, and a reply to our number; each
one transaction, running the deliver stage's handlers inside it (the one place the service
reaches into comms.deliver: see the import contract in pyproject.toml).
"""

from __future__ import annotations

from statuspage.comms.deliver.inbound import Reply, handle_sms
from statuspage.comms.deliver.receipts import record_report
from statuspage.service.subscription_base import SubscriptionBase


class SmsHookService(SubscriptionBase):
    async def record_sms_report(
        self, provider_id: str, status: str, code: int | None, row_hint: int | None
    ) -> str:
        """Apply one SMS delivery report (one transaction); what it did, for the log."""
        plan = getattr(self.comms, "plan", None)
        async with self.write(public=False) as q:
            return await record_report(
                q, plan, "sms", provider_id, status, code, self.now(), row_hint
            )

    async def answer_sms(self, sender: str, body: str) -> Reply:
        """Act on an SMS reply to our number (STOP, START, YES, a code...), in one transaction."""
        policy = self.subscription_policy
        signer = self.signer if policy.secret_key else None
        async with self.write(public=False) as q:
            return await handle_sms(q, sender, body, self.now(), signer, policy.code_attempts)
