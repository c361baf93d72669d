"""Where dlt writes: the STITCH database of the environment, through the warehouse resource.

The physical database comes from `TableRef.physical` (the same naming rules as every
other raw write: `stitch` locally, `STITCH_CLONE_<pr>` in a branch deployment,
`STITCH` in production), and the connection from the location's `warehouse`
resource: its DuckDB file locally, its Snowflake account elsewhere. Each sync
group is one dlt dataset, so tables land as `<database>.<group>.<table>`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from dop_shared import paths
from dop_shared.warehouse import DuckDBWarehouse, SnowflakeWarehouse, TableRef, Warehouse


def stitch_database(group: str) -> str:
    """The environment's physical STITCH database (validated by dop_shared)."""
    return TableRef("stitch", group, "_").physical().split(".")[0]


def duckdb_file(warehouse: DuckDBWarehouse, group: str) -> Path:
    """The DuckDB file that plays the STITCH database locally."""
    folder = (
        paths.warehouse_dir()
        if warehouse.data_dir is None
        else Path(warehouse.data_dir) / "warehouse"
    )
    return folder / f"{stitch_database(group).lower()}.duckdb"


@contextlib.contextmanager
def stitch_connection(warehouse: Warehouse, group: str) -> Iterator:
    """Locally, one DuckDB connection to the STITCH file for the whole sync (the cursor
    read, a direct merge or dlt's load, the figures): dlt would otherwise open the file
    for each client, at ~0.1 s a time, a fixed cost of every sync however few its rows.
    None elsewhere: dlt connects to Snowflake itself."""
    if not isinstance(warehouse, DuckDBWarehouse):
        yield None
        return
    import duckdb

    file = duckdb_file(warehouse, group)
    file.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(file))
    try:
        yield conn
    finally:
        conn.close()


def dlt_destination(warehouse: Warehouse, group: str, conn=None):
    """dlt's destination for the STITCH database: `conn` (from `stitch_connection`)
    locally, the warehouse resource's Snowflake account elsewhere."""
    import dlt

    if isinstance(warehouse, DuckDBWarehouse):
        return dlt.destinations.duckdb(conn)
    if isinstance(warehouse, SnowflakeWarehouse):
        return dlt.destinations.snowflake(
            credentials={
                "database": stitch_database(group),
                "username": warehouse.user,
                "password": warehouse.password,
                "host": warehouse.account,
                "warehouse": warehouse.warehouse,
                "role": warehouse.role,
                # extra connector arguments (host, port, protocol...) pass through as is
                "query": dict(warehouse.connection_args or {}),
            }
        )
    raise TypeError(f"no dlt destination for a {type(warehouse).__name__} warehouse")


@contextlib.contextmanager
def destination(warehouse: Warehouse, group: str) -> Iterator:
    """A dlt destination writing into the STITCH database the warehouse resource points at."""
    with stitch_connection(warehouse, group) as conn:
        yield dlt_destination(warehouse, group, conn)
