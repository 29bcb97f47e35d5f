"""`statuspage export DIR`: the whole public site as static files, at the same URLs.

One tree per language (/en/, /ru/, /zh-Hans/, as served) and the unprefixed pages in the
page's default language (a static host cannot negotiate); sitemap.xml lists them all with
hreflang alternates.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click

from statuspage.checks.uptime import uptime_feeds
from statuspage.checks.wiring import configured_checks
from statuspage.cli.context import Context, UsageLine, pass_context
from statuspage.cli.mirror import upload_site
from statuspage.service import Service
from statuspage.site.artifacts import Site
from statuspage.site.builder import SiteBuilder
from statuspage.site.security_headers import security_headers
from statuspage.site.snapshot import SnapshotReader

# Files with these endings are written as they are named; every other page becomes NAME.html.
KEEP = {
    ".html", ".json", ".xml", ".txt", ".rss", ".atom", ".ics", ".css", ".js", ".svg", ".ico",
    ".png",
}  # fmt: skip
# Netlify and Cloudflare Pages read this file; other hosts ignore it. The security headers are
# the public page's (the static site has no forms: /subscribe needs the server).
HEADERS = """\
/api/*
  Access-Control-Allow-Origin: *
/*
  Cache-Control: {cache}
{security}
/static/*
  Cache-Control: public, max-age=86400
{languages}"""


def security_lines() -> str:
    """The public page's security headers, as lines of the _headers file."""
    headers = security_headers("/", "text/html")
    return "\n".join(f"  {name.decode().title()}: {value.decode()}" for name, value in headers)


def language_lines(codes: tuple[str, ...]) -> str:
    """Content-Language for each language's tree, as rules of the _headers file."""
    return "".join(f"/{code}/*\n  Content-Language: {code}\n" for code in codes)


def file_name(url_path: str) -> str:
    """Where a URL's file goes: / -> index.html, /incidents/x -> incidents/x.html."""
    if url_path.endswith("/"):
        return url_path.lstrip("/") + "index.html"
    name = url_path.lstrip("/")
    return name if PurePosixPath(name).suffix in KEEP else name + ".html"


def write_site(site: Site, directory: Path, *, gzip: bool = True, cache: str = "") -> int:
    """Write every artifact (and a .gz beside it, for servers that send precompressed files):
    each language's tree, and the negotiated pages in the default language."""
    files = {file_name(path): artifact for path, artifact in site.static_files().items()}
    count = 0
    for name, artifact in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(artifact.body)
        count += 1
        if gzip and artifact.gzip is not None:
            target.with_name(target.name + ".gz").write_bytes(artifact.gzip.body)
            count += 1
    rules = HEADERS.format(
        cache=cache, security=security_lines(), languages=language_lines(tuple(site.errors))
    )
    (directory / "_headers").write_text(rules)
    return count + 1


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--gzip/--no-gzip", default=True, show_default=True, help="Also write NAME.gz files.")
@click.option(
    "--to",
    "target",
    metavar="s3://BUCKET/PREFIX",
    help="Upload to an S3-compatible bucket instead (changed objects only; AWS_* variables).",
)
@pass_context
def export(ctx: Context, directory: Path | None, gzip: bool, target: str | None) -> None:
    """Write the whole public site (pages, JSON API, feeds, iCal, assets) as static files.

    Pages go to NAME.html (/incidents/ID -> incidents/ID.html), which GitHub Pages,
    Netlify, Cloudflare Pages and nginx (`try_files $uri $uri.html $uri/index.html`)
    serve at the same URL as the server does. Each language has its tree (en/, ru/,
    zh-Hans/); the top level holds the page's default language; sitemap.xml lists every
    page in every language.

    With --to s3://BUCKET/PREFIX the site goes to object storage once, as the server's
    mirror (STATUSPAGE_MIRROR) keeps it: keys are the URL paths, with Content-Type,
    Cache-Control and gzip encoding; only changed objects are uploaded.

    \b
    Example:
      statuspage export public/ && rsync -a public/ host:/var/www/status/
      AWS_ENDPOINT_URL=http://127.0.0.1:9000 statuspage export --to s3://status/
    """
    if (directory is None) == (target is None):
        raise UsageLine("give a DIRECTORY or --to s3://BUCKET/PREFIX (one of them)")

    # The components whose uptime the checks' probes give, as the server shows them.
    feeds = uptime_feeds(configured_checks(ctx.settings.automation))

    async def use(svc: Service) -> Site:
        snapshot = await svc.attach(lambda store: SnapshotReader(store, svc.clock, feeds).read())
        return SiteBuilder(ctx.settings).build(snapshot)

    site = ctx.run_local(use)
    if target is not None:
        upload_site(ctx, site, target)
        return
    assert directory is not None
    builder_cache = SiteBuilder(ctx.settings).cache_control
    directory.mkdir(parents=True, exist_ok=True)
    count = write_site(site, directory, gzip=gzip, cache=builder_cache)
    click.echo(f"Wrote {count} files to {directory} (revision {site.revision}).")
