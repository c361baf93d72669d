"""Where dlt writes: the STITCH database of the environment, through the warehouse resource.

The physical database comes from `TableRef.physical` (the same naming rules as every
other raw write: `stitch` locally, `STITCH_CLONE_<pr>` in a branch deployment,
`STITCH` in production), and the connection from the location's `warehouse`
resource: its DuckDB file locally, its Snowflake account elsewhere. Each sync
group is one dlt dataset, so tables land as `<database>.<group>.<table>`.
"""

from __future__ import annotations

from pathlib import Path

from dop_shared import paths
from dop_shared.warehouse import DuckDBWarehouse, SnowflakeWarehouse, TableRef, Warehouse


def stitch_database(group: str) -> str:
    """The environment's physical STITCH database (validated by dop_shared)."""
    return TableRef("stitch", group, "_").physical().split(".")[0]


def destination(warehouse: Warehouse, group: str):
    """A dlt destination writing into the STITCH database the warehouse resource points at."""
    import dlt

    database = stitch_database(group)
    if isinstance(warehouse, DuckDBWarehouse):
        folder = (
            paths.warehouse_dir()
            if warehouse.data_dir is None
            else Path(warehouse.data_dir) / "warehouse"
        )
        folder.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(str(folder / f"{database.lower()}.duckdb"))
    if isinstance(warehouse, SnowflakeWarehouse):
        return dlt.destinations.snowflake(
            credentials={
                "database": database,
                "username": warehouse.user,
                "password": warehouse.password,
                "host": warehouse.account,
                "warehouse": warehouse.warehouse,
                "role": warehouse.role,
            }
        )
    raise TypeError(f"no dlt destination for a {type(warehouse).__name__} warehouse")
