"""Planning settings: who may change them and the portfolio rules they must keep."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import services
from catalog.errors import PermissionDenied, StaleVersion, ValidationFailed
from tests.catalog.conftest import audit_count


def update(uow, team, actor, changes, **kw):
    with uow() as u:
        return services.update_settings(u, actor=actor, team_id=team.id, changes=changes, **kw)


def current_version(uow, team):
    with uow() as u:
        return services.get_settings(u, team_id=team.id).version


def test_settings_read_back_in_portfolio_types(uow, team):
    with uow() as u:
        settings = services.get_settings(u, team_id=team.id)
    assert settings.name == "Small portfolio"
    assert settings.calendar.start == dt.date(2027, 1, 1)
    assert settings.calendar.tollgates == (0, 2)
    assert settings.calendar.freeze == (3,)
    assert settings.budget.per_phase == 100000
    assert settings.budget.total == 350000
    assert settings.capacity == {"integration": 4, "security_reviews": (1, 1, 2, 2)}
    assert settings.policy.review == ("saas_personal_data",)
    assert settings.version == 2  # created with the workspace, then set by the import
    assert settings.updated_by == "operator"


@pytest.mark.parametrize("who", ["pmo", "admin"])
def test_pmo_or_admin_change_budget_calendar_capacity(uow, team, who):
    version = current_version(uow, team)
    view = update(
        uow,
        team,
        getattr(team, who),
        {
            "budget": {"per_phase": [90000, 90000, 120000, 120000], "total": None},
            "capacity": {"agile_teams": 2},
            "calendar": {"tollgates": "FREQ=MONTHLY;INTERVAL=6"},
            "name": "FY27 plan",
        },
    )
    assert view.budget.per_phase == (90000, 90000, 120000, 120000)
    assert view.budget.total is None
    assert view.capacity == {
        "integration": 4,
        "security_reviews": (1, 1, 2, 2),
        "agile_teams": 2,
    }
    assert view.calendar.tollgates == "FREQ=MONTHLY;INTERVAL=6"
    assert view.name == "FY27 plan"
    assert view.version == version + 1
    assert view.updated_by == getattr(team, who).user_id
    with uow() as u:
        entry = services.audit_trail(u, actor=team.pmo, team_id=team.id, limit=1)[0]
    assert entry.action == "settings.update"
    assert entry.before["budget"] == {"per_phase": 100000, "total": 350000}
    assert entry.after["budget"] == {"per_phase": [90000, 90000, 120000, 120000]}
    assert "policy" not in entry.after


@pytest.mark.parametrize("who", ["member", "approver", "security"])
def test_others_may_not_change_budgets(uow, team, who):
    with pytest.raises(PermissionDenied, match="pmo or admin"):
        update(uow, team, getattr(team, who), {"budget": {"per_phase": 1}})


@pytest.mark.parametrize("who", ["security", "admin"])
def test_security_or_admin_change_the_policy(uow, team, who):
    view = update(uow, team, getattr(team, who), {"policy": {"forbid": ["restricted"]}})
    assert view.policy.forbid == ("restricted",)
    assert view.policy.review == ("saas_personal_data",)


@pytest.mark.parametrize("who", ["pmo", "approver", "member"])
def test_others_may_not_change_the_policy(uow, team, who):
    with pytest.raises(PermissionDenied, match="security or admin"):
        update(uow, team, getattr(team, who), {"policy": {"forbid": []}})


def test_a_whole_section_can_be_cleared(uow, team):
    view = update(uow, team, team.admin, {"budget": None, "capacity": None})
    assert view.budget.per_phase is None and view.budget.total is None
    assert view.capacity == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget": {"per_phase": [1, 2, 3]}}, "budget.per_phase", "a list of 3"),
        ({"budget": {"per_phase": -1}}, "budget.per_phase", "≥ 0"),
        ({"capacity": {"integration": [1, 2]}}, "capacity.integration", "list of 4 numbers"),
        ({"calendar": {"phase": "fortnight"}}, "calendar.phase", "quarter, month, sprint"),
        ({"calendar": {"freeze": [9]}}, "calendar.freeze", "below 4"),
        ({"calendar": {"start": "soon"}}, "calendar.start", "a date like"),
        ({"calendar": {"colour": 1}}, "calendar", "unknown field 'colour'"),
        ({"policy": {"forbid": ["cloudy"]}}, "policy.forbid", "got 'cloudy'"),
        ({"calendar": None}, "calendar", "cannot be removed"),
        ({"budget": 5}, "budget", "mapping"),
        ({"initiatives": []}, "initiatives", "not a settings section"),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(uow, team, changes, field, message):
    before = audit_count(uow), current_version(uow, team)
    with pytest.raises(ValidationFailed) as info:
        update(uow, team, team.admin, changes)
    assert field in info.value.fields, info.value.fields
    assert message in info.value.fields[field]
    assert (audit_count(uow), current_version(uow, team)) == before


def test_settings_must_still_fit_the_initiatives(uow, team):
    """A horizon shorter than an initiative's duration is refused, naming the initiative."""
    with pytest.raises(ValidationFailed) as info:
        update(uow, team, team.pmo, {"calendar": {"phases": 1}})
    assert (
        "initiative SSO: field 'duration': 2 phases is beyond the horizon of 1"
        in (info.value.fields["__all__"])
    )


def test_settings_have_optimistic_locking(uow, team):
    version = current_version(uow, team)
    update(uow, team, team.pmo, {"budget": {"per_phase": 1000}}, version=version)
    with pytest.raises(StaleVersion, match="changed by U-PMO"):
        update(uow, team, team.admin, {"budget": {"per_phase": 2000}}, version=version)


def test_no_change_writes_nothing(uow, team):
    before = audit_count(uow), current_version(uow, team)
    view = update(uow, team, team.pmo, {"budget": {"per_phase": 100000}})
    assert (audit_count(uow), view.version) == before
