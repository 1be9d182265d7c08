"""The executable specification: check start phases or a Roadmap against a Problem.

No solver is involved. Each broken rule of the planning model (docs/PLANNING_MODEL.md)
becomes one sentence; an empty list means the plan is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from planner.money import format_money_exact
from planner.problem import SECURITY_REVIEWS, Problem
from planner.roadmap import Roadmap, realized_value, spend_by_phase, use_by_phase


def check_starts(problem: Problem, starts: Mapping[str, int]) -> list[str]:
    """Every violation of the planning model by these start phases, in words."""
    out: list[str] = []
    P = problem.horizon
    known = set(problem.keys)
    for key in starts:
        if key not in known:
            out.append(f"{key} is scheduled but is not part of the problem")
    starts = {k: s for k, s in starts.items() if k in known}
    for key, s in starts.items():
        it = problem.item(key)
        label = problem.phases
        if s < 0 or s + it.duration > P:
            out.append(
                f"{key} starts in phase {s} and does not finish inside the {P}-phase horizon"
            )
            continue
        live = s + it.duration - 1
        if problem.must_drop(it):
            why = it.blocked or "it is excluded by the scenario"
            out.append(f"{key} is scheduled but must not be: {why}")
        if s < it.earliest:
            out.append(f"{key} starts in phase {s}, before its earliest start {it.earliest}")
        if it.deadline is not None and live > it.deadline:
            out.append(f"{key} goes live in phase {live}, after its deadline {it.deadline}")
        if it.pin is not None and s != it.pin:
            out.append(f"{key} is pinned to phase {it.pin} but starts in phase {s}")
        if it.cadence == "waterfall" and s not in problem.tollgates:
            out.append(
                f"{key} is waterfall and starts in phase {s} ({label[s].label}), "
                "which is not a tollgate"
            )
        if live in problem.freeze:
            out.append(
                f"{key} goes live in phase {live} ({label[live].label}), inside a freeze window"
            )
        for dep in it.depends_on:
            if dep not in starts:
                out.append(f"{key} depends on {dep}, which is not scheduled")
            else:
                dep_end = starts[dep] + problem.item(dep).duration
                if s < dep_end:
                    out.append(
                        f"{key} starts in phase {s} before {dep} finishes (phase {dep_end - 1})"
                    )
        for other in it.excludes:
            if other in starts and key < other:
                out.append(f"{key} and {other} exclude each other but both are scheduled")
    for it in problem.items:
        if it.key not in starts and problem.must_select(it):
            why = (
                "mandatory"
                if it.mandatory
                else f"pinned to phase {it.pin}"
                if it.pin is not None
                else "required by the scenario"
            )
            out.append(f"{it.key} is {why} but not scheduled")
    valid = {k: s for k, s in starts.items() if s >= 0 and s + problem.item(k).duration <= P}
    spend = spend_by_phase(problem, valid)
    for p, amount in enumerate(spend):
        budget = problem.budget[p]
        if budget is not None and amount > budget:
            out.append(
                f"phase {p} ({problem.phases[p].label}) spends {format_money_exact(amount)}, "
                f"over its budget of {format_money_exact(budget)}"
            )
    if problem.total_budget is not None and sum(spend) > problem.total_budget:
        out.append(
            f"total spend {format_money_exact(sum(spend, Fraction(0)))} is over the total budget "
            f"of {format_money_exact(problem.total_budget)}"
        )
    use = use_by_phase(problem, valid)
    for p in range(P):
        for resource in problem.capacity:
            cap = problem.capacity_at(resource, p)
            if cap is not None and use[p].get(resource, 0) > cap:
                what = "security reviews start" if resource == SECURITY_REVIEWS else "uses"
                out.append(
                    f"phase {p} ({problem.phases[p].label}) {what} "
                    f"{use[p][resource]} of {resource}, over its capacity of {cap}"
                )
    return out


def check_roadmap(problem: Problem, roadmap: Roadmap) -> list[str]:
    """Violations of a Roadmap: its starts, its bookkeeping and its objective (the one
    the problem plans for: value, strategic score or a blend, `Problem.goal`)."""
    out: list[str] = []
    goal = problem.goal
    if roadmap.goal.kind != goal.kind or roadmap.goal.scale != goal.scale:
        out.append(
            f"the roadmap was planned for {roadmap.goal.noun} but the problem plans for {goal.noun}"
        )
    keys = [s.key for s in roadmap.scheduled]
    if len(keys) != len(set(keys)):
        out.append("an initiative is scheduled more than once")
    starts = roadmap.starts
    out.extend(check_starts(problem, starts))
    for s in roadmap.scheduled:
        if (
            s.key in problem.keys
            and s.end_phase != s.start_phase + problem.item(s.key).duration - 1
        ):
            out.append(
                f"{s.key} reports go-live phase {s.end_phase}, which does not match "
                "its start and duration"
            )
    listed = set(keys) | {u.key for u in roadmap.unscheduled}
    missing = set(problem.keys) - listed
    if missing:
        out.append("not reported as scheduled or unscheduled: " + ", ".join(sorted(missing)))
    for s in roadmap.scheduled:
        if s.key in problem.keys and s.start_phase >= 0:
            it = problem.item(s.key)
            if s.value != it.realized_value(s.start_phase, problem.horizon):
                out.append(
                    f"{s.key} reports {goal.noun} {goal.display(s.value)}, which does not "
                    "match its start and per-phase benefit"
                )
    if roadmap.status in ("optimal", "feasible"):
        expected = realized_value(problem, {k: v for k, v in starts.items() if k in problem.keys})
        if roadmap.objective != expected:
            shown = None if roadmap.objective is None else goal.display(roadmap.objective)
            out.append(
                f"objective {shown} differs from the realized {goal.noun} "
                f"{goal.display(expected)} recomputed from the schedule"
            )
        if (
            roadmap.bound is not None
            and roadmap.objective is not None
            and roadmap.bound < roadmap.objective
        ):
            out.append(
                f"bound {goal.display(roadmap.bound)} is below the objective "
                f"{goal.display(roadmap.objective)}"
            )
    return out
