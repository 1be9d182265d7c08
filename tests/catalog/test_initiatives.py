"""Proposing, editing, deciding, reviewing and delivering initiatives."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.domain import Actor
from catalog.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tests.catalog.conftest import audit_count, initiative_count

IDEA = {"title": "Idea wall", "category": "social", "duration": 1, "value": 500}


def propose(uow, team, actor=None, **fields):
    with uow() as u:
        return services.propose(
            u, actor=actor or team.member, team_id=team.id, fields={**IDEA, **fields}
        )


def get(uow, team, key):
    with uow() as u:
        return services.get_initiative(u, team_id=team.id, key=key)


def trail(uow, team, key):
    with uow() as u:
        return services.audit_trail(u, actor=team.admin, team_id=team.id, key=key)


# --------------------------------------------------------------------------- reading


def test_list_in_portfolio_order_and_by_status(uow, team):
    with uow() as u:
        assert [v.key for v in services.list_initiatives(u, team_id=team.id)] == [
            "SSO",
            "BLOG",
            "WIKI",
        ]
        assert [
            v.key for v in services.list_initiatives(u, team_id=team.id, status="proposed")
        ] == ["WIKI"]
        both = services.list_initiatives(u, team_id=team.id, status=["approved", "proposed"])
        assert len(both) == 3


def test_unknown_status_filter_is_refused(uow, team):
    with pytest.raises(ValidationFailed, match="unknown status pending"), uow() as u:
        services.list_initiatives(u, team_id=team.id, status="pending")


def test_get_is_case_insensitive_and_views_are_plain(uow, team):
    view = get(uow, team, " sso ")
    assert view.key == "SSO"
    assert view.spec.uses == {"integration": 2}
    assert view.version == 1
    assert view.next_actions == ("schedule", "withdraw")
    with pytest.raises(NotFound, match="no initiative NOPE"):
        get(uow, team, "nope")


# --------------------------------------------------------------------------- propose


def test_any_member_proposes_and_gets_a_category_key(uow, team):
    first = propose(uow, team)
    second = propose(uow, team, actor=team.other, title="Second idea")
    other = propose(uow, team, category="", title="No category")
    assert (first.key, second.key, other.key) == ("SOC-1", "SOC-2", "INI-1")
    assert first.status == "proposed"
    assert first.proposer == "U-MEMBER"
    assert first.version == 1
    entry = trail(uow, team, "SOC-1")[0]
    assert entry.action == "initiative.propose"
    assert entry.actor == "U-MEMBER"
    assert entry.before is None
    assert entry.after["title"] == "Idea wall"


def test_key_numbers_continue_after_the_highest(uow, team):
    propose(uow, team, key="soc-41")
    assert propose(uow, team).key == "SOC-42"


def test_a_proposal_may_depend_on_existing_initiatives(uow, team):
    view = propose(uow, team, depends_on=["sso"], excludes=["WIKI"], cadence="agile")
    assert view.spec.depends_on == ("SSO",)
    assert view.spec.excludes == ("WIKI",)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"duration": 0}, "duration", "≥ 1"),
        ({"duration": 9}, "duration", "beyond the horizon of 4 phases"),
        ({"value": -5}, "value", "whole currency units ≥ 0"),
        ({"capex": "lots"}, "capex", "got 'lots'"),
        ({"title": ""}, "title", "non-empty text"),
        ({"cadence": "scrum"}, "cadence", "one of waterfall, agile"),
        ({"colour": "red"}, "colour", "not a field"),
        ({"depends_on": ["NOPE"]}, "depends_on", "unknown key 'NOPE'"),
        ({"excludes": ["NOPE"]}, "excludes", "unknown key 'NOPE'"),
        ({"key": "SSO"}, "key", "SSO is already taken"),
        ({"key": "bad key!"}, "key", "letters, digits and dashes"),
        ({"uses": {"integration": -1}}, "uses", "≥ 0"),
        ({"pin": 7}, "pin", "below 4"),
    ],
)
def test_a_bad_proposal_names_the_field(uow, team, fields, field, message):
    before = (initiative_count(uow), audit_count(uow))
    with pytest.raises(ValidationFailed) as info:
        propose(uow, team, **fields)
    assert field in info.value.fields, info.value.fields
    assert message in info.value.fields[field]
    assert (initiative_count(uow), audit_count(uow)) == before


def test_a_missing_field_is_named(uow, team):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.propose(u, actor=team.member, team_id=team.id, fields={"title": "x"})
    assert info.value.fields["duration"] == "is missing"
    assert info.value.fields["value"] == "is missing"


@pytest.mark.parametrize("field", ["status", "proposer", "review", "review_note"])
def test_a_proposal_cannot_set_workflow_fields(uow, team, field):
    with pytest.raises(ValidationFailed) as info:
        propose(uow, team, **{field: "approved"})
    assert "set by the workflow" in info.value.fields[field]


def test_a_user_of_another_workspace_cannot_propose(uow, team):
    with pytest.raises(PermissionDenied, match="another workspace"):
        propose(uow, team, actor=Actor.user(team_id="T-ELSE", user_id="U-MEMBER"))


# --------------------------------------------------------------------------- edit


def test_the_proposer_edits_while_proposed(uow, team):
    view = get(uow, team, "WIKI")
    with uow() as u:
        edited = services.edit(
            u,
            actor=team.member,
            team_id=team.id,
            key="wiki",
            version=view.version,
            changes={"value": 2500, "summary": "A wiki for every team"},
        )
    assert edited.version == view.version + 1
    assert edited.spec.value == 2500
    assert edited.updated_by == "U-MEMBER"
    entry = trail(uow, team, "WIKI")[0]
    assert entry.action == "initiative.edit"
    assert entry.before == {"value": 2000, "summary": ""}
    assert entry.after == {"value": 2500, "summary": "A wiki for every team"}


def test_an_edit_that_changes_nothing_writes_nothing(uow, team):
    before = audit_count(uow)
    with uow() as u:
        view = services.edit(
            u, actor=team.member, team_id=team.id, key="WIKI", version=1, changes={"value": 2000}
        )
    assert view.version == 1
    assert audit_count(uow) == before


def test_a_stale_version_is_refused_naming_who_changed_it(uow, team):
    with uow() as u:
        services.edit(
            u, actor=team.approver, team_id=team.id, key="WIKI", version=1, changes={"value": 1}
        )
    with pytest.raises(StaleVersion) as info, uow() as u:
        services.edit(
            u, actor=team.member, team_id=team.id, key="WIKI", version=1, changes={"value": 2}
        )
    assert (info.value.expected, info.value.current, info.value.changed_by) == (
        1,
        2,
        "U-APPROVER",
    )
    assert "changed by U-APPROVER" in str(info.value)
    assert "version 1, the current version is 2" in str(info.value)
    assert get(uow, team, "WIKI").spec.value == 1


def test_others_may_not_edit_a_proposal(uow, team):
    for actor in (team.other, team.pmo, team.security):
        with pytest.raises(PermissionDenied, match="only its proposer"), uow() as u:
            services.edit(
                u, actor=actor, team_id=team.id, key="WIKI", version=1, changes={"value": 1}
            )


def test_the_proposer_may_not_edit_once_approved(uow, team):
    with uow() as u:
        services.approve(u, actor=team.approver, team_id=team.id, key="WIKI")
    with pytest.raises(PermissionDenied, match="it is approved"), uow() as u:
        services.edit(
            u, actor=team.member, team_id=team.id, key="WIKI", version=2, changes={"value": 1}
        )


@pytest.mark.parametrize("who", ["approver", "admin"])
def test_approvers_and_admins_edit_any_time(uow, team, who):
    with uow() as u:
        view = services.edit(
            u,
            actor=getattr(team, who),
            team_id=team.id,
            key="SSO",
            version=1,
            changes={"capex": 90000, "deadline": 3},
        )
    assert (view.spec.capex, view.spec.deadline, view.status) == (90000, 3, "approved")


def test_an_edit_is_validated_like_a_file(uow, team):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.edit(
            u,
            actor=team.admin,
            team_id=team.id,
            key="SSO",
            version=1,
            changes={"depends_on": ["BLOG"], "duration": 5},
        )
    assert "dependency cycle: BLOG → SSO → BLOG" in info.value.fields["depends_on"]
    assert "beyond the horizon" in info.value.fields["duration"]
    assert get(uow, team, "SSO").version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"status": "approved"}, "status"), ({"review": "passed"}, "review"), ({"key": "X"}, "key")],
)
def test_an_edit_cannot_change_workflow_fields_or_the_key(uow, team, changes, field):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.edit(u, actor=team.admin, team_id=team.id, key="SSO", version=1, changes=changes)
    assert field in info.value.fields


def test_the_proposer_resubmits_by_editing(uow, team):
    with uow() as u:
        services.request_changes(
            u, actor=team.approver, team_id=team.id, key="WIKI", reason="Add the costs"
        )
    with uow() as u:
        view = services.edit(
            u, actor=team.member, team_id=team.id, key="WIKI", version=2, changes={"capex": 4000}
        )
    assert view.status == "proposed"
    entry = trail(uow, team, "WIKI")[0]
    assert entry.action == "initiative.resubmit"
    assert entry.before == {"status": "changes_requested", "capex": 0}
    assert entry.after == {"status": "proposed", "capex": 4000}


# --------------------------------------------------------------------------- decisions


@pytest.mark.parametrize("who", ["approver", "admin"])
def test_approvers_and_admins_decide(uow, team, who):
    actor = getattr(team, who)
    with uow() as u:
        view = services.approve(u, actor=actor, team_id=team.id, key="wiki", reason="Go")
    assert view.status == "approved"
    entry = trail(uow, team, "WIKI")[0]
    assert (entry.action, entry.actor, entry.note) == ("initiative.approve", actor.user_id, "Go")
    assert (entry.before, entry.after) == ({"status": "proposed"}, {"status": "approved"})


@pytest.mark.parametrize("who", ["member", "other", "security", "pmo"])
@pytest.mark.parametrize("decision", ["approve", "reject", "request_changes"])
def test_nobody_else_decides(uow, team, who, decision):
    before = audit_count(uow)
    with pytest.raises(PermissionDenied, match="needs the approver or admin role"), uow() as u:
        getattr(services, decision)(
            u, actor=getattr(team, who), team_id=team.id, key="WIKI", reason="because"
        )
    assert get(uow, team, "WIKI").status == "proposed"
    assert audit_count(uow) == before


def test_an_approver_of_another_workspace_cannot_decide(uow, team):
    stranger = Actor.user(team_id="T-ELSE", user_id="U-APPROVER")
    with pytest.raises(PermissionDenied, match="another workspace"), uow() as u:
        services.approve(u, actor=stranger, team_id=team.id, key="WIKI")


@pytest.mark.parametrize("decision", ["reject", "request_changes"])
def test_reject_and_request_changes_need_a_reason(uow, team, decision):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        getattr(services, decision)(
            u, actor=team.approver, team_id=team.id, key="WIKI", reason="  "
        )
    assert "needs a reason" in info.value.fields["reason"]


def test_reject_keeps_the_reason(uow, team):
    with uow() as u:
        view = services.reject(
            u, actor=team.approver, team_id=team.id, key="WIKI", reason="We have SharePoint"
        )
    assert view.status == "rejected"
    assert trail(uow, team, "WIKI")[0].note == "We have SharePoint"


def test_decisions_honour_a_version(uow, team):
    with pytest.raises(StaleVersion), uow() as u:
        services.approve(u, actor=team.approver, team_id=team.id, key="WIKI", version=7)


# every illegal transition, through the services


def _drive(uow, team, key, actions):
    for action in actions:
        with uow() as u:
            if action in ("approve", "withdraw"):
                getattr(services, action)(u, actor=team.admin, team_id=team.id, key=key)
            elif action in ("reject", "request_changes"):
                getattr(services, action)(u, actor=team.admin, team_id=team.id, key=key, reason="r")
            else:
                services.advance(u, actor=team.admin, team_id=team.id, key=key, action=action)


PATHS = {
    "proposed": [],
    "changes_requested": ["request_changes"],
    "approved": ["approve"],
    "scheduled": ["approve", "schedule"],
    "in_progress": ["approve", "schedule", "start"],
    "done": ["approve", "schedule", "start", "finish"],
    "rejected": ["reject"],
    "withdrawn": ["withdraw"],
}
SERVICE_ACTIONS = [
    "approve",
    "reject",
    "request_changes",
    "withdraw",
    "schedule",
    "unschedule",
    "start",
    "finish",
]
LEGAL = {
    "proposed": {"approve", "reject", "request_changes", "withdraw"},
    "changes_requested": {"reject", "withdraw"},
    "approved": {"schedule", "withdraw"},
    "scheduled": {"unschedule", "start", "withdraw"},
    "in_progress": {"finish"},
}


@pytest.mark.parametrize("status", sorted(PATHS))
def test_illegal_transitions_are_refused_by_the_services(uow, team, status):
    _drive(uow, team, "WIKI", PATHS[status])
    assert get(uow, team, "WIKI").status == status
    for action in SERVICE_ACTIONS:
        if action in LEGAL.get(status, set()):
            continue
        before = audit_count(uow)
        with pytest.raises(InvalidTransition) as info:
            _drive(uow, team, "WIKI", [action])
        assert f"WIKI is {status.replace('_', ' ')}" in str(info.value)
        assert get(uow, team, "WIKI").status == status
        assert audit_count(uow) == before


def test_delivery_steps_by_pmo(uow, team):
    with uow() as u:
        services.advance(u, actor=team.approver, team_id=team.id, key="SSO", action="schedule")
        services.advance(u, actor=team.pmo, team_id=team.id, key="SSO", action="start")
        view = services.advance(u, actor=team.pmo, team_id=team.id, key="SSO", action="finish")
    assert view.status == "done"


def test_delivery_steps_refused_to_members_and_unknown_actions(uow, team):
    with pytest.raises(PermissionDenied), uow() as u:
        services.advance(u, actor=team.member, team_id=team.id, key="SSO", action="schedule")
    with pytest.raises(PermissionDenied, match="approver or admin"), uow() as u:
        services.advance(u, actor=team.pmo, team_id=team.id, key="SSO", action="schedule")
    with pytest.raises(ValidationFailed), uow() as u:
        services.advance(u, actor=team.admin, team_id=team.id, key="SSO", action="approve")


# --------------------------------------------------------------------------- withdraw


def test_the_proposer_withdraws_their_own(uow, team):
    with uow() as u:
        view = services.withdraw(u, actor=team.member, team_id=team.id, key="WIKI", reason="dup")
    assert view.status == "withdrawn"


def test_an_admin_withdraws_anything(uow, team):
    with uow() as u:
        assert services.withdraw(u, actor=team.admin, team_id=team.id, key="SSO").status == (
            "withdrawn"
        )


@pytest.mark.parametrize("who", ["other", "approver", "pmo", "security"])
def test_others_may_not_withdraw(uow, team, who):
    with pytest.raises(PermissionDenied, match="only its proposer or the admin"), uow() as u:
        services.withdraw(u, actor=getattr(team, who), team_id=team.id, key="WIKI")


# --------------------------------------------------------------------------- reviews


@pytest.mark.parametrize("who", ["security", "admin"])
def test_security_records_a_review(uow, team, who):
    with uow() as u:
        view = services.record_review(
            u,
            actor=getattr(team, who),
            team_id=team.id,
            key="SSO",
            outcome="Conditions",
            note="MFA for admins",
        )
    assert (view.spec.review, view.spec.review_note) == ("conditions", "MFA for admins")
    entry = trail(uow, team, "SSO")[0]
    assert entry.action == "initiative.review"
    assert entry.after == {"review": "conditions", "review_note": "MFA for admins"}
    with uow() as u:
        assert services.workspace_portfolio(u, team_id=team.id).initiative("SSO").review == (
            "conditions"
        )


@pytest.mark.parametrize("who", ["approver", "pmo", "member"])
def test_only_security_or_admin_review(uow, team, who):
    with pytest.raises(PermissionDenied, match="security or admin"), uow() as u:
        services.record_review(
            u, actor=getattr(team, who), team_id=team.id, key="SSO", outcome="passed"
        )


def test_review_input_is_checked(uow, team):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.record_review(u, actor=team.security, team_id=team.id, key="SSO", outcome="ok")
    assert "passed, conditions, failed" in info.value.fields["outcome"]
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.record_review(u, actor=team.security, team_id=team.id, key="SSO", outcome="failed")
    assert "needs a note" in info.value.fields["note"]


def test_a_final_initiative_is_not_reviewed(uow, team):
    with uow() as u:
        services.withdraw(u, actor=team.admin, team_id=team.id, key="SSO")
    with pytest.raises(InvalidTransition, match="SSO is withdrawn"), uow() as u:
        services.record_review(u, actor=team.security, team_id=team.id, key="SSO", outcome="passed")
