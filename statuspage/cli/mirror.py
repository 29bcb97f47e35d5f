"""`statuspage mirror status` and `export --to`: the public site in object storage."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from typing import Any

import click

from statuspage.cli.context import Context, UsageLine, json_option, pass_context
from statuspage.cli.output import echo_json
from statuspage.cli.times import ago
from statuspage.events import utcnow
from statuspage.mirror.mirror import Mirror
from statuspage.mirror.plan import MANIFEST
from statuspage.mirror.state import MirrorStatus, read_status
from statuspage.mirror.wiring import make_mirror, status_file
from statuspage.service import Service
from statuspage.site.artifacts import Site


def upload_site(ctx: Context, site: Site, target: str) -> None:
    """One mirror pass to `target` (the CDN purge too, when configured)."""
    mirror = make_mirror(ctx.settings, os.environ, target)

    async def run() -> tuple[int, int]:
        try:
            done = await mirror.sync(site)
        finally:
            await mirror.s3.aclose()
        return len(done.uploads), len(done.deletes)

    uploaded, deleted = asyncio.run(run())
    click.echo(
        f"Uploaded {uploaded} objects, deleted {deleted} to {mirror.status.target} "
        f"(revision {site.revision})."
    )


@click.group()
def mirror() -> None:
    """The public site in object storage (STATUSPAGE_MIRROR=s3://BUCKET/PREFIX)."""


@mirror.command("status")
@json_option
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """Whether the bucket holds the newest revision; the server's uploads and failures.

    Exit code 0 when the bucket is in step with the database, 1 when it is behind or the
    server's last pass failed.

    \b
    Example:
      statuspage mirror status
    """
    if not ctx.settings.mirror:
        raise UsageLine("no mirror is set: set STATUSPAGE_MIRROR=s3://BUCKET/PREFIX")
    target = make_mirror(ctx.settings, os.environ)
    revision = ctx.run_local(lambda svc: _revision(svc))
    bucket = asyncio.run(_bucket(target))
    server = read_status(status_file(ctx.settings))
    report = _report(target.status.target, revision, bucket, server)
    if as_json:
        echo_json(report)
    else:
        click.echo(_text(report))
    if not report["in_step"]:
        raise SystemExit(1)


async def _revision(svc: Service) -> int:
    return await svc.attach(lambda store: store.revision())


async def _bucket(target: Mirror) -> dict[str, Any]:
    try:
        raw = await target.s3.get(MANIFEST)
    finally:
        await target.s3.aclose()
    if raw is None:
        return {}
    data: dict[str, Any] = json.loads(raw)
    return data


def _report(
    target: str, revision: int, bucket: dict[str, Any], server: MirrorStatus | None
) -> dict[str, Any]:
    held = bucket.get("revision")
    failing = server is not None and server.failing
    return {
        "target": target,
        "database_revision": revision,
        "bucket_revision": held,
        "bucket_synced_at": bucket.get("synced_at"),
        "bucket_objects": len(bucket.get("objects", {})),
        "in_step": held == revision and not failing,
        "server": json.loads(server.to_json()) if server else None,
    }


def _text(report: dict[str, Any]) -> str:
    lines = [f"mirror:   {report['target']}"]
    held, synced = report["bucket_revision"], report["bucket_synced_at"]
    if held is None:
        lines.append("bucket:   nothing mirrored yet")
    else:
        when = ago(datetime.fromisoformat(synced), utcnow()) if synced else "?"
        lines.append(
            f"bucket:   revision {held}, {report['bucket_objects']} objects, synced {when}"
        )
    lines.append(f"database: revision {report['database_revision']}")
    lines.append("state:    " + ("in step" if report["in_step"] else "BEHIND"))
    server = report["server"]
    if server is not None:
        lines.append(
            f"server:   {server['uploads']} uploaded, {server['deletes']} deleted, "
            f"{server['retries']} retries, {server['failures']} failed passes, "
            f"{server['purge_failures']} failed purges"
        )
        if server["last_error"]:
            lines.append(f"last error: {server['last_error']}")
    return "\n".join(lines)
