"""Runtime settings: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///townhall.sqlite3"
DEFAULT_TEAM = "local"


def normalize_database_url(url: str) -> str:
    """Point `postgres://` and `postgresql://` URLs at the psycopg 3 driver."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@dataclass(frozen=True)
class Settings:
    """Configuration read once from the environment.

    `database_url`: `DATABASE_URL`, by default a SQLite file in the working directory.
    `default_team`: `TOWNHALL_TEAM`, the workspace single-workspace (CLI) use works in.
    """

    database_url: str = DEFAULT_DATABASE_URL
    default_team: str = DEFAULT_TEAM

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        url = environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        team = environ.get("TOWNHALL_TEAM", "").strip() or DEFAULT_TEAM
        return cls(database_url=normalize_database_url(url), default_team=team)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")
