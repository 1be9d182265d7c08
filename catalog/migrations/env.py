"""Alembic environment: metadata from catalog.models, URL from the caller or Settings.

Where the database comes from, first match wins:
`config.attributes["engine"]` (tests, catalog.db), `config.attributes["url"]`,
`alembic -x url=...`, and finally `Settings.from_env().database_url`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from catalog.db import is_model_object, make_engine
from catalog.models import Base
from catalog.settings import Settings, normalize_database_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return normalize_database_url(url) if url else Settings.from_env().database_url


def configure(**options: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        include_name=is_model_object,  # slack-sdk's OAuth tables are not models
        **options,
    )


def run_offline() -> None:
    url = database_url()
    configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_with(connection: Connection) -> None:
    configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = config.attributes.get("engine")
    if engine is not None:
        with engine.connect() as connection:
            run_with(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            run_with(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
