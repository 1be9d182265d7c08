"""`townhall demo|import|export-portfolio|list|show` and `townhall role grant|revoke`:
a workspace's initiatives, settings and roles, through the `catalog` services. `list`
and `show` print a table, or JSON (`--format json`: each initiative with every field of
the portfolio file's, in `InitiativeSpec` order, and its version and times)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import (
    DEFAULT_TEAM,
    OPERATOR,
    Format,
    FormatOption,
    Team,
    fail,
    iso_utc,
    out,
    run,
    unit_of_work,
    write_json,
)
from bot.cli.common import (
    os_reason as _os_reason,
)
from bot.text_render import fields_table, initiatives_table
from catalog import services
from planner.portfolio import dump_portfolio, load_portfolio_data


def demo(team: Team = DEFAULT_TEAM) -> None:
    """Load the demo portfolio into a workspace (running it twice keeps one copy)."""

    def go() -> None:
        with unit_of_work(create=True) as uow:
            result = services.load_demo(uow, actor=OPERATOR, team_id=team)
        out.print(f"Demo portfolio loaded into workspace {team}: {_summary(result)}.")

    run(go)


def import_(
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json)")],
    team: Team = DEFAULT_TEAM,
    merge: Annotated[bool, typer.Option(help="Add and update instead of replacing.")] = False,
) -> None:
    """Import a portfolio file into a workspace: all of it, or nothing."""

    def go() -> None:
        # What the file states, checked by the import against the workspace: a merge
        # keeps what the file leaves out and may name the workspace's initiatives.
        stated = _file_data(file)
        with unit_of_work(create=True) as uow:
            result = services.import_portfolio(
                uow,
                actor=OPERATOR,
                team_id=team,
                portfolio=stated,
                mode="merge" if merge else "replace",
            )
        out.print(f"Imported {file} into {team}: {_summary(result)}.")

    run(go)


def export_portfolio(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write (.yaml/.json)")],
    team: Team = DEFAULT_TEAM,
) -> None:
    """Write a workspace's settings and initiatives as a portfolio file."""

    def go() -> None:
        with unit_of_work() as uow:
            portfolio = services.export_portfolio(uow, team_id=team)
        fmt = "json" if out_file.suffix.lower() == ".json" else "yaml"
        try:
            out_file.write_text(dump_portfolio(portfolio, fmt=fmt), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {out_file} (--out): {_os_reason(exc, out_file)}")
        out.print(f"Wrote {len(portfolio.initiatives)} initiatives to {out_file}.")

    run(go)


def list_(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    team: Team = DEFAULT_TEAM,
    fmt: FormatOption = Format.table,
) -> None:
    """List a workspace's initiatives."""

    def go() -> None:
        with unit_of_work() as uow:
            rows = services.list_initiatives(uow, team_id=team, status=status)
        if fmt is Format.json:
            write_json({"team": team, "initiatives": [initiative_json(v) for v in rows]})
            return
        if not rows:
            out.print(
                f"No initiatives{f' with status {status}' if status else ''} in {team}. "
                "Try `townhall demo`."
            )
            return
        out.print(initiatives_table(rows, title=f"Initiatives in {team}"))

    run(go)


def show(key: str, team: Team = DEFAULT_TEAM, fmt: FormatOption = Format.table) -> None:
    """Show every field of one initiative."""

    def go() -> None:
        with unit_of_work() as uow:
            view = services.get_initiative(uow, team_id=team, key=key)
        if fmt is Format.json:
            write_json(initiative_json(view))
            return
        out.print(fields_table(_pairs(view), title=f"{view.key}: {view.title}"))

    run(go)


def initiative_json(view: Any) -> dict[str, Any]:
    """An initiative in `list`/`show --format json`: every field of the portfolio file's
    initiative (`InitiativeSpec`, defaults included; phases as indices from 0), then
    `version`, `created_at`, `updated_at` (ISO 8601, UTC) and `updated_by`."""
    spec = view.spec
    data = {f.name: _plain(getattr(spec, f.name)) for f in fields(spec)}
    return {
        **data,
        "version": view.version,
        "created_at": iso_utc(view.created_at),
        "updated_at": iso_utc(view.updated_at),
        "updated_by": view.updated_by,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return dict(value)
    return value


def _pairs(view: Any) -> list[tuple[str, Any]]:
    spec = view.spec
    pairs = [(f.name, getattr(spec, f.name)) for f in fields(spec)]
    return [
        *pairs,
        ("version", view.version),
        ("updated", f"{view.updated_at:%Y-%m-%d %H:%M} by {view.updated_by or '—'}"),
    ]


def _file_data(path: Path) -> Any:
    """The mapping a portfolio file (YAML, or JSON by its suffix) states, unchecked.

    The same reading as `planner.load_portfolio`, with its file guards (size, UTF-8,
    nesting, YAML aliases, repeated keys) but without its checks: the import checks
    the file together with the workspace it goes into.
    """
    return load_portfolio_data(path)


def _summary(result: Any) -> str:
    """What an import changed: initiatives by count, settings by section, and the
    security policy on its own (it is audited as a policy change)."""
    parts = [
        f"{len(getattr(result, name))} {name}"
        for name in ("created", "updated", "deleted", "unchanged")
        if getattr(result, name)
    ]
    sections = [s for s in result.settings_changed if s != "policy"]
    if sections:
        parts.append(f"settings changed: {', '.join(sections)}")
    if "policy" in result.settings_changed:
        parts.append("security policy changed")
    return ", ".join(parts) or "nothing to change"


def role_grant(user: str, role: str, team: Team = DEFAULT_TEAM) -> None:
    """Give USER (a Slack user id) ROLE in a workspace."""

    def go() -> None:
        with unit_of_work(create=True) as uow:
            services.grant_role(uow, actor=OPERATOR, team_id=team, user_id=user, role=role)
        out.print(f"{user} is now {role} in {team}.")

    run(go)


def role_revoke(user: str, role: str, team: Team = DEFAULT_TEAM) -> None:
    """Take ROLE away from USER in a workspace."""

    def go() -> None:
        with unit_of_work() as uow:
            services.revoke_role(uow, actor=OPERATOR, team_id=team, user_id=user, role=role)
        out.print(f"{user} is no longer {role} in {team}.")

    run(go)
