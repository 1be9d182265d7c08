"""The `townhall` command line: database, catalog, planning, exports, the Slack
processes and the console.

Every command is a thin shell: parse options, call a `catalog` service or the
`planner`, render with `bot.text_render`. Errors print one clear message on stderr and
exit non-zero; no traceback reaches the user.

This module makes the typer app and registers each command, in the order `--help`
lists them; the commands live in the modules named for what they do (`database`,
`catalog`, `drivers`, `planning`, `exports`, `processes`, `workspace`, `chat`), what they
share in `common`: the `--team` and `--format` options, failing with one message, the
exit statuses (`EPILOG`).
Only what a command needs at once is imported at the top of those modules: the solver,
Slack and prometheus_client load inside the command that uses them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from bot.cli import (
    catalog,
    chat,
    common,
    database,
    drivers,
    exports,
    feed,
    planning,
    processes,
    workspace,
)

#: `townhall --help`'s last words: the exit statuses every command keeps to.
EPILOG = (
    "Exit status: 0 success; 1 error (one line on stderr says what to fix; also a plan "
    "not found in time); 2 usage "
    "(an unknown command or option, a missing argument, a value not of the option's "
    "type or choices); 3 infeasible plan (stderr names the constraints that cannot hold "
    "together)."
)


class _Commands(TyperGroup):
    """The top-level commands; an unknown one that is a subcommand of the slash command
    (`townhall whatif`, `townhall publish`) is pointed at `townhall chat -c`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _one_line_summaries(self)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        word = args[0] if args else ""
        known = not word or word.startswith("-") or self.get_command(ctx, word) is not None
        if not known and _chat_subcommand(word):
            rest = " ".join(args[1:]) or "…"
            ctx.fail(
                f"No such command '{word}'. `{word}` is a command of the console and of "
                f'Slack\'s slash command: try townhall chat -c "{word} {rest}"'
            )
        return super().resolve_command(ctx, args)


def _one_line_summaries(group: Any) -> None:
    """Each command's summary in a command list is its help's first paragraph on one
    line (typer's list keeps the docstring's line breaks), here and in subgroups."""
    for command in group.commands.values():
        if command.short_help is None and command.help:
            command.short_help = " ".join(command.help.split("\n\n")[0].split())
        if getattr(command, "commands", None):  # a subgroup (`db`, `role`)
            _one_line_summaries(command)


def _chat_subcommand(word: str) -> bool:
    from bot.commands import subcommand

    return subcommand(word) is not None


app = typer.Typer(
    name="townhall",
    cls=_Commands,
    help="Plan a portfolio of social-computing initiatives with a CP-SAT optimizer.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    epilog=EPILOG,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
role_app = typer.Typer(help="List, grant or revoke workspace roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(role_app, name="role")

db_app.command("upgrade")(database.db_upgrade)
db_app.command("downgrade")(database.db_downgrade)
db_app.command("encrypt-tokens")(database.db_encrypt_tokens)

app.command()(catalog.demo)
app.command("import")(catalog.import_)
app.command("export-portfolio")(catalog.export_portfolio)
app.command("list")(catalog.list_)
app.command()(catalog.show)
role_app.command("list")(workspace.role_list)
role_app.command("grant")(catalog.role_grant)
role_app.command("revoke")(catalog.role_revoke)
app.command()(workspace.jobs)
app.command()(workspace.audit)

app.command()(drivers.weights)
app.command()(planning.plan)
app.command("export")(exports.export_cmd)
app.command()(feed.feed)

app.command()(processes.serve)
app.command()(processes.socket)
app.command()(processes.worker)
app.command()(database.keygen)

app.command()(chat.chat)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("townhall")
    except PackageNotFoundError:
        return "unknown (not installed as a package)"


def _print_version(value: bool) -> None:
    if value:
        common.out.print(f"townhall {_version()}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback(cls=_Commands, epilog=EPILOG)
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an unexpected error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print townhall's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    common.debug = debug


def main() -> None:
    """The console script: an error no command expected prints one line, or its
    traceback under `townhall --debug` (`common.unexpected`)."""
    try:
        app()
    except Exception as exc:
        common.unexpected(exc)


__all__ = ["app", "main"]
