"""SMS through Twilio's official client (Messages API).

Twilio takes no idempotency key, so an attempt whose outcome is unknown (the request went
out, no answer came) is reported as ambiguous: before it is sent again, `find_sent` asks
Twilio for recent messages to that number and takes one with the same body as the
original. Errors are mapped by twilio_codes. `validity_period` lets a message stuck in
Twilio's queue expire instead of arriving hours late; the status callback URL brings
delivery reports back to /hooks/twilio/status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from statuspage.comms.deliver.channels.base import Message, Receipt
from statuspage.comms.deliver.channels.twilio_codes import error_for
from statuspage.comms.deliver.channels.twilio_http import TwilioHttp
from statuspage.errors import AmbiguousDelivery, TransientDeliveryError

CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    messaging_service_sid: str = ""
    from_number: str = ""
    status_callback: str = ""  # page URL + /hooks/twilio/status
    validity_period: int = 1800
    api_url: str = ""  # a local stand-in (tests); empty: api.twilio.com
    timeout: float = 15.0
    connections: int = 16


class SmsChannel:
    name = "sms"

    def __init__(self, config: TwilioConfig) -> None:
        self.config = config
        self._http = TwilioHttp(config.api_url, config.timeout, config.connections)
        self._client = Client(
            config.account_sid, config.auth_token, http_client=self._http, environment={}
        )

    def _sender(self) -> dict[str, str]:
        if self.config.messaging_service_sid:
            return {"messaging_service_sid": self.config.messaging_service_sid}
        return {"from_": self.config.from_number}

    async def send(self, message: Message) -> Receipt:
        callback = self.config.status_callback
        try:
            created = await self._client.messages.create_async(
                to=message.to,
                body=message.text,
                status_callback=f"{callback}?key={message.key}" if callback else None,
                validity_period=self.config.validity_period,
                **self._sender(),
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise error_for(exc.code, exc.status, str(getattr(exc, "msg", ""))) from exc
        except aiohttp.ClientConnectorError as exc:  # never reached Twilio: safe to retry
            raise TransientDeliveryError("cannot connect to Twilio") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise AmbiguousDelivery(f"no answer from Twilio ({type(exc).__name__})") from exc
        return Receipt(str(created.sid))

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        """The message Twilio already has for this attempt, if any."""
        try:
            recent = await self._client.messages.list_async(to=message.to, limit=20)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise TransientDeliveryError("cannot look the message up at Twilio") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransientDeliveryError("cannot look the message up at Twilio") from exc
        for found in recent:
            created = found.date_created
            if found.body == message.text and (created is None or created >= since - CLOCK_SKEW):
                return Receipt(str(found.sid))
        return None

    async def aclose(self) -> None:
        await self._http.close()
