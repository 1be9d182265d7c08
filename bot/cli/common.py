"""What every `townhall` command shares: the consoles, failing with one clear message,
the configured database and its units of work, the operator, the `--team` option."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from catalog.db import session_factory_for, upgrade
from catalog.domain import Actor
from catalog.errors import CatalogError
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner import PlannerError

DEFAULT_TEAM = Settings.from_env().default_team

out = Console()
err = Console(stderr=True)

Team = Annotated[str, typer.Option("--team", "-t", help="Workspace (Slack team id).")]

OPERATOR = Actor.operator()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` on stderr as the error and exit with `code`."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def run(fn: Callable[[], None]) -> None:
    """Call `fn`; a catalog or planner error becomes one message on stderr and exit 1."""
    try:
        fn()
    except (CatalogError, PlannerError) as exc:
        fail(str(exc))


@cache
def database_url() -> str:
    url = Settings.from_env().database_url
    if url.startswith("sqlite"):
        upgrade(url)  # the embedded default migrates itself, once per process
    return url


def uow_factory() -> Callable[[], UnitOfWork]:
    """Units of work on the configured database (the embedded default migrated first)."""
    factory = session_factory_for(database_url())
    return lambda: UnitOfWork(factory)


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    with uow_factory()() as uow:
        yield uow
