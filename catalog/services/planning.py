"""A workspace's planning settings: calendar, budget, capacities and security policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.domain import ADMIN, PMO, SECURITY, Actor
from catalog.errors import StaleVersion, ValidationFailed
from catalog.models import PlanningSettings
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import check_workspace, require_role
from catalog.services._audit import audit, changed_fields
from catalog.services._lookup import portfolio_mapping, settings_row, workspace_for, workspace_row
from catalog.services._problems import parse_or_fail
from catalog.services._rows import (
    apply_settings,
    merge_settings,
    settings_record,
    settings_view,
)
from catalog.uow import UnitOfWork
from catalog.views import SettingsView
from planner.errors import ScenarioError
from planner.stability import DEFAULT_STABILITY, parse_stability

#: Who owns the security policy; a change to it is audited under its own action.
POLICY_ROLES = (SECURITY, ADMIN)

#: Sections of the settings and the roles that may change each.
SECTION_ROLES: dict[str, tuple[str, ...]] = {
    "name": (PMO, ADMIN),
    "calendar": (PMO, ADMIN),
    "budget": (PMO, ADMIN),
    "capacity": (PMO, ADMIN),
    "policy": POLICY_ROLES,
    "objective": (PMO, ADMIN),
    "blend": (PMO, ADMIN),
    "stability": (PMO, ADMIN),
}
#: Settings kept beside the portfolio's sections, not in a portfolio file.
OWN_SETTINGS = ("stability",)


def get_settings(uow: UnitOfWork, *, team_id: str) -> SettingsView:
    ws = workspace_row(uow, team_id)
    return settings_view(settings_row(uow, ws))


def update_settings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    changes: Mapping[str, Any],
    version: int | None = None,
) -> SettingsView:
    """Change planning settings; `changes` holds portfolio-file sections to merge.

    E.g. `{"budget": {"per_phase": 300000}, "capacity": {"integration": 6}}`; a None value
    removes a field (a whole section: back to unlimited / none). `objective` (value,
    strategic, blend), `blend` (the strategic term's weight) and `stability` (low, normal,
    high, off) are single values; None puts one back to its default. The calendar,
    budget, capacity and objective are the PMO's (or an admin's); the security policy is
    the security officer's. The result is checked with the portfolio rules against every
    initiative.
    """
    ws = workspace_for(uow, team_id, actor)
    check_workspace(actor, ws, "change the planning settings")
    unknown = [s for s in changes if s not in SECTION_ROLES]
    if unknown:
        raise ValidationFailed(
            {s: f"not a settings section (known: {', '.join(SECTION_ROLES)})" for s in unknown}
        )
    for section in changes:
        require_role(uow, ws, actor, SECTION_ROLES[section], f"change the {section} settings")
    row = settings_row(uow, ws)
    if version is not None and version != row.version:
        raise StaleVersion(
            "the planning settings",
            expected=version,
            current=row.version,
            changed_by=row.updated_by,
        )
    data = portfolio_mapping(uow, ws)
    before = settings_record(row)
    own = {k: changes[k] for k in OWN_SETTINGS if k in changes}
    merged, problems = merge_settings(
        {k: v for k, v in data.items() if k in SECTION_ROLES},
        {k: v for k, v in changes.items() if k not in OWN_SETTINGS},
    )
    stability = _stability(own.get("stability", row.stability), problems)
    if problems:
        raise ValidationFailed(problems)
    rest = {k: v for k, v in data.items() if k not in SECTION_ROLES}
    portfolio = parse_or_fail({**rest, **merged})
    apply_settings(row, portfolio)
    if stability != row.stability:
        row.stability = stability
    if not audit_settings_change(uow, ws, actor, row, before, how="update"):
        return settings_view(row)
    uow.commit()
    return settings_view(row)


def _stability(value: Any, problems: dict[str, str]) -> str:
    """A stability level (None: the default), or a problem recorded under `stability`."""
    if value is None:
        return DEFAULT_STABILITY
    try:
        return parse_stability(value)
    except ScenarioError as exc:
        problems["stability"] = str(exc)
        return DEFAULT_STABILITY


def audit_settings_change(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    actor: Actor,
    row: PlanningSettings,
    before: Mapping[str, Any],
    *,
    how: str,
) -> bool:
    """Record a change of the settings row (already applied) against `before`.

    The security policy has an audit action of its own (`policy.update`, `policy.import`),
    so that a change to it is never hidden among budget and calendar changes; the other
    sections go under `settings.update` / `settings.import`. Returns whether anything
    changed.
    """
    old, new = changed_fields(before, settings_record(row))
    if not new:
        return False
    row.updated_by = str(actor)
    policy_old, policy_new = old.pop("policy", None), new.pop("policy", None)
    if new:
        audit(uow, ws, actor, action=f"settings.{how}", entity="settings", before=old, after=new)
    if policy_old != policy_new:
        audit(
            uow,
            ws,
            actor,
            action=f"policy.{how}",
            entity="policy",
            before=policy_old,
            after=policy_new,
        )
    return True
