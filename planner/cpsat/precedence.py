"""Finish-to-start dependencies over start literals.

For `j` depending on `i`: by any phase t, `j` may have started only if `i` started by
t − d_i. With prefix literals z_k(t) = "k has started by phase t" this is
z_j(t) ≤ z_i(t − d_i) for each start t of `j` — linear, one constraint per start, and as
tight as the time-indexed formulation gets (it also implies `j` selected ⇒ `i` selected).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard
from planner.cpsat.variables import StartVars
from planner.problem import Problem


def add_dependencies(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Each dependent starts after what it depends on finishes, and only if that is scheduled."""
    duration = {it.key: it.duration for it in problem.items}

    for it in problem.items:
        if not starts.y.get(it.key):
            continue
        for dep in it.depends_on:
            enforce = guard(f"{it.key} depends on {dep} (finish-to-start)")
            before = duration[dep]
            for t in starts.y[it.key]:
                started = starts.started_by(model, it.key, t)
                ready = starts.started_by(model, dep, t - before)
                assert started is not None  # t is one of its own starts
                clause = [~started] if ready is None else [~started, ready]
                model.add_bool_or(clause).only_enforce_if(enforce)
