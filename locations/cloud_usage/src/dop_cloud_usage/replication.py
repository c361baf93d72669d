"""Replicate the cloud product tables into STITCH, one schema per sync frequency.

Each table is read in batches and replaced in one transaction, so readers see
either the previous copy or the new one, and a failed sync changes nothing.
"""

import datetime as dt

import dagster as dg
import pyarrow as pa

from dop_cloud_usage.source_database import CloudProductDatabase
from dop_shared.locations import location
from dop_shared.warehouse import TableRef, Warehouse

HIGH_FREQ = "postgres_etl_high_freq"
LOW_FREQ = "postgres_etl_low_freq"
TABLES = {HIGH_FREQ: ("runs",), LOW_FREQ: ("organizations", "deployments")}
FREQUENCY = {HIGH_FREQ: "hourly", LOW_FREQ: "daily"}
_OWNERS = location("cloud_usage").owners


def _spec(schema: str, table: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        TableRef("stitch", schema, table).asset_key,
        description=f"Replica of the cloud product table `{table}` ({FREQUENCY[schema]} sync).",
        group_name="cloud_usage_replication",
        owners=_OWNERS,
        kinds={"python", "postgres"},
    )


def _replicate(context, warehouse: Warehouse, database: CloudProductDatabase, schema: str):
    replicated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table in TABLES[schema]:
        if (
            not context.is_subset
            or TableRef("stitch", schema, table).asset_key in context.selected_asset_keys
        ):
            batches = list(database.read_table(table))
            data = pa.Table.from_batches(batches) if batches else pa.table({})
            data = data.append_column(
                "_replicated_at", pa.array([replicated_at] * data.num_rows, pa.timestamp("us"))
            )
            target = TableRef("stitch", schema, table)
            rows = warehouse.replace(target, data)
            context.log.info(f"{table}: {rows} rows -> {target.physical()}")
            yield dg.MaterializeResult(
                asset_key=target.asset_key,
                metadata={"dagster/row_count": rows, "source_table": table},
            )


@dg.multi_asset(specs=[_spec(HIGH_FREQ, t) for t in TABLES[HIGH_FREQ]], can_subset=True)
def cloud_product_high_freq(
    context: dg.AssetExecutionContext, warehouse: Warehouse, cloud_product_db: CloudProductDatabase
):
    yield from _replicate(context, warehouse, cloud_product_db, HIGH_FREQ)


@dg.multi_asset(specs=[_spec(LOW_FREQ, t) for t in TABLES[LOW_FREQ]], can_subset=True)
def cloud_product_low_freq(
    context: dg.AssetExecutionContext, warehouse: Warehouse, cloud_product_db: CloudProductDatabase
):
    yield from _replicate(context, warehouse, cloud_product_db, LOW_FREQ)
