"""The server mirrors every publish to the bucket; the bucket keeps serving when it stops.
`export --to` and `mirror status` from the CLI."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from statuspage.mirror.plan import MANIFEST
from tests.conftest import RunCli
from tests.mirror.conftest import KEYS, s3_client
from tests.test_app import free_port, wait_until_serving


def _page(moto_url: str, bucket: str, key: str = "site/index.html") -> str | None:
    try:
        got = s3_client(moto_url).get_object(Bucket=bucket, Key=key)
    except s3_client(moto_url).exceptions.NoSuchKey:
        return None
    body = got["Body"].read()
    return (gzip.decompress(body) if got.get("ContentEncoding") == "gzip" else body).decode()


def _wait_for_page(moto_url: str, bucket: str, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        page = _page(moto_url, bucket)
        if page is not None and text in page:
            return page
        assert time.monotonic() < deadline, f"{text!r} never reached the bucket"
        time.sleep(0.05)


def test_a_cli_write_reaches_the_bucket_and_stays_there_after_the_server_stops(
    run_cli: RunCli, db_path: Path, tmp_path: Path, moto_url: str, bucket: str
) -> None:
    run_cli("component", "add", "API")
    port = free_port()
    env = {
        **os.environ, **KEYS, "AWS_ENDPOINT_URL": moto_url,
        "STATUSPAGE_MIRROR": f"s3://{bucket}/site", "STATUSPAGE_POLL_INTERVAL": "0.05",
    }  # fmt: skip
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "statuspage.cli", "--db", str(db_path), "serve",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/", proc, log_path)
            _wait_for_page(moto_url, bucket, "All Systems Operational")
            run_cli("incident", "declare", "Payments delayed", "--impact", "major",
                    "--component", "API", "-m", "We are looking into it.")  # fmt: skip
            _wait_for_page(moto_url, bucket, "Payments delayed")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert "Secret" not in log_path.read_text() and KEYS["AWS_SECRET_ACCESS_KEY"] not in (
        log_path.read_text()
    )
    # The server is gone; the bucket still answers with the current page.
    page = _page(moto_url, bucket)
    assert page is not None and "Payments delayed" in page
    summary = json.loads(_page(moto_url, bucket, "site/api/v2/summary.json") or "{}")
    assert [i["name"] for i in summary["incidents"]] == ["Payments delayed"]
    status = json.loads((db_path.parent / (db_path.name + "-mirror.json")).read_text())
    assert status["revision"] is not None and status["failures"] == 0


def test_without_aws_keys_an_upload_is_refused_in_one_line(
    run_cli: RunCli, monkeypatch: object, moto_url: str
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    monkeypatch.setenv("STATUSPAGE_MIRROR", "s3://status/site")
    result = run_cli("export", "--to", "s3://status/site")
    assert result.exit_code == 2
    assert "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in result.stderr


def test_export_to_a_bucket_and_mirror_status(
    run_cli: RunCli, moto_url: str, bucket: str, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    for name, value in {**KEYS, "AWS_ENDPOINT_URL": moto_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("STATUSPAGE_MIRROR", f"s3://{bucket}/site")
    run_cli("component", "add", "API")
    first = run_cli("export", "--to", f"s3://{bucket}/site")
    assert first.exit_code == 0, first.output + first.stderr
    assert "Uploaded" in first.output
    again = run_cli("export", "--to", f"s3://{bucket}/site")
    assert "Uploaded 0 objects, deleted 0" in again.output
    manifest = s3_client(moto_url).get_object(Bucket=bucket, Key=f"site/{MANIFEST}")
    assert "site/index.html" not in json.loads(manifest["Body"].read())["objects"]
    status = run_cli("mirror", "status")
    assert status.exit_code == 0, status.output
    assert "in step" in status.output
    run_cli("component", "add", "Web")
    behind = run_cli("mirror", "status", "--json")
    assert behind.exit_code == 1
    report = json.loads(behind.output)
    assert report["bucket_revision"] < report["database_revision"]
    both = run_cli("export", "out", "--to", f"s3://{bucket}/site")
    assert both.exit_code == 2 and "one of them" in both.stderr
