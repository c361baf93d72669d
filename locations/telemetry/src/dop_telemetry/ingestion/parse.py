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


MEMORY_LIMIT = "512MB"


class UnreadableFile(ValueError):
    """The file is not a complete gzip stream; nothing of it should be loaded."""


# A line is one CSV field: no quoting, and a separator (SOH) that valid JSON never
# contains unescaped. DuckDB's CSV reader then does the gunzip, the line split and the
# UTF-8 check in C++, and keeps what it rejects (with line numbers) in reject_errors.
_READ_LINES = (
    "create temp table raw_lines as select * from read_csv($path, columns = {'line': 'VARCHAR'}, "
    "delim = '\x01', quote = '', escape = '', header = false, auto_detect = false, "
    "new_line = '\\n', compression = 'gzip', store_rejects = true, strict_mode = false, "
    "max_line_size = 1048576, parallel = false)"
)

# Lines with their numbers (a view: the text is held once, in raw_lines). raw_lines keeps
# file order (rowid); a row's line number is its position plus the rejected lines before
# it, found with one as-of join on the few rejected lines.
_NUMBERED_LINES = """
create temp view lines as
with rejected as (
    select line - row_number() over (order by line) as k,
           row_number() over (order by line) as rejected_so_far
    from (select distinct line from reject_errors)
)
select r.rowid + 1 + coalesce(j.rejected_so_far, 0) as line_number, r.line as text
from raw_lines as r
asof left join rejected as j on r.rowid >= j.k
where r.line is not null and length(r.line) > 0
"""

_IS_OBJECT = "(json_valid(text) and left(ltrim(text), 1) = '{')"

# One pass over the valid lines: the typed row, plus a hash of the line's shape (its keys
# and each field's JSON type) for the drift check, parsed once by from_json and once by
# json_keys.
_PARSE = f"""
select
    {", ".join(f"json_extract_string(f.{name}, '$') as {name}" for name in TEXT_FIELDS)},
    cast(f.metadata as varchar) as metadata,
    cast(f.is_known_ci_env as boolean) as is_known_ci_env,
    cast($event_date as date) as event_date,
    $source_file as _source_file,
    line_number as _line_number,
    cast($loaded_at as timestamp) as _loaded_at,
    -- the line's shape: one number for its keys and field types (compared below)
    hash(keys, [{", ".join(f"json_type(f.{name})" for name in CONTRACT)}]) as _shape
from (
    select line_number, json_keys(text) as keys, from_json(text, '{_FIELDS_AS_JSON}') as f
    from lines
    where {_IS_OBJECT}
)
"""

_QUARANTINE = f"""
select
    cast($event_date as date) as event_date,
    $source_file as source_file,
    line_number,
    problem,
    raw_text,
    cast($loaded_at as timestamp) as _loaded_at
from (
    select
        line_number,
        case when json_valid(text) then 'not a JSON object' else 'not valid JSON' end as problem,
        text as raw_text
    from lines
    where not {_IS_OBJECT} and length(trim(text)) > 0
    union all
    select
        line,
        case any_value(error_type)
            when 'INVALID ENCODING' then 'not valid UTF-8'
            when 'LINE SIZE OVER MAXIMUM' then 'line longer than 1 MiB'
            else lower(any_value(error_type))
        end,
        any_value(csv_line)
    from reject_errors
    group by line
)
order by line_number
"""


_SHAPE_OF_LINE = f"""
select keys, [{", ".join(f"coalesce(json_type(f.{name}), 'ABSENT')" for name in CONTRACT)}]
from (
    select json_keys(text) as keys, from_json(text, '{_FIELDS_AS_JSON}') as f
    from lines
    where line_number = $line
)
"""


def _drift(conn) -> list[str]:
    """Every way the objects of the file differ from CONTRACT, with line counts: lines
    are grouped by shape (a handful per file) and one line of each shape is examined."""
    groups = []
    for count, first in conn.execute(
        "select count(*), min(_line_number) from parsed group by _shape"
    ).fetchall():
        [(keys, found_types)] = conn.execute(_SHAPE_OF_LINE, {"line": first}).fetchall()
        groups.append((keys, found_types, count, first))
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


def parse_file(path, *, event_date: dt.date, source_file: str) -> ParsedDay:
    """Read, classify and type one day's gzip JSON-lines file, all inside DuckDB."""
    import duckdb

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # A day's file is parsed in memory up to MEMORY_LIMIT, spilling beyond it, so peak
    # memory does not grow with the size of a day.
    with duckdb.connect(config={"memory_limit": MEMORY_LIMIT}) as conn:
        conn.execute("set enable_progress_bar = false")
        try:
            conn.execute(_READ_LINES, {"path": str(path)})
        except duckdb.Error as error:
            raise UnreadableFile(
                f"{path} could not be read as gzip JSON lines ({error})."
            ) from error
        conn.execute(_NUMBERED_LINES)
        params = {"event_date": event_date, "source_file": source_file, "loaded_at": loaded_at}
        parsed = conn.sql(_PARSE, params=params).to_arrow_table()
        conn.register("parsed", parsed)
        problems = _drift(conn)
        if problems:
            raise SchemaDrift("; ".join(problems))
        valid = parsed.drop_columns(["_shape"])
        quarantined = conn.sql(_QUARANTINE, params=params).to_arrow_table()
        (total,) = conn.execute(
            "select count(*) + (select count(distinct line) from reject_errors) from raw_lines"
        ).fetchone()
    blank = total - valid.num_rows - quarantined.num_rows
    return ParsedDay(valid=valid, quarantined=quarantined, lines=total, blank_lines=blank)
