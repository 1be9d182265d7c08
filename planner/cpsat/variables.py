"""Start literals: one boolean per (initiative, start phase) — the time-indexed model.

`y[key][t]` is true when the initiative is scheduled to start in phase t; at most one of
an initiative's literals is true, and none when it is not scheduled. The objective and
the total budget are linear sums over these literals. Prefix literals z[key][t] ("started
by phase t") make per-phase sums short: an initiative builds in phase p exactly when
z(p) − z(p − d) = 1 and is live when z(p − d) = 1, two terms per initiative and phase
however many starts it has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_list, phase_name
from planner.problem import Item, Problem, check_limits


@dataclass
class StartVars:
    """The start literals of the initiatives in a model, by key then start phase."""

    horizon: int
    y: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    # z[key][t] = "started in phase t or earlier", one literal per start, made on demand
    z: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    _by_phase: dict[str, list[cp_model.IntVar | None]] = field(default_factory=dict)

    def literals(self, key: str) -> list[cp_model.IntVar]:
        return list(self.y.get(key, {}).values())

    def selected(self, key: str) -> cp_model.LinearExprT:
        """1 when the initiative is scheduled, else 0."""
        return cp_model.LinearExpr.sum(self.literals(key))

    def started_by(self, model: cp_model.CpModel, key: str, phase: int) -> cp_model.IntVar | None:
        """The literal "started in `phase` or earlier"; None when it cannot have.

        Prefix literals are chained, z(t) = z(previous start) + y(t), one per start and
        one small constraint each; an initiative's are created on first use. From its
        last start on, z is the selection itself.
        """
        if phase < 0:
            return None
        return self.prefix_table(model, key)[min(phase, self.horizon - 1)]

    def prefix_table(self, model: cp_model.CpModel, key: str) -> list[cp_model.IntVar | None]:
        """`started_by` for every phase 0 … P−1 at once (the same literal objects)."""
        table = self._by_phase.get(key)
        return self._prefix(model, key) if table is None else table

    def _prefix(self, model: cp_model.CpModel, key: str) -> list[cp_model.IntVar | None]:
        prefix: dict[int, cp_model.IntVar] = {}
        previous = None
        for t, literal in sorted(self.y.get(key, {}).items()):
            if previous is None:
                prefix[t] = literal
            else:
                prefix[t] = model.new_bool_var(f"{key} by {t}")
                model.add(prefix[t] == previous + literal)
            previous = prefix[t]
        table: list[cp_model.IntVar | None] = []
        current = None
        for p in range(self.horizon):
            current = prefix.get(p, current)
            table.append(current)
        self.z[key] = prefix
        self._by_phase[key] = table
        return table

    def hint(self, model: cp_model.CpModel, starts: dict[str, int]) -> None:
        """Hint every literal (starts and prefixes) from a plan."""
        for key, y in self.y.items():
            chosen = starts.get(key)
            for t, literal in y.items():
                model.add_hint(literal, t == chosen)
            for t, literal in list(self.z.get(key, {}).items())[1:]:  # the first is a start
                model.add_hint(literal, chosen is not None and chosen <= t)


def add_start_vars(
    model: cp_model.CpModel,
    problem: Problem,
    *,
    items: Iterable[Item] | None = None,
    guard: Guard | None = None,
) -> StartVars:
    """Create the start literals.

    Without a guard, each initiative's own rules are hard: its literals cover exactly
    `problem.allowed_starts(item)` and an initiative that must be dropped gets none.
    With a guard, every start inside the horizon gets a literal and each rule (earliest,
    deadline, pin, tollgates, freeze, policy or scenario exclusion) forbids its starts
    under the guard's literal for that rule.

    Every model starts here (`planner.conflicts` builds its own), so the figures are
    checked against `planner.limits` first: see `planner.problem.check_limits`.
    """
    check_limits(problem)
    chosen = problem.items if items is None else tuple(items)
    out = StartVars(horizon=problem.horizon)
    for it in chosen:
        if guard is None:
            if problem.must_drop(it):
                continue
            starts: Iterable[int] = problem.allowed_starts(it)
        else:
            starts = range(problem.horizon - it.duration + 1)
        out.y[it.key] = {t: model.new_bool_var(f"{it.key}@{t}") for t in starts}
        out.items[it.key] = it
        if guard is not None:
            _guard_rules(model, problem, it, out.y[it.key], guard)
    return out


def _guard_rules(
    model: cp_model.CpModel,
    problem: Problem,
    it: Item,
    y: dict[int, cp_model.IntVar],
    guard: Guard,
) -> None:
    for what, banned in item_rules(problem, it):
        forbidden = [~y[t] for t in sorted(banned) if t in y]
        if forbidden:
            model.add_bool_and(forbidden).only_enforce_if(guard(what))


def item_rules(problem: Problem, it: Item) -> list[tuple[str, set[int]]]:
    """Each rule of an initiative that forbids starts, in words, with the starts it forbids."""
    P, d, k = problem.horizon, it.duration, it.key
    horizon = set(range(P - d + 1))
    rules: list[tuple[str, set[int]]] = []
    if problem.must_drop(it):
        why = it.blocked or "left out by the scenario"
        rules.append((f"{k} cannot be scheduled: {why}", horizon))
    if it.pin is not None:
        rules.append((f"{k} is pinned to {phase_name(problem, it.pin)}", horizon - {it.pin}))
    if it.earliest > 0:
        rules.append(
            (
                f"{k} cannot start before {phase_name(problem, it.earliest)}",
                {t for t in horizon if t < it.earliest},
            )
        )
    if it.deadline is not None:
        rules.append(
            (
                f"{k} must go live by {phase_name(problem, it.deadline)}",
                {t for t in horizon if t + d - 1 > it.deadline},
            )
        )
    if it.cadence == "waterfall":
        rules.append(
            (
                f"{k} is waterfall and may start only at a tollgate "
                f"({phase_list(problem, problem.tollgates)})",
                {t for t in horizon if t not in problem.tollgates},
            )
        )
    if problem.freeze:
        rules.append(
            (
                f"{k} cannot go live in a freeze window ({phase_list(problem, problem.freeze)})",
                {t for t in horizon if t + d - 1 in problem.freeze},
            )
        )
    return [(what, banned) for what, banned in rules if banned]
