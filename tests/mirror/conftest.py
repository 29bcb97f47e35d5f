"""A real S3 implementation on loopback (moto's server), a recording proxy in front of it that
can fail on purpose, and a stand-in for CDN purge APIs."""

from __future__ import annotations

import functools
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from tests.test_app import free_port

KEYS = {
    "AWS_ACCESS_KEY_ID": "testing-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_REGION": "us-east-1",
}
_buckets = itertools.count()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Proxy:
    """Forwards to moto; records each request; fails the next `fail_puts` PUTs with 503."""

    upstream: str
    url: str = ""
    log: list[tuple[str, str]] = field(default_factory=list)
    fail_puts: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def puts(self) -> list[str]:
        return [path for method, path in self.log if method == "PUT"]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()


def _proxy_handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    shared = httpx.Client(timeout=30)  # one for all: a new client costs an SSL context

    def http() -> httpx.Client:
        return shared

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            with proxy.lock:
                failing = self.command == "PUT" and proxy.fail_puts > 0
                if failing:
                    proxy.fail_puts -= 1
                    proxy.failed += 1
                else:
                    proxy.log.append((self.command, self.path.partition("?")[0]))
            if failing:
                self.send_response(503)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            answer = http().request(
                self.command, proxy.upstream + self.path, headers=headers, content=body
            )
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def proxy(moto_url: str) -> Iterator[Proxy]:
    recorder = Proxy(moto_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(recorder))
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture
def bucket(moto_url: str) -> str:
    """A new, empty bucket's name."""
    name = f"status-{next(_buckets)}"
    s3_client(moto_url).create_bucket(Bucket=name)
    return name


@pytest.fixture
def environ(proxy: Proxy) -> dict[str, str]:
    """The AWS variables of a store reached through the recording proxy."""
    return {**KEYS, "AWS_ENDPOINT_URL": proxy.url}


@functools.lru_cache(maxsize=4)
def s3_client(url: str) -> Any:
    """boto3 straight to moto: the tests' own, independent look at the bucket."""
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


@dataclass
class PurgeStandIn:
    """Records every request a CDN purge hook sends: (method, path, headers, JSON body)."""

    url: str = ""
    got: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)


@pytest.fixture
def purge_stand_in() -> Iterator[PurgeStandIn]:
    record = PurgeStandIn()

    class Handler(BaseHTTPRequestHandler):
        def _take(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            record.got.append((self.command, self.path, dict(self.headers.items()), body))
            payload = b'{"success": true}'
            self.send_response(200)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PURGE = _take

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()
