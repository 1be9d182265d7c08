"""Finish-to-start dependencies over start literals.

For `j` depending on `i`: by any phase t, `j` may have started only if `i` started by
t − d_i. With prefix literals z_k(t) = "k has started by phase t" this is
z_j(t) ≤ z_i(t − d_i) for each start t of `j` — linear, one constraint per start, and as
tight as the time-indexed formulation gets (it also implies `j` selected ⇒ `i` selected).
"""

from __future__ import annotations

from bisect import bisect_right

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard
from planner.cpsat.variables import StartVars
from planner.problem import Problem


class _Prefix:
    """Prefix literals of one initiative, created once per start phase."""

    def __init__(self, model: cp_model.CpModel, key: str, y: dict[int, cp_model.IntVar]) -> None:
        self.phases = sorted(y)
        self.z: list[cp_model.IntVar] = []
        for n, t in enumerate(self.phases):
            if n == 0:
                self.z.append(y[t])
                continue
            z = model.new_bool_var(f"{key} by {t}")
            model.add(z == self.z[-1] + y[t])
            self.z.append(z)

    def by(self, phase: int) -> cp_model.IntVar | None:
        """The literal "started in `phase` or earlier"; None when it cannot have."""
        n = bisect_right(self.phases, phase)
        return self.z[n - 1] if n else None


def add_dependencies(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Each dependent starts after what it depends on finishes, and only if that is scheduled."""
    prefixes: dict[str, _Prefix] = {}
    duration = {it.key: it.duration for it in problem.items}

    def prefix(key: str) -> _Prefix:
        if key not in prefixes:
            prefixes[key] = _Prefix(model, key, starts.y.get(key, {}))
        return prefixes[key]

    for it in problem.items:
        if not starts.y.get(it.key):
            continue
        for dep in it.depends_on:
            enforce = guard(f"{it.key} depends on {dep} (finish-to-start)")
            before = duration[dep]
            mine, theirs = prefix(it.key), prefix(dep)
            for t in mine.phases:
                started = mine.by(t)
                ready = theirs.by(t - before)
                assert started is not None  # t is one of its own starts
                clause = [~started] if ready is None else [~started, ready]
                model.add_bool_or(clause).only_enforce_if(enforce)
