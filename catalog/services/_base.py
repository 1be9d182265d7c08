"""What every service shares: finding the workspace, checking roles, writing audit entries,
and validating through the portfolio rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select

from catalog.domain import MEMBER, Actor
from catalog.errors import NotFound, PermissionDenied, ValidationFailed
from catalog.models import AuditEntry, Initiative, PlanningSettings, RoleGrant
from catalog.models import Workspace as WorkspaceRow
from catalog.services._rows import row_to_spec, settings_to_dict, spec_to_dict
from catalog.uow import UnitOfWork
from planner.errors import PortfolioError
from planner.portfolio import Portfolio, parse_portfolio

ALL = "__all__"


#: Who creates workspaces and their default settings in the audit trail.
SYSTEM = Actor.operator("townhall")
DEFAULT_PHASES = 8


def find_workspace(uow: UnitOfWork, team_id: str) -> WorkspaceRow | None:
    return uow.session.scalar(select(WorkspaceRow).where(WorkspaceRow.team_id == team_id))


def workspace_row(uow: UnitOfWork, team_id: str) -> WorkspaceRow:
    row = find_workspace(uow, team_id)
    if row is None:
        raise NotFound("workspace", team_id)
    return row


def workspace_for(uow: UnitOfWork, team_id: str, actor: Actor) -> WorkspaceRow:
    """The workspace a write goes to; the operator's writes set up a missing one."""
    row = find_workspace(uow, team_id)
    if row is None:
        if not actor.is_operator:
            raise NotFound("workspace", team_id)
        row = create_workspace(uow, team_id=team_id)
    return row


def default_start(today: dt.date) -> dt.date:
    """The first day of the quarter after `today`: where a new workspace's calendar begins."""
    month = (today.month - 1) // 3 * 3 + 4
    return dt.date(today.year + (month > 12), (month - 1) % 12 + 1, 1)


def create_workspace(uow: UnitOfWork, *, team_id: str, name: str | None = None) -> WorkspaceRow:
    """Add a workspace and its default planning settings to the transaction (no commit)."""
    row = WorkspaceRow(team_id=team_id, name=name or team_id)
    uow.session.add(row)
    uow.session.flush()
    settings = PlanningSettings(
        workspace_id=row.id,
        name=name or "Portfolio",
        calendar_start=default_start(dt.datetime.now(dt.UTC).date()),
        phase_kind="quarter",
        phases=DEFAULT_PHASES,
        tollgates=None,
        freeze=[],
        fiscal_year_start=1,
        budget_per_phase=None,
        budget_total=None,
        capacity={},
        policy_review=[],
        policy_forbid=[],
        updated_by=str(SYSTEM),
    )
    uow.session.add(settings)
    uow.session.flush()
    audit(uow, row, SYSTEM, action="workspace.create", entity="workspace", key=team_id)
    audit(
        uow,
        row,
        SYSTEM,
        action="settings.create",
        entity="settings",
        after=settings_to_dict(settings),
    )
    return row


def settings_row(uow: UnitOfWork, ws: WorkspaceRow) -> PlanningSettings:
    row = uow.session.get(PlanningSettings, ws.id)
    if row is None:  # ensure_workspace always writes one; only a damaged database lacks it
        raise NotFound("planning settings for workspace", ws.team_id)
    return row


def initiative_rows(uow: UnitOfWork, ws: WorkspaceRow) -> list[Initiative]:
    query = (
        select(Initiative)
        .where(Initiative.workspace_id == ws.id)
        .order_by(Initiative.position, Initiative.id)
    )
    return list(uow.session.scalars(query))


def normal_key(key: str) -> str:
    return key.strip().upper()


def initiative_row(uow: UnitOfWork, ws: WorkspaceRow, key: str) -> Initiative:
    query = select(Initiative).where(
        Initiative.workspace_id == ws.id, Initiative.key == normal_key(key)
    )
    row = uow.session.scalar(query)
    if row is None:
        raise NotFound("initiative", normal_key(key))
    return row


def next_position(uow: UnitOfWork, ws: WorkspaceRow) -> int:
    query = select(func.max(Initiative.position)).where(Initiative.workspace_id == ws.id)
    top = uow.session.scalar(query)
    return 0 if top is None else top + 1


# --------------------------------------------------------------------------- authorization


def roles_of_user(uow: UnitOfWork, ws: WorkspaceRow, user_id: str) -> frozenset[str]:
    query = select(RoleGrant.role).where(
        RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id
    )
    return frozenset(uow.session.scalars(query)) | {MEMBER}


def check_workspace(actor: Actor, ws: WorkspaceRow, action: str) -> None:
    """Refuse an actor of another workspace."""
    if not actor.acts_in(ws.team_id):
        raise PermissionDenied(action, detail="you belong to another workspace")


def has_role(uow: UnitOfWork, ws: WorkspaceRow, actor: Actor, roles: Iterable[str]) -> bool:
    if actor.is_operator:
        return True
    if not actor.acts_in(ws.team_id):
        return False
    return bool(roles_of_user(uow, ws, actor.user_id) & set(roles))


def require_role(
    uow: UnitOfWork, ws: WorkspaceRow, actor: Actor, roles: tuple[str, ...], action: str
) -> None:
    check_workspace(actor, ws, action)
    if not has_role(uow, ws, actor, roles):
        raise PermissionDenied(action, roles=roles)


# --------------------------------------------------------------------------- audit


def audit(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    actor: Actor,
    *,
    action: str,
    entity: str,
    key: str | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> None:
    """Add an audit entry to the current transaction (it commits or rolls back with it)."""
    uow.session.add(
        AuditEntry(
            workspace_id=ws.id,
            actor=str(actor),
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
            note=note,
        )
    )


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The parts of two flat mappings that differ, as (before, after)."""
    names = [k for k in after if before.get(k) != after.get(k)]
    names += [k for k in before if k not in after]
    return {k: before.get(k) for k in names}, {k: after.get(k) for k in names}


# --------------------------------------------------------------------------- validation


def portfolio_mapping(uow: UnitOfWork, ws: WorkspaceRow) -> dict[str, Any]:
    """The workspace as a version 1 portfolio mapping: settings plus every initiative."""
    data = settings_to_dict(settings_row(uow, ws))
    data["initiatives"] = [spec_to_dict(row_to_spec(r)) for r in initiative_rows(uow, ws)]
    return data


def parse_or_fail(data: Mapping[str, Any], *, subjects: Iterable[str] = ()) -> Portfolio:
    """Parse a portfolio mapping; turn its problems into ValidationFailed fields.

    `subjects` name the initiative being written (its key and its `#n` label): problems
    about it map to its fields; section problems map to `calendar.phases` and the like;
    the rest go under `"__all__"`.
    """
    try:
        return parse_portfolio(dict(data))
    except PortfolioError as exc:
        raise ValidationFailed(problem_fields(exc.problems, subjects=subjects)) from exc


_INITIATIVE = re.compile(r"^initiative (?P<who>[^:]+): (?P<rest>.*)$", re.DOTALL)
_FIELD = re.compile(
    r"^(?:unknown )?field '(?P<field>[^'.]+)(?:\.[^']*)?'(?::\s*|\s+)?(?P<rest>.*)$", re.DOTALL
)
_SECTION = re.compile(r"^(?P<field>(?:calendar|budget|capacity|policy)(?:\.[a-z_]+)?)")
_CYCLE = re.compile(r"^dependency cycle: (?P<path>.*?) \(")


def problem_fields(problems: Iterable[str], *, subjects: Iterable[str] = ()) -> dict[str, str]:
    """Map portfolio problems to field → message (several on one field are joined)."""
    names = set(subjects)
    out: dict[str, list[str]] = {}
    for problem in problems:
        name, text = _problem_field(problem, names)
        out.setdefault(name, []).append(text)
    return {name: "; ".join(texts) for name, texts in out.items()}


def _problem_field(problem: str, subjects: set[str]) -> tuple[str, str]:
    cycle = _CYCLE.match(problem)
    if cycle:
        keys = set(cycle["path"].split(" → "))
        return ("depends_on" if keys & subjects else ALL), problem
    m = _INITIATIVE.match(problem)
    if m:
        if m["who"] not in subjects:
            return ALL, problem
        rest = m["rest"]
        if rest.startswith("duplicate key"):
            return "key", f"{m['who']} is already taken by another initiative"
        f = _FIELD.match(rest)
        if f:
            if rest.startswith("unknown field"):
                return f["field"], "is not a field of an initiative"
            return f["field"], f["rest"] or rest
        return ALL, problem
    s = _SECTION.match(problem)
    if s:
        return s["field"], problem.removeprefix(s["field"]).lstrip(": ") or problem
    return ALL, problem
