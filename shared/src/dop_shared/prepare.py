"""`dop-prepare`: parse the dbt project into target/manifest.json, once.

Run by the quickstart, the tests and every image build, so definitions load a
ready manifest instead of parsing dbt (only `dagster dev` re-parses, to pick up
edits). Parsing renders the profile but never connects, so at image build time
the Snowflake credentials, which only exist at run time, are stood in for.
"""

from __future__ import annotations

import argparse
import contextlib
import os

from dop_shared import environment

_BUILD_PLACEHOLDERS = (
    "SNOWFLAKE_ACCOUNT",
    "SNOWFLAKE_USER",
    "SNOWFLAKE_PASSWORD",
    "SNOWFLAKE_ROLE",
    "SNOWFLAKE_WAREHOUSE",
)


def prepare(target: str | None = None) -> str:
    from dop_shared.dbt import dbt_project

    target = target or environment.dbt_target()
    if target not in environment.VALID_DBT_TARGETS:
        raise environment.EnvironmentConfigError(
            f"Unknown dbt target {target!r}; "
            f"valid targets: {', '.join(environment.VALID_DBT_TARGETS)}."
        )
    overrides = {"DBT_TARGET": target}
    if target not in environment.DUCKDB_TARGETS:
        overrides.update(
            {name: "set-at-run-time" for name in _BUILD_PLACEHOLDERS if name not in os.environ}
        )
    project = dbt_project()
    with _environment(overrides):  # dbt parse reads os.environ; restore it afterwards
        project.preparer.prepare(project)
    return str(project.manifest_path)


@contextlib.contextmanager
def _environment(overrides: dict[str, str]):
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", choices=environment.VALID_DBT_TARGETS, default=None)
    args = parser.parse_args(argv)
    print(f"dbt manifest: {prepare(args.target)}")


if __name__ == "__main__":
    main()
