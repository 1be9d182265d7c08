import pytest

from planner.config import SolverConfig
from planner.errors import ScenarioError
from planner.explain import REASON_LIMIT, explain, explain_unscheduled
from planner.roadmap import assemble
from planner.scenario import apply
from planner.solve import solve
from planner.validate import check_roadmap
from tests.planner.factories import make_problem

CONFIG = SolverConfig(time_limit=5, workers=1, seed=0)


def reasons_of(problem, **kwargs):
    roadmap = solve(problem, CONFIG)
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    reasons = explain_unscheduled(problem, roadmap, **kwargs)
    assert set(reasons) == {u.key for u in roadmap.unscheduled}
    assert all(len(r) <= REASON_LIMIT for r in reasons.values())
    return roadmap, reasons


# --------------------------------------------------------------------------- reason kinds


def test_blocked_by_policy_or_failed_review() -> None:
    problem = make_problem(
        [
            {"key": "HR", "hosting": "saas", "data": "restricted"},
            {"key": "X", "review": "failed", "review_note": "no data residency"},
        ],
        forbid=["saas_restricted"],
    )
    _, reasons = reasons_of(problem)
    assert reasons["HR"] == "forbidden by security policy (saas restricted)"
    assert reasons["X"] == "security review failed: no data residency"


def test_forced_out_by_the_scenario() -> None:
    problem = apply(make_problem([{"key": "A"}, {"key": "B"}]), "without A")
    _, reasons = reasons_of(problem)
    assert reasons == {"A": "left out by the what-if scenario"}


@pytest.mark.parametrize(
    ("item", "settings", "words"),
    [
        ({"earliest": 3, "duration": 2}, {}, "do not finish inside the 4-phase horizon"),
        ({"earliest": 2, "deadline": 2, "duration": 2}, {}, "deadline 2027Q3 cannot be met"),
        ({"cadence": "waterfall", "deadline": 1}, {"tollgates": [2]}, "no tollgate in 2027Q1"),
        ({"cadence": "agile"}, {"freeze": [0, 1, 2, 3]}, "would go live in a freeze"),
        ({"pin": 0, "earliest": 1}, {}, "pin to 2027Q1 is outside"),
    ],
)
def test_no_allowed_start_names_the_rule(item, settings, words) -> None:
    spec = {"key": "A", **item}
    problem = make_problem([spec, {"key": "B"}], phases=4, **settings)
    roadmap = assemble(problem, {"B": 0}, status="feasible", solver="test", seconds=0)
    reason = explain_unscheduled(problem, roadmap)["A"]
    assert reason.startswith("no allowed start: ")
    assert words in reason


def test_unscheduled_dependency_is_named_through_the_chain() -> None:
    problem = make_problem(
        [
            {"key": "ROOT", "hosting": "saas", "data": "restricted"},
            {"key": "MID", "depends_on": ["ROOT"]},
            {"key": "TOP", "depends_on": ["MID"]},
        ],
        forbid=["saas_restricted"],
    )
    _, reasons = reasons_of(problem)
    assert reasons["MID"] == (
        "depends on ROOT, which is not scheduled (forbidden by security policy (saas restricted))"
    )
    assert reasons["TOP"].startswith("depends on MID, which needs ROOT, which is not scheduled")


def test_excluded_alternative_is_named() -> None:
    problem = make_problem(
        [{"key": "BUY", "value": 20, "excludes": ["BUILD"]}, {"key": "BUILD", "value": 10}]
    )
    _, reasons = reasons_of(problem)
    assert reasons == {"BUILD": "excluded by BUY, its alternative, which is scheduled"}


def test_dependency_going_live_too_late() -> None:
    problem = make_problem(
        [
            {"key": "A", "pin": 2, "duration": 2},
            {"key": "B", "depends_on": ["A"], "deadline": 2},
        ]
    )
    _, reasons = reasons_of(problem)
    assert (
        reasons["B"] == "waits for A, which goes live in 2027Q4; it can start only after that, "
        "and its last allowed start is 2027Q3"
    )


def test_does_not_fit_next_to_what_must_be_scheduled_budget() -> None:
    problem = make_problem(
        [
            {"key": "M", "mandatory": True, "duration": 2, "capex": 160},
            {"key": "X", "capex": 50},
            {"key": "BIG", "capex": 500},
        ],
        phases=2,
        budget=100,
    )
    _, reasons = reasons_of(problem)
    assert reasons["X"] == (
        "does not fit: 2027Q1–2027Q2 budget has at most 20 left of 100, needs 50"
    )
    assert reasons["BIG"] == (
        "does not fit: needs 500 a phase, more than the 100 budget of 2027Q1–2027Q2"
    )


def test_does_not_fit_capacity_and_review_slot() -> None:
    problem = make_problem(
        [
            {"key": "M", "pin": 0, "uses": {"integration": 3}, "security_review": True},
            {"key": "X", "uses": {"integration": 2}},
            {"key": "R", "security_review": True},
        ],
        phases=1,
        capacity={"integration": 4, "security_reviews": 1},
    )
    _, reasons = reasons_of(problem)
    assert (
        reasons["X"]
        == "does not fit: integration capacity is full in 2027Q1 (1 of 4 free, needs 2)"
    )
    assert reasons["R"] == "does not fit: no security review slot free in 2027Q1"


def test_does_not_fit_total_budget() -> None:
    problem = make_problem(
        [{"key": "M", "mandatory": True, "capex": 90}, {"key": "X", "capex": 20}],
        phases=2,
        total=100,
    )
    _, reasons = reasons_of(problem)
    assert reasons["X"] == "does not fit: the total budget has 10 left of 100, needs 20"


def test_lower_value_than_what_it_would_displace() -> None:
    problem = make_problem(
        [
            {"key": "A", "capex": 100, "value": 20},
            {"key": "B", "capex": 100, "value": 10},
        ],
        phases=1,
        budget=100,
    )
    _, reasons = reasons_of(problem)
    assert reasons == {"B": "lower value than what it would displace: A"}


def test_without_time_for_resolves_the_items_filling_what_binds_are_named() -> None:
    problem = make_problem(
        [
            {"key": "A", "capex": 100, "value": 20},
            {"key": "B", "capex": 100, "value": 10},
        ],
        phases=1,
        budget=100,
    )
    _, reasons = reasons_of(problem, time_budget=0)
    assert reasons["B"] == (
        "does not fit next to the chosen plan: 2027Q1 budget has 0 left of 100, needs 100 "
        "(used by A)"
    )


def test_reasons_are_short_even_for_long_chains() -> None:
    keys = [f"STEP-{n:02d}-WITH-A-RATHER-LONG-KEY" for n in range(12)]
    items = [{"key": keys[0], "hosting": "saas", "data": "restricted"}] + [
        {"key": k, "depends_on": [keys[n]]} for n, k in enumerate(keys[1:])
    ]
    problem = make_problem(items, phases=4, forbid=["saas_restricted"])
    _, reasons = reasons_of(problem)
    assert reasons[keys[-1]].startswith(f"depends on {keys[-2]}, which needs")
    assert reasons[keys[-1]].endswith("…")


def test_no_plan_at_all_says_so() -> None:
    problem = make_problem(
        [{"key": "M", "mandatory": True, "capex": 200}, {"key": "X"}], phases=1, budget=100
    )
    roadmap = solve(problem, CONFIG)
    assert roadmap.status == "infeasible"
    reasons = explain_unscheduled(problem, roadmap)
    assert reasons["X"] == "no roadmap satisfies the constraints: see the conflicts"


def test_solve_reports_these_reasons() -> None:
    problem = make_problem(
        [
            {"key": "A", "capex": 100, "value": 20},
            {"key": "B", "capex": 100, "value": 10},
        ],
        phases=1,
        budget=100,
    )
    roadmap = solve(problem, CONFIG)
    assert {u.key: u.reason for u in roadmap.unscheduled} == {
        "B": "lower value than what it would displace: A"
    }


# --------------------------------------------------------------------------- explain KEY

TWO = [
    {"key": "A", "capex": 100, "value": 10},
    {"key": "B", "capex": 100, "value": 5},
]


def test_explain_scheduled_names_what_blocks_earlier_starts_and_the_cost() -> None:
    problem = make_problem(TWO, phases=3, budget=100)
    roadmap = solve(problem, CONFIG)
    assert roadmap.starts == {"A": 0, "B": 1}  # the unique optimum
    e = explain(problem, roadmap, "b", config=CONFIG)
    assert e.headline == "B starts and goes live in 2027Q2, adding 10 of realized value"
    assert "Not 2027Q1: 2027Q1 budget has 0 left of 100, needs 100." in e.details
    cost = e.details[-1]
    assert cost.startswith("Starting one phase earlier, in 2027Q1, would cost 5 of realized value")
    assert "moves A to 2027Q2" in cost


def test_explain_scheduled_waiting_for_a_dependency() -> None:
    problem = make_problem([{"key": "A"}, {"key": "B", "depends_on": ["A"]}], phases=3)
    roadmap = solve(problem, CONFIG)
    e = explain(problem, roadmap, "B", config=CONFIG)
    assert "Not 2027Q1: it waits for A, which goes live in 2027Q1." in e.details
    assert e.details[-1].startswith("No earlier start is possible")


def test_explain_scheduled_in_the_first_phase() -> None:
    problem = make_problem([{"key": "A", "mandatory": True}])
    roadmap = solve(problem, CONFIG)
    e = explain(problem, roadmap, "A", config=CONFIG)
    assert e.details == [
        "It must be scheduled (mandatory or required by the scenario).",
        "It starts in the first phase of the plan.",
    ]


def test_explain_unscheduled_costs_forcing_it_in_and_the_room_it_needs() -> None:
    problem = make_problem(TWO, phases=1, budget=100)
    roadmap = solve(problem, CONFIG)
    e = explain(problem, roadmap, "B", config=CONFIG)
    assert e.headline == "B is not scheduled: lower value than what it would displace: A"
    assert e.details[0] == (
        "Forcing it in (starting 2027Q1) would cost 5 of realized value (−50.0%): drops A."
    )
    assert e.details[1] == (
        "Room for it starting 2027Q1, without dropping anything: 100 more budget in 2027Q1."
    )
    assert e.text().splitlines()[1].startswith("- Forcing it in")


def test_explain_unscheduled_when_capacity_binds_says_budget_alone_will_not_do() -> None:
    problem = make_problem(
        [
            {"key": "A", "uses": {"integration": 2}, "value": 20},
            {"key": "B", "uses": {"integration": 2}, "value": 10},
        ],
        phases=1,
        capacity={"integration": 3},
    )
    roadmap = solve(problem, CONFIG)
    e = explain(problem, roadmap, "B", config=CONFIG)
    assert any("integration capacity +1 in 2027Q1" in d for d in e.details)
    assert e.details[-1] == "More budget alone would not make room: capacity binds."


def test_explain_blocked_and_outside_the_plan() -> None:
    problem = make_problem(
        [
            {"key": "HR", "hosting": "saas", "data": "restricted"},
            {"key": "IDEA", "status": "proposed"},
            {"key": "A"},
        ],
        forbid=["saas_restricted"],
    )
    roadmap = solve(problem, CONFIG)
    blocked = explain(problem, roadmap, "HR", config=CONFIG)
    assert blocked.headline == "HR is not scheduled: forbidden by security policy (saas restricted)"
    outside = explain(problem, roadmap, "IDEA", config=CONFIG)
    assert outside.headline == "IDEA is not part of the plan: it is proposed"
    assert "whatif with IDEA" in outside.details[-1]


def test_explain_unknown_key_is_an_error_naming_it() -> None:
    problem = make_problem([{"key": "SOC-7"}])
    roadmap = solve(problem, CONFIG)
    with pytest.raises(
        ScenarioError, match=r"there is no initiative SOC-8 \(did you mean SOC-7\?\)"
    ):
        explain(problem, roadmap, "SOC-8", config=CONFIG)


def test_a_plan_not_proven_optimal_that_missed_room_says_so() -> None:
    problem = make_problem([{"key": "A", "capex": 10}, {"key": "B", "capex": 10}], budget=100)
    roadmap = assemble(problem, {"A": 0}, status="feasible", solver="test", seconds=1)
    reasons = explain_unscheduled(problem, roadmap)
    assert reasons == {
        "B": "fits from 2027Q1 next to the plan, but the search stopped before adding it"
    }


def test_a_plan_not_proven_optimal_is_not_re_solved() -> None:
    problem = make_problem(TWO, phases=1, budget=100)
    roadmap = assemble(problem, {"A": 0}, status="feasible", solver="test", seconds=1)
    reasons = explain_unscheduled(problem, roadmap, time_budget=60)
    assert reasons["B"].startswith("does not fit next to the chosen plan: 2027Q1 budget")
