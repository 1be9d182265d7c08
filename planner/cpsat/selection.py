"""Which initiatives are scheduled: at most one start each, must-select, excludes."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.variables import StartVars
from planner.problem import Item, Problem


def must_select_reasons(problem: Problem, it: Item) -> list[str]:
    """Why an initiative must be scheduled, one sentence per reason (none: optional)."""
    out = []
    if it.mandatory:
        out.append(f"{it.key} is mandatory")
    if it.pin is not None:
        out.append(f"{it.key} is pinned to {phase_name(problem, it.pin)}")
    if it.key in problem.force_in:
        out.append(f"{it.key} is required by the scenario")
    return out


def add_selection(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """At most one start per initiative; exactly one for those that must be scheduled."""
    for it in problem.items:
        if it.key not in starts.y and not problem.must_select(it):
            continue
        literals = starts.literals(it.key)
        if len(literals) > 1:
            model.add_at_most_one(literals)
        for why in must_select_reasons(problem, it):
            if literals:
                model.add_bool_or(literals).only_enforce_if(guard(why))
            else:
                model.add_bool_or([]).only_enforce_if(guard(why))


def add_excludes(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """At most one initiative of each excluding pair is scheduled."""
    for it in problem.items:
        for other in it.excludes:
            if it.key < other and it.key in starts.y and other in starts.y:
                both = starts.literals(it.key) + starts.literals(other)
                model.add(cp_model.LinearExpr.sum(both) <= 1).only_enforce_if(
                    guard(f"{it.key} and {other} exclude each other")
                )


def required_items(problem: Problem) -> list[Item]:
    """Initiatives that must be scheduled and, transitively, what they depend on."""
    needed = problem.required_keys()
    return [it for it in problem.items if it.key in needed]
