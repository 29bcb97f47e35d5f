"""uvicorn's httptools protocol with request heads capped, answering a published URL as soon
as its headers are parsed.

HeaderLimitProtocol answers a request whose head (request line and headers) exceeds MAX_HEAD
bytes with 431 and closes the connection. It counts the bytes as they arrive, so a huge header
is refused while it streams in: httptools hands a header over only once it is complete, and
holds it until then.

PublishedFirstProtocol adds the fast path. In an outage nearly every request is a GET for a
published artifact. The ordinary ASGI way costs a task, a scope and two messages per request
(about 20,000 requests/s on one core); here the protocol writes the artifact's prepared bytes
straight to the socket (2-3 times as many). It answers only the plain case: GET or HEAD of a
published path, HTTP/1.1 keep-alive, no request body framed by Transfer-Encoding (the parser
checks that only after the headers), nothing else in flight on the connection, a client that
reads what it is sent, no access log and no concurrency limit. At a negotiated path (/,
/history) it picks the reader's language as SiteMiddleware does (the same function,
statuspage.site.negotiation); a `?lang=` switch (a 303 setting a cookie) is rare and goes the
ASGI way. Everything else goes the ordinary ASGI way, where SiteMiddleware answers published
URLs with the same bytes (tests compare the two).

Both rely on uvicorn's internals: serving.http_options picks them only on a tested uvicorn.
The fast path looks through uvicorn's own proxy-headers middleware (which changes nothing a
published answer depends on) to the SiteApp; any other ASGI wrapper around the app turns the
fast path off for that server, with one log line, rather than being skipped.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any
from urllib.parse import unquote

import httptools
from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from statuspage.site.artifacts import Artifact, Headers, header_lines
from statuspage.site.asgi import SiteApp
from statuspage.site.negotiation import pick
from statuspage.site.publisher import Published
from statuspage.site.security_headers import security_headers
from statuspage.site.serving import MAX_HEAD

log = logging.getLogger("statuspage.http")
_READ_ONLY = (b"GET", b"HEAD")
_LINGER = 1.0  # seconds a refused connection is read (and dropped) before it is closed
_TOO_LARGE = b"431 Request Header Fields Too Large: the request's head exceeds 16 KiB\n"


class HeaderLimitProtocol(HttpToolsProtocol):
    """HttpToolsProtocol refusing a request head over MAX_HEAD bytes with 431."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.head_bytes = 0  # bytes received since the head being read began (a lower bound)
        self.head_size = 0  # bytes of its URL and complete headers
        self.in_body = False  # between the end of a head and the end of its message
        self.refused = False  # a 431 was sent: nothing more is read or answered
        self.answered = False  # the message being parsed needs no ASGI request

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if not self.in_body:
            # An end of head in this data resets the count; the next head's bytes in the same
            # data go uncounted (at most one read), and the callbacks below count them anyway.
            self.head_bytes += len(data)
        super().data_received(data)
        if not self.in_body and self.head_bytes > MAX_HEAD:
            self.refused = True
        if self.refused and not self.transport.is_closing():
            self._send_431()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_size = 0
        self.answered = False

    def on_url(self, url: bytes) -> None:
        self.head_size += len(url)
        if self.head_size > MAX_HEAD:
            self.refused = True
        if not self.refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value) + 4  # ": " and CRLF
        if self.head_size > MAX_HEAD:
            self.refused = True
        if not self.refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_body, self.head_bytes = True, 0
        if not self.refused:
            self.start_request()

    def start_request(self) -> None:
        """The head is complete and within the limit: answer it the ASGI way."""
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not (self.refused or self.answered):  # a GET's body, if any, is read and dropped
            super().on_body(body)

    def on_message_complete(self) -> None:
        self.in_body, self.head_bytes = False, 0
        if not (self.refused or self.answered):
            super().on_message_complete()

    def _send_431(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # an answer is being written: a 431 would garble it
            return
        headers: Headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(_TOO_LARGE)).encode()),
            (b"connection", b"close"),
            *security_headers("", "text/plain"),
        ]
        defaults = _DEFAULT_LINES(self.server_state.default_headers)
        head = (STATUS_LINE[431], defaults, header_lines(headers), b"\r\n")
        self.transport.writelines((*head, _TOO_LARGE))
        # Closing with the rest of the request unread would reset the connection, and the
        # client could lose the 431: stop writing, drop what still comes, close a little later.
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(_LINGER, self.transport.close)
        else:  # pragma: no cover - TLS transports cannot half-close
            self.transport.close()


class PublishedFirstProtocol(HeaderLimitProtocol):
    """HeaderLimitProtocol with published artifacts answered in the parser's callback."""

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
        self.published = _published_of(config) if plain else None
        self.rearm = False  # a request was answered during this data_received

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.rearm:
            self.rearm = False
            self._keep_alive_timer()

    def start_request(self) -> None:
        method = self.parser.get_method()
        artifact = self._artifact(method)
        if artifact is None:
            super().start_request()
            return
        self.answered = True
        self._send(artifact, head_only=method == b"HEAD")
        self.rearm = True
        self.server_state.total_requests += 1

    def _artifact(self, method: bytes) -> Artifact | None:
        """The artifact to answer with here, or None for the ordinary way."""
        published = self.published
        site = published.site if published is not None else None
        if site is None or method not in _READ_ONLY:
            return None
        if not self._plain_connection() or _framed_body(self.headers):
            return None
        url = httptools.parse_url(self.url)
        path = url.path.decode("ascii")
        path = unquote(path) if "%" in path else path
        query = url.query
        if not query:  # the common case, first: nothing to do for a path that does not vary
            artifact = site.artifacts.get(path)
            if artifact is not None:
                return artifact
        found = pick(site, path, query or b"", self.headers)
        # A Switch (?lang=) goes the ASGI way: a rare answer, with a cookie to set.
        return found if isinstance(found, Artifact) else None

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
        closing = self.transport.is_closing() or self.refused
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


_SITES: weakref.WeakKeyDictionary[Config, Published | None] = weakref.WeakKeyDictionary()


def _published_of(config: Config) -> Published | None:
    """The server's published site, looked for once per server (and logged once if absent)."""
    if config not in _SITES:
        _SITES[config] = find_published(config.loaded_app)
    return _SITES[config]


def find_published(app: object) -> Published | None:
    """The Published of a SiteApp, possibly inside uvicorn's proxy-headers middleware.

    Any other wrapper turns the fast path off: it would be skipped for the requests answered
    here, so every request goes the ASGI way through it.
    """
    inner = app.app if isinstance(app, ProxyHeadersMiddleware) else app
    if isinstance(inner, SiteApp):
        return inner.published
    log.warning(
        "fast path off: the app is wrapped in %s, which it would skip; every request goes "
        "the ASGI way",
        type(inner).__name__,
    )
    return None
