"""Split a gzip JSON-lines file into numbered raw lines, keeping the broken ones.

DuckDB's JSON reader either stops at the first bad line or skips it silently
(ignore_errors) and reports no line numbers; quarantine needs every line, its
number and its raw bytes, valid UTF-8 or not. So the file is decompressed by
zlib and split by Arrow's `split_pattern` kernel (both C, no per-line Python),
and DuckDB then parses the JSON (see parse.py).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc


class UnreadableFile(ValueError):
    """The file is not a complete gzip stream; nothing of it should be loaded."""


def read_lines(path: Path) -> pa.Table:
    """(line_number int64, line binary) for every line of the file, 1-based, in order."""
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read()
    except (EOFError, OSError, zlib.error) as error:
        raise UnreadableFile(f"{path} is not a complete gzip file ({error}).") from error
    if data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        return pa.table(
            {"line_number": pa.array([], pa.int64()), "line": pa.array([], pa.binary())}
        )
    parts = pc.split_pattern(pa.array([data], pa.large_binary()), pattern=b"\n")
    lines = pc.list_flatten(parts).cast(pa.binary())
    numbers = pa.array(range(1, len(lines) + 1), pa.int64())
    return pa.table({"line_number": numbers, "line": lines})
