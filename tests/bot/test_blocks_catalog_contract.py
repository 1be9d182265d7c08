"""What the modals read is what the catalog services take, and what the catalog refuses
lands on a block of the modal (against the real services and test database)."""

from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.blocks.initiative_modal import (
    initiative_errors_for,
    initiative_modal,
    read_initiative_submission,
)
from bot.blocks.settings_modal import (
    read_settings_submission,
    settings_errors_for,
    settings_modal,
)
from catalog import services
from catalog.domain import Actor
from catalog.errors import ValidationFailed
from planner.calendar import phases_of
from tests.bot.blocks_support import chosen, chosen_many, submitted, typed

TEAM = "T-BLOCKS"
IB = ids.INITIATIVE_BLOCKS
SB = ids.SETTINGS_BLOCKS
MEMBER = Actor.user(team_id=TEAM, user_id="U0MEMBER")
PMO = Actor.user(team_id=TEAM, user_id="U0PMO")


@pytest.fixture
def workspace(uow):
    with uow() as u:
        services.ensure_workspace(u, team_id=TEAM, name="Blocks")
        services.load_demo(u, actor=Actor.operator(), team_id=TEAM)
        services.grant_role(
            u, actor=Actor.operator(), team_id=TEAM, user_id=PMO.user_id, role="pmo"
        )
    return uow


def _modal(uow, view=None):
    with uow() as u:
        keys = {v.key: v.title for v in services.list_initiatives(u, team_id=TEAM)}
        settings = services.get_settings(u, team_id=TEAM)
    return initiative_modal(
        view=view, private_metadata="", keys=keys, phases=phases_of(settings.calendar)
    )


def _block_ids(view):
    return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


def test_a_proposal_from_the_modal_is_accepted_then_edited(workspace):
    modal = _modal(workspace)
    state = submitted(
        modal,
        **{
            IB["title"]: typed("Employee advocacy <!channel> & more"),
            IB["category"]: typed("social"),
            IB["cadence"]: chosen("agile"),
            IB["duration"]: typed("2"),
            IB["capex"]: typed("120k"),
            IB["opex"]: typed("5k"),
            IB["value"]: typed("$30,000"),
            IB["hosting"]: chosen("saas"),
            IB["personal_data"]: chosen_many("yes"),
            IB["uses"]: typed("integration: 1"),
            IB["depends_on"]: chosen_many("SSO"),
            IB["deadline"]: chosen("7"),
        },
    )
    with workspace() as u:
        created = services.propose(
            u, actor=MEMBER, team_id=TEAM, fields=read_initiative_submission(state)
        )
    assert created.key == "SOC-1"
    assert created.spec.value == 30_000
    assert created.spec.depends_on == ("SSO",)
    assert created.spec.uses == {"integration": 1}

    edit = _modal(workspace, view=created)
    unchanged = read_initiative_submission(submitted(edit))
    with workspace() as u:
        same = services.edit(
            u,
            actor=MEMBER,
            team_id=TEAM,
            key=created.key,
            version=created.version,
            changes=unchanged,
        )
    assert same.version == created.version  # nothing changed, nothing written
    changed = read_initiative_submission(submitted(edit, **{IB["value"]: typed("45k")}))
    with workspace() as u:
        after = services.edit(
            u,
            actor=MEMBER,
            team_id=TEAM,
            key=created.key,
            version=created.version,
            changes=changed,
        )
    assert after.spec.value == 45_000


def test_catalog_refusals_land_on_blocks_of_the_modal(workspace):
    modal = _modal(workspace)
    state = submitted(
        modal,
        **{
            IB["key"]: typed("SSO"),
            IB["title"]: typed("Twice"),
            IB["duration"]: typed("9"),
            IB["value"]: typed("1k"),
            IB["uses"]: typed("agile_teams: 2"),
        },
    )
    with workspace() as u, pytest.raises(ValidationFailed) as caught:
        services.propose(u, actor=MEMBER, team_id=TEAM, fields=read_initiative_submission(state))
    errors = initiative_errors_for(caught.value.fields)
    assert set(errors) <= _block_ids(modal)
    assert IB["duration"] in errors
    assert IB["uses"] in errors


def test_settings_from_the_modal_are_accepted(workspace):
    with workspace() as u:
        current = services.get_settings(u, team_id=TEAM)
    modal = settings_modal(settings=current, private_metadata=str(current.version))
    state = submitted(
        modal,
        **{
            SB["budget.per_phase"]: typed("300k"),
            SB["capacity"]: typed("integration: 6\nagile_teams: 3\nsecurity_reviews: 1"),
        },
    )
    changes = read_settings_submission(state, current=current)
    assert set(changes) == {"budget", "capacity"}  # a PMO may change both, nothing else
    with workspace() as u:
        after = services.update_settings(
            u, actor=PMO, team_id=TEAM, changes=changes, version=current.version
        )
    assert after.budget.per_phase == 300_000
    assert after.budget.total == current.budget.total
    assert dict(after.capacity) == {"integration": 6, "agile_teams": 3, "security_reviews": 1}


def test_settings_refusals_land_on_blocks_of_the_modal(workspace):
    with workspace() as u:
        current = services.get_settings(u, team_id=TEAM)
    modal = settings_modal(settings=current, private_metadata="")
    state = submitted(
        modal,
        **{
            SB["calendar.phases"]: typed("1"),
            SB["calendar.tollgates"]: typed(""),
            SB["calendar.freeze"]: typed(""),
        },
    )
    changes = read_settings_submission(state, current=current)
    with workspace() as u, pytest.raises(ValidationFailed) as caught:
        services.update_settings(u, actor=PMO, team_id=TEAM, changes=changes)
    errors = settings_errors_for(caught.value.fields)
    assert list(errors) == [SB["calendar.phases"]]
    assert "beyond the horizon of 1 phases" in errors[SB["calendar.phases"]]
    assert len(errors[SB["calendar.phases"]]) <= 1000
