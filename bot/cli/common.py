"""What every `townhall` command shares: the consoles, failing with one clear message,
the configured database and its units of work, the operator, the `--team` option."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from catalog.db import (
    DatabaseUnusable,
    check_schema,
    database_problem,
    describe_database,
    session_factory_for,
    sqlite_file,
    upgrade,
)
from catalog.domain import Actor
from catalog.errors import CatalogError, NotFound
from catalog.settings import DEFAULT_TEAM as BUILT_IN_TEAM
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner import PlannerError

out = Console()
err = Console(stderr=True)

#: Set by `townhall --debug`: an unexpected error prints its traceback (`main`).
debug = False


#: The workspace of a command without `--team` or TOWNHALL_TEAM.
DEFAULT_TEAM = BUILT_IN_TEAM


def _team(value: str) -> str:
    # as Settings reads TOWNHALL_TEAM: surrounding blanks dropped, blank is the default
    return value.strip() or DEFAULT_TEAM


#: `--team`, or TOWNHALL_TEAM, read by click when the command runs (not at import).
Team = Annotated[
    str,
    typer.Option(
        "--team",
        "-t",
        envvar="TOWNHALL_TEAM",
        callback=_team,
        help="Workspace (Slack team id).",
    ),
]


class Format(StrEnum):
    """`--format`: a table for people, or a JSON document (its shape documented per
    command in the README) on standard output alone, for scripts."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", help="table (for people) or json (for scripts).")
]

#: Exit statuses of every command (`townhall --help`, README "Command line").
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2  # click's, for a usage error
EXIT_INFEASIBLE = 3

#: The production processes' packages (pyproject's `server` extra), by import name.
SERVER_PACKAGES = {
    "gunicorn": "gunicorn",
    "psycopg": "psycopg",
    "redis": "redis",
    "rq": "rq",
    "prometheus_client": "prometheus-client",
}
SERVER_INSTALL = "pip install 'townhall[server]'"

OPERATOR = Actor.operator()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` on stderr as the error and exit with `code`."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def utc(value: dt.datetime) -> dt.datetime:
    """`value` in UTC; a naive time (as the database gives it) is UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def iso_utc(value: dt.datetime | None) -> str | None:
    """A time in the JSON outputs: ISO 8601 in UTC, null for none."""
    return None if value is None else utc(value).isoformat()


def write_json(document: Any) -> None:
    """`document` as indented JSON on standard output, and nothing else there."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def server_package_missing(exc: BaseException) -> str | None:
    """What to install when `exc` is a production package not installed (the embedded
    default leaves them out), else None."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    package = SERVER_PACKAGES.get(exc.name.split(".")[0])
    if package is None:
        return None
    return (
        f"{package} is not installed: the production processes (serve, socket, worker) "
        f"and PostgreSQL need the server packages: {SERVER_INSTALL}"
    )


def require_server_packages(*modules: str) -> None:
    """End the command, naming what to install, when a module it needs is missing."""
    missing = [SERVER_PACKAGES.get(m, m) for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        fail(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed: "
            f"this command needs the server packages: {SERVER_INSTALL}"
        )


def unexpected(exc: BaseException) -> NoReturn:
    """An error no command expected: its traceback under `--debug`, otherwise one line
    that says how to see it (README "Errors": no traceback reaches a user). A production
    package that is not installed says what to install."""
    missing = server_package_missing(exc)
    if missing is not None and not debug:
        err.print(f"[bold red]error:[/] {escape(missing)}", highlight=False)
        raise SystemExit(EXIT_ERROR)
    if debug:
        err.print("".join(traceback.format_exception(exc)), highlight=False, markup=False)
        raise SystemExit(1)
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:299] + "…"
    message = f"{type(exc).__name__}{': ' + text if text else ''}"
    err.print(
        f"[bold red]error:[/] {escape(message)} (run with --debug for the traceback)",
        highlight=False,
    )
    raise SystemExit(1)  # outside click: typer.Exit would not be turned into an exit here


def os_reason(exc: OSError, path: Path) -> str:
    """Why a file could not be written, and the fix when there is an obvious one."""
    if isinstance(exc, FileNotFoundError) and not path.parent.exists():
        return f"the folder {path.parent} does not exist: create it first, or write elsewhere"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder: give a file name"
    if isinstance(exc, PermissionError):
        return "permission denied: write somewhere this user may"
    return exc.strerror or str(exc)


def settings() -> Settings:
    """The settings of the environment (LOG_LEVEL among them); a bad one ends the
    command with its message."""
    from bot.logs import log_level

    try:
        found = Settings.from_env()
        log_level()
    except ValueError as exc:
        fail(str(exc))
    return found


def run(fn: Callable[[], None]) -> None:
    """Call `fn`; a catalog or planner error, or a database that cannot be used, becomes
    one message on stderr and exit 1."""
    try:
        fn()
    except NotFound as exc:
        if exc.what != "workspace":
            fail(str(exc))
        fail(
            f"no workspace {exc.key} in {describe_database(settings().database_url)} "
            "(DATABASE_URL): load one with `townhall demo` or `townhall import FILE`, or "
            "name another with --team"
        )
    except (CatalogError, PlannerError) as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(str(database_problem(settings().database_url, exc)))
    except ModuleNotFoundError as exc:
        missing = server_package_missing(exc)
        if missing is None:
            raise
        fail(missing)


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to standard output meanwhile to standard error, at the
    file-descriptor level: what a native library prints (HiGHS's MIP search may print a
    line however it is silenced) as well as Python's. `--format json` solves inside it,
    so that standard output carries the JSON document and nothing else."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@cache
def database_url(*, create: bool = False) -> str:
    """The configured database, ready for units of work.

    The embedded SQLite default migrates itself, once per process; a command that only
    reads (`create` false) refuses a SQLite file that does not exist rather than leave an
    empty one behind. Any other database is migrated by `townhall db upgrade` (README
    "Configuration"): it is checked to be at the newest migration.
    """
    url = settings().database_url
    try:
        path = sqlite_file(url)
        if path is not None and not create and not path.exists():
            fail(
                f"no database here: {path.resolve()} does not exist (DATABASE_URL, by "
                f"default {path.name} in the current directory). Run `townhall demo` or "
                "`townhall import FILE` to create it here, or point DATABASE_URL at your "
                "database"
            )
        if url.startswith("sqlite"):
            if path is not None and create and not path.exists():
                err.print(
                    f"Creating the database {path.resolve()} (DATABASE_URL).", highlight=False
                )
            upgrade(url)
        else:
            check_schema(session_factory_for(url).kw["bind"], url)
    except DatabaseUnusable as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(str(database_problem(url, exc)))
    return url


def uow_factory(*, create: bool = False) -> Callable[[], UnitOfWork]:
    """Units of work on the configured database (see `database_url`)."""
    factory = session_factory_for(database_url(create=create))
    return lambda: UnitOfWork(factory)


@contextmanager
def unit_of_work(*, create: bool = False) -> Iterator[UnitOfWork]:
    with uow_factory(create=create)() as uow:
        yield uow
