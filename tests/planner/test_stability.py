"""Stability against a published roadmap: the drop cost, the levels, what it cost, and
reasons that say what actually kept an initiative out (docs/PLANNING_MODEL.md, Stability).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from planner import check_roadmap, check_starts
from planner.config import SolverConfig
from planner.cpsat import build_model
from planner.diff import diff_roadmaps
from planner.errors import ScenarioError
from planner.explain import explain
from planner.exports.json import schema_document
from planner.portfolio import load_portfolio
from planner.problem import Problem, build_problem
from planner.reasons import explain_unscheduled
from planner.roadmap import assemble, realized_value, roadmap_from_dict
from planner.scenario import BudgetChange, Change, apply
from planner.solve import solve
from planner.stability import (
    STABILITY_LEVELS,
    Stability,
    default_stability_weight,
    drop_phases,
    level_weight,
    parse_stability,
    stability_penalty,
)
from tests.planner.factories import make_problem
from tests.planner.test_properties import problems

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"
CONFIG = SolverConfig(time_limit=5, workers=1)
STOPPED = "search stopped"


def score(problem: Problem, baseline: dict[str, int], starts: dict[str, int], weight: int) -> int:
    """What the model maximizes: value − weight × penalty."""
    return realized_value(problem, starts) - weight * stability_penalty(problem, baseline, starts)


def reasons_of(roadmap) -> dict[str, str]:
    return {u.key: u.reason for u in roadmap.unscheduled}


# ------------------------------------------------------------------ the issue's scenario


@pytest.fixture(scope="module")
def budget_cut():
    """The demo planned, taken as published, then re-planned with 200k a phase."""
    problem = build_problem(load_portfolio(DEMO))
    config = SolverConfig(time_limit=10, workers=2)
    published = solve(problem, config)
    cut = apply(problem, [BudgetChange(Change("set", Fraction(200_000)))])
    baseline = published.starts
    return cut, config, baseline


def test_a_budget_cut_moves_published_initiatives_and_drops_none(budget_cut):
    cut, config, baseline = budget_cut
    assert baseline["SSO"] == 0  # published for 2027Q1: the foundation others depend on
    free = solve(cut, config)  # as if nothing was published
    assert free.status == "optimal"
    replanned = solve(cut, replace(config, baseline=baseline))
    assert replanned.status == "optimal"
    assert check_roadmap(cut, replanned) == []
    report = replanned.stability
    # Every published initiative stays on the roadmap: moved where it must, none dropped.
    assert set(baseline) <= set(replanned.starts)
    assert "SSO" in replanned.starts
    assert report.dropped == 0 and report.drops == ()
    assert report.published == len(baseline) == report.kept + report.moved
    # What it cost: the plan without the baseline, proven, and the difference.
    assert report.proven and report.value_without == free.objective
    assert report.value == replanned.objective < free.objective
    assert report.cost == free.objective - replanned.objective
    line = report.summary()
    assert line.startswith(f"Stability kept {report.kept} of {len(baseline)} published starts")
    assert f"it cost {report.cost:,} of value" in line
    assert line.endswith(f"`plan stability=off` gives {free.objective:,}.")
    assert not any(STOPPED in r for r in reasons_of(replanned).values())


def test_with_stability_off_the_budget_cut_plans_as_if_nothing_was_published(budget_cut):
    cut, config, baseline = budget_cut
    off = solve(cut, replace(config, baseline=baseline, stability="off"))
    free = solve(cut, config)
    assert off.starts == free.starts and off.objective == free.objective
    assert off.stability_penalty is None
    report = off.stability
    assert report.level == "off" and report.weight == 0 and report.dropped > 0
    assert report.summary().startswith(
        f"Stability off: {report.kept} of {report.published} published starts kept"
    )


# ------------------------------------------------------------------ the drop cost


def test_dropping_costs_one_phase_more_than_the_largest_move():
    problem = make_problem([{"key": "A"}, {"key": "B"}], phases=4)
    assert drop_phases(4, 0) == drop_phases(4, 3) == 5
    assert drop_phases(4, 9) == 10  # published past this horizon: still above any move
    assert stability_penalty(problem, {"A": 0}, {"A": 3}) == 3
    assert stability_penalty(problem, {"A": 0}, {}) == 5
    assert stability_penalty(problem, {"A": 9}, {"A": 0}) == 9
    assert stability_penalty(problem, {"A": 9}, {}) == 10
    assert stability_penalty(problem, {"GONE": 1}, {}) == 0


def test_a_published_initiative_that_can_only_start_late_is_moved_not_dropped():
    # A was published for 2027Q1 and may now start no earlier than 2027Q4: moving it three
    # phases costs 3 × 10, dropping it 5 × 10, so it is moved although it adds only 10.
    problem = make_problem([{"key": "A", "earliest": 3}], phases=4)
    config = replace(CONFIG, baseline={"A": 0}, stability_weight=10)
    roadmap = solve(problem, config)
    assert roadmap.starts == {"A": 3}
    assert roadmap.stability_penalty == 30
    assert roadmap.stability.moves == {"A": 3} and roadmap.stability.moved == 1


def test_a_published_start_past_the_horizon_is_a_move_in_the_interval_model_too():
    # Pure scheduling (everything mandatory, no budget) takes the interval model; a start
    # published for a longer plan is a long move there, never an impossible one. A in
    # 2027Q1 is worth 30 − 7 moved, in 2027Q3 10 − 5.
    items = [{"key": "A", "mandatory": True}, {"key": "B", "mandatory": True}]
    problem = make_problem(items, phases=3)
    config = replace(CONFIG, baseline={"A": 7, "B": 0}, stability_weight=1)
    assert build_model(problem).kind == "intervals"
    roadmap = solve(problem, config)
    assert roadmap.status == "optimal"
    assert roadmap.starts == {"A": 0, "B": 0}
    assert roadmap.stability_penalty == 7


# ------------------------------------------------------------------ levels


def test_levels_are_multiples_of_the_default_weight():
    problem = make_problem([{"key": k, "value": v} for k, v in (("A", 10), ("B", 30), ("C", 40))])
    assert default_stability_weight(problem) == 15  # half the median per-phase value
    weights = {level: level_weight(problem, level) for level in STABILITY_LEVELS}
    assert weights == {"low": 7, "normal": 15, "high": 60, "off": 0}
    tiny = make_problem([{"key": "A", "value": 1}])
    assert level_weight(tiny, "low") == 1  # at least 1 unless off


def test_the_level_decides_whether_moving_is_worth_it():
    # A (value 10) was published in 2027Q2; starting in 2027Q1 gains 10. Default weight 5.
    problem = make_problem([{"key": "A"}], phases=2)
    starts = {
        level: solve(problem, replace(CONFIG, baseline={"A": 1}, stability=level)).starts
        for level in STABILITY_LEVELS
    }
    assert starts == {"low": {"A": 0}, "normal": {"A": 0}, "high": {"A": 1}, "off": {"A": 0}}


@pytest.mark.parametrize("text", ["HIGH", " off ", "Low"])
def test_levels_read_whatever_their_case_and_spacing(text):
    assert parse_stability(text) == text.strip().lower()


def test_an_unknown_level_is_refused_naming_the_levels():
    with pytest.raises(ScenarioError, match=r"one of low, normal, high, off .*not 'firm'"):
        parse_stability("firm")
    problem = make_problem([{"key": "A"}])
    with pytest.raises(ScenarioError, match="stability must be one of"):
        solve(problem, replace(CONFIG, stability="firm"))


def test_without_a_baseline_there_is_no_stability_report_nor_second_solve(monkeypatch):
    problem = make_problem([{"key": "A"}, {"key": "B"}], phases=2)
    calls = []
    import planner.solve as solve_module

    real = solve_module.optimize

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "optimize", counting)
    roadmap = solve(problem, CONFIG)
    assert roadmap.stability is None and roadmap.stability_penalty is None
    assert len(calls) == 1 and calls[0] == CONFIG  # the options as given, time limit too
    calls.clear()
    solve(problem, replace(CONFIG, baseline={"A": 0}))
    assert len(calls) == 2
    assert calls[0].time_limit == pytest.approx(CONFIG.time_limit * 0.75)
    assert calls[1].baseline is None


# ------------------------------------------------------------------ the report


def report(**changes) -> Stability:
    base = Stability(
        level="normal",
        weight=11_250,
        baseline={"A": 0},
        published=9,
        kept=7,
        moved=1,
        dropped=1,
        penalty=10,
        value=937_000,
    )
    return replace(base, **changes)


def test_the_report_line_says_what_was_kept_and_what_it_cost():
    assert report().compared(957_000, proven=True).summary() == (
        "Stability kept 7 of 9 published starts (1 moved, 1 dropped); it cost 20,000 of "
        "value: `plan stability=off` gives 957,000."
    )
    assert report().compared(957_000, proven=False).summary() == (
        "Stability kept 7 of 9 published starts (1 moved, 1 dropped); it cost at least "
        "20,000 of value: `plan stability=off` found 957,000."
    )
    # A plan without the baseline found worth less is not the best: this one is.
    unproven = report(moved=0, dropped=0, kept=9).compared(900_000, proven=False)
    assert unproven.value_without == 937_000 and unproven.cost == 0
    assert unproven.summary() == (
        "Stability kept 9 of 9 published starts; planning without it found no plan worth more."
    )
    assert report(kept=9, moved=0, dropped=0).compared(937_000, proven=True).summary() == (
        "Stability kept 9 of 9 published starts; it cost no value."
    )
    assert (
        report()
        .compared(None, proven=False)
        .summary()
        .endswith("what it cost was not measured: planning without it found no plan in time.")
    )
    assert report(level="off", weight=0).summary() == (
        "Stability off: 7 of 9 published starts kept (1 moved, 1 dropped)."
    )


def test_a_scaled_objective_reports_its_own_figures():
    scaled = report(noun="strategic score", scale=10_000, value=123_450).compared(
        133_450, proven=True
    )
    assert scaled.summary().endswith(
        "it cost 1.00 of strategic score: `plan stability=off` gives 13.35."
    )


def test_the_report_is_in_the_roadmap_document_and_reads_back():
    problem = make_problem([{"key": "A"}, {"key": "B", "earliest": 1}], phases=3)
    roadmap = solve(problem, replace(CONFIG, baseline={"A": 1, "B": 0}))
    document = roadmap.to_dict()
    Draft202012Validator(schema_document(), format_checker=FormatChecker()).validate(document)
    assert document["stability"]["baseline"] == {"A": 1, "B": 0}
    assert document["stability"]["proven"] is True
    assert roadmap_from_dict(document).stability == roadmap.stability
    plain = solve(problem, CONFIG).to_dict()
    Draft202012Validator(schema_document(), format_checker=FormatChecker()).validate(plain)
    assert plain["stability"] is None


# ------------------------------------------------------------------ reasons

#: X (value 30) fits only in 2027Q1, where published A (value 10) is; A could move to
#: 2027Q2. That gains 50 of value for one phase moved: kept out at weight 100.
CROWDED = [
    {"key": "A", "uses": {"integration": 1}},
    {"key": "X", "value": 30, "deadline": 0, "uses": {"integration": 1}},
]


def test_what_stability_keeps_out_says_so_with_what_it_would_move():
    problem = make_problem(CROWDED, phases=2, capacity={"integration": 1})
    config = replace(CONFIG, baseline={"A": 0}, stability_weight=100)
    roadmap = solve(problem, config)
    assert roadmap.status == "optimal" and roadmap.starts == {"A": 0}
    assert reasons_of(roadmap)["X"] == (
        "kept out to keep the published roadmap: scheduling it in 2027Q1 would move A by "
        "1 quarter (+50 of value, less than its stability cost)"
    )
    why = explain(problem, roadmap, "X", config=CONFIG)
    assert why.details[0] == (
        "Forcing it in (starting 2027Q1) would add 50 of realized value: moves A to 2027Q2. "
        "Against the published roadmap it would move A by 1 quarter, a stability cost of 100."
    )
    # Cheap enough, it is scheduled and A moves; off, A moves for nothing at all.
    cheap = solve(problem, replace(config, stability_weight=40))
    assert cheap.starts == {"A": 1, "X": 0}
    assert cheap.stability.cost == 0


def test_without_a_baseline_the_same_case_is_a_matter_of_value():
    problem = make_problem(CROWDED, phases=2, capacity={"integration": 1}, force_in=["A"])
    roadmap = solve(problem, CONFIG)
    assert roadmap.starts == {"A": 1, "X": 0}


def test_a_dropped_published_initiative_says_what_keeping_it_would_displace():
    # P (published, value 1) and Q (value 100) compete for the only slot of 2027Q1 and
    # both must go live there: keeping P drops Q, worth more than the drop costs.
    items = [
        {"key": "P", "value": 1, "deadline": 0, "uses": {"integration": 1}},
        {"key": "Q", "value": 100, "deadline": 0, "uses": {"integration": 1}},
    ]
    problem = make_problem(items, phases=2, capacity={"integration": 1})
    roadmap = solve(problem, replace(CONFIG, baseline={"P": 0}, stability_weight=5))
    assert roadmap.starts == {"Q": 0}
    assert roadmap.stability.drops == ("P",)
    assert reasons_of(roadmap)["P"] == "lower value than what it would displace: Q"


def test_an_optimal_plan_never_blames_the_search_for_what_adds_nothing():
    problem = make_problem([{"key": "A"}, {"key": "ZERO", "value": 0}], phases=2)
    roadmap = assemble(problem, {"A": 0}, status="optimal", solver="test", seconds=1)
    assert explain_unscheduled(problem, roadmap) == {
        "ZERO": "fits from 2027Q1 next to the plan but adds no value"
    }
    found = assemble(problem, {"A": 0}, status="feasible", solver="test", seconds=1)
    assert explain_unscheduled(problem, found)["ZERO"].endswith(
        "but the search stopped before adding it"
    )


def test_a_published_start_kept_though_an_earlier_one_fits_says_so():
    problem = make_problem([{"key": "A"}], phases=3)
    roadmap = solve(problem, replace(CONFIG, baseline={"A": 1}, stability_weight=100))
    assert roadmap.starts == {"A": 1}
    why = explain(problem, roadmap, "A", config=CONFIG)
    assert "Not 2027Q1: it would fit there, but further from its published start (2027Q2)." in (
        why.details
    )


# ------------------------------------------------------------------ diff


def test_diff_against_the_published_roadmap_lists_what_it_drops_first_with_the_reason():
    items = [
        {"key": "P", "value": 1, "deadline": 0, "uses": {"integration": 1}},
        {"key": "Q", "value": 100, "deadline": 0, "uses": {"integration": 1}},
        {"key": "R", "value": 5, "earliest": 1},
    ]
    problem = make_problem(items, phases=2, capacity={"integration": 1})
    published = assemble(problem, {"P": 0, "R": 1}, status="optimal", solver="test", seconds=0)
    later = replace(problem, items=tuple(replace(i, earliest=0) for i in problem.items))
    replanned = solve(later, replace(CONFIG, baseline=published.starts, stability_weight=1))
    assert replanned.starts == {"Q": 0, "R": 0}
    diff = diff_roadmaps(published, replanned)
    lines = diff.lines()
    assert lines[:3] == [
        "P is dropped: lower value than what it would displace: Q",
        "R moves from 2027Q2 to 2027Q1",
        "Q is added, starting 2027Q1",
    ]
    assert lines[3] == diff.stability.summary()
    assert lines[3].startswith("Stability kept 0 of 2 published starts (1 moved, 1 dropped)")
    # Compared with a roadmap that was not its baseline, there is no stability line.
    other = assemble(problem, {"R": 1}, status="optimal", solver="test", seconds=0)
    assert diff_roadmaps(other, replanned).stability is None


# ------------------------------------------------------------------ properties

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(), st.data())
def test_dropping_a_baseline_initiative_never_scores_better_than_moving_it(problem, data):
    # Other things equal: the same starts for everything else, at any weight.
    keys = list(problem.keys)
    P = problem.horizon
    baseline = data.draw(st.dictionaries(st.sampled_from(keys), st.integers(0, 2 * P), min_size=1))
    key = data.draw(st.sampled_from(sorted(baseline)))
    rest = [k for k in keys if k != key]
    others = (
        data.draw(st.dictionaries(st.sampled_from(rest), st.integers(0, P - 1))) if rest else {}
    )
    start = data.draw(st.integers(0, P - 1))
    weight = data.draw(st.integers(0, 10_000))
    moved = score(problem, baseline, {**others, key: start}, weight)
    dropped = score(problem, baseline, others, weight)
    assert moved >= dropped
    if weight:
        assert moved > dropped


@SETTINGS
@given(problems(), st.data())
def test_optimal_replans_move_what_can_move_and_never_blame_the_search(problem, data):
    keys = list(problem.keys)
    # Initiatives worth nothing are left out of optimal plans though they fit.
    worthless = data.draw(st.sets(st.sampled_from(keys), max_size=2))
    problem = problem.replace_items(
        replace(it, value=0) if it.key in worthless else it for it in problem.items
    )
    baseline = data.draw(
        st.dictionaries(st.sampled_from(keys), st.integers(0, problem.horizon - 1), max_size=4)
    )
    level = data.draw(st.sampled_from([*STABILITY_LEVELS, None]))
    config = CONFIG if level is None else replace(CONFIG, baseline=baseline, stability=level)
    roadmap = solve(problem, config)
    if roadmap.status != "optimal":
        assert roadmap.status == "infeasible"
        return
    assert check_roadmap(problem, roadmap) == []
    reasons = reasons_of(roadmap)
    assert not any(STOPPED in reason for reason in reasons.values()), reasons
    if level in (None, "off") or not baseline:
        return
    # A published initiative left out could not have been moved in, other things equal.
    for key in roadmap.stability.drops:
        for t in problem.allowed_starts(problem.item(key)):
            assert check_starts(problem, {**roadmap.starts, key: t}), (key, t)
    report = roadmap.stability
    assert report.value_without is not None and report.value_without >= roadmap.objective
    assert report.cost == report.value_without - roadmap.objective
