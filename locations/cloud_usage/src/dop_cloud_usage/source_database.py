"""The cloud product database the replication reads: SQLite copy locally, Postgres in prod."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa
from pydantic import Field

from dop_shared import environment, paths


class CloudProductDatabase(dg.ConfigurableResource):
    """Any SQLAlchemy URL; the same code reads SQLite (local) and Postgres (replica)."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: the generated SQLite copy under the data directory.",
    )

    def _url(self) -> str:
        if self.url:
            return self.url
        path = paths.sources_dir() / paths.CLOUD_PRODUCT_DB
        if not path.is_file():
            raise dg.Failure(
                description=f"The local copy of the cloud product database, {path}, is missing. "
                "Generate the sample data first (uv run dop-sample-data)."
            )
        return f"sqlite:///{path}"

    def read_table(self, table: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
        """Every row of `table` (a name from the replication's fixed list), in batches."""
        import sqlalchemy as sa

        engine = sa.create_engine(self._url())
        try:
            with engine.connect() as conn:
                source = sa.Table(table, sa.MetaData(), autoload_with=conn)
                result = conn.execution_options(stream_results=True).execute(sa.select(source))
                names = list(result.keys())
                while rows := result.fetchmany(batch_rows):
                    yield pa.RecordBatch.from_pylist(
                        [dict(zip(names, row, strict=True)) for row in rows]
                    )
        finally:
            engine.dispose()


def cloud_product_database() -> CloudProductDatabase:
    if environment.uses_local_sources():
        return CloudProductDatabase()
    return CloudProductDatabase(url=dg.EnvVar("CLOUD_PRODUCT_DATABASE_URL"))
