"""Raw OSS telemetry: one daily partition per source file, quarantining broken lines.

Each partition is replaced in one transaction (delete the day, insert the day),
so re-running a day never duplicates events and a failed run leaves the day as
it was. Lines that break the telemetry contract go, with their file, line number,
reason and raw text, to a quarantine table instead of failing the run; fields the
contract does not know yet are kept and reported (see dop_shared.json_lines and
dop_shared.daily_files, which this shares with Slack analytics). Only a missing
file, a truncated gzip or a file without one telemetry line fail the partition,
naming the file. The same code reads local files and GCS objects.
"""

import dagster as dg

from dop_shared import partitions
from dop_shared.daily_files import DailyJsonLinesFeed
from dop_shared.json_lines import JsonLinesParser
from dop_shared.locations import location
from dop_shared.warehouse import TableRef, Warehouse
from dop_telemetry.ingestion.contract import TELEMETRY
from dop_telemetry.ingestion.files import TelemetryFiles

RAW_EVENTS = TableRef("purina", "prod_telemetry", "oss_telemetry_events_raw")
QUARANTINE = TableRef("purina", "prod_telemetry", "oss_telemetry_events_quarantine")

# Daily over the platform's history; narrowed to the sample's days locally when the
# location loads (dop_shared.partitions).
daily_partitions = partitions.DAILY


FEED = DailyJsonLinesFeed(JsonLinesParser(TELEMETRY), RAW_EVENTS, QUARANTINE)


def build_oss_telemetry_events(
    partitions_def: dg.PartitionsDefinition = partitions.DAILY,
) -> dg.AssetsDefinition:
    """The raw events and their quarantine over `partitions_def`: the platform's history
    by default; the location builds it with the environment's days when it loads
    (dop_shared.partitions), so that its per-day checks share the asset's partitions."""

    @FEED.multi_asset(
        name="oss_telemetry_events",
        partitions_def=partitions_def,
        raw="Valid OSS telemetry events, one partition per daily file, as sent.",
        quarantine="Telemetry lines that could not be loaded: file, line, problem, raw text.",
        group_name="telemetry_ingestion",
        owners=location("telemetry").owners,
        kinds={"python"},
        contract_home="dop_telemetry.ingestion.contract",
    )
    def oss_telemetry_events(
        context: dg.AssetExecutionContext, warehouse: Warehouse, telemetry_files: TelemetryFiles
    ):
        yield from FEED.ingest(context, warehouse, telemetry_files)

    return oss_telemetry_events


# Daily over the platform's history (tests and benches pick their days in it).
daily_partitions = partitions.DAILY
oss_telemetry_events = build_oss_telemetry_events(daily_partitions)
