"""The cloud product database the replication reads: any SQLAlchemy URL.

`CLOUD_PRODUCT_DATABASE_URL` selects it in every environment when set (the
Postgres read replica in production); without it, LOCAL reads the generated
SQLite copy under the data directory, through the same code.
"""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field

from dop_shared import environment, paths

URL_VARIABLE = "CLOUD_PRODUCT_DATABASE_URL"


class CloudProductDatabase(dg.ConfigurableResource):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: the generated SQLite copy under the data directory.",
    )

    def _url(self) -> str:
        # Read when a run needs it (never at load), so a local run honours the variable
        # without its value ever entering the resource's config shown in the UI.
        url = self.url or os.environ.get(URL_VARIABLE, "").strip()
        if url:
            return url
        path = paths.sources_dir() / paths.CLOUD_PRODUCT_DB
        if not path.is_file():
            raise dg.Failure(
                description=f"The local copy of the cloud product database, {path}, is missing. "
                f"Generate the sample data first (uv run dop-sample-data), or set {URL_VARIABLE}."
            )
        return f"sqlite:///{path}"

    def describe(self) -> str:
        """The database without its password: what errors and logs may show."""
        import sqlalchemy as sa

        url = sa.make_url(self._url())
        where = url.database if url.get_backend_name() == "sqlite" else f"{url.host}/{url.database}"
        return f"{url.get_backend_name()} database {where}"

    def engine(self):
        """A SQLAlchemy engine, once a connection has proved the source reachable."""
        import sqlalchemy as sa

        engine = sa.create_engine(self._url())
        try:
            with engine.connect():
                pass
        except sa.exc.SQLAlchemyError as error:
            engine.dispose()
            raise dg.Failure(description=self._unreachable(error)) from None
        return engine

    def _unreachable(self, error: Exception) -> str:
        import sqlalchemy as sa

        reason = str(getattr(error, "orig", error) or error).strip().splitlines()[0]
        password = sa.make_url(self._url()).password
        if password:
            reason = reason.replace(password, "***")
        return (
            f"Cannot connect to the cloud product {self.describe()}: {reason}. "
            f"Check {URL_VARIABLE} (host, database, user and password)."
        )


def cloud_product_database() -> CloudProductDatabase:
    """The URL variable wherever it is set; the generated copy locally; required elsewhere."""
    if environment.uses_local_sources():
        return CloudProductDatabase()
    return CloudProductDatabase(url=dg.EnvVar(URL_VARIABLE))
