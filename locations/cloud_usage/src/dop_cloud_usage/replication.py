"""Incremental replication of the cloud product database into STITCH with dlt.

One multi-asset per sync group (`postgres_etl_high_freq`, `postgres_etl_low_freq`),
one asset per table, each selectable alone. A run reads the replicas' cursors from
the destination (`replica`), skips every table whose source has no row past its
cursor (one index lookup each), and reads the others' new and updated rows, merged
on `id` into the replica (dlt's delete-insert merge: staged, then swapped in one
transaction), so an updated row replaces its old copy and nothing is duplicated.
No dlt state is kept anywhere: the local working folder is a temporary directory.
"""

import os
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

import dagster as dg

from dop_cloud_usage.source_database import CloudProductDatabase
from dop_cloud_usage.tables import HIGH_FREQ, LOW_FREQ, TABLES, table_ref, table_spec
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


def replicate(
    context: dg.AssetExecutionContext,
    group: str,
    warehouse: Warehouse,
    source_db: CloudProductDatabase,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Sync the selected tables of `group`; yields one result and one check per table."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # before dlt starts
    import dlt

    from dop_cloud_usage import drift
    from dop_cloud_usage.destination import destination
    from dop_cloud_usage.dlt_source import cloud_product_source, reflect
    from dop_cloud_usage.replica import pending, read_replicas

    tables = _selected(context, group)
    engine = source_db.engine()  # fails here, naming the source, when it is unreachable
    try:
        metadata = reflect(engine, tables)
        with (
            tempfile.TemporaryDirectory(prefix="dop-dlt-") as workdir,
            destination(warehouse, group) as stitch,
        ):
            pipeline = dlt.pipeline(
                pipeline_name=f"cloud_product_{group}",
                pipelines_dir=workdir,
                destination=stitch,
                dataset_name=group,
            )
            # the cursors come from the replicas (`replica`), not from dlt's state
            pipeline.config.restore_from_destination = False
            # one client for the reads before and after the load (on Snowflake, one login)
            with pipeline.destination_client() as client:
                replicas = read_replicas(client, tables)
                with engine.connect() as conn:
                    lacking = {t: pending(conn, metadata.tables[t], replicas[t]) for t in tables}
                source = cloud_product_source(engine, metadata, replicas, lacking)
                drifts = {
                    t: drift.compare(t, source.resources[t].columns or {}, replicas[t].columns)
                    for t in tables
                }
                drift.refuse_retyped(list(drifts.values()))
                changed = [t for t in tables if lacking[t].any_rows]
                unchanged = [t for t in tables if t not in changed]
                context.log.info(
                    f"replicating {', '.join(changed) or 'nothing'} from {source_db.describe()}"
                    + (f"; no new or updated rows in {', '.join(unchanged)}" if unchanged else "")
                )
                loaded = (
                    _load(context, pipeline, source.with_resources(*changed)) if changed else {}
                )
                for table in tables:
                    yield _materialization(
                        table,
                        loaded.get(table),
                        pipeline,
                        client.sql_client,
                        replicas[table],
                        drifts[table],
                    )
                    yield drift.columns_check(drifts[table])
    finally:
        engine.dispose()


def _load(context, pipeline, source) -> dict[str, dg.MaterializeResult]:
    """dagster-dlt runs the pipeline; its results by table."""
    from dagster_dlt import DagsterDltResource

    from dop_cloud_usage.dlt_source import StitchDltTranslator

    with warnings.catch_warnings():
        # dagster-dlt calls a dlt method dlt has renamed (drop_pending_packages)
        warnings.filterwarnings("ignore", message="drop_pending_packages")
        results = DagsterDltResource().run(
            context=context,
            dlt_source=source,
            dlt_pipeline=pipeline,
            dagster_dlt_translator=StitchDltTranslator(),
        )
        return {r.asset_key.path[-1]: r for r in results}


def _materialization(table, result, pipeline, sql_client, replica, found) -> dg.MaterializeResult:
    """The figures of one table; `result` is dagster-dlt's, None when nothing was loaded."""
    from dop_cloud_usage.replica import replica_figures

    if result is None:
        metadata: dict[str, Any] = {"dagster/column_schema": _column_schema(replica.columns)}
        written = read = 0
    else:
        metadata = dict(result.metadata or {})
        written = metadata.pop("rows_loaded", None)
        written = int(getattr(written, "value", written) or 0)
        read = _rows_extracted(pipeline, table)
    rows, cursor = (
        replica_figures(sql_client, table) if result is not None or replica.loaded else (0, None)
    )
    metadata.update(
        {
            "rows_read": read,
            "rows_written": written,
            "cursor": str(cursor),
            "dagster/row_count": rows,
            "dagster/table_name": table_ref(table).physical(),
            "columns_added": ", ".join(found.added) or "none",
            "columns_dropped": ", ".join(found.dropped) or "none",
        }
    )
    return dg.MaterializeResult(asset_key=table_ref(table).asset_key, metadata=metadata)


def _column_schema(columns: dict[str, dict]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(column.get("data_type", "unknown")))
            for name, column in columns.items()
        ]
    )


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
