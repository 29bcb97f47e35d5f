"""Replies to our SMS number: STOP, START and HELP (and the synonyms carriers honour).

STOP unsubscribes the SMS subscriber with that number, START brings them back, HELP says
who we are and how to stop. YES, or the 6-digit code, from a number waiting for its
confirmation confirms it (the welcome SMS follows through the outbox); otherwise YES is
START. Anything else gets no answer. Twilio itself also honours these words for its
numbers; we keep our own list in step with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from statuspage.confirmations import confirm_sms_reply
from statuspage.links import LinkSigner
from statuspage.storage import Queries

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    CONFIRM = "confirm"
    OTHER = "other"


@dataclass(frozen=True)
class Reply:
    keyword: Keyword
    text: str | None  # what to answer (None: nothing)
    changed: int  # subscribers whose state changed


def keyword(body: str) -> Keyword:
    """The keyword a message is: the whole message, trimmed, any case, end punctuation off."""
    word = body.strip().strip(".!").upper()
    if word in STOP_WORDS:
        return Keyword.STOP
    if word in START_WORDS:
        return Keyword.START
    if word in HELP_WORDS:
        return Keyword.HELP
    return Keyword.OTHER


def _confirming(body: str) -> str | None:
    """YES or a 6-digit code: a reply that may confirm a subscription."""
    word = "".join(body.strip().strip(".!").upper().split())
    return word if word == "YES" or (word.isdigit() and len(word) == 6) else None


async def handle_sms(
    q: Queries,
    sender: str,
    body: str,
    now: datetime,
    signer: LinkSigner | None = None,
    code_attempts: int = 5,
) -> Reply:
    page = await q.get_page()
    name, url = (page.name, page.url) if page else ("Status", "")
    word = _confirming(body) if signer is not None else None
    if signer is not None and word is not None:
        if await confirm_sms_reply(q, signer, sender, word, now, code_attempts):
            return Reply(Keyword.CONFIRM, None, 1)
        if word.isdigit():
            text = f"{name}: that code is not right or has expired. {url}/subscribe"
            return Reply(Keyword.CONFIRM, text, 0)
    kind = keyword(body)
    if kind is Keyword.STOP:
        # Twilio confirms a STOP itself; an answer from us would not be delivered.
        return Reply(kind, None, await q.set_subscription_by_address("sms", sender, False, now))
    if kind is Keyword.START:
        changed = await q.set_subscription_by_address("sms", sender, True, now)
        text = f"{name}: you will get incident updates again. Reply STOP to stop."
        return Reply(kind, text if changed else None, changed)
    if kind is Keyword.HELP:
        text = f"{name}: incident updates by SMS. Reply STOP to stop, START to resume. {url}"
        return Reply(kind, text.strip(), 0)
    return Reply(kind, None, 0)
