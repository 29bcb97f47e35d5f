"""Subscribers as CSV: what `subscribers export` writes and `subscribers import` reads.

Lists inside a cell (components by name, tags) are separated by ";"; an empty
`components` cell means every component. The file is UTF-8 (a BOM is accepted).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from statuspage.errors import InvalidInput
from statuspage.model import Component, Subscriber
from statuspage.serialize import iso

COLUMNS = (
    "id",
    "channel",
    "address",
    "phone_country",
    "components",
    "tags",
    "language",
    "state",
    "created_at",
    "confirmed_at",
)
MAX_ROWS = 200_000
PROBLEM = "__problem__"  # a row that cannot be read carries why, under this key


def write(subscribers: Iterable[Subscriber], components: Iterable[Component]) -> str:
    names = {c.id: c.name for c in components}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in subscribers:
        chosen = "" if s.all_components else ";".join(names.get(c, c) for c in s.component_ids)
        writer.writerow([
            s.id, s.channel.value, s.address, s.phone_country or "", chosen, ";".join(s.tags),
            s.language, s.state.value, iso(s.created_at), iso(s.confirmed_at) or "",
        ])  # fmt: skip
    return out.getvalue()


def read(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line number, {column: value})]); InvalidInput for a file that is not CSV."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not header:
            raise InvalidInput("the file is empty; it needs a header line (channel,address,...)")
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))
            if len(values) > len(header):
                row[PROBLEM] = f"{len(values)} cells, but the header has {len(header)} columns"
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                raise InvalidInput(f"more than {MAX_ROWS} rows; split the file")
    except csv.Error as exc:
        raise InvalidInput(f"line {reader.line_num}: not valid CSV: {exc}") from exc
    return header, rows
