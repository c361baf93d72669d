"""What to generate and the one entry point that writes every source."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from dop_shared import partitions, paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleDataSpec:
    """seed, days and scale fix the data; end_date (inclusive) pins the calendar."""

    seed: int = 42
    # By default the local partitions' calendar (dop_shared.partitions): fixed, not
    # derived from today, so the sample and the definitions always agree.
    days: int = field(default_factory=partitions.sample_days)
    scale: float = 1.0
    end_date: dt.date = partitions.SAMPLE_END

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale}")

    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]


SOURCES = ("prod_telemetry", "oss_analytics", "postgres_etl", "slack")


def generate(
    spec: SampleDataSpec,
    sources_dir: Path,
    *,
    only: tuple[str, ...] = SOURCES,
    workers: int | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Write the sources (all by default) under `sources_dir`; returns the path of each."""
    from dop_devtools.sample_data import cloud_product, pypi, slack, telemetry

    unknown = set(only) - set(SOURCES)
    if unknown:
        raise ValueError(f"Unknown sources {sorted(unknown)}; known: {', '.join(SOURCES)}")
    sources_dir.mkdir(parents=True, exist_ok=True)
    writers = {
        "prod_telemetry": lambda: telemetry.write(
            spec, sources_dir / paths.TELEMETRY_EVENTS_DIR, workers=workers, progress=progress
        ),
        "oss_analytics": lambda: pypi.write(spec, sources_dir / paths.PYPI_DOWNLOADS_FILE),
        "postgres_etl": lambda: cloud_product.write(spec, sources_dir / paths.CLOUD_PRODUCT_DB),
        "slack": lambda: slack.write(spec, sources_dir / paths.SLACK_ANALYTICS_DIR),
    }
    written = {name: writers[name]() for name in SOURCES if name in only}
    for name, path in written.items():
        log.info("sample data: %s -> %s", name, path)
    return written
