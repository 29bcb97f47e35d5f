"""Local receivers for bench/fanout.py: an SMTP server, a stand-in for Twilio's Messages API
and a webhook receiver. They count, timestamp, answer, and keep every SAMPLE_EVERY-th
message whole, so the bench can check what was sent (webhook signatures, e-mail headers,
the SMS form).

They run on the same two cores as the dispatcher they measure, so they are kept cheap:
the SMTP server has a process of its own (its own interpreter lock), and both speak just
enough of their protocol on bare asyncio protocols, on uvloop: SMTP as aiosmtplib uses it
(EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), HTTP/1.1 with keep-alive through httptools.
The tests use the full stand-ins (tests/delivery/standins.py: aiosmtpd, aiohttp).

    python bench/receivers.py SMTP_PORT HTTP_PORT
    GET /stats (counts), /stats?since=T (and what came since T), /samples (kept messages)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import queue
import signal
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httptools
import uvloop

SAMPLE_EVERY = 997  # keep one message in this many (a prime: no pattern in the addresses)
SAMPLES_KEPT = 200

COUNTS: dict[str, int] = {"email": 0, "sms": 0, "webhook": 0}
TIMES: dict[str, list[float]] = {"sms": [], "webhook": []}
SAMPLES: dict[str, list[Any]] = {"email": [], "sms": [], "webhook": []}
SIDS = itertools.count(1)


def keep(kind: str, count: int, sample: Any) -> None:
    if count % SAMPLE_EVERY == 1 and len(SAMPLES[kind]) < SAMPLES_KEPT:
        SAMPLES[kind].append(sample)


# --- SMTP (its own process) ----------------------------------------------------------------


class Smtp(asyncio.Protocol):
    """One SMTP session; counts each message accepted after DATA."""

    def __init__(self, count: Any, samples: Any) -> None:
        self.count = count
        self.samples = samples
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(b"220 bench ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                message, self.buffer = self.buffer[:end], self.buffer[end + 5 :]
                self.in_data = False
                self._accept(message)
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                return
            self.buffer = rest
            self._command(line)

    def _command(self, line: bytes) -> None:
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.transport.write(b"250-bench\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        else:  # HELO, MAIL, RCPT, RSET, NOOP
            self.transport.write(b"250 OK\r\n")

    def _accept(self, message: bytes) -> None:
        self.count.value += 1  # one writer (this process); the parent only reads
        if self.count.value % SAMPLE_EVERY == 1:
            self.samples.put(message.decode("utf-8", "replace"))
        self.transport.write(b"250 OK queued\r\n")


def smtp_process(port: int, count: Any, samples: Any, parent: int) -> None:
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(lambda: Smtp(count, samples), "127.0.0.1", port, backlog=1024)
        # The receivers' main process ended (even by SIGKILL): so does this one.
        while os.getppid() == parent:  # noqa: ASYNC110 - nothing to wait on but the pid
            await asyncio.sleep(0.5)

    uvloop.run(serve())


# --- HTTP: Twilio's Messages API and webhooks ---------------------------------------------


class Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: POST .../Messages.json, POST /hook/N, GET /stats."""

    def __init__(self, email: Any, email_samples: Any) -> None:
        self.email = email
        self.email_samples = email_samples
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers: dict[bytes, bytes] = {}
        self.body: list[bytes] = []

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body = b"", {}, []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        url = self.url.decode()
        if url.startswith("/hook/"):
            self._webhook()
            self._answer(204, b"", False)
        elif url.endswith("/Messages.json"):
            self._answer(201, self._sms(), True)
        elif url.startswith("/stats"):
            self._answer(200, json.dumps(self._stats(url)).encode(), True)
        elif url.startswith("/samples"):
            self._answer(200, json.dumps(self._samples()).encode(), True)
        else:
            self._answer(404, b"", True)

    def _answer(self, status: int, body: bytes, json_body: bool) -> None:
        reason = {200: "OK", 201: "Created", 204: "No Content", 404: "Not Found"}[status]
        head = f"HTTP/1.1 {status} {reason}\r\n"
        if status != 204:
            head += f"Content-Length: {len(body)}\r\n"
            if json_body:
                head += "Content-Type: application/json\r\n"
        self.transport.write(head.encode() + b"\r\n" + body)
        if not self.parser.should_keep_alive():
            self.transport.close()

    def _webhook(self) -> None:
        seen("webhook")
        keep("webhook", COUNTS["webhook"], {
            "headers": {k.decode(): v.decode() for k, v in self.headers.items()},
            "body": b"".join(self.body).decode(),
        })  # fmt: skip

    def _sms(self) -> bytes:
        seen("sms")
        form = dict(parse_qsl(b"".join(self.body).decode()))
        keep("sms", COUNTS["sms"], form)
        return json.dumps({
            "sid": f"SM{next(SIDS):032x}", "status": "accepted", "to": form.get("To"),
            "body": form.get("Body"), "date_created": None,
        }).encode()  # fmt: skip

    def _stats(self, url: str) -> dict[str, Any]:
        counts = COUNTS | {"email": self.email.value}
        since = float(dict(parse_qsl(urlsplit(url).query)).get("since", "0"))
        if not since:  # polled often while sending: counts only, nothing that grows with them
            return {"counts": counts}
        windows = {k: [t for t in v if t >= since] for k, v in TIMES.items()}
        first_last = {k: [min(v), max(v)] if v else None for k, v in windows.items()}
        return {"counts": counts, "span": first_last,
                "since": {k: len(v) for k, v in windows.items()}}  # fmt: skip

    def _samples(self) -> dict[str, list[Any]]:
        with contextlib.suppress(queue.Empty):
            while True:  # what the SMTP process put; the last may still be on its way
                SAMPLES["email"].append(self.email_samples.get(timeout=0.2))
        return SAMPLES


def seen(kind: str) -> None:
    COUNTS[kind] += 1
    TIMES[kind].append(time.time())


async def main(smtp_port: int, http_port: int) -> None:
    spawn = multiprocessing.get_context("spawn")
    email, email_samples = spawn.Value("q", 0, lock=False), spawn.Queue()
    smtp = spawn.Process(
        target=smtp_process, args=(smtp_port, email, email_samples, os.getpid()), daemon=True
    )
    smtp.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await loop.create_server(
        lambda: Http(email, email_samples), "127.0.0.1", http_port, backlog=1024
    )
    await wait_for_port(smtp_port)
    print(json.dumps({"ready": True}), flush=True)
    try:
        await stop.wait()
    finally:
        smtp.terminate()
        smtp.join()


async def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"the SMTP receiver did not start on port {port}")


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), int(sys.argv[2])))
