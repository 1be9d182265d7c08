"""The `townhall` command line: database, catalog, planning.

Every command is a thin shell: parse options, call a `catalog` service or the
`planner`, render with `bot.text_render`. Errors print one clear message on stderr and
exit non-zero; no traceback reaches the user.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from bot.text_render import fields_table, initiatives_table, roadmap_view
from catalog import services
from catalog.db import session_factory_for, upgrade
from catalog.domain import Actor
from catalog.errors import CatalogError
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from catalog.usecases.context import Context, ProgressSink
from planner import PlannerError, build_problem, load_portfolio
from planner.portfolio import dump_portfolio

if TYPE_CHECKING:  # the solver's modules load only when a command plans
    from planner.config import Progress, SolverConfig
    from planner.diff import RoadmapDiff
    from planner.explain import Explanation
    from planner.roadmap import Roadmap

DEFAULT_TEAM = Settings.from_env().default_team

app = typer.Typer(
    name="townhall",
    help="Plan a portfolio of social-computing initiatives with a CP-SAT optimizer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
role_app = typer.Typer(help="Grant or revoke workspace roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(role_app, name="role")

out = Console()
err = Console(stderr=True)

Team = Annotated[str, typer.Option("--team", "-t", help="Workspace (Slack team id).")]


class Solver(StrEnum):
    cpsat = "cpsat"
    greedy = "greedy"


class Format(StrEnum):
    table = "table"
    json = "json"


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _run(fn: Callable[[], None]) -> None:
    try:
        fn()
    except (CatalogError, PlannerError) as exc:
        fail(str(exc))


@cache
def _database_url() -> str:
    url = Settings.from_env().database_url
    if url.startswith("sqlite"):
        upgrade(url)  # the embedded default migrates itself, once per process
    return url


def _uow_factory() -> Callable[[], UnitOfWork]:
    """Units of work on the configured database (the embedded default migrated first)."""
    factory = session_factory_for(_database_url())
    return lambda: UnitOfWork(factory)


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    with _uow_factory()() as uow:
        yield uow


OPERATOR = Actor.operator()


# --------------------------------------------------------------------------- database


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    url = Settings.from_env().database_url
    _run(lambda: upgrade(url, revision))
    out.print(f"Database at {revision}: {_safe_url(url)}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="e.g. -1 or base")) -> None:
    """Revert migrations down to REVISION."""
    from catalog.db import downgrade

    url = Settings.from_env().database_url
    _run(lambda: downgrade(url, revision))
    out.print(f"Database downgraded to {revision}: {_safe_url(url)}")


@db_app.command("encrypt-tokens")
def db_encrypt_tokens() -> None:
    """Encrypt every stored OAuth token with the newest TOWNHALL_ENCRYPTION_KEY key
    (plaintext rows and rows under older keys), in one transaction."""
    from bot.oauth import encrypt_tokens
    from bot.token_cipher import EncryptionKeyError, TokenCipher
    from catalog.db import make_engine

    settings = Settings.from_env()
    try:
        cipher = TokenCipher.from_settings(settings)
    except EncryptionKeyError as exc:
        fail(str(exc))
    engine = make_engine(_database_url())
    try:
        count = encrypt_tokens(engine=engine, cipher=cipher)
    except EncryptionKeyError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    out.print(f"Encrypted {count} token value(s) with the newest key.")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


# --------------------------------------------------------------------------- catalog


@app.command()
def demo(team: Team = DEFAULT_TEAM) -> None:
    """Load the demo portfolio into a workspace (running it twice keeps one copy)."""

    def go() -> None:
        with unit_of_work() as uow:
            result = services.load_demo(uow, actor=OPERATOR, team_id=team)
        out.print(f"Demo portfolio loaded into workspace {team}: {_summary(result)}.")

    _run(go)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json)")],
    team: Team = DEFAULT_TEAM,
    merge: Annotated[bool, typer.Option(help="Add and update instead of replacing.")] = False,
) -> None:
    """Import a portfolio file into a workspace: all of it, or nothing."""

    def go() -> None:
        portfolio = load_portfolio(file)
        with unit_of_work() as uow:
            result = services.import_portfolio(
                uow,
                actor=OPERATOR,
                team_id=team,
                portfolio=portfolio,
                mode="merge" if merge else "replace",
            )
        out.print(f"Imported {file} into {team}: {_summary(result)}.")

    _run(go)


@app.command("export-portfolio")
def export_portfolio(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write (.yaml/.json)")],
    team: Team = DEFAULT_TEAM,
) -> None:
    """Write a workspace's settings and initiatives as a portfolio file."""

    def go() -> None:
        with unit_of_work() as uow:
            portfolio = services.export_portfolio(uow, team_id=team)
        fmt = "json" if out_file.suffix.lower() == ".json" else "yaml"
        out_file.write_text(dump_portfolio(portfolio, fmt=fmt), encoding="utf-8")
        out.print(f"Wrote {len(portfolio.initiatives)} initiatives to {out_file}.")

    _run(go)


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    team: Team = DEFAULT_TEAM,
) -> None:
    """List a workspace's initiatives."""

    def go() -> None:
        with unit_of_work() as uow:
            rows = services.list_initiatives(uow, team_id=team, status=status)
        if not rows:
            out.print(
                f"No initiatives{f' with status {status}' if status else ''} in {team}. "
                "Try `townhall demo`."
            )
            return
        out.print(initiatives_table(rows, title=f"Initiatives in {team}"))

    _run(go)


@app.command()
def show(key: str, team: Team = DEFAULT_TEAM) -> None:
    """Show every field of one initiative."""

    def go() -> None:
        with unit_of_work() as uow:
            view = services.get_initiative(uow, team_id=team, key=key)
        out.print(fields_table(_pairs(view), title=f"{view.key}: {view.title}"))

    _run(go)


def _pairs(view: Any) -> list[tuple[str, Any]]:
    spec = view.spec
    pairs = [(f.name, getattr(spec, f.name)) for f in fields(spec)]
    return [
        *pairs,
        ("version", view.version),
        ("updated", f"{view.updated_at:%Y-%m-%d %H:%M} by {view.updated_by or '—'}"),
    ]


def _summary(result: Any) -> str:
    parts = [
        f"{len(getattr(result, name))} {name}"
        for name in ("created", "updated", "deleted", "unchanged")
        if getattr(result, name)
    ]
    if result.settings_changed:
        parts.append("settings updated")
    return ", ".join(parts) or "nothing to change"


@role_app.command("grant")
def role_grant(user: str, role: str, team: Team = DEFAULT_TEAM) -> None:
    """Give USER (a Slack user id) ROLE in a workspace."""

    def go() -> None:
        with unit_of_work() as uow:
            services.grant_role(uow, actor=OPERATOR, team_id=team, user_id=user, role=role)
        out.print(f"{user} is now {role} in {team}.")

    _run(go)


@role_app.command("revoke")
def role_revoke(user: str, role: str, team: Team = DEFAULT_TEAM) -> None:
    """Take ROLE away from USER in a workspace."""

    def go() -> None:
        with unit_of_work() as uow:
            services.revoke_role(uow, actor=OPERATOR, team_id=team, user_id=user, role=role)
        out.print(f"{user} is no longer {role} in {team}.")

    _run(go)


# --------------------------------------------------------------------------- planning


@app.command()
def plan(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Plan this portfolio file without a database; omit to plan the workspace."
        ),
    ] = None,
    team: Team = DEFAULT_TEAM,
    time_limit: Annotated[float, typer.Option(help="Seconds for the solver.")] = 10.0,
    solver: Annotated[Solver, typer.Option(help="cpsat (optimal) or greedy.")] = Solver.cpsat,
    workers: Annotated[int, typer.Option(help="CP-SAT search workers.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    what_if: Annotated[
        str | None,
        typer.Option("--what-if", help='e.g. "budget-20%, without SOC-7, capacity integration=+2"'),
    ] = None,
    explain_key: Annotated[
        str | None,
        typer.Option("--explain", help="Explain why KEY starts where it does or is left out."),
    ] = None,
) -> None:
    """Solve the roadmap: a portfolio FILE, or the workspace's approved catalog (stored
    as its latest roadmap, planned as `/roadmap plan` plans it)."""
    from planner.config import SolverConfig

    config = SolverConfig(solver=solver.value, time_limit=time_limit, workers=workers, seed=seed)
    quiet = fmt is Format.json

    def go() -> None:
        if file is not None:
            roadmap, diff, detail = _plan_file(file, config, what_if, explain_key, quiet=quiet)
        else:
            roadmap, diff, detail = _plan_workspace(team, config, what_if, explain_key, quiet=quiet)
        if fmt is Format.json:
            sys.stdout.write(json.dumps(roadmap.to_dict(), indent=2, ensure_ascii=False) + "\n")
            return
        out.print(roadmap_view(roadmap))
        if diff is not None:
            out.print(f"\n[bold]Compared with the plan without “{what_if}”:[/]")
            for line in diff.lines():
                out.print(f"  • {line}", highlight=False)
        if detail is not None:
            out.print(f"\n[bold]{detail.headline}[/]")
            for line in detail.details:
                out.print(f"  • {line}", highlight=False)

    _run(go)


def _plan_workspace(
    team: str, config: SolverConfig, what_if: str | None, key: str | None, *, quiet: bool
) -> tuple[Roadmap, RoadmapDiff | None, Explanation | None]:
    """The workspace's plan (or what-if) through the same use cases as Slack's; a key
    to explain is checked before anything is solved or saved."""
    from catalog.usecases import commands as c
    from catalog.usecases import planning

    ctx = Context(actor=OPERATOR, team_id=team, uow_factory=_uow_factory(), solver=config)
    explain = c.Explain(key.upper()) if key else None
    if explain is not None:
        planning.check_explain(explain, ctx)
    with _progress(config, quiet=quiet) as progress:
        ctx = replace(ctx, progress=progress)
        if what_if:
            whatif = c.WhatIf(what_if)
            planning.check_whatif(whatif, ctx)
            answer = planning.whatif(whatif, ctx)
            roadmap, roadmap_id, diff = answer.roadmap, answer.roadmap_id, answer.diff
        else:
            planned = planning.plan(c.Plan(), ctx)
            roadmap, roadmap_id, diff = planned.roadmap, planned.roadmap_id, None
    detail = None
    if explain is not None:
        explain = replace(explain, roadmap_id=roadmap_id)
        detail = planning.explain(explain, replace(ctx, progress=None)).explanation
    return roadmap, diff, detail


def _plan_file(
    file: Path, config: SolverConfig, what_if: str | None, key: str | None, *, quiet: bool
) -> tuple[Roadmap, RoadmapDiff | None, Explanation | None]:
    """A portfolio file's plan, without a database."""
    from planner.diff import diff_roadmaps
    from planner.explain import explain
    from planner.scenario import apply as apply_whatif
    from planner.solve import solve

    portfolio = load_portfolio(file)
    if key and key.upper() not in {i.key for i in portfolio.initiatives}:
        fail(f"no initiative {key.upper()} in {file}")
    base = build_problem(portfolio)
    problem = apply_whatif(base, what_if) if what_if else base
    with _progress(config, quiet=quiet) as progress:
        roadmap = solve(problem, replace(config, progress=progress))
    diff = diff_roadmaps(solve(base, config), roadmap) if what_if else None
    detail = explain(problem, roadmap, key.upper(), config=config) if key else None
    return roadmap, diff, detail


@contextmanager
def _progress(config: SolverConfig, *, quiet: bool) -> Iterator[ProgressSink | None]:
    """A progress sink that shows the solver's best and bound on stderr while it runs."""
    if quiet or config.solver != "cpsat":
        yield None
        return
    with err.status("Solving…") as status:

        def progress(p: Progress) -> None:
            status.update(
                f"Solving… best {p.objective:,}, bound {p.bound:,}, gap {p.gap:.2%}, "
                f"{p.seconds:.1f}s"
            )

        yield progress


# --------------------------------------------------------------------------- exports


@app.command("export")
def export_cmd(
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="mspdi, xlsx, csv, ics, json or png")
    ],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the file.")],
    roadmap: Annotated[
        str,
        typer.Option(
            "--roadmap",
            help="published, latest, or a roadmap JSON file (default: published, else latest).",
        ),
    ] = "default",
    portfolio_file: Annotated[
        Path | None,
        typer.Option("--portfolio", help="The portfolio the roadmap was planned from."),
    ] = None,
    team: Team = DEFAULT_TEAM,
) -> None:
    """Export a roadmap for the PMO: MS Project XML, Excel, CSV, iCalendar, JSON or a Gantt PNG."""
    from planner.exports import FORMATS, ExportSource, export

    name = fmt.strip().lower().lstrip(".")
    if name not in FORMATS:
        known = ", ".join(f"{f.name} ({f.title})" for f in FORMATS.values())
        fail(f"unknown export format '{fmt}'; known formats: {known}")

    def go() -> None:
        portfolio = load_portfolio(portfolio_file) if portfolio_file is not None else None
        label, chosen = _roadmap_to_export(roadmap, team=team)
        if chosen is None:  # a roadmap file
            chosen_roadmap = _read_roadmap_file(Path(roadmap))
            if portfolio is None:
                with unit_of_work() as uow:
                    portfolio = services.workspace_portfolio(uow, team_id=team)
        else:
            chosen_roadmap = chosen.roadmap
            portfolio = portfolio or chosen.portfolio
        assert portfolio is not None
        source = ExportSource(roadmap=chosen_roadmap, portfolio=portfolio)
        try:
            data = export(name, source)
        except ModuleNotFoundError as exc:
            fail(f"the {name} export cannot run here: missing module {exc.name}")
        try:
            out_file.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {out_file}: {exc.strerror or exc}")
        title = FORMATS[name].title
        out.print(f"Wrote {title} of {label} to {out_file} ({len(data):,} bytes).", highlight=False)

    _run(go)


def _roadmap_to_export(which: str, *, team: str) -> tuple[str, Any]:
    """(a label, the RoadmapView) for published/latest/default; (the file, None) for a file."""
    from catalog.errors import NotFound

    if which not in ("published", "latest", "default"):
        return which, None
    try:
        with unit_of_work() as uow:
            view = services.roadmap_for_export(uow, actor=OPERATOR, team_id=team, which=which)
    except NotFound as exc:
        if exc.what == "workspace":
            raise
        what = "published roadmap" if which == "published" else "roadmap"
        fail(f"no {what} in {team} yet: run `townhall plan` first")
    kind = "published roadmap" if view.published else "latest roadmap"
    return f"the {kind} #{view.id}", view


def _read_roadmap_file(path: Path) -> Roadmap:
    from planner.roadmap import roadmap_from_dict

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"cannot read roadmap {path}: no such file (or say published or latest)")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read roadmap {path}: {exc}")
    except json.JSONDecodeError as exc:
        fail(f"cannot read roadmap {path}: not JSON ({exc.msg} at line {exc.lineno})")
    try:
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return roadmap_from_dict(data)
    except KeyError as exc:
        fail(f"cannot read roadmap {path}: missing field {exc}")
    except (ValueError, TypeError) as exc:
        fail(f"cannot read roadmap {path}: {exc}")
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- Slack transports

AppSpec = Annotated[
    str,
    typer.Option("--app", help="module:function that builds the Bolt app.", show_default=True),
]


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option("--threads", min=1, help="Threads per worker.")] = 8,
    app_spec: AppSpec = "bot.app:build_app",
) -> None:
    """Serve Slack over HTTP (/slack/events, /slack/install, /healthz, /readyz, /metrics)
    on gunicorn."""
    if workers > 1:
        _share_metrics_between_workers()
    from bot.logs import configure_logging
    from bot.server import StartupError
    from bot.server import serve as serve_http

    settings = Settings.from_env()
    configure_logging(settings)
    try:
        serve_http(
            settings=settings,
            host=host,
            port=port,
            builder_spec=app_spec,
            workers=workers,
            threads=threads,
        )
    except StartupError as exc:
        fail(str(exc))


@app.command()
def socket(app_spec: AppSpec = "bot.app:build_app") -> None:
    """Connect to Slack over Socket Mode (no inbound traffic; needs SLACK_APP_TOKEN)."""
    from bot.logs import configure_logging
    from bot.server import StartupError
    from bot.socket_mode import run_socket_mode

    settings = Settings.from_env()
    configure_logging(settings)
    try:
        run_socket_mode(settings=settings, builder_spec=app_spec)
    except StartupError as exc:
        fail(str(exc))


@app.command()
def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Stop once the queue is empty (for scripts).")
    ] = False,
    solver_threads: Annotated[
        int, typer.Option("--solver-threads", min=1, help="CP-SAT threads per solve.")
    ] = 2,
    metrics_port: Annotated[
        int | None, typer.Option("--metrics-port", min=1, help="Serve /metrics on this port.")
    ] = None,
    nice: Annotated[
        int,
        typer.Option(
            "--nice",
            min=0,
            max=19,
            help="Lower this worker's CPU priority by N (Unix nice): web processes on the "
            "same machine then acknowledge Slack first, solves take the CPU left over.",
        ),
    ] = 0,
) -> None:
    """Run background jobs (solves, what-ifs, exports) from the Redis queue (needs REDIS_URL)."""
    from bot.jobs.worker import WorkerConfigError, run_worker
    from bot.logs import configure_logging
    from planner.config import SolverConfig

    if nice:
        # before any thread starts: Linux niceness is per thread, and new threads (the
        # solver's, the sweep's) inherit it from the thread that creates them
        os.nice(nice)
    settings = Settings.from_env()
    configure_logging(settings)
    try:
        run_worker(
            settings,
            burst=burst,
            solver=SolverConfig(workers=solver_threads),
            metrics_port=metrics_port,
        )
    except WorkerConfigError as exc:
        fail(str(exc))


def _share_metrics_between_workers() -> None:
    """Give several gunicorn workers prometheus_client's multiprocess mode: a fresh
    directory in PROMETHEUS_MULTIPROC_DIR (prometheus_client's own variable) unless one
    is set. It must happen before prometheus_client is first imported."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before `serve` could switch on its multiprocess "
            "mode: import bot.metrics lazily inside commands, not at the top of bot/cli.py"
        )
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        directory = tempfile.mkdtemp(prefix="townhall-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)  # when the master exits
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


@app.command()
def keygen() -> None:
    """Print a new encryption key for TOWNHALL_ENCRYPTION_KEY (Fernet, URL-safe base64).

    To rotate, put the new key first (`NEW,OLD`), run `townhall db encrypt-tokens`, then
    drop the old one.
    """
    from bot.token_cipher import generate_key

    out.print(generate_key(), highlight=False, markup=False)


# --------------------------------------------------------------------------- console


@app.command()
def chat(
    team: Team = DEFAULT_TEAM,
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", help="Act as this Slack user id (default: the operator)."),
    ] = None,
    command: Annotated[
        str | None,
        typer.Option("--command", "-c", help='Run one command and exit, e.g. -c "plan".'),
    ] = None,
) -> None:
    """Speak the slash command's subcommands locally, replies rendered as text."""
    from bot.console import repl, run_command

    actor = Actor.user(team_id=team, user_id=user) if user else OPERATOR
    uow_factory = _uow_factory()

    def write(text: str) -> None:
        out.print(text, highlight=False, markup=False)

    if command is not None:
        reply = run_command(
            command, actor=actor, team_id=team, uow_factory=uow_factory, write=write
        )
        if reply.error:
            raise typer.Exit(1)
        return
    repl(actor=actor, team_id=team, uow_factory=uow_factory, write=write)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
