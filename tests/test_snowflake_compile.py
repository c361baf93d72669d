"""Every model compiles for Snowflake: dbt-snowflake and the real connector against
fakesnow's server, on the production target's settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

from fakesnow import server as fakesnow_server

ROOT = Path(__file__).resolve().parents[1]
PROFILE = """
dop:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: {account}
      user: {user}
      password: {password}
      host: {host}
      port: {port}
      protocol: {protocol}
      role: TRANSFORMER
      warehouse: TRANSFORMING
      database: PURINA
      schema: public
      threads: 2
"""


def test_every_model_compiles_for_snowflake(tmp_path, dbt_manifest):
    from dop_shared.dbt import dbt_vars

    variables = dbt_vars({"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"})
    assert variables["dop_models_database"] == "PURINA"
    with fakesnow_server() as kwargs:
        (tmp_path / "profiles.yml").write_text(PROFILE.format(**kwargs))
        dbt = Path(sys.executable).with_name("dbt")
        result = subprocess.run(
            [
                str(dbt),
                "compile",
                "--no-introspect",
                "--profiles-dir",
                str(tmp_path),
                "--target-path",
                str(tmp_path / "target"),
                "--vars",
                json.dumps(variables),
            ],
            cwd=ROOT / "dbt",
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "snowflake"
    compiled = {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert len(compiled) == len(
        [
            n
            for n in json.loads(dbt_manifest.read_text())["nodes"].values()
            if n["resource_type"] == "model"
        ]
    )
    sql = "\n".join(compiled.values())
    # Snowflake spellings from the dispatch macros, none of DuckDB's
    assert "max_by(" in sql and "try_parse_json(" in sql and "try_cast(" in sql
    assert "arg_max(" not in sql and "json_extract_string(" not in sql
    assert (
        "PURINA.prod_telemetry.oss_telemetry_events_raw" in compiled["stg_prod_telemetry__events"]
    )
