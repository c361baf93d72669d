"""Loading the three locations the way Dagster does, for workspace-level tests."""

from __future__ import annotations

import dagster as dg

from dop_devtools.local_run import load_location
from dop_shared.locations import LOCATIONS

LOCATION_NAMES = [spec.name for spec in LOCATIONS]
DBT_UNIQUE_ID = "dagster_dbt/unique_id"


def all_definitions() -> dict[str, dg.Definitions]:
    return {name: load_location(name) for name in LOCATION_NAMES}


def executable_specs(defs: dg.Definitions) -> list[dg.AssetSpec]:
    return [
        spec
        for assets_def in defs.assets or []
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.is_executable
        for spec in assets_def.specs
    ]
