"""The business-driver use cases every surface calls: the list, the manage form, the
judgment form and its revision, the priority list, and planning for strategy."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.domain import Actor
from catalog.errors import PermissionDenied, ValidationFailed
from catalog.usecases import Context, planning, workspace
from catalog.usecases import commands as c
from catalog.usecases import drivers as uc
from planner.config import SolverConfig
from planner.problem import build_problem
from planner.validate import check_roadmap
from tests.catalog.conftest import make_team

OPERATOR = Actor.operator()
FAST = SolverConfig(time_limit=5.0, workers=1)
THREE = (
    {"key": "engage", "name": "Customer engagement"},
    {"key": "secure", "name": "Security and compliance"},
    {"key": "cost", "name": "Cost efficiency"},
)


def ctx_for(uow, actor: Actor, team_id: str) -> Context:
    return Context(actor=actor, team_id=team_id, uow_factory=uow, solver=FAST)


@pytest.fixture
def team3(uow):
    """The small workspace with three drivers and a leader."""
    team = make_team(uow, "T-UC")
    with uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U-LEAD", role="leader")
    uc.submit_drivers(c.SubmitDrivers(changes=THREE), ctx_for(uow, team.admin, team.id))
    return team


def test_the_list_says_what_the_viewer_may_do(uow, team3):
    member = uc.drivers(c.Drivers(), ctx_for(uow, team3.member, team3.id))
    assert member.view.keys == ("engage", "secure", "cost")
    assert (member.can_manage, member.can_weigh) == (False, False)
    lead = uc.drivers(
        c.Drivers(), ctx_for(uow, Actor.user(team_id=team3.id, user_id="U-LEAD"), team3.id)
    )
    assert (lead.can_manage, lead.can_weigh) == (False, True)
    admin = uc.drivers(c.Drivers(), ctx_for(uow, team3.admin, team3.id))
    assert (admin.can_manage, admin.can_weigh) == (True, True)
    assert admin.view.pending == ("U-ADMIN", "U-APPROVER", "U-LEAD")


def test_the_manage_form_is_for_admins(uow, team3):
    with pytest.raises(PermissionDenied, match="manage the business drivers"):
        uc.edit_drivers(c.EditDrivers(), ctx_for(uow, team3.approver, team3.id))
    form = uc.edit_drivers(c.EditDrivers(), ctx_for(uow, team3.admin, team3.id))
    assert form.view.keys == ("engage", "secure", "cost")
    saved = uc.submit_drivers(
        c.SubmitDrivers(changes=({"key": "cost", "retired": True},)),
        ctx_for(uow, team3.admin, team3.id),
    )
    assert saved.view.keys == ("engage", "secure")
    assert [d.key for d in saved.view.retired] == ["cost"]
    with pytest.raises(PermissionDenied):
        uc.submit_drivers(
            c.SubmitDrivers(changes=({"key": "x", "name": "X"},)),
            ctx_for(uow, team3.approver, team3.id),
        )


def test_the_weigh_form_asks_every_pair_with_the_current_answers(uow, team3):
    ctx = ctx_for(uow, team3.approver, team3.id)
    form = uc.weigh(c.Weigh(), ctx)
    assert form.pairs == (("engage", "secure"), ("engage", "cost"), ("secure", "cost"))
    assert form.answers == {} and form.revising is None
    uc.submit_judgments(c.SubmitJudgments(answers=(("cost", "engage", "1/4"),)), ctx)
    form = uc.weigh(c.Weigh(), ctx)
    assert form.answers == {("engage", "cost"): "4"}  # in the form's orientation


def test_a_member_cannot_open_or_submit_the_weigh_form(uow, team3):
    ctx = ctx_for(uow, team3.member, team3.id)
    with pytest.raises(PermissionDenied, match="weigh the business drivers"):
        uc.weigh(c.Weigh(), ctx)
    with pytest.raises(PermissionDenied):
        uc.submit_judgments(c.SubmitJudgments(answers=(("engage", "secure", "3"),)), ctx)


def test_an_inconsistent_answer_is_named_and_revised_through_its_pair(uow, team3):
    admin = ctx_for(uow, team3.admin, team3.id)
    uc.submit_drivers(c.SubmitDrivers(changes=({"key": "collab", "name": "Collaboration"},)), admin)
    lead = ctx_for(uow, Actor.user(team_id=team3.id, user_id="U-LEAD"), team3.id)
    # weights 8 : 4 : 2 : 1, but one answer turned over: collab is 8x engage
    answers = (
        ("engage", "secure", "2"),
        ("engage", "cost", "4"),
        ("engage", "collab", "1/8"),
        ("secure", "cost", "2"),
        ("secure", "collab", "4"),
        ("cost", "collab", "2"),
    )
    saved = uc.submit_judgments(c.SubmitJudgments(answers=answers), lead)
    person = saved.person
    assert person.complete and person.cr > 0.10 and not person.consistent
    assert (person.worst.a, person.worst.b, str(person.worst.given)) == ("engage", "collab", "1/8")
    assert saved.group.source == "judgments" and set(saved.group.people) == {"U-LEAD"}
    # revising: the form for that one pair (asked either way round) with the answer given
    form = uc.weigh(c.Weigh(pair=("collab", "engage")), lead)
    assert form.pairs == (("engage", "collab"),) and form.revising == ("engage", "collab")
    assert form.answers[("engage", "collab")] == "1/8"
    revised = uc.submit_judgments(c.SubmitJudgments(answers=(("engage", "collab", "8"),)), lead)
    assert revised.person.consistent and revised.person.worst is None
    assert revised.person.weights == pytest.approx(
        {"engage": 8 / 15, "secure": 4 / 15, "cost": 2 / 15, "collab": 1 / 15}
    )
    assert revised.group.weights == pytest.approx(revised.person.weights)


def test_weigh_refuses_an_unknown_pair_and_too_few_drivers(uow, team3):
    ctx = ctx_for(uow, team3.admin, team3.id)
    with pytest.raises(ValidationFailed, match="'profit' is not a driver"):
        uc.weigh(c.Weigh(pair=("engage", "profit")), ctx)
    with pytest.raises(ValidationFailed, match="two different"):
        uc.weigh(c.Weigh(pair=("engage", "engage")), ctx)
    other = make_team(uow, "T-NONE")
    with pytest.raises(ValidationFailed, match="fewer than two business drivers"):
        uc.weigh(c.Weigh(), ctx_for(uow, other.admin, other.id))


def test_a_pair_given_twice_in_one_form_is_refused(uow, team3):
    ctx = ctx_for(uow, team3.admin, team3.id)
    answers = (("engage", "secure", "3"), ("secure", "engage", "1/3"))
    with pytest.raises(ValidationFailed, match="answered twice"):
        uc.submit_judgments(c.SubmitJudgments(answers=answers), ctx)


def test_the_priority_list_is_for_everyone(uow, team3):
    result = uc.priorities(c.Priorities(), ctx_for(uow, team3.member, team3.id))
    assert [row.key for row in result.view.rows] == ["SSO", "BLOG", "WIKI"]


def test_commands_survive_their_payload():
    for command in (
        c.Plan(objective="strategic"),
        c.Plan(objective="blend", blend=0.5, time_limit=3.0),
        c.Weigh(pair=("engage", "secure")),
        c.Weigh(),
        c.Drivers(),
        c.EditDrivers(),
        c.Priorities(),
        c.SubmitJudgments(answers=(("engage", "secure", "1/3"),)),
    ):
        types = {type(command).name: type(command)}
        assert c.from_payload(c.to_payload(command), types) == command


# --------------------------------------------------------------------------- planning


@pytest.fixture
def demo(uow):
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="T-DEMO")
    return ctx_for(uow, OPERATOR, "T-DEMO")


def test_a_strategic_plan_through_the_use_case_is_valid_and_states_its_goal(uow, demo):
    assert planning.check_plan(c.Plan(objective="strategic"), demo).title
    planned = planning.plan(c.Plan(objective="strategic"), demo)
    roadmap = planned.roadmap
    assert roadmap.status in ("optimal", "feasible") and roadmap.scheduled
    assert roadmap.goal.kind == "strategic"
    document = roadmap.to_dict()
    assert document["goal"]["objective"] == "strategic"
    assert set(document["goal"]["weights"]) == {"engage", "collaborate", "secure", "cost"}
    with uow() as u:
        stored = services.get_roadmap(u, team_id="T-DEMO", roadmap_id=planned.roadmap_id)
    assert stored.portfolio is not None and stored.portfolio.objective == "strategic"
    assert check_roadmap(build_problem(stored.portfolio), stored.roadmap) == []
    # the workspace's own setting is untouched: a plain plan is for value
    money = planning.plan(c.Plan(), demo)
    assert money.roadmap.goal.kind == "value"


def test_a_blend_plan_takes_its_weight(uow, demo):
    planned = planning.plan(c.Plan(objective="blend", blend=2.0), demo)
    assert planned.roadmap.goal.kind == "blend" and planned.roadmap.goal.blend == 2.0


def test_the_settings_objective_is_what_a_plain_plan_plans_for(uow, demo):
    workspace.submit_settings(c.SubmitSettings(changes={"objective": "strategic"}), demo)
    assert planning.plan(c.Plan(), demo).roadmap.goal.kind == "strategic"
    form = workspace.settings(c.Settings(), demo)
    assert form.settings.objective == "strategic"
    assert {"objective", "blend", "stability"} <= set(form.sections)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (c.Plan(objective="profit"), "objective"),
        (c.Plan(objective="blend", blend=0.0), "blend"),
        (c.Plan(objective="blend", blend=101.0), "blend"),
        (c.Plan(objective="blend", blend=float("nan")), "blend"),
    ],
)
def test_check_plan_refuses_a_bad_objective_before_queueing(uow, demo, command, field):
    with pytest.raises(ValidationFailed) as info:
        planning.check_plan(command, demo)
    assert field in info.value.fields


def test_check_plan_refuses_strategy_without_drivers(uow):
    team = make_team(uow, "T-PLAIN")
    with pytest.raises(ValidationFailed, match="has none"):
        planning.check_plan(c.Plan(objective="strategic"), ctx_for(uow, team.admin, team.id))
