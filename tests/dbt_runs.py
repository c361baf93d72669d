"""Building some of a location's dbt models in a test (real dbt, on DuckDB)."""

import dagster as dg

from dop_shared.dbt import location_dbt_assets
from dop_shared.resources import dbt_resource


def build_models(location: str, *names: str) -> dg.ExecuteInProcessResult:
    """`dbt build` of the named models of `location` (and their tests, as checks) only."""
    assets = location_dbt_assets(location)
    keys = [key for key in assets.keys if key.path[-1] in names]
    assert len(keys) == len(names), f"not all models of {location}: {names}"
    return dg.materialize([assets], selection=keys, resources={"dbt": dbt_resource()})
