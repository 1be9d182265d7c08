"""Building a Problem: plannable statuses, policy, reviews, symmetric exclusions."""

from __future__ import annotations

from fractions import Fraction

from tests.planner.factories import make_problem


def test_only_plannable_statuses_take_part_unless_included():
    items = [{"key": "A"}, {"key": "B", "status": "proposed"}, {"key": "C", "status": "rejected"}]
    assert make_problem(items).keys == ("A",)
    with_b = make_problem(items, include=["B"])
    assert with_b.keys == ("A", "B") and "B" in with_b.force_in


def test_dependencies_on_done_are_satisfied_and_on_proposals_block():
    p = make_problem(
        [
            {"key": "D", "status": "done"},
            {"key": "P", "status": "proposed"},
            {"key": "X", "depends_on": ["D"]},
            {"key": "Y", "depends_on": ["P"]},
        ]
    )
    assert p.item("X").depends_on == () and p.item("X").blocked is None
    assert p.item("Y").blocked == "depends on P, which is proposed"


def test_policy_decides_reviews_and_forbids_and_outcomes_override():
    p = make_problem(
        [
            {"key": "S", "hosting": "saas", "personal_data": True},
            {"key": "R", "hosting": "saas", "data": "restricted"},
            {"key": "E", "hosting": "saas", "data": "restricted", "review": "passed"},
            {"key": "F", "review": "failed", "review_note": "no encryption at rest"},
            {"key": "O", "security_review": True},
        ],
        review=["saas_personal_data", "restricted"],
        forbid=["saas_restricted"],
    )
    assert p.item("S").needs_review and p.item("O").needs_review
    assert p.item("R").blocked == "forbidden by security policy (saas restricted)"
    assert p.item("E").blocked is None and not p.item("E").needs_review
    assert p.item("F").blocked == "security review failed: no encryption at rest"


def test_excludes_are_symmetric_and_capex_spreads_exactly():
    p = make_problem([{"key": "A", "excludes": ["B"], "capex": 100, "duration": 3}, {"key": "B"}])
    assert p.item("B").excludes == ("A",)
    assert p.item("A").capex_share() == Fraction(100, 3)
    assert p.money_scale() == 3


def test_allowed_starts_apply_window_tollgates_and_freeze():
    p = make_problem(
        [
            {"key": "W", "duration": 2, "earliest": 1, "deadline": 5},
            {"key": "A", "cadence": "agile", "duration": 2},
        ],
        phases=8,
        tollgates=[0, 2, 4, 6],
        freeze=[3],
    )
    assert p.allowed_starts(p.item("W")) == (4,)  # 2 goes live in the freeze; 6 is too late
    assert p.allowed_starts(p.item("A")) == (0, 1, 3, 4, 5, 6)
