from __future__ import annotations

import pytest

from bench.psplib import (
    heuristic_schedule,
    instance_names,
    load_psplib,
    parse_sm,
    read_optima,
    scheduling_instance,
)
from planner.portfolio import parse_portfolio, portfolio_to_dict
from planner.problem import build_problem
from planner.roadmap import realized_value
from planner.validate import check_starts


def _sm(durations, successors, requests, capacity):
    """A small single-mode file in PSPLIB layout (one renewable resource)."""
    jobs = len(durations)
    lines = [
        "*" * 20,
        f"jobs (incl. supersource/sink ):  {jobs}",
        "RESOURCES",
        "  - renewable                 :  1   R",
        "*" * 20,
        "PRECEDENCE RELATIONS:",
        "jobnr.    #modes  #successors   successors",
    ]
    for j in range(1, jobs + 1):
        succ = successors.get(j, [])
        lines.append(f"  {j}  1  {len(succ)}  " + " ".join(map(str, succ)))
    lines += ["*" * 20, "REQUESTS/DURATIONS:", "jobnr. mode duration  R 1", "-" * 20]
    for j in range(1, jobs + 1):
        lines.append(f"  {j}  1  {durations[j - 1]}  {requests[j - 1]}")
    lines += ["*" * 20, "RESOURCEAVAILABILITIES:", "  R 1", f"  {capacity}", "*" * 20]
    return "\n".join(lines) + "\n"


def test_j301_1_is_read_as_published(bench_data):
    (instance,) = load_psplib(bench_data, ["j301_1"])
    project = instance.project
    assert len(project.activities) == 32
    assert project.capacities == (12, 13, 4, 12)
    assert project.activity(2).duration == 8 and project.activity(2).requests == (4, 0, 0, 0)
    assert project.activity(2).successors == (6, 11, 15)
    assert instance.optimum == 43
    portfolio = instance.portfolio
    assert parse_portfolio(portfolio_to_dict(portfolio)) == portfolio
    assert len(portfolio.initiatives) == 31  # the dummy source is dropped
    assert dict(portfolio.capacity) == {"r1": 12, "r2": 13, "r3": 4, "r4": 12}
    j2 = portfolio.initiative("J2")
    assert (j2.duration, dict(j2.uses), j2.depends_on, j2.mandatory) == (8, {"r1": 4}, (), True)
    assert "J2" in portfolio.initiative("J6").depends_on
    sink = portfolio.initiative("J32")
    assert (sink.duration, sink.value, set(sink.depends_on)) == (1, 1, {"J29", "J30", "J31"})
    assert sum(it.value for it in portfolio.initiatives) == 1
    assert instance.horizon == instance.heuristic_makespan + 1
    assert instance.heuristic_makespan == 43  # forward-backward improvement finds the optimum


def test_the_heuristic_schedule_is_a_valid_roadmap_worth_horizon_minus_makespan(bench_data):
    for instance in load_psplib(bench_data, ["j301_1", "j3024_7", "j3025_1", "j3048_10"]):
        start = heuristic_schedule(instance.project)
        starts = {f"J{j}": s for j, s in start.items() if j != 1}
        problem = build_problem(instance.portfolio)
        assert check_starts(problem, starts) == []
        value = realized_value(problem, starts)
        assert instance.makespan(value) == instance.heuristic_makespan >= instance.optimum


def test_every_j30_instance_has_only_the_two_dummies_at_duration_zero(bench_data):
    names = instance_names(bench_data)
    assert len(names) == 480
    assert names[:2] == ["j301_1", "j301_2"] and names[-1] == "j3048_10"
    optima = read_optima(bench_data / "psplib" / "j30_optimum.csv")
    assert set(optima) == set(names)
    for name in names:
        project = parse_sm((bench_data / "psplib" / "j30" / f"{name}.sm").read_text())
        zero = [a.number for a in project.activities if a.duration == 0]
        assert zero == [1, 32], name


def test_the_makespan_maps_exactly_onto_the_sink_start():
    # two jobs of 3 and 2 periods competing for one unit: makespan 5, whichever goes first
    text = _sm([0, 3, 2, 0], {1: [2, 3], 2: [4], 3: [4]}, [0, 1, 1, 0], capacity=1)
    instance = scheduling_instance(parse_sm(text), name="tiny", optimum=5)
    assert instance.heuristic_makespan == 5 and instance.horizon == 6
    problem = build_problem(instance.portfolio)
    good = {"J2": 0, "J3": 3, "J4": 5}
    assert check_starts(problem, good) == []
    assert instance.makespan(realized_value(problem, good)) == 5
    overlapping = {"J2": 0, "J3": 0, "J4": 3}
    assert any("capacity" in v for v in check_starts(problem, overlapping))
    early_sink = {"J2": 0, "J3": 3, "J4": 4}
    assert any("J4 starts in phase 4 before J3 finishes" in v
               for v in check_starts(problem, early_sink))  # fmt: skip


def test_a_real_activity_of_duration_zero_is_refused():
    text = _sm([0, 0, 2, 0], {1: [2, 3], 2: [4], 3: [4]}, [0, 1, 1, 0], capacity=1)
    with pytest.raises(ValueError, match="job 2 has duration 0"):
        scheduling_instance(parse_sm(text), name="bad", optimum=None)
