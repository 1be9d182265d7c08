"""A workspace's planning settings: calendar, budget, capacities and security policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.domain import ADMIN, PMO, SECURITY, Actor
from catalog.errors import StaleVersion, ValidationFailed
from catalog.services._access import check_workspace, require_role
from catalog.services._audit import audit, changed_fields
from catalog.services._lookup import portfolio_mapping, settings_row, workspace_for, workspace_row
from catalog.services._problems import parse_or_fail
from catalog.services._rows import apply_settings, settings_to_dict, settings_view
from catalog.uow import UnitOfWork
from catalog.views import SettingsView

#: Sections of the settings and the roles that may change each.
SECTION_ROLES: dict[str, tuple[str, ...]] = {
    "name": (PMO, ADMIN),
    "calendar": (PMO, ADMIN),
    "budget": (PMO, ADMIN),
    "capacity": (PMO, ADMIN),
    "policy": (SECURITY, ADMIN),
}


def get_settings(uow: UnitOfWork, *, team_id: str) -> SettingsView:
    ws = workspace_row(uow, team_id)
    return settings_view(settings_row(uow, ws))


def _merge(current: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply changes section by section; inside a section, None removes a key."""
    merged = {name: (dict(v) if isinstance(v, dict) else v) for name, v in current.items()}
    problems = {}
    for section, change in changes.items():
        if section == "name":
            merged["name"] = change
        elif change is None:
            if section == "calendar":
                problems["calendar"] = "the calendar cannot be removed"
            else:
                merged[section] = {}
        elif not isinstance(change, Mapping):
            problems[section] = f"expected a mapping of {section} fields"
        else:
            part = merged[section]
            for name, value in change.items():
                if value is None:
                    part.pop(name, None)
                else:
                    part[name] = value
    if problems:
        raise ValidationFailed(problems)
    return merged


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
    removes a field (a whole section: back to unlimited / none). The calendar, budget and
    capacity are the PMO's (or an admin's); the security policy is the security officer's.
    The result is checked with the portfolio rules against every initiative.
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
    before = settings_to_dict(row)
    merged = _merge({k: v for k, v in data.items() if k in SECTION_ROLES}, changes)
    portfolio = parse_or_fail({**data, **merged})
    apply_settings(row, portfolio)
    old, new = changed_fields(before, settings_to_dict(row))
    if not new:
        return settings_view(row)
    row.updated_by = str(actor)
    audit(uow, ws, actor, action="settings.update", entity="settings", before=old, after=new)
    uow.commit()
    return settings_view(row)
