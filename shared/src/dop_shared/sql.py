"""Quoting for SQL written as text (DuckDB's and Snowflake's rules agree here)."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """A table, column or schema name as a quoted identifier: any name, any case."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A string constant."""
    return "'" + value.replace("'", "''") + "'"
