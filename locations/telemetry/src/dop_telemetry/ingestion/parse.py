"""Turn one day's raw lines into loadable rows and quarantined rows, in DuckDB.

Two kinds of bad input, two answers:
- a *line* that is not a JSON object (truncated, wrong quotes, binary garbage)
  is quarantined with its line number and raw text; its neighbours load;
- a *file* whose objects no longer match the telemetry contract (a field
  missing, a new field, a field of another JSON type) is schema drift: nothing
  of it is loaded and the partition fails with the differences spelled out,
  because loading it would silently turn a client change into nulls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

# The fields of dagster._core.telemetry.TelemetryEntry and the JSON types each may take.
CONTRACT: dict[str, tuple[str, ...]] = {
    "action": ("VARCHAR",),
    "client_time": ("VARCHAR",),
    "event_id": ("VARCHAR",),
    "elapsed_time": ("VARCHAR", "NULL"),
    "instance_id": ("VARCHAR",),
    "metadata": ("OBJECT", "NULL"),
    "python_version": ("VARCHAR", "NULL"),
    "dagster_version": ("VARCHAR", "NULL"),
    "os_desc": ("VARCHAR", "NULL"),
    "os_platform": ("VARCHAR", "NULL"),
    "run_storage_id": ("VARCHAR", "NULL"),
    "is_known_ci_env": ("BOOLEAN", "NULL"),
}
TEXT_FIELDS = tuple(name for name, types in CONTRACT.items() if types[0] == "VARCHAR")


class SchemaDrift(ValueError):
    """The file's objects do not match CONTRACT; the message lists every difference."""


@dataclass(frozen=True)
class ParsedDay:
    valid: pa.Table
    quarantined: pa.Table
    lines: int
    blank_lines: int


_CLASSIFY = """
create temp table classified as
select
    line_number,
    line,
    text,
    case
        when text is null then 'not valid UTF-8'
        when not json_valid(text) then 'not valid JSON'
        when json_type(text) <> 'OBJECT' then 'not a JSON object'
    end as problem
from (
    select line_number, line, try(decode(line)) as text
    from lines
    where octet_length(line) > 0
)
"""


def _drift(conn) -> list[str]:
    """Every way the objects of the file differ from CONTRACT, with line counts."""
    problems = []
    keys = conn.execute(
        """
        select key, count(*) as lines, min(line_number) as first_line
        from (
            select line_number, unnest(json_keys(text)) as key
            from classified
            where problem is null
        )
        group by key
        """
    ).fetchall()
    (objects,) = conn.execute("select count(*) from classified where problem is null").fetchone()
    present = {key: (lines, first) for key, lines, first in keys}
    for key, (lines, first) in sorted(present.items()):
        if key not in CONTRACT:
            problems.append(f"new field {key!r} in {lines} lines (first at line {first})")
    for name, types in CONTRACT.items():
        lines = present.get(name, (0, None))[0]
        if lines < objects:
            problems.append(f"field {name!r} missing in {objects - lines} of {objects} lines")
        allowed = ", ".join(f"'{t}'" for t in types)
        wrong = conn.execute(
            f"""
            select json_type(text, '$.{name}') as found, count(*), min(line_number)
            from classified
            where problem is null and json_exists(text, '$.{name}')
              and json_type(text, '$.{name}') not in ({allowed})
            group by 1 order by 2 desc
            """
        ).fetchall()
        for found, lines, first in wrong:
            problems.append(
                f"field {name!r} is {found} in {lines} lines (first at line {first}), "
                f"expected {' or '.join(types)}"
            )
    return problems


def parse_lines(lines: pa.Table, *, event_date: dt.date, source_file: str) -> ParsedDay:
    import duckdb

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    structure = "{" + ", ".join(f'"{name}": "VARCHAR"' for name in TEXT_FIELDS) + "}"
    with duckdb.connect() as conn:
        conn.register("lines", lines)
        conn.execute(_CLASSIFY)
        problems = _drift(conn)
        if problems:
            raise SchemaDrift("; ".join(problems))
        params = {"event_date": event_date, "source_file": source_file, "loaded_at": loaded_at}
        # One JSON parse per line (from_json into a struct), not one per field.
        valid = conn.sql(
            f"""
            select
                {", ".join(f"e.{name}" for name in TEXT_FIELDS)},
                cast(json_extract(text, '$.metadata') as varchar) as metadata,
                cast(json_extract(text, '$.is_known_ci_env') as boolean) as is_known_ci_env,
                cast($event_date as date) as event_date,
                $source_file as _source_file,
                line_number as _line_number,
                cast($loaded_at as timestamp) as _loaded_at
            from (
                select line_number, text, from_json(text, '{structure}') as e
                from classified
                where problem is null
            )
            order by line_number
            """,
            params=params,
        ).to_arrow_table()
        quarantined = conn.sql(
            """
            select
                cast($event_date as date) as event_date,
                $source_file as source_file,
                line_number,
                problem,
                coalesce(text, cast(line as varchar)) as raw_text,
                cast($loaded_at as timestamp) as _loaded_at
            from classified
            where problem is not null
            order by line_number
            """,
            params=params,
        ).to_arrow_table()
        (blank,) = conn.execute(
            "select count(*) from lines where octet_length(line) = 0"
        ).fetchone()
    return ParsedDay(valid=valid, quarantined=quarantined, lines=lines.num_rows, blank_lines=blank)
