"""The `townhall` command line: database, catalog, planning, exports, the Slack
processes and the console.

Every command is a thin shell: parse options, call a `catalog` service or the
`planner`, render with `bot.text_render`. Errors print one clear message on stderr and
exit non-zero; no traceback reaches the user.

This module makes the typer app and registers each command, in the order `--help`
lists them; the commands live in the modules named for what they do (`database`,
`catalog`, `planning`, `exports`, `processes`, `chat`), what they share in `common`.
Only what a command needs at once is imported at the top of those modules: the solver,
Slack and prometheus_client load inside the command that uses them.
"""

from __future__ import annotations

import typer

from bot.cli import catalog, chat, database, exports, planning, processes

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

db_app.command("upgrade")(database.db_upgrade)
db_app.command("downgrade")(database.db_downgrade)
db_app.command("encrypt-tokens")(database.db_encrypt_tokens)

app.command()(catalog.demo)
app.command("import")(catalog.import_)
app.command("export-portfolio")(catalog.export_portfolio)
app.command("list")(catalog.list_)
app.command()(catalog.show)
role_app.command("grant")(catalog.role_grant)
role_app.command("revoke")(catalog.role_revoke)

app.command()(planning.plan)
app.command("export")(exports.export_cmd)

app.command()(processes.serve)
app.command()(processes.socket)
app.command()(processes.worker)
app.command()(database.keygen)

app.command()(chat.chat)


def main() -> None:
    app()


__all__ = ["app", "main"]
