"""The dlt side of the replication: one `sql_table` resource per table, and the translator
that gives each the asset key of its dbt source.

Imported when a run starts, not when definitions load: dlt is a heavy import and
loading needs only the asset specs (`tables.table_spec`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dagster as dg
import dlt
import sqlalchemy as sa
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.sources.sql_database import remove_nullability_adapter, sql_table

from dop_cloud_usage.replica import Pending, Replica
from dop_cloud_usage.tables import PRIMARY_KEY, table_spec

# Rows per Arrow batch read from the source: bounds memory whatever the table's size.
CHUNK_ROWS = 100_000
# ConnectorX reads the source in Rust (Postgres: the binary protocol) straight into Arrow
# batches; streamed, so memory stays bounded by CHUNK_ROWS whatever the table's size.
BACKEND_KWARGS = {"return_type": "arrow_stream", "batch_size": CHUNK_ROWS}
MERGE = {"disposition": "merge", "strategy": "delete-insert"}


@dataclass
class StitchDltTranslator(DagsterDltTranslator):
    """Keys `stitch/<group>/<table>`, the keys dbt gives these sources."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return table_spec(data.resource.name)


def reflect(engine, tables: Sequence[str]) -> sa.MetaData:
    """The source tables with their columns, nothing else: one catalog query for all
    tables, where SQLAlchemy's full reflection also reads indexes, foreign keys and
    constraints, which a replica has no use for (the merge key is `PRIMARY_KEY`,
    given to dlt as such)."""
    columns = sa.inspect(engine).get_multi_columns(filter_names=list(tables))
    metadata = sa.MetaData()
    for (_schema, name), found in columns.items():
        sa.Table(name, metadata, *(sa.Column(c["name"], c["type"]) for c in found))
    missing = sorted(set(tables) - set(metadata.tables))
    if missing:
        raise dg.Failure(
            description=f"Table(s) {', '.join(missing)} not found in the cloud product database: "
            "check that CLOUD_PRODUCT_DATABASE_URL points at the product database."
        )
    return metadata


def cloud_product_source(
    engine, metadata: sa.MetaData, replicas: Mapping[str, Replica], lacking: Mapping[str, Pending]
):
    """Each table of `lacking` read in Arrow batches, only the rows its replica lacks,
    merged on `id`.

    `metadata` holds the tables reflected once for all of them. A replica not loaded yet
    takes its first load appended (nothing to merge with: no staging table, no
    delete-insert); every later load merges, so an updated row replaces its old copy.
    """

    def rows_lacking(table: str):
        where = lacking[table].where
        return lambda query, _table: query if where is None else query.where(where)

    @dlt.source(name="cloud_product", max_table_nesting=0)
    def cloud_product():
        for table in lacking:
            yield sql_table(
                engine,
                table=table,
                metadata=metadata,
                backend="connectorx",
                chunk_size=CHUNK_ROWS,
                backend_kwargs=BACKEND_KWARGS,
                query_adapter_callback=rows_lacking(table),
                write_disposition=MERGE if replicas[table].loaded else "append",
                primary_key=PRIMARY_KEY,
                # replica columns accept nulls: a column dropped at the source then
                # stays in the replica, null in new rows, instead of failing the load
                table_adapter_callback=remove_nullability_adapter,
            )

    return cloud_product()
