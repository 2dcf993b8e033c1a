"""COPY helpers shared by the loaders: a file over a generator, and PostgreSQL's binary format.

Loaders stream their rows into COPY as they compute them, so PostgreSQL parses and
inserts one chunk on one core while Python makes the next on the other.
"""

import struct
from collections.abc import Iterable, Iterator

BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
BINARY_TRAILER = struct.pack("!h", -1)
NULL = b"\xff\xff\xff\xff"


class IterStream:
    """A read-only file over an iterator of str or bytes chunks, for cursor.copy_expert."""

    def __init__(self, chunks: Iterator):
        self._chunks = chunks
        self._rest = None

    def read(self, size: int | None = -1):
        parts, length = ([self._rest], len(self._rest)) if self._rest else ([], 0)
        for chunk in self._chunks:
            parts.append(chunk)
            length += len(chunk)
            if size is not None and 0 <= size <= length:
                break
        if not parts:
            return b""
        data = parts[0][:0].join(parts)
        if size is None or size < 0 or len(data) <= size:
            self._rest = None
            return data
        self._rest = data[size:]
        return data[:size]


def binary_rows(rows: Iterable[tuple], kinds: str) -> bytes:
    """Rows in COPY's binary format; ``kinds`` has one letter a column: i int4, o bool,
    t text, b bytes."""
    out = [BINARY_HEADER]
    count = struct.pack("!h", len(kinds))
    for row in rows:
        out.append(count)
        for kind, value in zip(kinds, row, strict=True):
            if value is None:
                out.append(NULL)
            elif kind == "i":
                out.append(struct.pack("!ii", 4, value))
            elif kind == "o":
                out.append(struct.pack("!i?", 1, value))
            else:
                data = value.encode() if kind == "t" else value
                out += [struct.pack("!i", len(data)), data]
    out.append(BINARY_TRAILER)
    return b"".join(out)
