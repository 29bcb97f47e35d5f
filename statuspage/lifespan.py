"""A server start refused by one of our errors says so in one line, not a traceback."""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from statuspage.errors import StatuspageError


class StartupErrors:
    """ASGI middleware: a lifespan start that raises a StatuspageError prints `error: ...`.

    Starlette reports a failed start with the whole traceback, which the server logs; for our
    own errors (a database that is not ours, a broken plan) the one line is the whole story.
    The server then exits as for any failed start (`statuspage serve`: exit code 2).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[MutableMapping[str, Any]] = []

        async def hold_failure(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)  # sent below, once the exception says what failed
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except StatuspageError as exc:
            if held:
                print(f"error: {exc}", file=sys.stderr, flush=True)
                await send({"type": "lifespan.startup.failed", "message": ""})
            raise  # the server, having been told, logs nothing more
        except BaseException:
            for message in held:
                await send(message)
            raise
