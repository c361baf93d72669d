"""JsonLinesParser on real DuckDB and real gzip files: the cases where one parse per line
has to read a field's JSON type off what from_json hands over."""

import datetime as dt
import gzip
import json
import re

import duckdb
import pytest

from dop_shared.json_lines import Contract, Field, JsonLinesParser, _target

CONTRACT = Contract(
    (
        Field("id", ("VARCHAR",), "VARCHAR", True, "Identity."),
        Field("day", ("VARCHAR",), "DATE", False, "A date as text."),
        Field("count", ("UBIGINT", "BIGINT"), "BIGINT", False, "An integer."),
        Field("flag", ("BOOLEAN",), "BOOLEAN", False, "A boolean."),
        Field("details", ("OBJECT",), "VARCHAR", False, "Any object."),
        Field("email", ("VARCHAR",), "VARCHAR", False, "Never stored.", drop=True),
    ),
    noun="record",
    partition_column="file_date",
)
PARAMS = {
    "partition": dt.date(2026, 1, 1),
    "source_file": "f",
    "loaded_at": dt.datetime(2026, 1, 1),
}


def _load(tmp_path, lines: list[str]):
    path = tmp_path / "day.json.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    parser = JsonLinesParser(CONTRACT)
    conn = duckdb.connect()
    staged = parser.stage(conn, path)
    rows = conn.execute(f"select * from ({parser.valid_rows}) order by _line_number", PARAMS)
    names = [c[0] for c in rows.description]
    loaded = [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
    quarantined = conn.execute(
        f"select line_number, problem, raw_text from ({parser.quarantined_lines})", PARAMS
    ).fetchall()
    return staged, loaded, quarantined


def _line(**fields) -> str:
    return json.dumps({"id": "a"} | fields)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": 5}, "id is a number"),
        ({"id": None}, "id is null"),
        ({"day": True}, "day is a boolean"),
        ({"count": 1.5}, "count is a number"),
        ({"count": "7"}, "count is a string"),
        ({"flag": "true"}, "flag is a string"),
        ({"flag": 1}, "flag is a number"),
        ({"details": "{}"}, "details is a string"),
        ({"details": [1]}, "details is an array"),
        ({"email": 1}, "email is a number"),
    ],
)
def test_a_field_of_another_json_type_is_quarantined_naming_it(tmp_path, fields, reason):
    staged, loaded, quarantined = _load(tmp_path, [_line(), _line(**fields)])
    assert [row["_line_number"] for row in loaded] == [1]
    assert [(n, p) for n, p, _ in quarantined] == [(2, reason)]
    assert staged.problems == {reason: 1}


def test_strings_that_read_as_json_load_as_strings(tmp_path):
    values = ["5", "true", "null", "{}", "[1]", " 5", "NaN", "", "a\\b", "é \u0001"]
    _, loaded, quarantined = _load(tmp_path, [json.dumps({"id": v}) for v in values])
    assert quarantined == []
    assert [row["id"] for row in loaded] == values


def test_values_are_typed_as_the_contract_says(tmp_path):
    line = _line(
        day="2026-02-03",
        count=-0,
        flag=False,
        details={"b": [1, 1e2, None], "a": "x"},
        email="ann@example.com",
    )
    sparse = json.dumps({"id": "b", "day": "not a date", "count": None, "flag": None})
    staged, loaded, _ = _load(tmp_path, [line, sparse, " " + _line(count=2**63 - 1)])
    assert staged.valid == 3
    first, second, third = loaded
    assert (first["day"], first["count"], first["flag"]) == (dt.date(2026, 2, 3), 0, False)
    assert json.loads(first["details"]) == {"b": [1, 100.0, None], "a": "x"}
    assert "email" not in first
    assert (second["day"], second["count"], second["flag"], second["details"]) == (None,) * 4
    assert third["count"] == 2**63 - 1  # a line starting with a space loads too


def test_a_line_that_only_looks_like_an_object_is_quarantined_among_many(tmp_path):
    """One broken line ending in '}' among thousands: its neighbours still load."""
    lines = [_line(count=n) for n in range(3000)]
    lines[1500] = '{"id": "x" "count": 1}'  # no comma
    staged, loaded, quarantined = _load(tmp_path, lines)
    assert staged.valid == 2999
    assert [(n, p) for n, p, _ in quarantined] == [(1501, "not valid JSON")]
    assert loaded[1500]["_line_number"] == 1502 and loaded[1500]["count"] == 1501


def test_unknown_fields_are_found_beside_null_and_repeated_fields(tmp_path):
    lines = [
        _line(count=None),  # a null field is not an unknown one
        _line(count=1)[:-1] + ', "count": 2}',  # a repeated one neither
        _line(extra={"k": 1}, **{"": 0}),
    ]
    staged, loaded, _ = _load(tmp_path, lines)
    assert staged.unknown_fields == {"": 1, "extra": 1}
    assert [row["extra_fields"] for row in loaded[:2]] == [None, None]
    assert json.loads(loaded[2]["extra_fields"]) == {"extra": {"k": 1}, "": 0}


FLAT = Contract(  # strings, booleans and integers only: lines can be judged by length
    (
        Field("id", ("VARCHAR",), "VARCHAR", True, "Identity."),
        Field("name", ("VARCHAR",), "VARCHAR", False, "Any text."),
        Field("count", ("UBIGINT", "BIGINT"), "BIGINT", False, "An integer."),
        Field("flag", ("BOOLEAN",), "BOOLEAN", False, "A boolean."),
    ),
    noun="record",
    partition_column="file_date",
)


def test_no_unknown_field_hides_in_a_line_as_long_as_its_known_ones(tmp_path):
    """A flat contract's lines skip the json_keys parse when they are exactly as long as
    their known fields written out; random lines, compact or not, with and without
    unknown fields, escapes and odd values, must still have every unknown field found."""
    import random

    rng = random.Random(7)
    texts = ["", "a", "é漢", 'q"uote', "back\\slash", "tab\t", "x" * 40, "-", "0"]
    numbers = [0, -1, 7, 2**63 - 1, -(2**63), None]
    lines, truth = [], {}
    for n in range(3000):
        record = {"id": f"u{n}"}
        for name, pick in (("name", texts), ("count", numbers), ("flag", [True, False, None])):
            if rng.random() < 0.8:
                record[name] = rng.choice(pick)
        if rng.random() < 0.3:
            key = rng.choice(["x", "", "zz", "é", "name2", 'q"k'])
            record[key] = rng.choice([1, "v", None, {"a": 1}, [], True, 1.5])
            truth[key] = truth.get(key, 0) + 1
        compact = rng.random() < 0.8
        lines.append(
            json.dumps(
                record, separators=(",", ":") if compact else None, ensure_ascii=rng.random() < 0.5
            )
        )
    path = tmp_path / "day.json.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    parser = JsonLinesParser(FLAT)
    conn = duckdb.connect()
    staged = parser.stage(conn, path)
    assert staged.valid == len(lines)
    assert staged.unknown_fields == truth
    # the shortcut is taken: most compact lines without unknown fields skip json_keys
    structure = json.dumps({f.name: _target(f) for f in FLAT.fields})
    exact = parser._exact_length({f.name: f'j."{f.name}"' for f in FLAT.fields})
    [(skipped,)] = conn.execute(
        f"select count(*) filter (where {exact}) from "
        f"(select line, from_json(line, '{structure}') as j from unnest(?) as t(line))",
        [lines],
    ).fetchall()
    assert skipped > len(lines) // 5
    rows = conn.execute(f"select {FLAT.extra_column} from ({parser.valid_rows})", PARAMS)
    assert sum(row[0] is not None for row in rows.fetchall()) == sum(truth.values())


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"\xff\xfe not utf-8\n\xff\n", "in its 2 lines (not valid UTF-8 or unreadable: 2 lines)"),
        (b"", "in its 0 lines (the file is empty)"),
    ],
)
def test_a_file_without_one_readable_line_says_how_many_lines_it_had(tmp_path, body, said):
    """The counts of a file none of whose lines reached staging (all rejected, or none)."""
    from dop_shared.json_lines import NoValidLines

    path = tmp_path / "day.json.gz"
    path.write_bytes(gzip.compress(body))
    with pytest.raises(NoValidLines, match=re.escape(said)):
        JsonLinesParser(CONTRACT).stage(duckdb.connect(), path)
