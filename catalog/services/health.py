"""Is the catalog's database answering? (`/readyz` asks, and a worker before its first job.)

README "Operations": the database is ready when it answers `SELECT 1`.
"""

from __future__ import annotations

from sqlalchemy import text

from catalog.uow import UnitOfWork


def ping(uow: UnitOfWork) -> None:
    """Run `SELECT 1` in the unit of work; raises the driver's error when the database does
    not answer. Opening the connection is most of the work: a worker warms its pool so."""
    uow.session.execute(text("SELECT 1"))
