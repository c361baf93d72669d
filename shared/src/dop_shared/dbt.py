"""The one dbt project, and the factory every location builds its dbt assets with.

Nothing here runs at import. `dbt_project()` is built on first use and cached;
under `dagster dev` it re-parses the project so edits show up, and everywhere
else it expects the manifest prepared at build time (`scripts/prepare`, or the
deploy workflow), so production never parses dbt while loading definitions.
"""

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from dop_shared import environment, locations, paths
from dop_shared.translator import DopDbtTranslator, logical_table, physical_table


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=paths.dbt_project_dir())
    project.prepare_if_dev()
    return project


def dbt_vars(env: Mapping[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """Everything dbt must know about the environment, computed (and validated) here."""
    duckdb = environment.warehouse(env) == "duckdb"

    def name(value: str) -> str:
        return value.lower() if duckdb else value

    values: dict[str, Any] = {
        "dop_models_database": name(environment.models_database(env)),
        "dop_schema_override": environment.sandbox_schema(env),
        "dop_purina_database": name(environment.physical_database("purina", env)),
        "dop_stitch_database": name(environment.physical_database("stitch", env)),
        "dop_data_window_days": environment.data_window_days(env),
    }
    values.update(extra)
    return values


def location_dbt_assets(
    location_name: str,
    *,
    sources: tuple[str, ...] | None = None,
    partitions_def: dg.TimeWindowPartitionsDefinition | None = None,
    name: str | None = None,
) -> dg.AssetsDefinition:
    """The dbt models a location owns, as one multi-asset running `dbt build`.

    Selection comes from `dop_shared.locations` (its sources downstream, minus what a
    consuming location owns), so no model is built by two locations. A location whose
    sources are partitioned differently builds one multi-asset per group of sources.
    Partitioned runs pass their time window to dbt (dop_window_start / _end), and a
    backfill of any range is a single dbt invocation.
    """
    spec = locations.location(location_name)
    project = dbt_project()

    @dbt_assets(
        # the manifest, not the DbtProject: dagster-dbt would put the project object in
        # every model's metadata, where the UI can only show "(unserializable)"
        manifest=project.manifest_path,
        select=locations.dbt_select(location_name, sources),
        exclude=locations.dbt_exclude(location_name, sources) or "",
        dagster_dbt_translator=DopDbtTranslator(spec),
        name=name or f"{location_name}_dbt_models",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
    )
    def _dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        window = {}
        if partitions_def is not None:  # a key or a range: both have a time window
            start, end = context.partition_time_window
            window = {
                "dop_window_start": start.date().isoformat(),
                "dop_window_end": end.date().isoformat(),
            }
        yield from run_dbt_build(context, dbt, **window)

    return _dbt_models


def run_dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, **extra_vars: Any
) -> Iterator[Any]:
    variables = dbt_vars(**extra_vars)
    context.log.info(
        "dbt build on target %s (%s): models -> %s, history %s days, partitions %s",
        environment.dbt_target(),
        environment.current_environment().value,
        variables["dop_models_database"],
        variables["dop_data_window_days"] or "all",
        f"{variables['dop_window_start']}..{variables['dop_window_end']} (end excluded)"
        if "dop_window_start" in variables
        else "none",
    )
    invocation = dbt.cli(["build", "--vars", json.dumps(variables)], context=context)
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    windows = _partition_windows(context)
    try:
        if environment.warehouse() == "duckdb":
            yield from _with_duckdb_table_stats(context, invocation, windows)
            return
        events = invocation.stream().fetch_row_counts().fetch_column_metadata()
        if environment.current_environment() is not environment.Environment.LOCAL:
            events = events.with_insights()
        if windows is None:
            yield from events
            return

        def query(sql: str) -> list:
            with invocation.adapter.connection_named("dop_partition_row_counts"):
                return list(invocation.adapter.execute(sql, fetch=True)[1])

        for event in events:
            node = _node_of(invocation, event)
            if node is not None:
                event = _per_partition(context, event, node, windows, query)
            yield event
    except DagsterDbtCliRuntimeError as error:
        missing = missing_upstream_tables(invocation)
        if not missing:
            raise
        raise dg.Failure(
            description="dbt could not build "
            + "; ".join(
                f"{model}: its upstream {key.to_user_string()} has no table yet"
                for model, key in missing
            )
            + ". Materialize those assets first (in the location that owns them), then "
            "run this again.",
            metadata={"missing_upstream": sorted({key.to_user_string() for _, key in missing})},
        ) from error


def missing_upstream_tables(invocation) -> list[tuple[str, dg.AssetKey]]:
    """(model, upstream asset key) for every node dbt failed to build because a table it
    reads does not exist: a relation of one of its parents named in the error, as DuckDB
    ("Table with name x does not exist") and Snowflake ("Object 'X' does not exist")
    say it."""
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except Exception:  # no artifact: dbt failed before running anything
        return []
    manifest = invocation.manifest
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    missing = []
    for result in results:
        message = (result.get("message") or "").lower()
        if result.get("status") != "error" or "does not exist" not in message:
            continue
        node = nodes.get(result.get("unique_id"), {})
        for parent_id in node.get("depends_on", {}).get("nodes", []):
            parent = nodes.get(parent_id)
            if parent is None:
                continue
            name = (parent.get("alias") or parent.get("identifier") or parent["name"]).lower()
            if name in message:
                missing.append((node.get("name", "?"), dg.AssetKey(list(logical_table(parent)))))
    return missing


PartitionWindows = list[tuple[str, dt.date, dt.date]]


def _partition_windows(context: dg.AssetExecutionContext) -> PartitionWindows | None:
    """(key, first day, day after) of every partition of a partitioned run, else None."""
    partitions_def = context.assets_def.partitions_def
    if not isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        return None
    windows = []
    for key in context.partition_keys:
        window = partitions_def.time_window_for_partition_key(key)
        windows.append((key, window.start.date(), window.end.date()))
    return windows


def partition_column(node: Mapping[str, Any]) -> str | None:
    """The date column a partitioned model's rows belong to a partition by
    (`meta: {partition_column: ...}` in its yml), if it has one."""
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    return meta.get("partition_column")


def _node_of(invocation, event) -> Mapping[str, Any] | None:
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return None
    unique_id = (getattr(event, "metadata", None) or {}).get("unique_id")
    unique_id = getattr(unique_id, "value", unique_id) or ""
    return invocation.manifest.get("nodes", {}).get(unique_id)


def _per_partition(context, event, node, windows: PartitionWindows, query):
    """A model's figures in a run over partitions: each partition's materialization gets
    its own row count (rows whose partition column falls in it); the whole table's count,
    true of no partition, moves to `table_row_count`. A model without a partition
    column (a dimension rebuilt whole) gets no per-partition count."""
    metadata = dict(event.metadata)
    table_rows = metadata.pop("dagster/row_count", None)
    if table_rows is not None:
        metadata["table_row_count"] = table_rows
    column = partition_column(node)
    if column:
        start, end = windows[0][1], windows[-1][2]
        rows = query(
            f"select cast({column} as date) as day, count(*) as n from {physical_table(node)} "
            f"where {column} >= cast('{start}' as date) and {column} < cast('{end}' as date) "
            f"group by 1"
        )
        by_day = {_as_date(day): int(n) for day, n in rows}
        key = (
            event.asset_key
            if isinstance(event, dg.AssetMaterialization)
            else context.asset_key_for_output(event.output_name)
        )
        for partition, first, after in windows:
            count = sum(n for day, n in by_day.items() if first <= day < after)
            context.add_asset_metadata(
                {"dagster/row_count": count}, asset_key=key, partition_key=partition
            )
    return event.with_metadata(metadata)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _with_duckdb_table_stats(
    context, invocation, windows: PartitionWindows | None
) -> Iterator[Any]:
    """Row counts and column types for DuckDB, read after dbt has exited.

    dagster-dbt's fetch_row_counts queries while dbt is still running, which DuckDB's
    single-writer file lock forbids; so events are held until dbt finishes (it runs
    in seconds locally), then enriched from the files and released in order.
    """
    from dop_shared.warehouse import DuckDBWarehouse

    events = list(invocation.stream())
    enriched = []
    with DuckDBWarehouse().connect(read_only=True) as conn:
        for event in events:
            node = _node_of(invocation, event)
            if node is not None:
                event = event.with_metadata({**event.metadata, **_table_stats(conn, node)})
                if windows is not None:
                    event = _per_partition(
                        context, event, node, windows, lambda sql: conn.execute(sql).fetchall()
                    )
            enriched.append(event)
    yield from enriched


def _table_stats(conn, node: Mapping[str, Any]) -> dict[str, Any]:
    database, schema, table = physical_table(node).split(".")
    columns = conn.execute(
        "select column_name, data_type from duckdb_columns() "
        "where lower(database_name) = lower(?) and lower(schema_name) = lower(?) "
        "and lower(table_name) = lower(?) order by column_index",
        [database, schema, table],
    ).fetchall()
    if not columns:
        return {}
    descriptions = {name: info.get("description") for name, info in node.get("columns", {}).items()}
    (rows,) = conn.execute(f'select count(*) from "{database}"."{schema}"."{table}"').fetchone()
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name=name, type=dtype, description=descriptions.get(name) or None)
                for name, dtype in columns
            ]
        ),
    }
