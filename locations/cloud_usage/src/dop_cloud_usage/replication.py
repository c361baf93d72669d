"""Incremental replication of the cloud product database into STITCH with dlt.

One multi-asset per sync group (`postgres_etl_high_freq`, `postgres_etl_low_freq`),
one asset per table, each selectable alone. A run reads, per selected table, the
rows whose `updated_at` is at or past the cursor and merges them on `id` into the
replica (dlt's delete-insert merge: staged, then swapped in one transaction), so an
updated row replaces its old copy and nothing is duplicated. dlt keeps the cursor
in the destination dataset; the local working folder is a temporary directory.
"""

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import dagster as dg

from dop_cloud_usage.source_database import CloudProductDatabase
from dop_cloud_usage.tables import CURSOR, HIGH_FREQ, LOW_FREQ, TABLES, table_ref, table_spec
from dop_shared.warehouse import Warehouse

CHECK = "source_columns_present"


def _check_specs(group: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            CHECK,
            asset=table_ref(table).asset_key,
            description="Every column of the replica is still in the source table.",
        )
        for table in TABLES[group]
    ]


def _selected(context: dg.AssetExecutionContext, group: str) -> list[str]:
    keys = context.selected_asset_keys
    return [t for t in TABLES[group] if table_ref(t).asset_key in keys]


def _state_of(pipeline, table: str) -> dict[str, Any]:
    resources = pipeline.state.get("sources", {}).get("cloud_product", {}).get("resources", {})
    return resources.get(table, {}).get("incremental", {}).get(CURSOR, {})


def _loaded(schema, table: str) -> bool:
    """Whether the replica has been loaded: its columns are in the destination's schema."""
    return any(not c.startswith("_dlt") for c in schema.get_table_columns(table))


def _row_count(pipeline, table: str) -> int:
    with pipeline.sql_client() as client:
        [(rows,)] = client.execute_sql(
            f"SELECT count(*) FROM {client.make_qualified_table_name(table)}"
        )
    return int(rows)


def replicate(
    context: dg.AssetExecutionContext,
    group: str,
    warehouse: Warehouse,
    source_db: CloudProductDatabase,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Sync the selected tables of `group`; yields one result and one check per table."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # before dlt starts
    import dlt
    from dagster_dlt import DagsterDltResource

    from dop_cloud_usage import drift
    from dop_cloud_usage.destination import destination
    from dop_cloud_usage.dlt_source import StitchDltTranslator, cloud_product_source

    tables = _selected(context, group)
    engine = source_db.engine()  # fails here, naming the source, when it is unreachable
    try:
        source = cloud_product_source(engine, tables)
        with tempfile.TemporaryDirectory(prefix="dop-dlt-") as workdir:
            pipeline = dlt.pipeline(
                pipeline_name=f"cloud_product_{group}",
                pipelines_dir=workdir,
                destination=destination(warehouse, group),
                dataset_name=group,
            )
            pipeline.sync_destination()  # the cursor and schema, restored from the replica
            stored = pipeline.schemas.get(source.name)
            drifts = {
                table: drift.compare(
                    table,
                    source.resources[table].columns or {},
                    stored.get_table_columns(table) if stored and table in stored.tables else {},
                )
                for table in tables
            }
            drift.refuse_retyped(list(drifts.values()))
            for table in tables:
                if stored is None or table not in stored.tables or not _loaded(stored, table):
                    # First load into an empty replica: nothing to merge with, so the rows are
                    # appended straight into it (no staging table, no delete-insert).
                    source.resources[table].apply_hints(write_disposition="append")
            context.log.info(f"replicating {', '.join(tables)} from {source_db.describe()}")
            results = DagsterDltResource().run(
                context=context,
                dlt_source=source,
                dlt_pipeline=pipeline,
                dagster_dlt_translator=StitchDltTranslator(),
            )
            for result in results:
                table = result.asset_key.path[-1]
                yield _with_figures(result, pipeline, table, drifts[table])
                yield drift.columns_check(drifts[table])
    finally:
        engine.dispose()


def _with_figures(result, pipeline, table: str, found) -> dg.MaterializeResult:
    metadata = dict(result.metadata or {})
    written = metadata.pop("rows_loaded", None)
    written = int(getattr(written, "value", written) or 0)
    state = _state_of(pipeline, table)
    metadata.update(
        {
            "rows_read": _rows_extracted(pipeline, table),
            "rows_written": written,
            "cursor": str(state.get("last_value")),
            "dagster/row_count": _row_count(pipeline, table),
            "dagster/table_name": table_ref(table).physical(),
            "columns_added": ", ".join(found.added) or "none",
            "columns_dropped": ", ".join(found.dropped) or "none",
        }
    )
    return dg.MaterializeResult(asset_key=result.asset_key, metadata=metadata)


def _rows_extracted(pipeline, table: str) -> int:
    """Rows the extract step took from the source for `table` (after the cursor filter)."""
    total = 0
    for metrics in pipeline.last_trace.last_extract_info.metrics.values():
        for step in metrics:
            for name, job in step["job_metrics"].items():
                if name.split(".")[0] == table:
                    total += job.items_count
    return total


def _group_assets(group: str, name: str) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=name,
        specs=[table_spec(t) for t in TABLES[group]],
        check_specs=_check_specs(group),
        can_subset=True,
        pool="cloud_product_replica",
    )
    def _assets(
        context: dg.AssetExecutionContext,
        warehouse: Warehouse,
        cloud_product_db: CloudProductDatabase,
    ):
        yield from replicate(context, group, warehouse, cloud_product_db)

    return _assets


def replication_assets() -> list[dg.AssetsDefinition]:
    return [
        _group_assets(HIGH_FREQ, "cloud_product_high_freq"),
        _group_assets(LOW_FREQ, "cloud_product_low_freq"),
    ]
