"""Channels: one small module per way of reaching people, each with the same interface.

A channel only sends: no retries, no database. It turns the vendor's errors into ours at
its boundary (statuspage.errors: transient, permanent, and their finer kinds) so the
dispatcher decides what happens next without knowing any vendor. `fake.RecordingChannel`
stands in for a real one in tests.
"""

from __future__ import annotations

from statuspage.comms.deliver.channels.base import Channel, Message, PostRef, Receipt

__all__ = ["Channel", "Message", "PostRef", "Receipt"]
