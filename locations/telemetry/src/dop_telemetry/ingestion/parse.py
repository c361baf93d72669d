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


# Each line is parsed three times at most (validate, keys, fields) whatever the number
# of fields: every field is first extracted as raw JSON in one from_json call, and
# types and values are read from those small fragments.
_FIELDS_AS_JSON = "{" + ", ".join(f'"{name}": "JSON"' for name in CONTRACT) + "}"

_CLASSIFY = f"""
create temp table classified as
select
    line_number,
    line,
    text,
    problem,
    case when problem is null then json_keys(text) end as keys,
    case when problem is null then from_json(text, '{_FIELDS_AS_JSON}') end as f
from (
    select
        line_number,
        line,
        text,
        case
            when text is null then 'not valid UTF-8'
            when not json_valid(text) then 'not valid JSON'
            when left(ltrim(text), 1) <> '{{' then 'not a JSON object'
        end as problem
    from (
        select line_number, line, try(decode(line)) as text
        from lines
        where octet_length(line) > 0
    )
)
"""


def _drift(conn) -> list[str]:
    """Every way the objects of the file differ from CONTRACT, with line counts: one
    pass that groups lines by their set of keys and the JSON type of each field."""
    types = ", ".join(f"coalesce(json_type(f.{name}), 'ABSENT')" for name in CONTRACT)
    groups = conn.execute(
        f"""
        select list_sort(keys) as keys, [{types}] as types, count(*), min(line_number)
        from classified
        where problem is null
        group by all
        """
    ).fetchall()
    objects = sum(count for *_, count, _ in groups)
    problems: dict[str, list[int]] = {}  # message -> [lines, first line]

    def note(message: str, count: int, first: int) -> None:
        seen = problems.setdefault(message, [0, first])
        seen[0] += count
        seen[1] = min(seen[1], first)

    for keys, found_types, count, first in groups:
        for key in set(keys) - set(CONTRACT):
            note(f"new field {key!r}", count, first)
        for (name, allowed), found in zip(CONTRACT.items(), found_types, strict=True):
            if name not in keys:
                note(f"field {name!r} missing", count, first)
            elif found not in allowed:
                note(f"field {name!r} is {found}, expected {' or '.join(allowed)}", count, first)
    return [
        f"{message} in {count} of {objects} lines (first at line {first})"
        for message, (count, first) in sorted(problems.items())
    ]


def parse_lines(lines: pa.Table, *, event_date: dt.date, source_file: str) -> ParsedDay:
    import duckdb

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with duckdb.connect() as conn:
        conn.register("lines", lines)
        conn.execute(_CLASSIFY)
        problems = _drift(conn)
        if problems:
            raise SchemaDrift("; ".join(problems))
        params = {"event_date": event_date, "source_file": source_file, "loaded_at": loaded_at}
        # One JSON parse per line (from_json into a struct), not one per field.
        texts = ", ".join(f"json_extract_string(f.{name}, '$') as {name}" for name in TEXT_FIELDS)
        valid = conn.sql(
            f"""
            select
                {texts},
                cast(f.metadata as varchar) as metadata,
                cast(f.is_known_ci_env as boolean) as is_known_ci_env,
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
