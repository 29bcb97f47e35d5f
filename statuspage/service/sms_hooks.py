"""The Twilio web hooks' use cases: a delivery report, and a reply to our number; each
one transaction.

The comms modules are imported inside the methods: they import `statuspage.service`
themselves (Event, confirmations), so importing them at load time would be a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statuspage.service.subscription_base import SubscriptionBase

if TYPE_CHECKING:
    from statuspage.comms.inbound import Reply


class SmsHookService(SubscriptionBase):
    async def record_sms_report(
        self, provider_id: str, status: str, code: int | None, row_hint: int | None
    ) -> str:
        """Apply one SMS delivery report (one transaction); what it did, for the log."""
        from statuspage.comms.receipts import record_report

        plan = getattr(self.comms, "plan", None)
        async with self.write(public=False) as q:
            return await record_report(
                q, plan, "sms", provider_id, status, code, self.now(), row_hint
            )

    async def answer_sms(self, sender: str, body: str) -> Reply:
        """Act on an SMS reply to our number (STOP, START, YES, a code...), in one transaction."""
        from statuspage.comms.inbound import handle_sms

        policy = self.subscription_policy
        signer = self.signer if policy.secret_key else None
        async with self.write(public=False) as q:
            return await handle_sms(q, sender, body, self.now(), signer, policy.code_attempts)
