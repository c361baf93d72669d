"""Assemble a location's Definitions the same way in every location.

Locations list their assets, checks and automation; this adds what every
location shares: the environment's resources, the warehouse kind and physical
table name on ingestion assets, and code references (linked to git in Dagster+).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence

import dagster as dg

from dop_shared import environment, partitions, paths
from dop_shared.resources import common_resources
from dop_shared.warehouse import TableRef

# Metadata flag of an asset that is no warehouse table (a Slack message, say).
NOT_A_TABLE = "dop/not_a_table"


def _ingestion_spec(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Kinds and table name for an asset Dagster writes itself (dbt assets have their own)."""
    if "dbt" in spec.kinds or spec.metadata.get(NOT_A_TABLE):
        return spec
    metadata: dict[str, object] = {}
    if len(spec.key.path) == 3 and spec.key.path[0] in environment.KNOWN_DATABASES:
        try:
            metadata["dagster/table_name"] = TableRef.from_key(spec.key).physical()
        except environment.EnvironmentConfigError as error:
            metadata["dop/configuration_error"] = str(error)
    return spec.merge_attributes(kinds={environment.ingestion_warehouse()}, metadata=metadata)


def _local_partitions(asset):
    """The asset with its partitions narrowed to the environment's calendar (the sample's
    days locally, see dop_shared.partitions); read at load, never at import."""
    local = partitions.for_environment(asset.partitions_def)
    if local is asset.partitions_def:
        return asset
    return dg.map_asset_specs(lambda spec: spec.replace_attributes(partitions_def=local), [asset])[
        0
    ]


def _link_to_git(assets):
    """In Dagster+, code references open the file in git; locally they stay local paths.

    Files are mapped through the repository root (the same layout in the image), so
    Python modules and dbt SQL files both land on the right path in git.
    """
    if not os.getenv("DAGSTER_CLOUD_GIT_URL"):
        return assets
    from dagster_cloud.metadata.source_code import link_code_references_to_git_if_cloud

    anchor = paths.repo_root() / "dagster_cloud.yaml"
    return link_code_references_to_git_if_cloud(
        assets,
        file_path_mapping=dg.AnchorBasedFilePathMapping(
            local_file_anchor=anchor, file_anchor_path_in_repository="dagster_cloud.yaml"
        ),
    )


def location_definitions(
    *,
    assets: Sequence[dg.AssetsDefinition | dg.AssetSpec],
    asset_checks: Sequence[dg.AssetChecksDefinition] = (),
    schedules: Sequence[dg.ScheduleDefinition] = (),
    sensors: Sequence[dg.SensorDefinition] = (),
    jobs: Sequence[dg.JobDefinition | dg.UnresolvedAssetJobDefinition] = (),
    resources: Mapping[str, object] | None = None,
) -> dg.Definitions:
    prepared = dg.map_asset_specs(_ingestion_spec, [_local_partitions(a) for a in assets])
    with warnings.catch_warnings():  # both helpers are marked beta; say so once, here
        warnings.simplefilter("ignore", dg.BetaWarning)
        prepared = _link_to_git(dg.with_source_code_references(prepared))
    # DuckDB takes one writing process per file: locally, a run's steps go one at a time.
    local = environment.ingestion_warehouse() == "duckdb"
    return dg.Definitions(
        assets=prepared,
        executor=dg.in_process_executor if local else None,
        asset_checks=list(asset_checks),
        schedules=list(schedules),
        sensors=list(sensors),
        jobs=list(jobs),
        resources={**common_resources(), **(resources or {})},
    )
