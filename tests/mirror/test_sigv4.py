"""Our SigV4 signatures equal botocore's for the same requests (moto does not check them)."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from statuspage.errors import InvalidInput
from statuspage.mirror.s3 import bucket_from, parse_target
from statuspage.mirror.sigv4 import Credentials, sign

NOW = datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC)


def _botocore(method: str, url: str, headers: dict[str, str], body: bytes, token: str) -> str:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    auth = S3SigV4Auth(
        BotoCredentials("AKIDEXAMPLE", "secret/KEY+x", token or None), "s3", "eu-west-1"
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        auth.add_auth(request)
    return str(request.headers["Authorization"])


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "token"),
    [
        ("PUT", "/bucket/site/ru/history", {}, {"Content-Type": "text/html; charset=utf-8",
         "Cache-Control": "public, max-age=10", "Content-Encoding": "gzip"}, b"<html>", ""),
        ("GET", "/bucket/", {"list-type": "2", "prefix": "site/"}, {}, b"", "session-token"),
        ("DELETE", "/bucket/site/zh-Hans/incidents/abc%20x", {}, {}, b"", ""),
    ],
)  # fmt: skip
def test_our_signature_is_botocores(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes, token: str
) -> None:
    creds = Credentials("AKIDEXAMPLE", "secret/KEY+x", token)
    ours = sign(method, "s3.example:9000", path, query, headers, body, creds, "eu-west-1", NOW)
    qs = "&".join(f"{k}={v.replace('/', '%2F')}" for k, v in query.items())
    url = f"http://s3.example:9000{path}" + (f"?{qs}" if qs else "")
    sent = {k: v for k, v in ours.items() if k != "authorization"}
    theirs = _botocore(method, url, sent, body, token)
    assert ours["authorization"] == theirs


def test_targets_and_keys_come_from_the_url_and_the_aws_variables() -> None:
    assert parse_target("s3://status/site/") == ("status", "site/")
    assert parse_target("s3://status") == ("status", "")
    with pytest.raises(InvalidInput, match="s3://bucket/prefix"):
        parse_target("https://status.example/")
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_DEFAULT_REGION": "auto",
           "AWS_ENDPOINT_URL_S3": "https://acct.r2.cloudflarestorage.com/"}  # fmt: skip
    bucket = bucket_from("s3://status/p", env)
    assert (bucket.endpoint, bucket.region, bucket.path_style) == (
        "https://acct.r2.cloudflarestorage.com", "auto", True,
    )  # fmt: skip
    aws = bucket_from("s3://status", {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
    assert (aws.endpoint, aws.path_style) == ("https://s3.us-east-1.amazonaws.com", False)
    assert "b" not in repr(aws)
    with pytest.raises(InvalidInput, match="AWS_SECRET_ACCESS_KEY"):
        bucket_from("s3://status", {"AWS_ACCESS_KEY_ID": "a"})
