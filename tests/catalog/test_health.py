"""`services.ping`: the database check behind `/readyz` and a worker's warm-up."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from catalog import services
from catalog.db import make_engine, make_session_factory
from catalog.uow import UnitOfWork


def test_ping_answers_on_a_working_database(uow):
    with uow() as u:
        services.ping(u)


def test_ping_raises_the_drivers_error_when_the_database_cannot_be_opened(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'townhall.sqlite3'}")
    try:
        with pytest.raises(OperationalError), UnitOfWork(make_session_factory(engine)) as u:
            services.ping(u)
    finally:
        engine.dispose()
