"""An empty code location: the fixed cost of `dagster definitions validate`."""

import dagster as dg

defs = dg.Definitions()
