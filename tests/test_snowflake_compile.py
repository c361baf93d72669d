"""Every model compiles for Snowflake: dbt-snowflake and the real connector against
fakesnow's server, on the production target's settings."""

import json
import os
import subprocess
from pathlib import Path

from dbt_runs import dbt_cli
from fakesnow import server as fakesnow_server

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


def _dbt(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """dbt on the production target's settings, against fakesnow's server."""
    from dop_shared.dbt import dbt_vars

    variables = dbt_vars({"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"})
    assert variables["dop_models_database"] == "PURINA"
    base = {k: v for k, v in os.environ.items() if k != "DOP_EMAIL_HASH_SALT"}
    tmp_path.mkdir(parents=True, exist_ok=True)
    with fakesnow_server() as kwargs:
        (tmp_path / "profiles.yml").write_text(PROFILE.format(**kwargs))
        return dbt_cli(
            *args,
            profiles_dir=tmp_path,
            target_path=tmp_path / "target",
            variables=variables,
            env={**base, **env},
        )


def test_every_model_compiles_for_snowflake(tmp_path, dbt_manifest):
    result = _dbt(tmp_path, "compile", "--no-introspect")
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


USERS = "stg_postgres_etl_low_freq__users"  # the model that hashes e-mail addresses


def test_production_refuses_to_hash_e_mail_addresses_with_the_local_salt(tmp_path):
    """Without DOP_EMAIL_HASH_SALT, a production build stops before hashing anything with
    the documented local salt (its hashes could be reversed by anyone reading this repo);
    with it, the model hashes with that salt."""
    refused = _dbt(tmp_path / "no_salt", "run", "--select", USERS)
    assert refused.returncode != 0
    assert "Set DOP_EMAIL_HASH_SALT" in refused.stdout
    assert "target prod must not hash with the local default" in refused.stdout

    salted = _dbt(tmp_path / "salt", "run", "--select", USERS, DOP_EMAIL_HASH_SALT="s3cr3t-salt")
    assert "Set DOP_EMAIL_HASH_SALT" not in salted.stdout
    [compiled] = (tmp_path / "salt" / "target" / "compiled").rglob(f"{USERS}.sql")
    sql = compiled.read_text()
    assert "sha2(" in sql and "'s3cr3t-salt'" in sql and "dop-local-email-salt" not in sql
