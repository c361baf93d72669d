"""Turn one file of gzip JSON lines into loadable rows and quarantined rows, in DuckDB SQL.

A feed of JSON lines (OSS telemetry, Slack's analytics files) comes from producers of
many versions at once, so every line is judged alone against its `Contract`:
- a line that is not a JSON object (truncated, wrong quotes, binary garbage), or whose
  identity fields are missing, null or of another JSON type, or whose known fields have
  another JSON type (`metadata` as a string), is quarantined with its line number, raw
  text and a reason naming the field (`missing event_id`, `client_time is a number`);
  its neighbours load;
- optional fields a client does not send (older clients: no `user_id`) load as NULL;
- fields the contract does not know yet load too, kept as a JSON object in
  `extra_fields`, and are counted per field (`unknown_fields`);
- fields the contract marks `drop` (personal data such as an e-mail address) are
  never selected, never kept as unknown, and masked in quarantined raw text; one
  marked `hashed_as` too is kept only as a salted SHA-256 of its trimmed, lower-cased
  value (a join key that does not reveal the value; the salt is a query parameter);
- only a file with no valid line at all (`NoValidLines`) or that is not a whole gzip
  stream (`UnreadableFile`) fails its partition.

The work happens in a staging connection (see dop_shared.warehouse.StagingArea):
`JsonLinesParser.stage` reads the file into a temp table, judging each line once: one
UTF-8 check, one from_json parse that yields both the types the contract checks and the
typed values (a second, json_keys, counts the keys of a line longer than its known
fields; only a line that breaks the contract is parsed again, to name the problem). The
parser's queries `valid_rows` and `quarantined_lines` are then published to the
warehouse in one transaction, as plain copies of what staging kept. All of it runs in
DuckDB's C++; this module only writes the SQL, from the contract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dop_shared.sql import quote_identifier, quote_literal


class UnreadableFile(ValueError):
    """The file is not a complete gzip stream; nothing of it should be loaded."""


class NoValidLines(ValueError):
    """Not one line of the file keeps the contract: the file is something else."""


@dataclass(frozen=True)
class Field:
    name: str
    # JSON types accepted, as DuckDB's json_type names them (JSON null is always
    # accepted for an optional field, never for a required one).
    json_types: tuple[str, ...]
    # the column's type in the raw table (JSON objects are kept as their JSON text)
    column_type: str
    required: bool
    description: str
    # personal data the platform must not keep: checked, then never written
    drop: bool = False
    # with drop: the column keeping sha256(salt || lower(value without leading and
    # trailing spaces)) instead
    hashed_as: str | None = None


@dataclass(frozen=True)
class Contract:
    """What a feed's lines hold, and how its raw table is shaped."""

    fields: tuple[Field, ...]
    noun: str  # what one line is, in error messages ("telemetry event")
    partition_column: str  # the day of the file, a DATE column of the raw table
    # Fields absent from the shapes nearly every line has. No longer needed (every line is
    # first judged on its parsed fields, see JsonLinesParser); kept so contracts load.
    common_absences: tuple[tuple[str, ...], ...] = ((),)
    extra_column: str = "extra_fields"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def kept(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.drop)

    @property
    def hashed(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.drop and f.hashed_as)

    @property
    def hash_columns(self) -> tuple[str, ...]:
        """The raw table's columns of salted hashes: random values, stored uncompressed."""
        return tuple(str(f.hashed_as) for f in self.hashed)

    @property
    def raw_columns(self) -> tuple[str, ...]:
        lineage = (self.partition_column, "_source_file", "_line_number", "_loaded_at")
        columns = (f.name if not f.drop else f.hashed_as for f in self.fields)
        return (*(c for c in columns if c), self.extra_column, *lineage)


def _target(field: Field) -> str:
    """How from_json hands a field over: a string field as the string itself (most of a
    line is strings: no copy as JSON text), any other field as its JSON text."""
    return "VARCHAR" if field.json_types == ("VARCHAR",) else "JSON"


def _typed(field: Field, value: str) -> str:
    """SQL: the column value of a field that fits, from what from_json handed over."""
    text = f"cast({value} as varchar)"
    if field.json_types == ("OBJECT",) or (_target(field), field.column_type) == (
        "VARCHAR",
        "VARCHAR",
    ):
        return f"cast({value} as {field.column_type})"
    if field.json_types == ("BOOLEAN",) and field.column_type == "BOOLEAN":
        return f"{text} = 'true'"  # the text of a JSON boolean
    return f"try_cast({text} as {field.column_type})"


def _fits(field: Field, value: str, typed: str | None) -> str:
    """SQL: true when `value` (the field as from_json handed it over, NULL when absent or
    null; `typed`: its column value, if computed) is plainly of a JSON type the field
    accepts; false sends the line to json_type, which names the problem or finds none (a
    string that reads as JSON: "5", "true")."""
    text = f"cast({value} as varchar)"
    if _target(field) == "VARCHAR":
        # any other JSON value, as text, is valid JSON: a number, true, {...}, NaN
        tests = [f"not json_valid({text})"]
    else:
        types = set(field.json_types)
        tests = [f"starts_with({text}, {quote_literal(c)})" for t, c in _FIRST_BYTE if t in types]
        if "BOOLEAN" in types:
            tests.append(f"{text} in ('true', 'false')")
        if {"UBIGINT", "BIGINT"} <= types:  # any integer of BIGINT range is one of the two
            integer = typed if typed and field.column_type == "BIGINT" else None
            integer = integer or f"try_cast({text} as bigint)"
            tests.append(f"cast({integer} as varchar) = {text}")  # as written, no 1.0, 1e2
    if not field.required:
        tests.append(f"{value} is null")
    return "(" + (" or ".join(tests) or "false") + ")"


# Field kinds whose values, when they fit, read back to the bytes sent (_exact_length)
_EXACT_TYPES = ({"VARCHAR"}, {"BOOLEAN"}, {"UBIGINT", "BIGINT"})

# JSON types told by the first byte of their JSON text
_FIRST_BYTE = (("VARCHAR", '"'), ("OBJECT", "{"), ("ARRAY", "["))


# Names DuckDB's json_type gives, as a person would say them in a reason.
_JSON_TYPE_WORDS = {
    "VARCHAR": "a string",
    "BIGINT": "a number",
    "UBIGINT": "a number",
    "DOUBLE": "a number",
    "BOOLEAN": "a boolean",
    "OBJECT": "an object",
    "ARRAY": "an array",
    "NULL": "null",
}


def _sql_list(values) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def _type_word(json_type: str) -> str:
    """SQL: the JSON type `json_type` (an expression) in words."""
    cases = " ".join(
        f"when {quote_literal(k)} then {quote_literal(v)}" for k, v in _JSON_TYPE_WORDS.items()
    )
    return f"case {json_type} {cases} else lower({json_type}) end"


# Raw text of a quarantined line with the values of dropped fields masked: as JSON keys
# where the line parses, and anything shaped like an e-mail address where it does not.
_EMAIL = r'[^\s"@,{}]+@[^\s"@,{}]+'


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
select rowid + 1 + {rejected_before} as line_number, *
from raw_lines
where is_object or problem is not null
"""
_LINES_ASOF = """
create or replace temp view lines as
with steps as (  -- consecutive rejected lines share a step: count them once per step
    select step, sum(count(*)) over (order by step) as rejected_so_far
    from ({steps}) as s
    group by step
)
select r.rowid + 1 + coalesce(j.rejected_so_far, 0) as line_number, r.*
from raw_lines as r
asof left join steps as j on r.rowid >= j.step
where r.is_object or r.problem is not null
"""


def _number_lines(conn) -> None:
    steps = [step for (step,) in conn.execute(_REJECT_STEPS).fetchall()]
    if len(steps) > _MAX_CASE_STEPS:
        conn.execute(_LINES_ASOF.format(steps=_REJECT_STEPS))
        return
    branches = " ".join(f"when rowid < {step} then {n}" for n, step in enumerate(steps))
    rejected_before = f"(case {branches} else {len(steps)} end)" if steps else "0"
    conn.execute(_LINES.format(rejected_before=rejected_before))


_READ_LINES = """
from read_csv($path, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '',
    escape = '', header = false, auto_detect = false, new_line = '\\n',
    compression = 'gzip', store_rejects = true, strict_mode = false,
    max_line_size = 1048576, parallel = false)
"""

_REJECTED = """
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
"""


@dataclass(frozen=True)
class StagedFile:
    """What staging found in a file, before anything is written."""

    lines: int  # every line, blank and unreadable ones included
    valid: int
    quarantined: int
    problems: dict[str, int]  # reason -> lines, most frequent first (a few)
    unknown_fields: dict[str, int]  # field the contract does not know -> valid lines


class JsonLinesParser:
    """The SQL of one contract. Queries take $partition (the file's day), $source_file
    and $loaded_at; they read the temp tables `stage` leaves in the connection."""

    def __init__(self, contract: Contract):
        self.contract = contract

    @cached_property
    def _paths(self) -> str:
        return "[" + ", ".join(quote_literal(f"$.{f.name}") for f in self.contract.fields) + "]"

    @cached_property
    def _broken(self) -> str:
        """SQL: the position of the first field of `types` (the json_type of every contract
        field, NULL where absent) that breaks the contract, NULL when none does."""
        fields = self.contract.fields
        required = "[" + ", ".join("true" if f.required else "false" for f in fields) + "]"
        # JSON null (json_type 'NULL') is accepted for an optional field only
        accepted = [f.json_types if f.required else (*f.json_types, "NULL") for f in fields]
        allowed = ", ".join("[" + ", ".join(map(quote_literal, a)) + "]" for a in accepted)
        allowed = f"[{allowed}]"
        return (
            f"list_position(list_transform(range(1, {len(fields) + 1}), lambda i: "
            f"case when types[i] is null then {required}[i] "
            f"else not list_contains({allowed}[i], types[i]) end), true)"
        )

    @cached_property
    def _reason(self) -> str:
        """SQL: why an object line breaks the contract, from `types` and `broken`: the first
        broken field, in contract order, names it."""
        names = "[" + ", ".join(quote_literal(f.name) for f in self.contract.fields) + "]"
        return (
            f"case when types[broken] is null then 'missing ' || {names}[broken] "
            f"else {names}[broken] || ' is ' || {_type_word('types[broken]')} end"
        )

    @cached_property
    def _stage_queries(self) -> dict[bool, str]:
        """The staging SQL, by `tolerant`, written once per contract."""
        return {tolerant: self._stage_lines(tolerant) for tolerant in (False, True)}

    def _stage_lines(self, tolerant: bool) -> str:
        """SQL staging a file. Not `tolerant`: a line that looks like a whole object but
        is not one fails the query, and `stage` runs the tolerant version, in which
        try() catches it; try() costs even on lines that never fail (30% of Slack's staging
        time), and such lines are rare (a real producer writes whole lines; a cut one no
        longer ends with its brace)."""
        # A line is one CSV field: no quoting, and a separator (SOH) that valid JSON never
        # contains unescaped. DuckDB's CSV reader then does the gunzip, the line split and
        # the UTF-8 check in C++, and keeps what it rejects (with line numbers) in
        # reject_errors. Then, innermost first:
        # - `j`: every contract field of an object line, in one from_json parse, handed
        #   over as _target says (NULL for any other line); `_v<n>` its values, typed;
        #   `fits` reads the types off it. A json function failing on one line makes DuckDB
        #   redo the line's whole vector line by line, so only a line that looks like a
        #   whole object is parsed directly; others pass json_valid first (with or without
        #   try(): see the docstring).
        # - `unknown_keys`: how many top-level keys the line has beyond the fields found:
        #   0 when the line is exactly as long as its known fields written out (see
        #   `_exact_length`), else counted by json_keys, a second parse. More keys than
        #   fields found means the line may carry fields the contract does not know (a
        #   null field is found as NULL: the exact unknown keys are listed later, from the
        #   text kept for those lines).
        # - `types`, `broken`: only for an object line that does not plainly fit (rare): a
        #   parse by json_type finds the field that breaks the contract, if any.
        # - `problem`: NULL for a line to load (and a blank line), else why it is
        #   quarantined.
        # CASE copies nested values it picks (DuckDB), so no struct or list goes through one.
        fields = self.contract.fields
        # values staged: the kept fields, and the ones kept only as a hash (hashed in
        # valid_rows; staging is this process's memory, never the warehouse)
        kept = [(n, f) for n, f in enumerate(fields) if not f.drop or f.hashed_as]
        field = {f.name: f"j.{quote_identifier(f.name)}" for f in fields}
        values = ", ".join(f"{_typed(f, field[f.name])} as _v{n}" for n, f in kept)
        typed = {f.name: f"_v{n}" for n, f in kept}
        fits = " and ".join(_fits(f, field[f.name], typed.get(f.name)) for f in fields)
        found = " + ".join(f"({field[f.name]} is not null)::int" for f in fields)
        value = ", ".join(f"{quote_identifier(f.name)} := _v{n}" for n, f in kept)
        structure = quote_literal(json.dumps({f.name: _target(f) for f in fields}))
        parse = f"from_json(object_text, {structure})"
        parse = f"try({parse})" if tolerant else parse
        exact = self._exact_length(field)
        exact = f"when {exact} then 0" if exact else ""
        return f"""
create or replace temp table raw_lines as
select
    case when problem is not null or unknown_keys > 0 then line end as text,
    is_object,
    problem,
    unknown_keys,
    struct_pack({value}) as value
from (
    select *,
        case
            when fits then null
            when is_object then case when broken is not null then {self._reason} end
            when line is null or length(trim(line)) = 0 then null
            when json_valid(line) then 'not a JSON object'
            else 'not valid JSON'
        end as problem
    from (
        select *, case when types is not null then {self._broken} end as broken
        from (
            select *,
                case
                    when not is_object then null
                    {exact}
                    else len(json_keys(line)) - ({found})
                end as unknown_keys,
                case when is_object and not fits then json_type(line, {self._paths}) end
                    as types
            from (
                select *, coalesce(is_object and {fits}, false) as fits
                from (
                    select *, {values}
                    from (
                        select line, j, j is not null as is_object
                        from (
                            select line, {parse} as j
                            from (
                                select line,
                                    case
                                        when starts_with(line, '{{"') and ends_with(line, '}}')
                                            then line
                                        when (starts_with(line, '{{')
                                            or left(ltrim(line), 1) = '{{')
                                            and json_valid(line) then line
                                    end as object_text
                                {_READ_LINES}
                            )
                        )
                    )
                )
            )
        )
    )
)
"""

    def _exact_length(self, field: dict[str, str]) -> str | None:
        """SQL: true when an object line is exactly as long, in bytes, as its known fields
        written out compactly ({"name":value,...}), so that it can hold no other key:
        the json_keys parse it spares is a fifth of staging. Exact only where every
        value found reads back to the bytes it was sent as: a line with no backslash (no
        escape in any string) and a contract of string, boolean and integer fields (a
        value that does not fit is quarantined; one that fits is written canonically:
        true, false, 42). Any other line is counted by json_keys; so is every line of another
        contract (None)."""
        if any(set(f.json_types) not in _EXACT_TYPES for f in self.contract.fields):
            return None
        written = " + ".join(
            f"coalesce({len(f.name.encode()) + 4} + strlen(cast({field[f.name]} as varchar))"
            + (" + 2" if _target(f) == "VARCHAR" else "")
            + ", 0)"
            for f in self.contract.fields
        )
        return f"(not contains(line, '\\') and strlen(line) = 1 + {written})"

    @cached_property
    def _unknown_keys(self) -> str:
        """SQL: the keys of a line that the contract does not name, each once."""
        known = _sql_list(self.contract.field_names)
        return f"list_distinct(list_filter(json_keys(text), lambda k: k not in {known}))"

    @cached_property
    def valid_rows(self) -> str:
        """SQL of the rows to load; takes $hash_salt too when the contract hashes a field
        (see `valid_row_params`)."""

        def column(f: Field) -> str | None:  # in contract order; JSON objects as their text
            value = f"value.{quote_identifier(f.name)}"
            if f.drop:
                # trim spaces only (as Python's strip(" ") and the dbt macro do; DuckDB's
                # one-argument trim also drops Unicode spaces), and only where there is a
                # space: trim scans every character, a quarter of the hash's cost
                trimmed = f"case when contains({value}, ' ') then trim({value}, ' ') "
                trimmed += f"else {value} end"
                hashed = f"sha256($hash_salt || nullif(lower({trimmed}), ''))"
                return f"{hashed} as {quote_identifier(f.hashed_as)}" if f.hashed_as else None
            return f"cast({value} as {f.column_type}) as {quote_identifier(f.name)}"

        select = ", ".join(c for c in map(column, self.contract.fields) if c)
        # unknown keys with their values, one JSON object; keys addressed as JSON
        # pointers, so no key can break out of the path
        extra = (
            f"to_json(map_from_entries(list_transform({self._unknown_keys}, lambda k: "
            "struct_pack(k := k, v := json_extract(text, "
            "'/' || replace(replace(k, '~', '~0'), '/', '~1'))))))"
        )
        c = self.contract
        return f"""
select
    {select},
    case when unknown_keys > 0 then nullif(cast({extra} as varchar), '{{}}') end
        as {c.extra_column},
    cast($partition as date) as {c.partition_column},
    cast($source_file as varchar) as _source_file,
    cast(line_number as bigint) as _line_number,
    cast($loaded_at as timestamp) as _loaded_at
from lines
where is_object and problem is null
"""

    def valid_row_params(self, hash_salt: str | None) -> dict[str, str]:
        """The parameters `valid_rows` takes besides the file's, for this contract."""
        if not self.contract.hashed:
            return {}
        if not hash_salt:
            names = ", ".join(f.name for f in self.contract.hashed)
            raise ValueError(f"A salt is needed to hash {names}: pass hash_salt.")
        return {"hash_salt": hash_salt}

    def _masked(self, text: str) -> str:
        """SQL: `text` with the values of dropped fields masked."""
        dropped = [f.name for f in self.contract.fields if f.drop]
        if not dropped:
            return text
        patch = "{" + ", ".join(f'"{name}": "<dropped>"' for name in dropped) + "}"
        return (
            f"case when json_valid({text}) and json_type({text}) = 'OBJECT' "
            f"then cast(json_merge_patch({text}, '{patch}') as varchar) "
            f"else regexp_replace({text}, '{_EMAIL}', '<dropped>', 'g') end"
        )

    @cached_property
    def quarantined_lines(self) -> str:
        return f"""
select
    cast($partition as date) as {self.contract.partition_column},
    cast($source_file as varchar) as source_file,
    cast(line_number as bigint) as line_number,
    problem,
    {self._masked("raw_text")} as raw_text,
    cast($loaded_at as timestamp) as _loaded_at
from (
    select line_number, problem, text as raw_text
    from lines
    where problem is not null
    union all
    {_REJECTED}
)
order by line_number
"""

    def stage(self, conn, path: Path) -> StagedFile:
        """Read one gzip JSON-lines file into `conn`'s temp tables and judge every line;
        raises UnreadableFile (not gzip, cut short) or NoValidLines."""
        import duckdb

        try:
            try:
                conn.execute(self._stage_queries[False], {"path": str(path)})
            except duckdb.InvalidInputException:  # a line that only looks like an object
                conn.execute(self._stage_queries[True], {"path": str(path)})
        except (duckdb.IOException, duckdb.InvalidInputException) as error:
            raise UnreadableFile(
                f"{path} could not be read as gzip JSON lines ({error})."
            ) from error
        _number_lines(conn)
        [(valid, quarantined, lines, with_unknown)] = conn.execute(_COUNTS).fetchall()
        problems = dict(conn.execute(_TOP_PROBLEMS).fetchall()) if quarantined else {}
        if valid == 0:
            found = "; ".join(f"{reason}: {count} lines" for reason, count in problems.items())
            raise NoValidLines(
                f"{path} holds no {self.contract.noun} in its {lines} lines"
                + (f" ({found})" if found else " (the file is empty)")
                + "."
            )
        unknown_fields = f"""
            select field, count(*) from (
                select unnest({self._unknown_keys}) as field
                from lines
                where unknown_keys > 0 and is_object and problem is null
            )
            group by field order by field
        """
        unknown = dict(conn.execute(unknown_fields).fetchall()) if with_unknown else {}
        return StagedFile(lines, valid, quarantined, problems, unknown)


_COUNTS = """
with rejected as (select count(distinct line) as lines from reject_errors)
select
    count(*) filter (where is_object and problem is null),
    count(*) filter (where problem is not null) + (select lines from rejected),
    (select count(*) from raw_lines) + (select lines from rejected),
    count(*) filter (where unknown_keys > 0 and is_object and problem is null)
from lines
"""
_TOP_PROBLEMS = """
select problem, count(*) from (
    select problem from lines where problem is not null
    union all
    select 'not valid UTF-8 or unreadable' from (select distinct line from reject_errors)
)
group by problem order by count(*) desc, problem limit 5
"""
