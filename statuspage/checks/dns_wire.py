"""The DNS wire format, as much as a probe needs: one question out, its answers back
(RFC 1035; names may be compressed). Pure functions, no I/O."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28}
RCODES = {1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
CLASS_IN = 1
_HEADER = struct.Struct("!HHHHHH")


class Malformed(ValueError):
    """A reply that is not a DNS message we can read."""


@dataclass(frozen=True)
class Reply:
    id: int
    rcode: int
    answers: tuple[tuple[int, str], ...]  # (type, value as text)

    def values(self, record: str) -> list[str]:
        wanted = TYPES[record]
        return [value for kind, value in self.answers if kind == wanted]


def query(query_id: int, name: str, record: str) -> bytes:
    """A recursive query for one name and record type."""
    header = _HEADER.pack(query_id, 0x0100, 1, 0, 0, 0)  # RD
    return header + encode_name(name) + struct.pack("!HH", TYPES[record], CLASS_IN)


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("idna") if label else b""
        if not raw or len(raw) > 63:
            raise ValueError(f"bad DNS name {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def parse_reply(data: bytes) -> Reply:
    try:
        return _parse(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise Malformed(f"a malformed DNS reply ({exc})") from exc


def _parse(data: bytes) -> Reply:
    query_id, flags, qd, an, _, _ = _HEADER.unpack_from(data, 0)
    offset = _HEADER.size
    for _ in range(qd):
        _, offset = read_name(data, offset)
        offset += 4
    answers = []
    for _ in range(an):
        _, offset = read_name(data, offset)
        kind, _klass, _ttl, length = struct.unpack_from("!HHIH", data, offset)
        offset += 10
        if offset + length > len(data):
            raise ValueError("an answer runs past the end")
        answers.append((kind, _rdata(data, offset, kind, length)))
        offset += length
    return Reply(query_id, flags & 0x000F, tuple(answers))


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """A possibly compressed name at `offset`; returns it and the offset after it."""
    labels: list[str] = []
    end = None
    jumps = 0
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if jumps > 32:
                raise ValueError("a compression loop")
            pointer = ((length & 0x3F) << 8) | data[offset + 1]
            end = offset + 2 if end is None else end
            offset, jumps = pointer, jumps + 1
            continue
        if length == 0:
            return ".".join(labels), (offset + 1 if end is None else end)
        labels.append(data[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length


def _rdata(data: bytes, offset: int, kind: int, length: int) -> str:
    raw = data[offset : offset + length]
    if kind == TYPES["A"]:
        return str(ipaddress.IPv4Address(raw))
    if kind == TYPES["AAAA"]:
        return str(ipaddress.IPv6Address(raw))
    if kind in (TYPES["CNAME"], TYPES["NS"]):
        return read_name(data, offset)[0]
    if kind == TYPES["MX"]:
        return f"{struct.unpack_from('!H', data, offset)[0]} {read_name(data, offset + 2)[0]}"
    if kind == TYPES["TXT"]:
        parts, i = [], 0
        while i < len(raw):
            parts.append(raw[i + 1 : i + 1 + raw[i]].decode("utf-8", "replace"))
            i += 1 + raw[i]
        return "".join(parts)
    return raw.hex()
