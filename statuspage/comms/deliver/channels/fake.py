"""A recording channel for tests: keeps what it was given; fails when told to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from statuspage.comms.deliver.channels.base import Message, PostRef, Receipt

Script = Callable[[Message], BaseException | None]


@dataclass
class RecordingChannel:
    """Records every message; `script(message)` may return an error to raise instead."""

    name: str
    script: Script | None = None
    delay: float = 0.0
    sent: list[Message] = field(default_factory=list)
    attempts: list[Message] = field(default_factory=list)
    known: dict[str, Receipt] = field(default_factory=dict)  # what find_sent answers
    closed: bool = False

    async def send(self, message: Message) -> Receipt:
        self.attempts.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        error = self.script(message) if self.script else None
        if error is not None:
            raise error
        self.sent.append(message)
        receipt = Receipt(f"{self.name}-{len(self.sent)}", PostRef(f"post-{len(self.sent)}"))
        self.known[message.key] = receipt
        return receipt

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return self.known.get(message.key)

    async def aclose(self) -> None:
        self.closed = True
