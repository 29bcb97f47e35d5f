"""uvicorn's httptools protocol, answering a published URL as soon as its headers are parsed.

In an outage nearly every request is a GET for a published artifact. The ordinary ASGI way
costs a task, a scope and two messages per request (about 20,000 requests/s on one core);
here the protocol writes the artifact's prepared bytes straight to the socket (2-3 times as
many). It answers only the plain case: GET or HEAD of a published path, HTTP/1.1 keep-alive, no
request body framed by Transfer-Encoding (the parser checks that only after the headers),
nothing else in flight on the connection, a client that reads what it is sent, no access log
and no concurrency limit. Everything else goes the ordinary ASGI way, where SiteMiddleware
answers published URLs with the same bytes (tests compare the two).

ASGI middleware wrapped around the app at uvicorn's level (outside SiteApp) is skipped for
the requests answered here; put middleware inside SiteApp.

`statuspage serve` runs uvicorn with `http="statuspage.published_http:PublishedFirstProtocol"`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from statuspage.artifacts import Artifact, Headers, header_lines
from statuspage.publish import Published

PROTOCOL = "statuspage.published_http:PublishedFirstProtocol"
_READ_ONLY = (b"GET", b"HEAD")
# The parts of HttpToolsProtocol's state used here; a uvicorn without them gets the ASGI way.
_UVICORN_STATE = ("cycle", "flow", "pipeline", "server_state", "timeout_keep_alive_task")


class PublishedFirstProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with published artifacts answered in the parser's callback."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        # With the access log on, a concurrency limit or a root path, every request goes the
        # ordinary way (which logs, counts and prefixes).
        plain = not config.access_log and config.limit_concurrency is None and not self.root_path
        ready = plain and all(hasattr(self, name) for name in _UVICORN_STATE)
        self.published = find_published(self.app) if ready else None
        self.answered = False  # the message being parsed was answered here
        self.rearm = False  # a request was answered during this data_received

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.rearm:
            self.rearm = False
            self._keep_alive_timer()

    def on_headers_complete(self) -> None:
        method = self.parser.get_method()
        artifact = self._artifact(method)
        self.answered = artifact is not None
        if artifact is None:
            super().on_headers_complete()
            return
        self._send(artifact, head_only=method == b"HEAD")
        self.rearm = True
        self.server_state.total_requests += 1

    def on_body(self, body: bytes) -> None:
        if not self.answered:  # a GET's body, if any, is read and dropped
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.answered:
            super().on_message_complete()

    def _artifact(self, method: bytes) -> Artifact | None:
        """The artifact to answer with here, or None for the ordinary way."""
        published = self.published
        site = published.site if published is not None else None
        if site is None or method not in _READ_ONLY:
            return None
        if not self._plain_connection() or _framed_body(self.headers):
            return None
        path = httptools.parse_url(self.url).path.decode("ascii")
        return site.artifacts.get(unquote(path) if "%" in path else path)

    def _plain_connection(self) -> bool:
        """Keep-alive HTTP/1.1, no request still running, and the client keeps reading."""
        parser = self.parser
        return (
            parser.get_http_version() == "1.1"
            and parser.should_keep_alive()
            and not parser.should_upgrade()
            and self._idle()
            and not self.flow.write_paused
        )

    def _idle(self) -> bool:
        """No request of this connection is being answered the ASGI way (nor queued)."""
        return self.cycle is None or self.cycle.response_complete

    def _send(self, artifact: Artifact, head_only: bool) -> None:
        variant, unchanged = artifact.answer(self.headers)
        defaults = _DEFAULT_LINES(self.server_state.default_headers)
        if unchanged:
            parts = (STATUS_LINE[304], defaults, variant.not_modified_lines, b"\r\n")
            self.transport.writelines(parts)
            return
        body = b"" if head_only else variant.body
        head = (STATUS_LINE[artifact.status], defaults, variant.header_lines, b"\r\n")
        self.transport.writelines((*head, body))

    def _keep_alive_timer(self) -> None:
        """Close an idle connection after the keep-alive timeout, as uvicorn does."""
        closing = self.transport.is_closing()
        if self._idle() and self.timeout_keep_alive_task is None and not closing:
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )


def _framed_body(headers: Headers) -> bool:
    """A Transfer-Encoding header: the parser may still refuse the request after its headers
    (a coding other than chunked, a malformed chunk), and it must get the 400 alone."""
    return any(name == b"transfer-encoding" for name, _ in headers)


class _DefaultLines:
    """uvicorn's default headers (the Date) as header lines; it swaps the list each second."""

    def __init__(self) -> None:
        self.cached: tuple[Headers | None, bytes] = (None, b"")

    def __call__(self, headers: Headers) -> bytes:
        cached_headers, lines = self.cached  # one tuple: servers in threads may share it
        if headers is not cached_headers:
            lines = header_lines(headers)
            self.cached = (headers, lines)
        return lines


_DEFAULT_LINES = _DefaultLines()


def find_published(app: object) -> Published | None:
    """The Published of the SiteApp under the wrappers uvicorn adds (proxy headers), if any."""
    for _ in range(10):
        published = getattr(app, "published", None)
        if isinstance(published, Published):
            return published
        app = getattr(app, "app", None)
        if app is None:
            return None
    return None
