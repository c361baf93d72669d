"""The one DagsterDbtTranslator of the platform.

Asset keys are `[database, schema, table]` in lower case from *logical* names,
so they are identical in LOCAL, BRANCH and PROD and for every dbt target:

- a model is keyed `purina/<its configured +schema>/<its name>`; the schema a
  target happens to resolve (sandbox schemas, clones) never enters the key;
- a source table is keyed `<source's meta.logical_database>/<schema>/<identifier>`,
  which is also the key of the ingestion asset that writes it.

What does change per environment, the physical table, goes into metadata
(`dagster/table_name`, plus a Snowflake UI link where Snowflake is the warehouse).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from dop_shared import environment, snowflake_ui
from dop_shared.locations import LocationSpec

log = logging.getLogger(__name__)

MODELS_LOGICAL_DATABASE = environment.ANALYTICS_DATABASE


class DbtKeyError(ValueError):
    """A dbt node lacks what a stable asset key needs; the message says what to add."""


def _source_logical_database(props: Mapping[str, Any]) -> str:
    for meta in (props.get("meta") or {}, props.get("source_meta") or {}):
        value = meta.get("logical_database")
        if value:
            return str(value).lower()
    raise DbtKeyError(
        f"dbt source {props.get('source_name')}.{props.get('name')} has no "
        "meta.logical_database: add `meta: {logical_database: purina}` (or stitch) to the "
        "source so its asset key does not depend on the environment."
    )


def _model_schema(props: Mapping[str, Any]) -> str:
    schema = (props.get("config") or {}).get("schema")
    if not schema:
        raise DbtKeyError(
            f"dbt {props.get('resource_type')} {props.get('name')} has no +schema config; "
            "set one in dbt_project.yml so its asset key does not depend on the target."
        )
    return str(schema).lower()


def logical_table(props: Mapping[str, Any]) -> tuple[str, str, str]:
    """(database, schema, table) of a dbt node, as in its asset key."""
    if props["resource_type"] == "source":
        return (
            _source_logical_database(props),
            str(props["schema"]).lower(),
            str(props.get("identifier") or props["name"]).lower(),
        )
    return MODELS_LOGICAL_DATABASE, _model_schema(props), str(props["name"]).lower()


def physical_table(props: Mapping[str, Any], env: Mapping[str, str] | None = None) -> str:
    """database.schema.table of a dbt node in the current environment."""
    database, schema, table = logical_table(props)
    if props["resource_type"] == "source":
        return f"{environment.physical_database(database, env)}.{schema}.{table}"
    alias = str(props.get("alias") or table).lower()
    return f"{environment.models_database(env)}.{environment.physical_schema(schema, env)}.{alias}"


def _column_list(values) -> str:
    values = [str(v) for v in values or []]
    return ", ".join(values[:8]) + (f" and {len(values) - 8} more" if len(values) > 8 else "")


def test_description(test: Mapping[str, Any]) -> str:
    """What a dbt data test guards, in words, for the check's page in the UI.

    A test's own `description` wins; the generic tests are described from their
    arguments; a singular test (a SQL file) by its name."""
    written = (test.get("description") or "").strip()
    if written:
        return written
    generic = test.get("test_metadata") or {}
    kwargs = generic.get("kwargs") or {}
    column = kwargs.get("column_name") or "the tested column"
    severity = str((test.get("config") or {}).get("severity") or "error").lower()
    outcome = "Warns" if severity == "warn" else "Fails"
    described = {
        "not_null": f"{outcome} when a row has no {column}: every row must carry it.",
        "unique": f"{outcome} when two rows share the same {column}: it identifies a row.",
        "accepted_values": (
            f"{outcome} when {column} takes a value outside the known ones "
            f"({_column_list(kwargs.get('values'))}): a new value upstream needs a "
            "decision in the models that group by it."
        ),
        "relationships": (
            f"{outcome} when a {column} has no match in {kwargs.get('field', 'the key')} "
            f"of {str(kwargs.get('to', 'its parent')).strip()}: no orphan rows."
        ),
    }
    name = generic.get("name")
    if name in described:
        return described[name]
    return f"{outcome} when the dbt test {test.get('name')} returns rows."


class DopDbtTranslator(DagsterDbtTranslator):
    """Keys from logical names; group, owners and kinds from the owning location."""

    def __init__(
        self, location: LocationSpec, settings: DagsterDbtTranslatorSettings | None = None
    ):
        self.location = location
        super().__init__(
            settings
            or DagsterDbtTranslatorSettings(
                enable_code_references=False,
                # a source's tests are checks of the ingestion asset that writes it,
                # run by the dbt build of the location that owns both
                enable_source_tests_as_checks=True,
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey(list(logical_table(dbt_resource_props)))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        meta_group = ((dbt_resource_props.get("meta") or {}).get("dagster") or {}).get("group")
        return meta_group or self.location.name

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return self.location.owners

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        fqn = dbt_resource_props.get("fqn") or []
        if len(fqn) > 2 and fqn[1] in ("staging", "intermediate", "marts"):
            tags["layer"] = fqn[1]  # models/<layer>/...: filterable in the UI
        return tags

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The dbt docs when written (the SQL is one click away through code references);
        # dagster-dbt's default, which shows the SQL, only for undocumented nodes.
        written = (dbt_resource_props.get("description") or "").strip()
        return written or super().get_description(dbt_resource_props)

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        test = manifest["nodes"][unique_id]
        return spec._replace(description=test_description(test))

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]):
        # Rebuild after any upstream (in any location) is updated, once it is in sync.
        return dg.AutomationCondition.eager()

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        try:
            table = physical_table(dbt_resource_props)
        except environment.EnvironmentConfigError as error:
            # Loading must not fail on a misconfigured deployment: the run that would
            # write the table fails with this message instead, and the UI shows it.
            metadata.pop("dagster/table_name", None)
            metadata["dop/configuration_error"] = str(error)
            return metadata
        metadata["dagster/table_name"] = table
        if environment.warehouse() == "snowflake":
            url = snowflake_ui.table_url(table)
            if url:
                metadata["snowflake_url"] = dg.MetadataValue.url(url)
        return metadata

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        # Kinds name the warehouse the current target writes, not the one the manifest
        # was parsed with.
        return spec.replace_attributes(kinds={"dbt", environment.warehouse()})
