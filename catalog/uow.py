"""The unit of work: one database transaction that rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from catalog.errors import StaleVersion


class UnitOfWork:
    """`with UnitOfWork(session_factory) as uow: ...; uow.commit()`.

    Leaving the block without `commit()` (or through an exception) rolls everything back.
    Services receive the unit of work and use `uow.session`. `before_commit(session)` runs
    inside the transaction just before each commit; raising there rolls the work back (a
    background job fences its writes on its attempt this way).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        before_commit: Callable[[Session], None] | None = None,
    ) -> None:
        self._factory = session_factory
        self._session: Session | None = None
        self._before_commit = before_commit

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._session = None

    def commit(self) -> None:
        """Make the work so far permanent; a concurrent change turns into StaleVersion."""
        try:
            if self._before_commit is not None:
                self.session.flush()
                self._before_commit(self.session)  # may refuse: the work rolls back
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise StaleVersion("the record") from exc

    def rollback(self) -> None:
        self.session.rollback()
