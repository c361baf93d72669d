"""A real PostgreSQL server for the replication tests (started once per test process),
and a freshly generated cloud product database in it for each test."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from dop_devtools.postgres import postgres_server
from dop_devtools.sample_data import SampleDataSpec
from dop_devtools.sample_data.cloud_product import write

PRODUCT_SPEC = SampleDataSpec(
    seed=11, days=10, scale=0.2, end_date=dt.date.today() - dt.timedelta(days=3)
)
_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres():
    with postgres_server() as server:
        yield server


@dataclass
class ProductDatabase:
    url: str
    spec: SampleDataSpec

    def advance(self, days: int) -> None:
        """Move the product forward: new, updated and soft-deleted rows."""
        later = self.spec.end_date + dt.timedelta(days=days)
        self.spec = SampleDataSpec(self.spec.seed, self.spec.days + days, self.spec.scale, later)
        write(self.spec, self.url)

    def execute(self, *statements: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
        engine.dispose()

    def rows(self, query: str) -> list[tuple]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.connect() as conn:
            found = [tuple(row) for row in conn.execute(sa.text(query))]
        engine.dispose()
        return found

    def scalar(self, query: str):
        return self.rows(query)[0][0]


@pytest.fixture
def product_db(postgres, data_dir, monkeypatch) -> ProductDatabase:
    """A generated product database on the real server, selected by its URL variable."""
    url = postgres.create_database(f"product_{next(_numbers)}")
    write(PRODUCT_SPEC, url)
    monkeypatch.setenv("CLOUD_PRODUCT_DATABASE_URL", url)
    return ProductDatabase(url, PRODUCT_SPEC)
