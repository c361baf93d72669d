"""Incremental replication of the cloud product database into STITCH with dlt.

One multi-asset per sync group (`postgres_etl_high_freq`, `postgres_etl_low_freq`),
one asset per table, each selectable alone. A run reads the replicas' cursors from
the destination (`replica`), skips every table whose source has no row past its
cursor (one index lookup each), and reads the others' new and updated rows, merged
on `id` into the replica (delete-insert: staged, then swapped in one transaction), so
an updated row replaces its old copy and nothing is duplicated. dlt loads a replica
for the first time, evolves one whose source gained a column, and loads Snowflake;
an increment into a local DuckDB replica is merged without it (`direct_merge`: dlt's
pipeline costs more than a sync's rows). No dlt state is kept anywhere: the local
working folder is a temporary directory.
"""

import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
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
    from dlt.sources.sql_database.schema_types import table_to_columns

    from dop_cloud_usage import drift
    from dop_cloud_usage.destination import stitch_connection
    from dop_cloud_usage.direct_merge import DuckDBReplicaSql
    from dop_cloud_usage.dlt_source import reflect
    from dop_cloud_usage.replica import pending, read_replicas

    tables = _selected(context, group)
    engine = source_db.engine()  # fails here, naming the source, when it is unreachable
    try:
        metadata = reflect(engine, tables)
        with (
            tempfile.TemporaryDirectory(prefix="dop-dlt-") as workdir,
            stitch_connection(warehouse, group) as duck,
            contextlib.ExitStack() as stack,
        ):
            sync = _DltSync(warehouse, group, duck, workdir)
            # the replicas' state: on DuckDB read on the sync's connection, no dlt client;
            # on Snowflake through dlt's client (one login for the reads before and after)
            stitch = (
                DuckDBReplicaSql(duck, group)
                if duck is not None
                else stack.enter_context(sync.pipeline().destination_client())
            )
            replicas = read_replicas(stitch, tables)
            with engine.connect() as conn:
                lacking = {t: pending(conn, metadata.tables[t], replicas[t]) for t in tables}
            drifts = {
                t: drift.compare(t, table_to_columns(metadata.tables[t]), replicas[t].columns)
                for t in tables
            }
            drift.refuse_retyped(list(drifts.values()))
            changed = [t for t in tables if lacking[t].any_rows]
            unchanged = [t for t in tables if t not in changed]
            # dlt creates a replica, evolves one whose source gained a column, and loads
            # Snowflake; the other increments merge straight into DuckDB (`direct_merge`)
            direct = [
                t
                for t in changed
                if duck is not None and replicas[t].loaded and not drifts[t].added
            ]
            context.log.info(
                f"replicating {', '.join(changed) or 'nothing'} from {source_db.describe()}"
                + (f" ({', '.join(direct)} merged directly)" if direct else "")
                + (f"; no new or updated rows in {', '.join(unchanged)}" if unchanged else "")
            )
            via_dlt = [t for t in changed if t not in direct]
            loaded = sync.load(context, engine, metadata, replicas, lacking, via_dlt)
            loaded.update(_merge_directly(duck, group, engine, metadata, lacking, direct))
            for table in tables:
                yield _materialization(
                    table, loaded.get(table), stitch.sql_client, replicas[table], drifts[table]
                )
                yield drift.columns_check(drifts[table])
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Loaded:
    """What a sync wrote into one replica: dagster-dlt's metadata or a direct merge's."""

    metadata: dict[str, Any]
    read: int
    written: int


class _DltSync:
    """dlt's pipeline, set up only when a table needs it (~0.1 s of configuration)."""

    def __init__(self, warehouse: Warehouse, group: str, duck, workdir: str) -> None:
        self.warehouse, self.group, self.duck, self.workdir = warehouse, group, duck, workdir
        self._pipeline = None

    def pipeline(self):
        if self._pipeline is None:
            import dlt

            from dop_cloud_usage.destination import dlt_destination

            self._pipeline = dlt.pipeline(
                pipeline_name=f"cloud_product_{self.group}",
                pipelines_dir=self.workdir,
                destination=dlt_destination(self.warehouse, self.group, self.duck),
                dataset_name=self.group,
            )
            # the cursors come from the replicas (`replica`), not from dlt's state
            self._pipeline.config.restore_from_destination = False
        return self._pipeline

    def load(self, context, engine, metadata, replicas, lacking, tables) -> dict[str, _Loaded]:
        """dagster-dlt runs the pipeline over `tables`; what it loaded, by table."""
        if not tables:
            return {}
        from dagster_dlt import DagsterDltResource

        from dop_cloud_usage.dlt_source import StitchDltTranslator, cloud_product_source

        pipeline = self.pipeline()
        source = cloud_product_source(engine, metadata, replicas, {t: lacking[t] for t in tables})
        with warnings.catch_warnings():
            # dagster-dlt calls a dlt method dlt has renamed (drop_pending_packages)
            warnings.filterwarnings("ignore", message="drop_pending_packages")
            results = list(
                DagsterDltResource().run(
                    context=context,
                    dlt_source=source,
                    dlt_pipeline=pipeline,
                    dagster_dlt_translator=StitchDltTranslator(),
                )
            )
        loaded = {}
        for result in results:
            table = result.asset_key.path[-1]
            metadata = dict(result.metadata or {})
            written = metadata.pop("rows_loaded", None)
            written = int(getattr(written, "value", written) or 0)
            metadata["loaded_by"] = "dlt"
            loaded[table] = _Loaded(metadata, _rows_extracted(pipeline, table), written)
        return loaded


def _merge_directly(duck, group, engine, metadata, lacking, tables) -> dict[str, _Loaded]:
    from dop_cloud_usage.direct_merge import merge_increment

    loaded = {}
    for table in tables:
        read, written = merge_increment(
            duck, group, engine, metadata.tables[table], lacking[table].where
        )
        loaded[table] = _Loaded({"loaded_by": "direct merge"}, read, written)
    return loaded


def _materialization(table, loaded, sql_client, replica, found) -> dg.MaterializeResult:
    """The figures of one table; `loaded` is None when nothing was loaded."""
    from dop_cloud_usage.replica import replica_figures

    metadata: dict[str, Any] = {"dagster/column_schema": _column_schema(replica.columns)}
    if loaded is not None:
        metadata.update(loaded.metadata)
    rows, cursor = (
        replica_figures(sql_client, table) if loaded is not None or replica.loaded else (0, None)
    )
    metadata.update(
        {
            "rows_read": 0 if loaded is None else loaded.read,
            "rows_written": 0 if loaded is None else loaded.written,
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
