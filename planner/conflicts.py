"""Which must-hold constraints cannot hold together, in words.

Only what must be scheduled can make a plan impossible: every other initiative can be
left out. So the conflict model holds the must-select initiatives and everything they
depend on, with no objective, and guards each user constraint that could be at fault
by an assumption literal (see `planner.cpsat.guard`): mandatory, pinned and forced-in
initiatives, their earliest starts, deadlines, tollgates, freezes, policy or scenario
exclusions, dependencies and excludes among them, each phase budget, the total budget
and each capacity in each phase. CP-SAT returns a set of assumptions sufficient for
infeasibility, which is then shrunk by deletion, while time allows, to a minimal one.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from planner.cpsat.guard import Assumptions
from planner.cpsat.money import add_budgets
from planner.cpsat.precedence import add_dependencies
from planner.cpsat.resources import add_capacities
from planner.cpsat.selection import add_excludes, add_selection, required_items
from planner.cpsat.variables import add_start_vars
from planner.problem import Problem


def find_conflicts(problem: Problem, *, time_limit: float = 5.0) -> tuple[str, ...]:
    """A minimal set of constraints that cannot all hold, in words; () if they can.

    When time runs out before the set is minimal, the set found so far (still
    sufficient for infeasibility) is returned; when even infeasibility cannot be
    established in time, ().
    """
    deadline = time.perf_counter() + time_limit
    model = cp_model.CpModel()
    guard = Assumptions(model)
    starts = add_start_vars(model, problem, items=required_items(problem), guard=guard)
    add_selection(model, problem, starts, guard=guard)
    add_excludes(model, problem, starts, guard=guard)
    add_dependencies(model, problem, starts, guard=guard)
    add_budgets(model, problem, starts, guard=guard)
    add_capacities(model, problem, starts, guard=guard)
    words = {literal.index: what for what, literal in guard.literals.items()}
    order = {literal.index: n for n, literal in enumerate(guard.literals.values())}
    literals = {literal.index: literal for literal in guard.literals.values()}

    core = _core(model, list(literals), literals, deadline)
    if core is None:
        return ()
    # Deletion: drop each assumption in turn; keep it out when the rest stay infeasible.
    kept = sorted(core, key=order.__getitem__)
    n = 0
    while n < len(kept) and time.perf_counter() < deadline:
        trial = kept[:n] + kept[n + 1 :]
        smaller = _core(model, trial, literals, deadline)
        if smaller is None:
            n += 1
        else:
            kept = [i for i in trial if i in smaller] if smaller else trial
    return tuple(words[i] for i in sorted(kept, key=order.__getitem__))


def _core(
    model: cp_model.CpModel,
    assumed: list[int],
    literals: dict[int, cp_model.IntVar],
    deadline: float,
) -> set[int] | None:
    """Indices of assumptions sufficient for infeasibility, or None if not proven so."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    model.clear_assumptions()
    model.add_assumptions([literals[i] for i in assumed])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumptions need a single worker
    solver.parameters.max_time_in_seconds = left
    if solver.solve(model) != cp_model.INFEASIBLE:
        return None
    return set(solver.sufficient_assumptions_for_infeasibility()) & set(assumed)
