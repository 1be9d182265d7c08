"""Conversions between ORM rows, planner records and version 1 portfolio mappings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import fields
from typing import Any

from catalog.models import (
    AuditEntry,
    Initiative,
    JudgmentRecord,
    PlanningSettings,
    RoadmapRecord,
    RoleGrant,
)
from catalog.models import Driver as DriverRow
from catalog.models import Workspace as WorkspaceRow
from catalog.views import (
    AuditView,
    InitiativeView,
    RoadmapView,
    RoleGrantView,
    SettingsView,
    WorkspaceView,
)
from planner.drivers import Driver, Judgment, parse_ratio, ratio_text
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


def row_to_spec(row: Initiative, drivers: Collection[str]) -> InitiativeSpec:
    """The initiative as the portfolio states it; `drivers` are the workspace's active
    driver keys: scores for retired drivers stay in the row but are not part of it."""
    values = {name: getattr(row, _COLUMN.get(name, name)) for name in SPEC_FIELDS}
    values["uses"] = dict(values["uses"] or {})
    values["depends_on"] = tuple(values["depends_on"] or ())
    values["excludes"] = tuple(values["excludes"] or ())
    values["scores"] = {k: v for k, v in (values["scores"] or {}).items() if k in drivers}
    return InitiativeSpec(**values)


def apply_spec(row: Initiative, spec: InitiativeSpec, drivers: Collection[str]) -> None:
    """Copy every field of `spec` onto `row` (fresh containers, so JSON changes are seen).

    The scores of drivers that are not among the active `drivers` (retired ones) are
    kept: restoring a driver brings its scores back.
    """
    for name, value in spec_to_dict(spec).items():
        column = _COLUMN.get(name, name)
        if name == "scores":
            hidden = {k: v for k, v in (row.scores or {}).items() if k not in drivers}
            value = {**hidden, **value}
        if getattr(row, column, None) != value:
            setattr(row, column, value)


def initiative_view(row: Initiative, drivers: Collection[str]) -> InitiativeView:
    return InitiativeView(
        spec=row_to_spec(row, drivers),
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
        "objective": row.objective,
        "blend": row.blend,
    }


def settings_record(row: PlanningSettings) -> dict[str, Any]:
    """The settings as the audit trail records them: the portfolio sections, and the
    settings that are not part of a portfolio file (`stability`)."""
    return {**settings_to_dict(row), "stability": row.stability}


#: The settings sections of a portfolio file, in the order summaries name them.
SETTINGS_SECTIONS = ("name", "calendar", "budget", "capacity", "policy", "objective", "blend")
#: Sections that are one value, replaced whole (the others are mappings merged by field).
SCALAR_SECTIONS = ("name", "objective", "blend")


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
        elif section in SCALAR_SECTIONS:
            if change is None:  # back to the default
                merged.pop(section, None)
            else:
                merged[section] = change
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
        "objective": portfolio.objective,
        "blend": portfolio.blend,
    }
    for column, value in values.items():
        if getattr(row, column, None) != value:
            setattr(row, column, value)


def settings_view(row: PlanningSettings) -> SettingsView:
    # the objective is checked against the drivers when it is written; here only the
    # sections that stand alone are read back through the portfolio rules
    sections = {k: v for k, v in settings_to_dict(row).items() if k not in ("objective", "blend")}
    portfolio = parse_portfolio({**sections, "initiatives": []})
    return SettingsView(
        name=portfolio.name,
        calendar=portfolio.calendar,
        budget=portfolio.budget,
        capacity=portfolio.capacity,
        policy=portfolio.policy,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        objective=row.objective,
        blend=row.blend,
        stability=row.stability,
    )


def driver_of(row: DriverRow) -> Driver:
    return Driver(key=row.key, name=row.name, description=row.description or "")


def driver_to_dict(row: DriverRow) -> dict[str, Any]:
    """A driver in portfolio-file form (no description when it has none)."""
    data: dict[str, Any] = {"key": row.key, "name": row.name}
    if row.description:
        data["description"] = row.description
    return data


def judgment_of(row: JudgmentRecord) -> Judgment:
    return Judgment(by=row.user_id, a=row.a, b=row.b, ratio=parse_ratio(row.ratio))


def stored_pair(a: str, b: str, ratio: Any) -> tuple[str, str, str]:
    """A judgment as the database keeps it: the pair in key order (a < b), the ratio as
    text ("3", "1/3") turned over when the pair was."""
    value = parse_ratio(ratio)
    if a > b:
        return b, a, ratio_text(1 / value)
    return a, b, ratio_text(value)


def judgment_to_dict(row: JudgmentRecord, order: Mapping[str, int]) -> dict[str, Any]:
    """A judgment in portfolio-file form, its pair in the drivers' order (`order`: key →
    position), as the judgment form asks it."""
    a, b, ratio = row.a, row.b, row.ratio
    if order.get(a, 0) > order.get(b, 0):
        a, b, ratio = b, a, ratio_text(1 / parse_ratio(ratio))
    value = parse_ratio(ratio)
    return {
        "by": row.user_id,
        "a": a,
        "b": b,
        "ratio": value.numerator if value.denominator == 1 else ratio,
    }


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
