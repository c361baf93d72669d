"""Turn one day's raw lines into loadable rows and quarantined rows, in DuckDB SQL.

Two kinds of bad input, two answers:
- a *line* that is not a JSON object (truncated, wrong quotes, binary garbage)
  is quarantined with its line number and raw text; its neighbours load;
- a *file* whose objects no longer match the telemetry contract (a field
  missing, a new field, a field of another JSON type) is schema drift: nothing
  of it is loaded and the partition fails with the differences spelled out,
  because loading it would silently turn a client change into nulls.

The work happens in a staging connection (see dop_shared.warehouse.StagingArea):
`stage_file` reads the file into a temp table, and the two queries VALID_ROWS and
QUARANTINED_LINES are published to the warehouse in one transaction. Every line is
checked against the contract inside VALID_ROWS itself; the first line that breaks it
aborts the query (so nothing is written), and `contract_violation` then explains every
difference of the file. Costs per line: one UTF-8 check and three JSON parses (keys,
types, values), all in DuckDB's C++.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

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


class SchemaDrift(ValueError):
    """The file's objects do not match CONTRACT; the message lists every difference."""


class UnreadableFile(ValueError):
    """The file is not a complete gzip stream; nothing of it should be loaded."""


# A line is one CSV field: no quoting, and a separator (SOH) that valid JSON never
# contains unescaped. DuckDB's CSV reader then does the gunzip, the line split and the
# UTF-8 check in C++, and keeps what it rejects (with line numbers) in reject_errors.
# Whether a line is a JSON object, and its number of keys, are decided here in one parse
# (json_keys fails on text that is not JSON, which try turns into NULL: one parse instead
# of a validity check and then a second parse for the keys).
_STAGE_LINES = """
create or replace temp table raw_lines as
select line as text,
    -- top-level keys of a JSON object, NULL when the line is not one
    case when starts_with(line, '{') or left(ltrim(line), 1) = '{'
         then try(len(json_keys(line))) end as object_keys
from read_csv($path, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '',
    header = false, auto_detect = false, new_line = '\\n', compression = 'gzip',
    store_rejects = true, strict_mode = false, max_line_size = 1048576, parallel = false)
"""

# A line's number is its position in raw_lines (file order, rowid) plus the rejected
# lines before it. Positions where that count steps up, one per rejected line:
_REJECT_STEPS = """
select line - row_number() over (order by line) as step
from (select distinct line from reject_errors)
order by step
"""
# With a handful of rejected lines (the usual case) the count is a CASE over literal
# steps, a few integer comparisons per line; beyond this many, an as-of join.
_MAX_CASE_STEPS = 256
_LINES = """
create or replace temp view lines as
select rowid + 1 + {rejected_before} as line_number, text, object_keys,
    object_keys is not null as is_object
from raw_lines
where text is not null and length(text) > 0
"""
_LINES_ASOF = """
create or replace temp view lines as
with steps as (  -- consecutive rejected lines share a step: count them once per step
    select step, sum(count(*)) over (order by step) as rejected_so_far
    from ({steps}) as s
    group by step
)
select r.rowid + 1 + coalesce(j.rejected_so_far, 0) as line_number, r.text, r.object_keys,
    r.object_keys is not null as is_object
from raw_lines as r
asof left join steps as j on r.rowid >= j.step
where r.text is not null and length(r.text) > 0
"""


def _number_lines(conn) -> None:
    steps = [step for (step,) in conn.execute(_REJECT_STEPS).fetchall()]
    if len(steps) > _MAX_CASE_STEPS:
        conn.execute(_LINES_ASOF.format(steps=_REJECT_STEPS))
        return
    branches = " ".join(f"when rowid < {step} then {n}" for n, step in enumerate(steps))
    rejected_before = f"(case {branches} else {len(steps)} end)" if steps else "0"
    conn.execute(_LINES.format(rejected_before=rejected_before))


# Every combination of allowed JSON types, as DuckDB hashes of json_type's list: a line
# conforms when it has exactly the contract's number of keys and its type list is one of
# these (a missing field gives a NULL type, which no allowed list has). 2^8 lists here.
_ALLOWED_SHAPES = """
create or replace temp table contract_shapes as
select hash(unnest($shapes::VARCHAR[][])) as shape
"""
_PATHS = "[" + ", ".join(f"'$.{name}'" for name in CONTRACT) + "]"
# DuckDB plans the IN as a join evaluated on every line before any filter, so its input
# is nulled for lines that are not JSON objects (json_type would fail on them).
_CONFORMS = (
    f"object_keys = {len(CONTRACT)} and hash(json_type("
    f"case when is_object then text end, {_PATHS})) in (select shape from contract_shapes)"
)
_MARKER = "telemetry contract broken at line "

_TYPED = (
    "{"
    + ", ".join(
        f'"{name}": "{"JSON" if types[0] == "OBJECT" else types[0]}"'
        for name, types in CONTRACT.items()
    )
    + "}"
)

# Parameters of both queries: $event_date, $source_file, $loaded_at.
VALID_ROWS = f"""
select
    {", ".join(f"f.{name} as {name}" for name in CONTRACT if name != "metadata")},
    cast(f.metadata as varchar) as metadata,
    cast($event_date as date) as event_date,
    cast($source_file as varchar) as _source_file,
    cast(line_number as bigint) as _line_number,
    cast($loaded_at as timestamp) as _loaded_at
from (
    select line_number, from_json(text, '{_TYPED}') as f
    from lines
    -- one CASE, evaluated in order: only objects are checked, and only lines that
    -- break the contract reach error()
    where case
        when not is_object then false
        when {_CONFORMS} then true
        else error('{_MARKER}' || line_number)
    end
)
"""

QUARANTINED_LINES = """
select
    cast($event_date as date) as event_date,
    cast($source_file as varchar) as source_file,
    cast(line_number as bigint) as line_number,
    problem,
    raw_text,
    cast($loaded_at as timestamp) as _loaded_at
from (
    select
        line_number,
        case when json_valid(text) then 'not a JSON object' else 'not valid JSON' end as problem,
        text as raw_text
    from lines
    where case when is_object then false else length(trim(text)) > 0 end
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


def stage_file(conn, path: Path) -> int:
    """Read one gzip JSON-lines file into `conn`'s temp tables; returns its line count."""
    import duckdb

    try:
        conn.execute(_STAGE_LINES, {"path": str(path)})
    except duckdb.Error as error:
        raise UnreadableFile(f"{path} could not be read as gzip JSON lines ({error}).") from error
    _number_lines(conn)
    shapes = [list(types) for types in itertools.product(*CONTRACT.values())]
    conn.execute(_ALLOWED_SHAPES, {"shapes": shapes})
    [(lines,)] = conn.execute(
        "select count(*) + (select count(distinct line) from reject_errors) from raw_lines"
    ).fetchall()
    return lines


_SHAPES_OF_FILE = f"""
select json_keys(text), json_type(text, {_PATHS}), count(*), min(line_number)
from lines
where is_object and not ({_CONFORMS})
group by all
"""


def contract_violation(conn, error: Exception) -> SchemaDrift | None:
    """If `error` is VALID_ROWS stopping at a line that breaks the contract, a SchemaDrift
    naming every way the file's objects differ from CONTRACT, with line counts. The
    offending lines are grouped by shape (a handful per file); this runs only on failure."""
    if _MARKER not in str(error):
        return None
    [(objects,)] = conn.execute("select count(*) from lines where is_object").fetchall()
    problems: dict[str, list[int]] = {}  # message -> [lines, first line]

    def note(message: str, count: int, first: int) -> None:
        seen = problems.setdefault(message, [0, first])
        seen[0] += count
        seen[1] = min(seen[1], first)

    for keys, found_types, count, first in conn.execute(_SHAPES_OF_FILE).fetchall():
        for key, times in Counter(keys).items():
            if key not in CONTRACT:
                note(f"new field {key!r}", count, first)
            elif times > 1:
                note(f"field {key!r} repeated", count, first)
        for (name, allowed), found in zip(CONTRACT.items(), found_types, strict=True):
            if found is None:
                note(f"field {name!r} missing", count, first)
            elif found not in allowed:
                note(f"field {name!r} is {found}, expected {' or '.join(allowed)}", count, first)
    return SchemaDrift(
        "; ".join(
            f"{message} in {count} of {objects} lines (first at line {first})"
            for message, (count, first) in sorted(problems.items())
        )
    )
