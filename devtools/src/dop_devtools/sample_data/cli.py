"""`dop-sample-data`: write the local sample data set for every source."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time

from dop_devtools.sample_data.spec import SOURCES, SampleDataSpec, generate
from dop_shared.partitions import SAMPLE_END
from dop_shared.paths import sources_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--days",
        type=int,
        default=None,
        help="days of history (default: DOP_SAMPLE_DAYS or 28, as the local partitions)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier")
    parser.add_argument(
        "--end-date",
        type=dt.date.fromisoformat,
        default=None,
        help=f"last day, YYYY-MM-DD (default: {SAMPLE_END}, as the local partitions)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SOURCES,
        default=list(SOURCES),
        help="sources to write (default: all)",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    kwargs = {"end_date": args.end_date} if args.end_date else {}
    if args.days is not None:
        kwargs["days"] = args.days
    spec = SampleDataSpec(seed=args.seed, scale=args.scale, **kwargs)
    target = sources_dir()
    started = time.perf_counter()
    generate(
        spec, target, only=tuple(args.only), workers=args.workers, progress=not args.no_progress
    )
    print(
        f"sample data: {spec.days} days ({spec.start_date}..{spec.end_date}), seed {spec.seed}, "
        f"scale {spec.scale} -> {target} in {time.perf_counter() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
