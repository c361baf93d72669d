"""Reading local source files into Arrow with DuckDB's own readers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import pyarrow as pa

from dop_shared.warehouse import Partition


def read_csv(path: Path, columns: Mapping[str, str], rows: Partition | None = None) -> pa.Table:
    """A CSV file with a header, typed by `columns` (name -> DuckDB type), strictly, and
    only the `rows` of one partition when given (filtered in the same scan).

    A missing file or a row that does not fit the types fails with the file named,
    rather than loading a partial or mistyped table.
    """
    import duckdb

    if not path.is_file():
        raise dg.Failure(
            description=f"Source file {path} does not exist.",
            metadata={"path": str(path)},
        )
    where, params = rows.predicate("?") if rows else ("true", [])
    with duckdb.connect() as conn:
        try:
            return conn.sql(
                "select * from read_csv(?, header = true, columns = ?, auto_detect = false) "
                f"where {where}",
                params=[str(path), dict(columns), *params],
            ).to_arrow_table()
        except duckdb.Error as error:
            raise dg.Failure(
                description=f"Could not read {path}: {error}", metadata={"path": str(path)}
            ) from error
