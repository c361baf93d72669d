"""The cloud product database (what the cloud_usage location replicates), generated.

`write(spec, target)` writes it to a SQLite file (the local default) or to any
SQLAlchemy URL (a real Postgres in the tests and the benchmark). Called again on the
same database with the same seed and scale and a later end date, it advances the
same history to that date: new rows, updated rows, soft-deleted rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from dop_devtools.sample_data.cloud_product import schema, writer
from dop_devtools.sample_data.cloud_product.simulation import Simulation
from dop_devtools.sample_data.spec import SampleDataSpec

TABLES = schema.HIGH_FREQ + schema.LOW_FREQ


def _url(target: Path | str) -> str:
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{target}"
    return target


def _now(spec: SampleDataSpec) -> dt.datetime:
    return dt.datetime.combine(spec.end_date + dt.timedelta(days=1), dt.time())


def users(spec: SampleDataSpec) -> list[tuple]:
    """The `users` rows (id, email, name, created_at, updated_at) `write(spec, ...)` writes
    into a new database, without simulating any run: for the generators of other systems
    whose people are also Dagster+ users (the community Slack)."""
    simulation = Simulation(spec.seed, spec.scale, spec.start_date, _now(spec), ("users",))
    return [row for day in simulation.days(activity=False) for row in day.get("users", ())]


def write(
    spec: SampleDataSpec, target: Path | str, tables: Iterable[str] | None = None
) -> Path | str:
    """The product database as it stands at the end of `spec.end_date`; returns `target`.

    `tables` limits the rows written (the benchmark wants `runs` alone); the history,
    and so every id, is the same whatever the selection.
    """
    now = _now(spec)
    engine = sa.create_engine(_url(target))
    try:
        with engine.begin() as conn:
            before = writer.previous_run(conn)
            advancing = (
                before is not None
                and (before.seed, before.scale) == (spec.seed, spec.scale)
                and before.now <= now
            )
            first_day = before.first_day if advancing else spec.start_date
            if not advancing:
                writer.reset(conn)
            land = (
                writer.upsert_rows
                if advancing
                else writer.copy_rows
                if conn.dialect.name == "postgresql"
                else writer.insert_rows
            )
            simulation = Simulation(spec.seed, spec.scale, first_day, now, tables)
            for day in simulation.days():
                for table in schema.metadata.sorted_tables:
                    if day.get(table.name):
                        land(conn, table, day[table.name])
            writer.record(conn, spec.seed, spec.scale, first_day, now)
    finally:
        engine.dispose()
    return target
