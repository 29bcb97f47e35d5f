"""Local receivers for bench/fanout.py, in their own process: an SMTP server, a stand-in
for Twilio's Messages API and a webhook receiver. They count, timestamp and answer.

    python bench/receivers.py SMTP_PORT HTTP_PORT      (GET /stats for the counts)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller

COUNTS: dict[str, int] = {"email": 0, "sms": 0, "webhook": 0}
TIMES: dict[str, list[float]] = {"email": [], "sms": [], "webhook": []}
SIDS = itertools.count(1)


def seen(kind: str) -> None:
    COUNTS[kind] += 1
    TIMES[kind].append(time.time())


class Smtp:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        seen("email")
        return "250 OK"


async def create(request: web.Request) -> web.Response:
    form = await request.post()
    seen("sms")
    sid = f"SM{next(SIDS):032x}"
    return web.json_response(
        {
            "sid": sid,
            "status": "accepted",
            "to": form.get("To"),
            "body": form.get("Body"),
            "date_created": None,
        },
        status=201,
    )


async def hook(request: web.Request) -> web.Response:
    await request.read()
    seen("webhook")
    return web.Response(status=204)


async def stats(request: web.Request) -> web.Response:
    since = float(request.query.get("since", "0"))
    if not since:  # polled often while sending: counts only, nothing that grows with them
        return web.json_response({"counts": COUNTS})
    windows = {k: [t for t in v if t >= since] for k, v in TIMES.items()}
    first_last = {k: [min(v), max(v)] if v else None for k, v in windows.items()}
    return web.json_response(
        {"counts": COUNTS, "span": first_last, "since": {k: len(v) for k, v in windows.items()}}
    )


async def main(smtp_port: int, http_port: int) -> None:
    controller = Controller(Smtp(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", create)
    app.router.add_post("/hook/{n}", hook)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port, backlog=1024).start()
    print(json.dumps({"ready": True}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
