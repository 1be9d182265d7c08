"""Planning for strategy: the demo planned for its strategic and blended score obeys every
rule, is proven optimal, and its roadmap and exports speak of the objective planned."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from functools import cache
from itertools import pairwise, product

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openpyxl import load_workbook

from planner.config import SolverConfig
from planner.drivers import group_weights
from planner.exports import ExportSource, export
from planner.exports.json import schema_document
from planner.exports.xlsx import DRIVERS_SHEET
from planner.goal import SCALE
from planner.portfolio import Portfolio, load_portfolio
from planner.problem import Problem, build_problem
from planner.roadmap import Roadmap, assemble, realized_value, roadmap_from_dict
from planner.solve import solve
from planner.validate import check_roadmap, check_starts
from tests.planner.factories import make_portfolio
from tests.planner.test_portfolio import DEMO


@cache
def demo() -> Portfolio:
    return load_portfolio(DEMO)


@cache
def planned(objective: str, blend: float = 1.0) -> tuple[Problem, Roadmap]:
    problem = build_problem(replace(demo(), objective=objective, blend=blend))
    return problem, solve(problem, SolverConfig())


@pytest.mark.parametrize(
    ("objective", "blend"), [("strategic", 1.0), ("blend", 1.0), ("blend", 4.0)]
)
def test_a_strategic_or_blended_plan_of_the_demo_obeys_every_rule_and_is_optimal(
    objective: str, blend: float
) -> None:
    problem, roadmap = planned(objective, blend)
    assert roadmap.status == "optimal" and roadmap.bound == roadmap.objective
    assert roadmap.gap == 0.0
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.goal == problem.goal and roadmap.goal.kind == objective
    assert roadmap.objective == realized_value(problem, roadmap.starts)
    # the money plan is a feasible plan too, and never worth more for this objective
    _, money = planned("value")
    assert check_starts(problem, money.starts) == []
    assert realized_value(problem, money.starts) <= roadmap.objective


def test_the_strategic_demo_roadmap_differs_from_the_money_one() -> None:
    _, money = planned("value")
    problem, strategic = planned("strategic")
    assert money.objective == 1_074_000  # the money plan did not move
    assert "API-GW" in strategic.starts and "API-GW" not in money.starts
    assert "SP-SOCIAL" in money.starts and "SP-SOCIAL" not in strategic.starts
    # the integration layer (security 3, cost 5) is worth more strategically than
    # SharePoint social sites (collaboration 4): it displaces it
    assert problem.item("API-GW").strategic > problem.item("SP-SOCIAL").strategic
    reasons = {u.key: u.reason for u in strategic.unscheduled}
    assert "strategic score" in reasons["SP-SOCIAL"]


def test_a_strategic_plan_is_the_best_one_by_exhaustive_search_on_a_small_problem() -> None:
    # 4 optional initiatives, 3 phases, a budget that fits two builds per phase: every
    # combination of starts (or none) is tried, the best valid one must be the plan's.
    portfolio = make_portfolio(
        [
            {"key": "A", "value": 90, "capex": 60, "scores": {"engage": 1}},
            {"key": "B", "value": 10, "capex": 60, "scores": {"secure": 5}},
            {"key": "C", "value": 40, "capex": 50, "scores": {"engage": 3, "secure": 2}},
            {"key": "D", "value": 30, "capex": 70, "duration": 2, "scores": {"secure": 4}},
        ],
        phases=3,
        budget=100,
        drivers=["engage", "secure"],
        judgments=[{"by": "U1", "a": "secure", "b": "engage", "ratio": 2}],
        objective="strategic",
    )
    problem = build_problem(portfolio)
    roadmap = solve(problem, SolverConfig())
    best = 0
    for choice in product(*([None, *range(problem.horizon)] for _ in problem.items)):
        starts = {it.key: s for it, s in zip(problem.items, choice, strict=True) if s is not None}
        if not check_starts(problem, starts):
            best = max(best, realized_value(problem, starts))
    assert roadmap.status == "optimal" and roadmap.objective == best
    assert check_roadmap(problem, roadmap) == []
    money = solve(build_problem(replace(portfolio, objective="value")), SolverConfig())
    assert money.starts != roadmap.starts  # A (value 90) first for money, C for strategy


def test_the_roadmap_document_states_the_objective_in_its_own_units() -> None:
    problem, roadmap = planned("strategic")
    document = roadmap.to_dict()
    assert document["objective"] == round(roadmap.objective / SCALE, 4)
    assert isinstance(document["objective"], float)
    goal = document["goal"]
    assert goal["objective"] == "strategic" and goal["scale"] == SCALE
    weights = group_weights(demo().drivers, demo().judgments)
    assert goal["weights"] == weights.weights and goal["cr"] == weights.cr
    assert goal["source"] == "judgments" and goal["names"]["secure"] == "Security and compliance"
    for entry in document["scheduled"]:
        it = problem.item(entry["key"])
        assert entry["strategic_score"] == it.strategic
        assert entry["value"] == round(it.realized_value(entry["start_phase"], 8) / SCALE, 4)
    validator = Draft202012Validator(schema_document(), format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    assert roadmap_from_dict(json.loads(json.dumps(document))) == roadmap
    # the money plan's document keeps whole currency units
    _, money = planned("value")
    money_doc = money.to_dict()
    assert money_doc["objective"] == 1_074_000 and money_doc["goal"]["objective"] == "value"
    assert all(isinstance(e["value"], int) for e in money_doc["scheduled"])
    assert [e.message for e in validator.iter_errors(money_doc)] == []
    broken = {**money_doc, "objective": 1.5}
    assert [e.message for e in validator.iter_errors(broken)] != []


def test_a_roadmap_without_drivers_has_no_strategic_scores() -> None:
    problem = build_problem(make_portfolio([{"key": "A"}]))
    document = solve(problem, SolverConfig()).to_dict()
    assert "strategic_score" not in document["scheduled"][0]
    assert document["goal"]["weights"] == {} and document["goal"]["objective"] == "value"


def test_the_validator_checks_the_objective_planned() -> None:
    problem, roadmap = planned("strategic")
    tampered = replace(roadmap, objective=roadmap.objective - 9, bound=None)
    assert check_roadmap(problem, tampered) == [
        "objective 86.8035 differs from the realized strategic score 86.8044 recomputed "
        "from the schedule"
    ]
    entry = roadmap.scheduled[0]
    wrong_entry = replace(
        roadmap, scheduled=(replace(entry, value=entry.value + 1), *roadmap.scheduled[1:])
    )
    assert any(
        f"{entry.key} reports strategic score" in p for p in check_roadmap(problem, wrong_entry)
    )
    # a money roadmap checked against the strategic problem: the objectives differ
    _, money = planned("value")
    found = check_roadmap(problem, money)
    assert found[0] == "the roadmap was planned for value but the problem plans for strategic score"


def test_the_interval_model_plans_for_the_strategic_score_too() -> None:
    # everything mandatory and no budget: the pure scheduling model (planner.cpsat.schedule)
    portfolio = make_portfolio(
        [
            {"key": "A", "value": 100, "mandatory": True, "uses": {"team": 1}, "scores": {"x": 1}},
            {"key": "B", "value": 1, "mandatory": True, "uses": {"team": 1}, "scores": {"x": 5}},
        ],
        phases=3,
        capacity={"team": 1},
        drivers=["x"],
    )
    strategic = replace(portfolio, objective="strategic")
    by_money = solve(build_problem(portfolio), SolverConfig())
    problem = build_problem(strategic)
    by_strategy = solve(problem, SolverConfig())
    assert by_money.starts == {"A": 0, "B": 1}  # the bigger value goes live first
    assert by_strategy.starts == {"B": 0, "A": 1}  # the bigger strategic score does
    assert by_strategy.status == "optimal" and check_roadmap(problem, by_strategy) == []


def test_excel_has_a_drivers_sheet_and_scores_per_driver() -> None:
    problem, roadmap = planned("strategic")
    source = ExportSource(roadmap=roadmap, portfolio=demo())
    wb = load_workbook(io.BytesIO(export("xlsx", source)))
    ws = wb[DRIVERS_SHEET]
    header = [c.value for c in ws[1] if c.value is not None]
    assert header == ["Key", "Driver", "Description", "Group weight", "U0CIO", "U0CMO"]
    weights = group_weights(demo().drivers, demo().judgments)
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for driver in demo().drivers:
        r = rows[driver.key]
        assert ws.cell(r, 2).value == driver.name
        assert ws.cell(r, 4).value == pytest.approx(weights.weights[driver.key])
        assert ws.cell(r, 5).value == pytest.approx(weights.people["U0CIO"].weights[driver.key])
    cio = rows["U0CIO"]
    assert ws.cell(cio, 2).value is True and ws.cell(cio, 5).value == pytest.approx(
        weights.people["U0CIO"].cr
    )
    assert ws.cell(rows["Objective"], 2).value.startswith("Planned for strategic score")
    sheet = wb["Initiatives"]
    titles = [c.value for c in sheet[1]]
    assert titles[-5:] == [
        "Customer engagement score",
        "Employee collaboration score",
        "Security and compliance score",
        "Cost efficiency score",
        "Strategic score",
    ]
    assert "Realized strategic score" in titles
    keys = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    r = keys["API-GW"]
    assert [sheet.cell(r, c).value for c in range(len(titles) - 4, len(titles))] == [1, 2, 3, 5]
    assert sheet.cell(r, len(titles)).value == pytest.approx(
        problem.item("API-GW").strategic, abs=1e-4
    )
    realized = sheet.cell(r, titles.index("Realized strategic score") + 1).value
    assert realized == pytest.approx(roadmap.scheduled_item("API-GW").value / SCALE)
    grid = wb["Roadmap"]
    assert grid.cell(1, 7).value == "Realized strategic score"


def test_csv_has_the_strategic_score_and_the_scores() -> None:
    problem, roadmap = planned("strategic")
    text = export("csv", ExportSource(roadmap=roadmap, portfolio=demo())).decode("utf-8-sig")
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["API-GW"]["scores"] == "collaborate=2;cost=5;engage=1;secure=3"
    assert float(rows["API-GW"]["strategic_score"]) == pytest.approx(
        problem.item("API-GW").strategic, abs=1e-4
    )
    assert float(rows["API-GW"]["realized_value"]) == roadmap.scheduled_item("API-GW").value / SCALE
    assert rows["FACEBOOK"]["plan"] == "not planned" and rows["FACEBOOK"]["strategic_score"]


def test_other_exports_speak_of_the_objective_planned() -> None:
    _, roadmap = planned("strategic")
    source = ExportSource(roadmap=roadmap, portfolio=demo())
    ics = export("ics", source).decode()
    assert "Realized strategic score: " in ics and "Realized value: $" not in ics
    assert export("png", source).startswith(b"\x89PNG")
    shown = str(roadmap.goal.display(roadmap.scheduled_item("API-GW").value)).encode()
    assert b"<Value>" + shown + b"</Value>" in export("mspdi", source)


def test_frontier_of_a_strategic_problem_is_drawn_in_its_units() -> None:
    from planner.exports.frontier_chart import frontier_png
    from planner.frontier import frontier

    problem, roadmap = planned("strategic")
    points = frontier(problem, levels=[400_000, 1_300_000], config=SolverConfig(time_limit=10))
    assert [p.total_budget for p in points] == [400_000, 1_300_000]
    assert points[-1].objective == roadmap.objective  # the demo's total budget
    assert all(a.objective <= b.objective for a, b in pairwise(points))
    assert frontier_png(points, goal=problem.goal).startswith(b"\x89PNG")


def test_assemble_carries_the_goal_of_the_problem() -> None:
    problem, roadmap = planned("blend")
    again = assemble(problem, roadmap.starts, status="feasible", solver="test", seconds=0)
    assert again.goal.kind == "blend" and again.objective == roadmap.objective
    assert check_roadmap(problem, again) == []
