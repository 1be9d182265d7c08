"""`townhall chat`: the slash command's subcommands at the terminal (`bot.console`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import DEFAULT_TEAM, OPERATOR, Team, out, uow_factory
from catalog.domain import Actor


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
    factory = uow_factory(create=True)  # the console writes too (`propose`)

    def write(text: str) -> None:
        out.print(text, highlight=False, markup=False)

    if command is not None:
        reply = run_command(command, actor=actor, team_id=team, uow_factory=factory, write=write)
        if reply.error:
            raise typer.Exit(1)
        return
    repl(actor=actor, team_id=team, uow_factory=factory, write=write)
