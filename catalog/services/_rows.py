"""Conversions between ORM rows, planner records and version 1 portfolio mappings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from catalog.models import AuditEntry, Initiative, PlanningSettings, RoadmapRecord, RoleGrant
from catalog.models import Workspace as WorkspaceRow
from catalog.views import (
    AuditView,
    InitiativeView,
    RoadmapView,
    RoleGrantView,
    SettingsView,
    WorkspaceView,
)
from planner.portfolio import InitiativeSpec, Portfolio, parse_portfolio
from planner.roadmap import roadmap_from_dict

SPEC_FIELDS = tuple(f.name for f in fields(InitiativeSpec))
#: Spec fields kept in columns of another name.
_COLUMN = {"data": "data_class"}


def plain(value: Any) -> Any:
    """Tuples to lists and mappings to dicts, recursively: what JSON and YAML hold."""
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


def spec_to_dict(spec: InitiativeSpec) -> dict[str, Any]:
    """Every field of an initiative, defaults included, in portfolio-file form."""
    return {name: plain(getattr(spec, name)) for name in SPEC_FIELDS}


def row_to_spec(row: Initiative) -> InitiativeSpec:
    values = {name: getattr(row, _COLUMN.get(name, name)) for name in SPEC_FIELDS}
    values["uses"] = dict(values["uses"] or {})
    values["depends_on"] = tuple(values["depends_on"] or ())
    values["excludes"] = tuple(values["excludes"] or ())
    return InitiativeSpec(**values)


def apply_spec(row: Initiative, spec: InitiativeSpec) -> None:
    """Copy every field of `spec` onto `row` (fresh containers, so JSON changes are seen)."""
    for name, value in spec_to_dict(spec).items():
        column = _COLUMN.get(name, name)
        if getattr(row, column, None) != value:
            setattr(row, column, value)


def initiative_view(row: Initiative) -> InitiativeView:
    return InitiativeView(
        spec=row_to_spec(row),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def settings_to_dict(row: PlanningSettings) -> dict[str, Any]:
    """The settings sections of a version 1 portfolio (no initiatives)."""
    calendar: dict[str, Any] = {
        "start": row.calendar_start.isoformat(),
        "phase": row.phase_kind,
        "phases": row.phases,
        "fiscal_year_start": row.fiscal_year_start,
    }
    if row.tollgates is not None:
        calendar["tollgates"] = plain(row.tollgates)
    if row.freeze:
        calendar["freeze"] = plain(row.freeze)
    budget: dict[str, Any] = {}
    if row.budget_per_phase is not None:
        budget["per_phase"] = plain(row.budget_per_phase)
    if row.budget_total is not None:
        budget["total"] = row.budget_total
    return {
        "version": 1,
        "name": row.name,
        "calendar": calendar,
        "budget": budget,
        "capacity": plain(row.capacity or {}),
        "policy": {
            "review": plain(row.policy_review or []),
            "forbid": plain(row.policy_forbid or []),
        },
    }


#: The settings sections of a portfolio file, in the order summaries name them.
SETTINGS_SECTIONS = ("name", "calendar", "budget", "capacity", "policy")


def merge_settings(
    current: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Settings sections with `changes` applied field by field, and the problems found.

    `current` and `changes` hold portfolio-file sections (`settings_to_dict` form). A
    section `changes` does not name keeps its value; inside a named section, only the
    fields it names change and None removes one (a whole section None: back to none or
    unlimited; the calendar cannot be removed). `name` is replaced. The result is not
    checked: the portfolio rules do that.
    """
    merged = {name: (dict(v) if isinstance(v, Mapping) else v) for name, v in current.items()}
    problems: dict[str, str] = {}
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
            part = merged.get(section)
            part = dict(part) if isinstance(part, Mapping) else {}
            for name, value in change.items():
                if value is None:
                    part.pop(name, None)
                else:
                    part[name] = value
            merged[section] = part
    return merged, problems


def portfolio_settings(portfolio: Portfolio) -> dict[str, Any]:
    """A portfolio's settings in `settings_to_dict` form, to compare with a workspace's."""
    row = PlanningSettings()  # transient: never added to a session
    apply_settings(row, portfolio)
    return settings_to_dict(row)


def changed_sections(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The settings sections that differ between two `settings_to_dict` mappings."""
    return tuple(s for s in SETTINGS_SECTIONS if before.get(s) != after.get(s))


def apply_settings(row: PlanningSettings, portfolio: Portfolio) -> None:
    """Copy a portfolio's settings sections onto the workspace's settings row."""
    cal = portfolio.calendar
    values: dict[str, Any] = {
        "name": portfolio.name,
        "calendar_start": cal.start,
        "phase_kind": cal.phase,
        "phases": cal.phases,
        "tollgates": plain(cal.tollgates),
        "freeze": plain(cal.freeze),
        "fiscal_year_start": cal.fiscal_year_start,
        "budget_per_phase": plain(portfolio.budget.per_phase),
        "budget_total": portfolio.budget.total,
        "capacity": plain(portfolio.capacity),
        "policy_review": plain(portfolio.policy.review),
        "policy_forbid": plain(portfolio.policy.forbid),
    }
    for column, value in values.items():
        if getattr(row, column, None) != value:
            setattr(row, column, value)


def settings_view(row: PlanningSettings) -> SettingsView:
    portfolio = parse_portfolio({**settings_to_dict(row), "initiatives": []})
    return SettingsView(
        name=portfolio.name,
        calendar=portfolio.calendar,
        budget=portfolio.budget,
        capacity=portfolio.capacity,
        policy=portfolio.policy,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def workspace_view(row: WorkspaceRow) -> WorkspaceView:
    return WorkspaceView(team_id=row.team_id, name=row.name, created_at=row.created_at)


def grant_view(row: RoleGrant) -> RoleGrantView:
    return RoleGrantView(
        user_id=row.user_id, role=row.role, granted_by=row.granted_by, granted_at=row.granted_at
    )


def audit_view(row: AuditEntry) -> AuditView:
    return AuditView(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        key=row.entity_key,
        before=row.before,
        after=row.after,
        note=row.note,
    )


def roadmap_view(row: RoadmapRecord) -> RoadmapView:
    return RoadmapView(
        id=row.id,
        kind=row.kind,
        created_by=row.created_by,
        created_at=row.created_at,
        status=row.status,
        objective=row.objective,
        published=row.published,
        published_at=row.published_at,
        published_by=row.published_by,
        roadmap=roadmap_from_dict(row.document),
        portfolio=parse_portfolio(row.portfolio) if row.portfolio is not None else None,
    )
