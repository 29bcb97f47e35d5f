"""The SSRF guard for subscriber-given URLs: checked when subscribing and when sending.

Below both the subscription use cases (statuspage.addresses checks a URL as it is given)
and the HTTP channels (statuspage.comms.deliver.channels.http connects through it).
A subscriber's webhook or Slack URL must not reach into our network. The guard resolves
the host when connecting and refuses it when ANY of its addresses is not global (private,
loopback, link-local, shared, reserved, multicast...); the connection then goes to the
addresses it checked, so a name that resolves differently a moment later (DNS rebinding)
changes nothing. Literal addresses in URLs are checked the same way. Redirects are not
followed.

Every check looks at the host the client will connect to (`target_host`): the host as
yarl (aiohttp's URL parser) reads it, with NFKC and IDNA applied (so `①②⑦.0.0.1` and
`127。0。0。1` are 127.0.0.1), any IPv4 notation the resolver accepts written plainly
(`0x7f.1`, `2130706433`, `0177.0.0.1`), and no trailing dot. aiohttp does not call the
resolver for an IP literal, so the literal check here is the only one such a URL meets.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from urllib.parse import urlsplit

import yarl

from statuspage.errors import PermanentDeliveryError


class RefusedTarget(OSError):
    """The URL leads to an address we do not send to."""


# IPv6 prefixes that carry an IPv4 address a gateway may forward to: NAT64 (RFC 6052, the
# well-known and the local-use prefix) and IPv4-compatible addresses (::a.b.c.d, deprecated).
_EMBEDDING = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def non_global(address: str) -> bool:
    """Whether an IP address is one we refuse to send to (not on the public internet).

    An IPv6 address that embeds an IPv4 one (mapped, 6to4, NAT64, IPv4-compatible) is judged
    by the IPv4 address too: a gateway would deliver it there.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast:
        return True
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return embedded is not None and (not embedded.is_global or embedded.is_multicast)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_url(url: str, *, allow_http: bool, allow_private: bool) -> None:
    """Refuse a URL we must not post to (wrong scheme, no host or a malformed one, a
    literal private address in any notation, a localhost name)."""
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise PermanentDeliveryError(f"refused: {scheme or 'no'} URL scheme (https only)")
    try:
        host = target_host(url)
    except ValueError as exc:
        raise PermanentDeliveryError(f"refused: {exc}") from exc
    if not allow_private and _local(host):
        raise PermanentDeliveryError("refused: the URL's address is not public")


@functools.lru_cache(maxsize=4096)
def target_host(url: str) -> str:
    """The host a request to `url` connects to: an IP address written plainly, or an
    ASCII name (IDNA) without a trailing dot. ValueError when there is none or it is
    malformed (an empty label, one over 63 characters, a name over 253).

    >>> target_host("http://①②⑦.0.0.1/"), target_host("https://0x7f.1/")
    ('127.0.0.1', '127.0.0.1')
    """
    try:
        raw = yarl.URL(url).raw_host
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"the URL's host is not valid ({exc})") from exc
    host = (raw or "").rstrip(".").lower()
    if not host:
        raise ValueError("the URL has no host")
    literal = _ip_literal(host)
    if literal is not None:
        return literal
    labels = host.split(".")
    if not all(labels):
        raise ValueError("the URL's host name has an empty label (a leading dot, or two in a row)")
    if len(host) > 253 or any(len(label) > 63 for label in labels):
        raise ValueError("the URL's host name is too long (at most 63 characters a label)")
    return host


def _ip_literal(host: str) -> str | None:
    """The address `host` names when the resolver would read it as a number, else None."""
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    if not all(c in "0123456789abcdefx." for c in host):
        return None
    try:  # what getaddrinfo does with a number: inet_aton's forms (0x7f.1, 2130706433)
        return str(ipaddress.IPv4Address(socket.inet_aton(host)))
    except OSError:
        return None


def _local(host: str) -> bool:
    """Whether a target host is one we refuse without asking DNS: a non-global address,
    or a localhost name (RFC 6761: always loopback). Other names are checked when
    resolved."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return non_global(host)
    except ValueError:
        return False
