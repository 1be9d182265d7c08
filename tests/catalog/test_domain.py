import itertools

import pytest

from catalog.domain import (
    ACTION_ROLES,
    ACTIONS,
    FINAL_STATUSES,
    STATUSES,
    TRANSITIONS,
    Actor,
    allowed_actions,
    next_status,
)
from catalog.errors import InvalidTransition
from planner.portfolio import STATUSES as PORTFOLIO_STATUSES

LEGAL = {
    ("proposed", "approve"): "approved",
    ("proposed", "reject"): "rejected",
    ("proposed", "request_changes"): "changes_requested",
    ("proposed", "withdraw"): "withdrawn",
    ("changes_requested", "resubmit"): "proposed",
    ("changes_requested", "reject"): "rejected",
    ("changes_requested", "withdraw"): "withdrawn",
    ("approved", "schedule"): "scheduled",
    ("approved", "withdraw"): "withdrawn",
    ("scheduled", "unschedule"): "approved",
    ("scheduled", "start"): "in_progress",
    ("scheduled", "withdraw"): "withdrawn",
    ("in_progress", "finish"): "done",
}


def test_the_lifecycle_is_exactly_this_table():
    assert TRANSITIONS == LEGAL


def test_statuses_match_the_portfolio_format():
    assert set(STATUSES) == set(PORTFOLIO_STATUSES)


@pytest.mark.parametrize(("status", "action"), sorted(LEGAL))
def test_legal_transitions(status, action):
    assert next_status("SOC-1", status, action) == LEGAL[(status, action)]


ILLEGAL = sorted(set(itertools.product(STATUSES, ACTIONS)) - set(LEGAL))


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_other_transition_is_refused(status, action):
    with pytest.raises(InvalidTransition) as info:
        next_status("SOC-1", status, action)
    assert info.value.status == status
    assert info.value.action == action
    assert "SOC-1" in str(info.value)


def test_refusal_names_what_is_possible():
    with pytest.raises(InvalidTransition, match=r"possible now: schedule, withdraw"):
        next_status("SSO", "approved", "approve")
    with pytest.raises(InvalidTransition, match=r"it is final"):
        next_status("SSO", "done", "withdraw")


def test_final_statuses_allow_nothing():
    for status in FINAL_STATUSES:
        assert allowed_actions(status) == ()
    for status in set(STATUSES) - set(FINAL_STATUSES):
        assert allowed_actions(status)


def test_every_action_says_who_may_take_it():
    assert set(ACTION_ROLES) == set(ACTIONS)
    assert all("admin" in roles for roles in ACTION_ROLES.values())


def test_actors():
    user = Actor.user(team_id="T1", user_id="U1")
    assert user.acts_in("T1")
    assert not user.acts_in("T2")
    assert not user.is_operator
    operator = Actor.operator()
    assert operator.is_operator
    assert operator.acts_in("T1") and operator.acts_in("T2")
    assert str(user) == "U1"


def test_the_lifecycle_names_only_statuses_of_the_portfolio_format() -> None:
    from catalog import domain
    from planner.portfolio import STATUSES

    assert domain.STATUSES == STATUSES
    named = {source for source, _ in domain.TRANSITIONS} | set(domain.TRANSITIONS.values())
    assert named <= set(STATUSES)
