"""Land the simulated rows in a database, SQLite or Postgres, through SQLAlchemy.

A new database is created and filled (Postgres through COPY, which a million runs
need); an existing one generated with the same seed and scale is moved forward to
the new moment: rows are upserted on `id`, and only those whose `updated_at`
changed are touched, as the product itself would have written them. Everything
lands in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa

from dop_devtools.sample_data.cloud_product import schema

# What was generated where: the first simulated day is kept so that a later call (a
# later end date) continues the same history instead of starting another.
generated = sa.Table(
    "_dop_sample_data",
    sa.MetaData(),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("scale", sa.Float, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("now", sa.DateTime, nullable=False),
)


def previous_run(conn: sa.Connection) -> sa.Row | None:
    if not sa.inspect(conn).has_table(generated.name):
        return None
    return conn.execute(sa.select(generated)).first()


def reset(conn: sa.Connection) -> None:
    """Drop and recreate every table (a new history)."""
    schema.metadata.drop_all(conn)
    generated.drop(conn, checkfirst=True)
    schema.metadata.create_all(conn)
    generated.create(conn)


def record(conn: sa.Connection, seed: int, scale: float, first_day: dt.date, now) -> None:
    conn.execute(sa.delete(generated))
    conn.execute(sa.insert(generated).values(seed=seed, scale=scale, first_day=first_day, now=now))


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def copy_rows(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Postgres COPY ... FROM STDIN: the fast path for a new database."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([_csv_value(v) for v in row] for row in rows)
    buffer.seek(0)
    names = ", ".join(column.name for column in table.columns)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(f"COPY {table.name} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    names = [column.name for column in table.columns]
    conn.execute(sa.insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def upsert_rows(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert new rows; update those whose updated_at moved; leave the others alone."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    names = [column.name for column in table.columns]
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={name: statement.excluded[name] for name in names if name != "id"},
        where=table.c.updated_at != statement.excluded.updated_at,
    )
    conn.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])
