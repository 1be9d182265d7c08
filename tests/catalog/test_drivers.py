"""Business drivers in the catalog: who manages and who weighs them, what is stored and
audited, revising an answer, retiring and restoring a driver, the priority list."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from catalog import services
from catalog.domain import Actor
from catalog.errors import PermissionDenied, ValidationFailed
from catalog.models import AuditEntry, Driver, JudgmentRecord
from tests.catalog.conftest import count_rows

DRIVERS = [
    {"key": "engage", "name": "Customer engagement"},
    {"key": "secure", "name": "Security and compliance", "description": "Pass audits"},
    {"key": "cost", "name": "Cost efficiency"},
]


def add_drivers(uow, team, changes=DRIVERS):
    with uow() as u:
        return services.save_drivers(u, actor=team.admin, team_id=team.id, changes=changes)


def weigh(uow, team, actor, answers):
    with uow() as u:
        return services.record_judgments(u, actor=actor, team_id=team.id, answers=answers)


def audit_actions(uow, entity):
    with uow() as u:
        rows = u.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
        return [(e.action, e.actor, e.entity_key, e.before, e.after) for e in rows]


def leader(uow, team, user="U-LEAD"):
    with uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id=user, role="leader")
    return Actor.user(team_id=team.id, user_id=user)


# --------------------------------------------------------------------------- managing


def test_an_admin_adds_drivers_in_order_and_each_addition_is_audited(uow, team):
    view = add_drivers(uow, team)
    assert [d.key for d in view.drivers] == ["engage", "secure", "cost"]
    assert view.drivers[1].description == "Pass audits"
    assert view.retired == ()
    assert view.weights.source == "equal"
    assert view.weights.weights == pytest.approx({"engage": 1 / 3, "secure": 1 / 3, "cost": 1 / 3})
    added = audit_actions(uow, "driver")
    assert [(a, who, key) for a, who, key, _, _ in added] == [
        ("driver.add", "U-ADMIN", "engage"),
        ("driver.add", "U-ADMIN", "secure"),
        ("driver.add", "U-ADMIN", "cost"),
    ]
    assert added[1][4] == {"name": "Security and compliance", "description": "Pass audits"}


@pytest.mark.parametrize("who", ["member", "approver", "pmo", "security"])
def test_only_an_admin_manages_drivers(uow, team, who):
    with pytest.raises(PermissionDenied, match=r"manage the business drivers.*admin"), uow() as u:
        services.save_drivers(u, actor=getattr(team, who), team_id=team.id, changes=DRIVERS)
    assert count_rows(uow, Driver) == 0


def test_a_leader_cannot_manage_drivers(uow, team):
    lead = leader(uow, team)
    with pytest.raises(PermissionDenied), uow() as u:
        services.save_drivers(u, actor=lead, team_id=team.id, changes=DRIVERS)


def test_rename_describe_and_saving_nothing_new_writes_nothing(uow, team):
    add_drivers(uow, team)
    changes = [{"key": "engage", "name": "Engagement"}, {"key": "cost", "description": "Opex"}]
    view = add_drivers(uow, team, changes)
    assert [(d.key, d.name, d.description) for d in view.drivers] == [
        ("engage", "Engagement", ""),
        ("secure", "Security and compliance", "Pass audits"),
        ("cost", "Cost efficiency", "Opex"),
    ]
    edits = [e for e in audit_actions(uow, "driver") if e[0] == "driver.edit"]
    assert [(key, before, after) for _, _, key, before, after in edits] == [
        ("engage", {"name": "Customer engagement"}, {"name": "Engagement"}),
        ("cost", {"description": ""}, {"description": "Opex"}),
    ]
    entries = len(audit_actions(uow, "driver"))
    add_drivers(uow, team, changes)  # the same again: nothing changes
    assert len(audit_actions(uow, "driver")) == entries


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ([{"key": "Bad Key", "name": "X"}], "drivers[0].key", "driver key in lower case"),
        ([{"key": "new"}], "drivers[0].name", "needs a name"),
        ([{"key": "new", "name": " "}], "drivers[0].name", "non-empty"),
        ([{"key": "new", "name": "x" * 101}], "drivers[0].name", "at most 100"),
        ([{"key": "new", "name": "N", "description": "d" * 501}], "drivers[0].description", "500"),
        ([{"name": "No key"}], "drivers[0].key", "name the driver's key"),
        ([{"key": "engage", "colour": "red"}], "drivers[0]", "unknown field"),
        ([{"key": "engage", "retired": "yes"}], "drivers[0].retired", "true or false"),
        ([{"key": "ghost", "retired": True}], "drivers[0].key", "no driver ghost"),
        (
            [{"key": "engage", "name": "A"}, {"key": "engage", "name": "B"}],
            "drivers[1].key",
            "changed twice",
        ),
    ],
)
def test_bad_changes_are_refused_naming_the_field(uow, team, changes, field, text):
    add_drivers(uow, team)
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.save_drivers(u, actor=team.admin, team_id=team.id, changes=changes)
    assert text in info.value.fields[field]


def test_at_most_ten_drivers_are_active(uow, team):
    many = [{"key": f"d{i}", "name": f"Driver {i}"} for i in range(10)]
    add_drivers(uow, team, many)
    with pytest.raises(ValidationFailed, match="at most 10 drivers") as info, uow() as u:
        services.save_drivers(
            u, actor=team.admin, team_id=team.id, changes=[{"key": "d10", "name": "One more"}]
        )
    assert "retire one first" in info.value.fields["drivers"]
    # retiring one makes room in the same form
    changes = [{"key": "d0", "retired": True}, {"key": "d10", "name": "One more"}]
    view = add_drivers(uow, team, changes)
    assert len(view.drivers) == 10 and view.drivers[-1].key == "d10"


def test_a_retired_key_is_not_reused_but_restored(uow, team):
    add_drivers(uow, team)
    view = add_drivers(uow, team, [{"key": "cost", "retired": True}])
    assert [d.key for d in view.drivers] == ["engage", "secure"]
    assert [d.key for d in view.retired] == ["cost"]
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.save_drivers(
            u, actor=team.admin, team_id=team.id, changes=[{"key": "cost", "name": "Costume"}]
        )
    assert "retired driver (Cost efficiency); restore it" in info.value.fields["drivers[0].key"]
    view = add_drivers(uow, team, [{"key": "cost", "retired": False}])
    assert [d.key for d in view.drivers] == ["engage", "secure", "cost"]  # back in its place
    actions = [a for a, _, key, _, _ in audit_actions(uow, "driver") if key == "cost"]
    assert actions == ["driver.add", "driver.retire", "driver.restore"]


def test_a_driver_key_is_read_in_lower_case(uow, team):
    view = add_drivers(uow, team, [{"key": "Engage", "name": "Customer engagement"}])
    assert view.keys == ("engage",)


def test_the_operator_sets_up_a_workspace_with_drivers(uow):
    with uow() as u:
        view = services.save_drivers(
            u, actor=Actor.operator(), team_id="T-NEW", changes=DRIVERS[:2]
        )
    assert view.keys == ("engage", "secure")


def test_drivers_of_another_workspace_are_not_seen(uow, team):
    from tests.catalog.conftest import make_team

    other = make_team(uow, "T-TWO")
    add_drivers(uow, team)
    with uow() as u:
        assert services.drivers_overview(u, team_id=other.id).drivers == ()
        with pytest.raises(PermissionDenied, match="another workspace"):
            services.save_drivers(u, actor=other.admin, team_id=team.id, changes=DRIVERS)


# --------------------------------------------------------------------------- weighing


def test_a_member_cannot_weigh(uow, team):
    add_drivers(uow, team)
    for who in (team.member, team.pmo, team.security):
        with pytest.raises(PermissionDenied, match="weigh the business drivers"), uow() as u:
            services.record_judgments(
                u, actor=who, team_id=team.id, answers={("engage", "secure"): 3}
            )
    assert count_rows(uow, JudgmentRecord) == 0


def test_leaders_approvers_and_admins_weigh_each_for_themselves(uow, team):
    add_drivers(uow, team)
    lead = leader(uow, team)
    answers = {("engage", "secure"): 3, ("engage", "cost"): 5, ("secure", "cost"): 2}
    for who in (lead, team.approver, team.admin):
        person = weigh(uow, team, who, answers)
        assert person.by == who.user_id and person.complete
    assert count_rows(uow, JudgmentRecord) == 9
    weighs = audit_actions(uow, "judgment")
    assert [(a, who, key) for a, who, key, _, _ in weighs] == [
        ("weigh", "U-LEAD", "U-LEAD"),
        ("weigh", "U-APPROVER", "U-APPROVER"),
        ("weigh", "U-ADMIN", "U-ADMIN"),
    ]
    # stored in key order: cost < engage, so "engage is 5x cost" is "cost is 1/5 of engage"
    assert weighs[0][4] == {"engage:secure": "3", "cost:engage": "1/5", "cost:secure": "1/2"}
    assert weighs[0][3] == {"engage:secure": None, "cost:engage": None, "cost:secure": None}


def test_the_person_gets_their_weights_and_the_worst_pair_when_inconsistent(uow, team):
    add_drivers(uow, team)
    consistent = weigh(
        uow,
        team,
        team.approver,
        {("engage", "secure"): 2, ("secure", "cost"): 2, ("engage", "cost"): 4},
    )
    assert consistent.cr == pytest.approx(0.0, abs=1e-9) and consistent.worst is None
    assert consistent.weights == pytest.approx({"engage": 4 / 7, "secure": 2 / 7, "cost": 1 / 7})
    # engage > secure > cost, yet cost is 9x engage: contradictory
    said = {("engage", "secure"): 5, ("secure", "cost"): 5, ("engage", "cost"): Fraction(1, 9)}
    person = weigh(uow, team, team.admin, said)
    assert person.cr > 0.10 and not person.consistent
    worst = person.worst
    assert worst is not None and worst.given == said[(worst.a, worst.b)]
    assert worst.implied == pytest.approx(person.weights[worst.a] / person.weights[worst.b])


def test_an_answer_is_revised_not_duplicated_and_the_revision_is_audited(uow, team):
    add_drivers(uow, team)
    weigh(uow, team, team.approver, {("engage", "secure"): 3})
    person = weigh(uow, team, team.approver, {("secure", "engage"): 2})  # the other way round
    assert person.answered == 1 and not person.complete and person.needed == 3
    with uow() as u:
        mine = services.my_judgments(u, actor=team.approver, team_id=team.id)
    assert mine == {("engage", "secure"): "1/2"}
    assert count_rows(uow, JudgmentRecord) == 1
    revision = audit_actions(uow, "judgment")[-1]
    assert revision[0] == "weigh"
    assert (revision[3], revision[4]) == ({"engage:secure": "3"}, {"engage:secure": "1/2"})
    entries = len(audit_actions(uow, "judgment"))
    weigh(uow, team, team.approver, {("secure", "engage"): "2"})  # the same answer again
    assert len(audit_actions(uow, "judgment")) == entries


@pytest.mark.parametrize(
    ("answers", "field", "text"),
    [
        ({("engage", "engage"): 3}, "engage:engage", "compared with itself"),
        ({("engage", "ghost"): 3}, "engage:ghost", "'ghost' is not a driver"),
        ({("engage", "secure"): 10}, "engage:secure", "Customer engagement vs Security"),
        ({("engage", "secure"): "2/3"}, "engage:secure", "a whole number 1 to 9, or 1/2"),
        ({("engage", "secure"): 0}, "engage:secure", "got 0"),
        ({("engage", "secure"): Fraction(1, 10)}, "engage:secure", "1/9"),
    ],
)
def test_bad_answers_are_refused_naming_the_pair(uow, team, answers, field, text):
    add_drivers(uow, team)
    good = {("secure", "cost"): 3}
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.record_judgments(u, actor=team.admin, team_id=team.id, answers={**good, **answers})
    assert text in info.value.fields[field]
    assert count_rows(uow, JudgmentRecord) == 0  # nothing saved, the good answer neither


def test_a_pair_answered_both_ways_at_once_is_refused(uow, team):
    add_drivers(uow, team)
    with pytest.raises(ValidationFailed, match="answered twice"), uow() as u:
        services.record_judgments(
            u,
            actor=team.admin,
            team_id=team.id,
            answers={("engage", "secure"): 3, ("secure", "engage"): 3},
        )


def test_weighing_needs_answers_and_two_drivers(uow, team):
    with pytest.raises(ValidationFailed, match="fewer than two drivers"), uow() as u:
        services.record_judgments(
            u, actor=team.admin, team_id=team.id, answers={("engage", "secure"): 3}
        )
    add_drivers(uow, team)
    with pytest.raises(ValidationFailed, match="no answers"), uow() as u:
        services.record_judgments(u, actor=team.admin, team_id=team.id, answers={})


def test_pending_names_who_may_weigh_and_has_not_finished(uow, team):
    add_drivers(uow, team)
    lead = leader(uow, team)
    with uow() as u:
        assert services.drivers_overview(u, team_id=team.id).pending == (
            "U-ADMIN",
            "U-APPROVER",
            "U-LEAD",
        )
    full = {("engage", "secure"): 3, ("engage", "cost"): 5, ("secure", "cost"): 2}
    weigh(uow, team, lead, full)
    weigh(uow, team, team.approver, {("engage", "secure"): 3})  # incomplete
    with uow() as u:
        view = services.drivers_overview(u, team_id=team.id)
    assert view.pending == ("U-ADMIN", "U-APPROVER")
    assert view.weights.source == "judgments"
    assert view.weights.people["U-APPROVER"].complete is False
    assert view.weights.people["U-LEAD"].complete is True
    # only the complete set counts for the group
    assert view.weights.weights == pytest.approx(dict(view.weights.people["U-LEAD"].weights))


def test_retiring_a_driver_keeps_the_others_judgments_usable(uow, team):
    add_drivers(uow, team)
    full = {("engage", "secure"): 3, ("engage", "cost"): 5, ("secure", "cost"): 2}
    weigh(uow, team, team.approver, full)
    view = add_drivers(uow, team, [{"key": "cost", "retired": True}])
    person = view.weights.people["U-APPROVER"]
    assert person.complete and person.needed == 1
    assert view.weights.weights == pytest.approx({"engage": 0.75, "secure": 0.25})
    with uow() as u:
        assert services.my_judgments(u, actor=team.approver, team_id=team.id) == {
            ("engage", "secure"): "3"
        }
    assert count_rows(uow, JudgmentRecord) == 3  # the retired driver's answers are kept
    with pytest.raises(ValidationFailed, match="retired"), uow() as u:
        services.record_judgments(
            u, actor=team.approver, team_id=team.id, answers={("cost", "engage"): 2}
        )
    view = add_drivers(uow, team, [{"key": "cost", "retired": False}])
    assert view.weights.people["U-APPROVER"].complete  # restored with its answers
    assert set(view.weights.weights) == {"engage", "secure", "cost"}


# --------------------------------------------------------------------------- priorities


def test_priorities_rank_by_strategic_score_with_each_contribution(uow, team):
    add_drivers(uow, team, DRIVERS[:2])
    weigh(uow, team, team.admin, {("engage", "secure"): 3})  # engage 0.75, secure 0.25
    scores = {"SSO": {"secure": 5}, "BLOG": {"engage": 4, "secure": 1}, "WIKI": {"engage": 5}}
    with uow() as u:
        for key, value in scores.items():
            view = services.get_initiative(u, team_id=team.id, key=key)
            services.edit(
                u,
                actor=team.admin,
                team_id=team.id,
                key=key,
                version=view.version,
                changes={"scores": value},
            )
    with uow() as u:
        ranked = services.priorities(u, team_id=team.id)
    assert [row.key for row in ranked.rows] == ["WIKI", "BLOG", "SSO"]
    wiki, blog, sso = ranked.rows
    assert wiki.score == pytest.approx(3.75) and wiki.status == "proposed"
    assert blog.score == pytest.approx(3.25)
    assert blog.contributions == pytest.approx({"engage": 3.0, "secure": 0.25})
    assert sso.scores == {"engage": 0, "secure": 5}
    assert sso.contributions == pytest.approx({"engage": 0.0, "secure": 1.25})
    assert ranked.weights.weights == pytest.approx({"engage": 0.75, "secure": 0.25})


def test_priorities_leave_out_decided_against_and_delivered_initiatives(uow, team):
    with uow() as u:
        services.reject(u, actor=team.approver, team_id=team.id, key="WIKI", reason="no")
        ranked = services.priorities(u, team_id=team.id)
    assert [row.key for row in ranked.rows] == ["SSO", "BLOG"]  # ties: portfolio order
    assert all(row.score == 0 for row in ranked.rows)
