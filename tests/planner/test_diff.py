from planner.config import SolverConfig
from planner.diff import diff_roadmaps
from planner.portfolio import load_portfolio
from planner.problem import build_problem
from planner.roadmap import assemble
from planner.scenario import apply
from planner.solve import solve
from planner.validate import check_roadmap
from tests.planner.factories import make_problem

ITEMS = [
    {"key": "A", "capex": 100, "value": 10},
    {"key": "B", "capex": 200, "value": 20, "duration": 2},
    {"key": "C", "capex": 50, "opex": 5, "value": 30},
    {"key": "D", "capex": 80, "value": 5},
]


def roadmaps(before: dict[str, int], after: dict[str, int], *, reasons=None, **settings):
    problem = make_problem(ITEMS, phases=4, **settings)
    a = assemble(problem, before, status="optimal", solver="test", seconds=0)
    b = assemble(problem, after, status="feasible", solver="test", seconds=0, reasons=reasons)
    return a, b


def test_added_dropped_moved_and_unchanged() -> None:
    before, after = roadmaps(
        {"A": 0, "B": 0, "C": 1},
        {"A": 0, "B": 2, "D": 1},
        reasons={"C": "does not fit: 2027Q2 budget is full"},
    )
    diff = diff_roadmaps(before, after)
    assert [(a.key, a.start_phase, a.start_label) for a in diff.added] == [("D", 1, "2027Q2")]
    assert [(d.key, d.reason) for d in diff.dropped] == [
        ("C", "does not fit: 2027Q2 budget is full")
    ]
    assert [(m.key, m.from_label, m.to_label, m.shift) for m in diff.moved] == [
        ("B", "2027Q1", "2027Q3", 2)
    ]
    assert diff.unchanged == 1


def test_value_and_spend_changes() -> None:
    before, after = roadmaps({"A": 0, "C": 0}, {"A": 1, "C": 0, "D": 0})
    diff = diff_roadmaps(before, after)
    # before: A 10×4 + C 30×4 = 160; after: A 10×3 + C 120 + D 5×4 = 170
    assert (diff.value_before, diff.value_after, diff.value_change) == (160, 170, 10)
    assert round(diff.value_change_percent, 2) == 6.25
    # spend before: 150 + 3×5 opex = 165; after adds D's 80
    assert (diff.spend_before, diff.spend_after, diff.spend_change) == (165, 245, 80)
    per_phase = {p.label: (p.before, p.after) for p in diff.phases}
    assert per_phase == {
        "2027Q1": (150, 130),
        "2027Q2": (5, 105),
        "2027Q3": (5, 5),
        "2027Q4": (5, 5),
    }


def test_summary_has_one_plain_line_per_change() -> None:
    before, after = roadmaps(
        {"A": 0, "B": 0, "C": 1},
        {"A": 0, "B": 2, "D": 1},
        reasons={"C": "lower value than what it would displace: D"},
    )
    lines = diff_roadmaps(before, after).lines()
    assert "D is added, starting 2027Q2" in lines
    assert "C is dropped: lower value than what it would displace: D" in lines
    assert "B moves from 2027Q1 to 2027Q3" in lines
    # value: before A 40 + B 20×3 + C 30×3 = 190; after A 40 + B 20×1 + D 5×3 = 75
    assert "Realized value −115 (−60.5%)" in lines
    assert any(line.startswith("Total spend ") for line in lines)
    assert any(line.startswith("Spend by phase: 2027Q1 ") for line in lines)
    assert diff_roadmaps(before, after).summary() == "\n".join(lines)


def test_identical_roadmaps_have_an_empty_diff() -> None:
    before, _ = roadmaps({"A": 0, "B": 1}, {})
    diff = diff_roadmaps(before, before)
    assert diff.is_empty
    assert diff.unchanged == 2
    assert diff.lines() == ["No change"]


def test_a_dropped_key_missing_from_the_after_roadmap_says_so() -> None:
    before, _ = roadmaps({"A": 0, "B": 1}, {})
    other = make_problem([{"key": "A", "capex": 100, "value": 10}], phases=4)
    after = assemble(other, {"A": 0}, status="optimal", solver="test", seconds=0)
    diff = diff_roadmaps(before, after)
    assert [(d.key, d.reason) for d in diff.dropped] == [("B", "no longer part of the plan")]


def test_an_infeasible_after_roadmap_is_stated_and_drops_everything() -> None:
    problem = make_problem(ITEMS, phases=4)
    before = assemble(problem, {"A": 0}, status="optimal", solver="test", seconds=0)
    after = assemble(problem, {}, status="infeasible", solver="test", seconds=0)
    diff = diff_roadmaps(before, after)
    assert diff.value_change is None
    assert diff.lines()[0] == "The new roadmap is infeasible: no plan was found"
    assert [d.key for d in diff.dropped] == ["A"]


def test_horizons_of_different_length_compare_phase_by_phase() -> None:
    short = make_problem(ITEMS, phases=4)
    long = make_problem(ITEMS, phases=6)
    before = assemble(short, {"C": 0}, status="optimal", solver="test", seconds=0)
    after = assemble(long, {"C": 0}, status="optimal", solver="test", seconds=0)
    diff = diff_roadmaps(before, after)
    assert [p.label for p in diff.phases][-2:] == ["2028Q1", "2028Q2"]
    assert diff.phases[-1].before == 0
    assert diff.phases[-1].after == 5
    assert diff.value_change == 60


def test_whatif_on_the_demo_a_smaller_budget_never_adds_value() -> None:
    config = SolverConfig(time_limit=5, workers=1, seed=0)
    base = build_problem(load_portfolio("catalog/data/demo.yaml"))
    cut = apply(base, "budget-20%")
    before, after = solve(base, config), solve(cut, config)
    assert check_roadmap(cut, after) == []
    assert after.objective <= before.bound
    diff = diff_roadmaps(before, after)
    assert diff.value_change == after.objective - before.objective
    if diff.value_change:
        assert any(line.startswith("Realized value −") for line in diff.lines())
    for dropped in diff.dropped:
        assert dropped.reason == next(u.reason for u in after.unscheduled if u.key == dropped.key)
