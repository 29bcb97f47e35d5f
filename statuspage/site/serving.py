"""How `statuspage serve` runs uvicorn's HTTP: our protocol where uvicorn's version is tested.

The fast path and the header limit (fast_path.py) subclass uvicorn's httptools protocol
and rely on its internals, so they are used only on the uvicorn releases tested with them
(UVICORN_TESTED, the same range as pyproject.toml). On any other release, or when its
internals cannot be imported, the server runs plain uvicorn with its h11 protocol, whose
receive buffer is capped so that a huge header cannot fill memory; that is said in one log line.
"""

from __future__ import annotations

import logging
import re
from importlib import metadata
from typing import Any

log = logging.getLogger("statuspage.http")

# Lowest release tested, and the first release not tested (the pin in pyproject.toml).
UVICORN_TESTED = ((0, 21, 0), (0, 56, 0))
MAX_HEAD = 16 * 1024  # bytes of request line and headers; larger heads are answered 431
_RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:\.post\d+)?")


def uvicorn_version() -> str:
    """The installed uvicorn's version ("" when its distribution is not found)."""
    try:
        return metadata.version("uvicorn")
    except metadata.PackageNotFoundError:
        return ""


def release(version: str) -> tuple[int, int, int] | None:
    """(0, 55, 0) for "0.55.0" or "0.55.0.post1"; None for a pre-release or anything else."""
    found = _RELEASE.fullmatch(version.strip())
    if found is None:
        return None
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


def untested(version: str) -> str | None:
    """Why this uvicorn version may not be used with our protocol, or None when it may."""
    low, high = UVICORN_TESTED
    found = release(version)
    if found is None:
        return f"uvicorn version {version or 'unknown'!r} is not a release we can compare"
    if not low <= found < high:
        tested = f"{_dotted(low)} up to (not including) {_dotted(high)}"
        return f"uvicorn {version} is outside the tested range ({tested})"
    return None


def _dotted(parts: tuple[int, ...]) -> str:
    return ".".join(map(str, parts))


def http_options(fast_path: bool, version: str | None = None) -> dict[str, Any]:
    """The uvicorn options for HTTP: our protocol (with or without the fast path) on a tested
    uvicorn; otherwise plain uvicorn (h11, receive buffer capped) and one log line why."""
    reason = untested(uvicorn_version() if version is None else version)
    if reason is None:
        try:
            from statuspage.site import fast_path as protocols
        except ImportError as exc:
            reason = f"uvicorn's httptools protocol cannot be imported ({exc})"
        else:
            if fast_path:
                return {"http": protocols.PublishedFirstProtocol}
            return {"http": protocols.HeaderLimitProtocol}
    log.warning(
        "%s: serving with plain uvicorn (h11, request heads up to %d bytes), without the fast path",
        reason,
        MAX_HEAD,
    )
    return {"http": "h11", "h11_max_incomplete_event_size": MAX_HEAD}
