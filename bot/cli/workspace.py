"""`townhall jobs`, `townhall audit` and `townhall role list`: a workspace's background
jobs, audit trail and role grants, through the same use cases as `/roadmap jobs`,
`/roadmap audit` and `/roadmap role list` (`catalog.usecases.workspace`), as a table or
as JSON (shapes in the README, "Command line")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from bot.cli.common import (
    DEFAULT_TEAM,
    OPERATOR,
    Format,
    FormatOption,
    Team,
    iso_utc,
    out,
    run,
    uow_factory,
    write_json,
)
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases import workspace as usecases
from catalog.usecases.context import Context
from catalog.views import AuditView, JobView, RoleGrantView


def _context(team: str) -> Context:
    return Context(actor=OPERATOR, team_id=team, uow_factory=uow_factory())


def _shown(value: dt.datetime | None) -> str:
    return "—" if value is None else f"{value:%m-%d %H:%M}"


def jobs(team: Team = DEFAULT_TEAM, fmt: FormatOption = Format.table) -> None:
    """List the workspace's recent jobs and their state.

    Plans, what-ifs, explanations and exports run as jobs, newest first."""

    def go() -> None:
        found = usecases.jobs(c.Jobs(), _context(team)).jobs
        if fmt is Format.json:
            write_json({"team": team, "jobs": [job_json(j) for j in found]})
            return
        if not found:
            out.print(f"No jobs in {team} yet: `townhall plan` or /roadmap plan starts one.")
            return
        table = Table(title=f"Jobs in {team}", title_justify="left", box=box.SIMPLE_HEAD)
        for col in ("id", "created", "kind", "status", "tries", "by", "title"):
            table.add_column(col, no_wrap=col not in ("title", "by"))
        for j in found:
            table.add_row(
                j.id[:8],
                _shown(j.created_at),
                j.kind,
                j.status,
                f"{j.attempts}/{j.max_attempts}",
                j.requested_by,
                j.title + (f" ({j.error})" if j.error else ""),
            )
        out.print(table)

    run(go)


def job_json(job: JobView) -> dict[str, Any]:
    """One job in `townhall jobs --format json`."""
    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "requested_by": job.requested_by,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
        "roadmap_id": job.result_roadmap_id,
        "error": job.error,
    }


def audit(
    key: Annotated[
        str | None, typer.Argument(help="Only this initiative's entries (default: all).")
    ] = None,
    team: Team = DEFAULT_TEAM,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the audit trail: who changed what, and when.

    The workspace's newest entries, or one initiative's (PMO and admins)."""

    def go() -> None:
        trail = usecases.audit(c.Audit(key=key), _context(team))
        if fmt is Format.json:
            write_json(
                {"team": team, "key": key, "entries": [audit_json(e) for e in trail.entries]}
            )
            return
        if not trail.entries:
            out.print(f"No audit entries{f' for {key}' if key else ''} in {team}.")
            return
        title = f"Audit trail of {key} in {team}" if key else f"Audit trail of {team}"
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for col in ("at", "actor", "action", "key", "note"):
            table.add_column(col, no_wrap=col in ("at", "action"))
        for e in trail.entries:
            table.add_row(_shown(e.at), e.actor, e.action, e.key or "—", e.note)
        out.print(table)

    run(go)


def audit_json(entry: AuditView) -> dict[str, Any]:
    """One entry in `townhall audit --format json`."""
    return {
        "id": entry.id,
        "at": iso_utc(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "key": entry.key,
        "before": entry.before,
        "after": entry.after,
        "note": entry.note,
    }


def role_list(
    user: Annotated[str | None, typer.Argument(help="Only this user's roles.")] = None,
    team: Team = DEFAULT_TEAM,
    fmt: FormatOption = Format.table,
) -> None:
    """List who holds which role (every user is at least a member)."""

    def go() -> None:
        found = usecases.role(c.Role(action="list", user_id=user), _context(team))
        assert isinstance(found, r.RoleList)
        if fmt is Format.json:
            write_json({"team": team, "roles": [role_json(g) for g in found.grants]})
            return
        if not found.grants:
            who = f"{user} holds no role" if user else "nobody holds a role"
            out.print(f"In {team}, {who} beyond member: `townhall role grant USER ROLE`.")
            return
        table = Table(title=f"Roles in {team}", title_justify="left", box=box.SIMPLE_HEAD)
        for col in ("user", "role", "granted by", "granted"):
            table.add_column(col, no_wrap=True)
        for g in found.grants:
            table.add_row(g.user_id, g.role, g.granted_by, _shown(g.granted_at))
        out.print(table)

    run(go)


def role_json(grant: RoleGrantView) -> dict[str, Any]:
    """One grant in `townhall role list --format json`."""
    return {
        "user": grant.user_id,
        "role": grant.role,
        "granted_by": grant.granted_by,
        "granted_at": iso_utc(grant.granted_at),
    }
