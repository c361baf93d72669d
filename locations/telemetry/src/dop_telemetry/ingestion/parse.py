"""Turn one day's raw lines into loadable rows and quarantined rows, in DuckDB."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

# Every field of dagster._core.telemetry.TelemetryEntry, as it lands in the raw table.
TEXT_FIELDS = (
    "action",
    "client_time",
    "event_id",
    "elapsed_time",
    "instance_id",
    "python_version",
    "dagster_version",
    "os_desc",
    "os_platform",
    "run_storage_id",
)

_CLASSIFY = """
select
    line_number,
    line,
    text,
    case
        when text is null then 'not valid UTF-8'
        when not json_valid(text) then 'not valid JSON'
        when json_type(text) <> 'OBJECT' then 'not a JSON object'
        when (text ->> '$.event_id') is null then 'no event_id'
        when (text ->> '$.instance_id') is null then 'no instance_id'
        when (text ->> '$.action') is null then 'no action'
    end as problem
from (
    select line_number, line, try(decode(line)) as text
    from lines
    where octet_length(line) > 0
)
"""


@dataclass(frozen=True)
class ParsedDay:
    valid: pa.Table
    quarantined: pa.Table
    lines: int
    blank_lines: int


def parse_lines(lines: pa.Table, *, event_date: dt.date, source_file: str) -> ParsedDay:
    import duckdb

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    fields = ",\n    ".join(f"text ->> '$.{name}' as {name}" for name in TEXT_FIELDS)
    with duckdb.connect() as conn:
        conn.register("lines", lines)
        conn.execute(f"create temp table classified as {_CLASSIFY}")
        params = {"event_date": event_date, "source_file": source_file, "loaded_at": loaded_at}
        valid = conn.sql(
            f"""
            select
                {fields},
                cast(json_extract(text, '$.metadata') as varchar) as metadata,
                try_cast(text -> '$.is_known_ci_env' as boolean) as is_known_ci_env,
                cast($event_date as date) as event_date,
                $source_file as _source_file,
                line_number as _line_number,
                cast($loaded_at as timestamp) as _loaded_at
            from classified
            where problem is null
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
