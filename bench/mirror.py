"""Mirror: from a CLI write to the object updated in the bucket.

Starts moto's S3 server on loopback (a real S3 implementation), then `statuspage serve` with
STATUSPAGE_MIRROR pointing at it, on a fresh page with one component. Then N times: change
the component's status from this process through the use cases, on a connection of its own
(as the local CLI does: the server finds the write by its poll, STATUSPAGE_POLL_INTERVAL at
its default 0.25 s), and poll the bucket's api/v2/components.json until it shows the new
status. Prints p50, p99 and max of that time. Run it with `make bench-mirror`.

    .venv/bin/python bench/mirror.py [N]
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statuspage.service import Service  # noqa: E402
from statuspage.storage import Store  # noqa: E402

BIN = ROOT / ".venv" / "bin"
KEYS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"}
STATUSES = ("major_outage", "operational")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(db: Path) -> None:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store)
        await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
        await svc.add_component("API")
    finally:
        await store.close()


async def change(db: Path, status: str) -> None:
    svc = await Service.open(db)
    try:
        await svc.set_component_status("API", status)
    finally:
        await svc.close()


def shows(s3: Any, status: str) -> bool:
    try:
        got = s3.get_object(Bucket="bench", Key="site/api/v2/components.json")
    except s3.exceptions.NoSuchKey:
        return False
    body = got["Body"].read()
    if got.get("ContentEncoding") == "gzip":
        body = gzip.decompress(body)
    return bool(json.loads(body)["components"][0]["status"] == status)


def wait(s3: Any, status: str, timeout: float = 30) -> float:
    started = time.perf_counter()
    while not shows(s3, status):
        assert time.perf_counter() - started < timeout, "the bucket never showed the change"
        time.sleep(0.005)
    return time.perf_counter()


def main(n: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto logs every request
    s3_port, port = free_port(), free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{s3_port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])  # fmt: skip
    s3.create_bucket(Bucket="bench")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        asyncio.run(seed(db))
        env = {**os.environ, **KEYS, "AWS_ENDPOINT_URL": endpoint,
               "STATUSPAGE_MIRROR": "s3://bench/site"}  # fmt: skip
        log = (Path(tmp) / "serve.log").open("wb")
        server = subprocess.Popen(
            [BIN / "statuspage", "--db", str(db), "serve", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            wait(s3, "operational", timeout=120)
            times, totals = [], []
            for i in range(n):
                status = STATUSES[i % 2]
                started = time.perf_counter()
                asyncio.run(change(db, status))
                committed = time.perf_counter()
                seen = wait(s3, status)
                times.append(seen - committed)
                totals.append(seen - started)
        except AssertionError:
            print((Path(tmp) / "serve.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=10)
            moto.stop()
    report(f"commit -> object in the bucket over {n} changes", times)
    report("the same with the write (opening the database, the transaction)", totals)


def report(what: str, times: list[float]) -> None:
    times = sorted(times)
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(f"{what}: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
