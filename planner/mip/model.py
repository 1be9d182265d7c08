"""The time-indexed MIP of the planning problem, for an LP-based solver (HiGHS).

The same rules as `planner.cpsat` (docs/PLANNING_MODEL.md), over the same variables: a
binary `y[key][t]` per initiative and allowed start, and a continuous prefix
`z[key][t]` = "started by phase t" (one equality row each), so that each phase's spend
and use is two terms per initiative:

- at most one start each; exactly one for what must be scheduled (mandatory, pinned,
  forced in); of an excluding pair at most one;
- finish-to-start dependencies: z_j(t) ≤ z_i(t − d_i) for each start t of j;
- the budget of each phase: share × z(p) + (opex − share) × z(p − d) summed, with
  share = capex / d; the total budget over the start binaries;
- each capacity: use × (z(p) − z(p − d)); security review slots over the starts in p;
- the objective: realized value per start, less weight × the stability penalty of
  `planner.stability` when a baseline is given (linear in the starts: a start's penalty
  is |t − published| − drop, and drop is counted once for every published initiative).

Rows that can never bind are left out, as CP-SAT's are. The model is written straight
into HiGHS's own `HighsLp` arrays (building it row by row through a modelling layer
costs seconds at 1,000 initiatives). Money is floating point here, so a plan read back
from a solver is checked exactly by `planner.validate` before anything trusts it
(`planner.mip.engine`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.problem import SECURITY_REVIEWS, Item, Problem, check_limits
from planner.stability import drop_phases

Column = int  # a variable's index in the model


@dataclass
class MipModel:
    """A MIP (or its LP relaxation) of a Problem: HiGHS's arrays, the columns of its start
    binaries (`y`) and of its "started by" prefixes (`z`, which include the first start's
    own binary)."""

    problem: Problem
    lp: highspy.HighsLp
    y: dict[str, dict[int, Column]]
    z: dict[str, dict[int, Column]] = field(default_factory=dict)
    weight: int = 0  # stability weight (0: no term)
    baseline: Mapping[str, int] = field(default_factory=dict)
    offset: int = 0  # the objective's constant: −weight × Σ drop over the baseline
    relaxed: bool = False

    @property
    def size(self) -> int:
        """Number of start variables."""
        return sum(len(y) for y in self.y.values())

    @property
    def columns(self) -> int:
        """Number of columns (start binaries and prefixes)."""
        return int(self.lp.num_col_)

    def read(self, values: Sequence[float]) -> dict[str, int]:
        """The starts of an integral solution (`values` by column): the start whose
        variable is more than one half, per initiative."""
        out = {}
        for key, y in self.y.items():
            for t, column in y.items():
                if values[column] > 0.5:
                    out[key] = t
                    break
        return out

    def values_of(self, starts: Mapping[str, int]) -> list[float]:
        """Every column's value for a plan (a solver's starting solution)."""
        values = [0.0] * self.columns
        for key, t in starts.items():
            for started, column in self.z.get(key, {}).items():
                if started >= t:
                    values[column] = 1.0
            if key in self.y and t in self.y[key]:
                values[self.y[key][t]] = 1.0
        return values

    def objective_of(self, starts: Mapping[str, int]) -> int:
        """What the model's objective is worth for a plan (value − weight × penalty)."""
        costs = self.lp.col_cost_
        total = self.offset
        for key, t in starts.items():
            column = self.y.get(key, {}).get(t)
            if column is not None:
                total += round(float(costs[column]))
        return total


class _Builder:
    """Columns and rows in lists, turned into a ModelProto at the end."""

    def __init__(self, relax: bool) -> None:
        self.relax = relax
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.rows: list[dict[Column, float]] = []

    def column(self, *, integer: bool) -> Column:
        self.lower.append(0.0)
        self.upper.append(1.0)
        self.integer.append(integer and not self.relax)
        return len(self.lower) - 1

    def row(self, terms: Mapping[Column, float], lower: float, upper: float) -> None:
        kept = {c: v for c, v in terms.items() if v}
        if not kept:
            return
        self.rows.append(kept)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def lp(self, name: str, objective: Mapping[Column, float], offset: float) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.model_name_ = name
        lp.num_col_, lp.num_row_ = len(self.lower), len(self.rows)
        costs = np.zeros(len(self.lower))
        for column, value in objective.items():
            costs[column] = value
        lp.col_cost_ = costs
        lp.col_lower_ = np.array(self.lower)
        lp.col_upper_ = np.array(self.upper)
        lp.row_lower_ = np.array(self.row_lower)
        lp.row_upper_ = np.array(self.row_upper)
        starts, indices, values = [0], [], []
        for terms in self.rows:
            columns = sorted(terms)
            indices.extend(columns)
            values.extend(terms[c] for c in columns)
            starts.append(len(indices))
        matrix = lp.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
        matrix.start_ = np.array(starts, dtype=np.int32)
        matrix.index_ = np.array(indices, dtype=np.int32)
        matrix.value_ = np.array(values, dtype=np.float64)
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [integer if i else continuous for i in self.integer]
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.offset_ = offset
        return lp


class _Sum:
    """A `≤` row under construction and the largest value its left side can take."""

    def __init__(self) -> None:
        self.terms: dict[Column, float] = {}
        self.worst = 0.0

    def add(self, column: Column | None, coefficient: float) -> None:
        if column is not None and coefficient:
            self.terms[column] = self.terms.get(column, 0.0) + coefficient

    def emit(self, builder: _Builder, limit: float) -> None:
        if self.worst > limit:
            builder.row(self.terms, -float("inf"), limit)


def build_mip(
    problem: Problem,
    *,
    baseline: Mapping[str, int] | None = None,
    stability_weight: int = 0,
    relax: bool = False,
) -> MipModel:
    """The MIP of the problem (module docstring), or with `relax` its LP relaxation
    (every start variable continuous in [0, 1]). Figures are checked against
    `planner.limits` first, as for CP-SAT."""
    check_limits(problem)
    builder = _Builder(relax)
    P = problem.horizon
    items: dict[str, Item] = {}
    y: dict[str, dict[int, Column]] = {}
    for it in problem.items:
        if problem.must_drop(it):
            continue
        y[it.key] = {t: builder.column(integer=True) for t in problem.allowed_starts(it)}
        items[it.key] = it
    z: dict[str, dict[int, Column]] = {}
    tables = {key: _prefix(builder, y[key], P, z.setdefault(key, {})) for key in y}
    inf = float("inf")
    for it in problem.items:
        starts = y.get(it.key, {})
        if problem.must_select(it):
            if not starts:  # nothing allowed: 0 ≥ 1 states the infeasibility
                builder.rows.append({})
                builder.row_lower.append(1.0)
                builder.row_upper.append(1.0)
            else:
                builder.row(dict.fromkeys(starts.values(), 1.0), 1.0, 1.0)
        elif len(starts) > 1:
            builder.row(dict.fromkeys(starts.values(), 1.0), -inf, 1.0)
        for other in it.excludes:
            if it.key < other and starts and y.get(other):
                both = dict.fromkeys([*starts.values(), *y[other].values()], 1.0)
                builder.row(both, -inf, 1.0)
        for dep in it.depends_on:
            before = problem.item(dep).duration
            for t in starts:
                started = tables[it.key][t]
                assert started is not None
                ready = tables[dep][t - before] if dep in tables and t >= before else None
                terms = {started: 1.0}
                if ready is not None:
                    terms[ready] = terms.get(ready, 0.0) - 1.0
                builder.row(terms, -inf, 0.0)
    _budgets(builder, problem, items, y, tables)
    _capacities(builder, problem, items, y, tables)
    weight = stability_weight if baseline and stability_weight > 0 else 0
    objective, offset = _objective(problem, items, y, baseline or {}, weight)
    lp = builder.lp(problem.name[:60] or "roadmap", objective, float(offset))
    return MipModel(
        problem=problem,
        lp=lp,
        y=y,
        z=z,
        weight=weight,
        baseline=dict(baseline or {}) if weight else {},
        offset=offset,
        relaxed=relax,
    )


def _prefix(
    builder: _Builder, starts: Mapping[int, Column], horizon: int, prefix: dict[int, Column]
) -> list[Column | None]:
    """ "Started by phase p" for p in 0 … P−1: None before the first start, that start's
    own variable, then one continuous column per later start (kept in `prefix` by start)."""
    previous = None
    for t, column in sorted(starts.items()):
        if previous is None:
            prefix[t] = column
        else:
            prefix[t] = builder.column(integer=False)
            builder.row({prefix[t]: 1.0, previous: -1.0, column: -1.0}, 0.0, 0.0)
        previous = prefix[t]
    table: list[Column | None] = []
    current = None
    for p in range(horizon):
        current = prefix.get(p, current)
        table.append(current)
    return table


def _budgets(
    builder: _Builder,
    problem: Problem,
    items: Mapping[str, Item],
    y: Mapping[str, Mapping[int, Column]],
    tables: Mapping[str, list[Column | None]],
) -> None:
    P = problem.horizon
    phases = [p for p, budget in enumerate(problem.budget) if budget is not None]
    rows = {p: _Sum() for p in phases}
    for key, it in items.items():
        share = it.capex / it.duration
        table = tables[key]
        for p in phases:
            started = table[p]
            if started is None:
                continue
            finished = table[p - it.duration] if p >= it.duration else None
            rows[p].add(started, share)
            rows[p].add(finished, it.opex - share)
            building = finished is not started
            rows[p].worst += max(share if building else 0, it.opex if finished is not None else 0)
    for p in phases:
        budget = problem.budget[p]
        assert budget is not None
        rows[p].emit(builder, float(budget))
    if problem.total_budget is not None:
        total = _Sum()
        for key, starts in y.items():
            it = items[key]
            most = 0.0
            for t, column in starts.items():
                amount = float(it.capex + it.opex * (P - t - it.duration))
                total.add(column, amount)
                most = max(most, amount)
            total.worst += most
        total.emit(builder, float(problem.total_budget))


def _capacities(
    builder: _Builder,
    problem: Problem,
    items: Mapping[str, Item],
    y: Mapping[str, Mapping[int, Column]],
    tables: Mapping[str, list[Column | None]],
) -> None:
    for resource in problem.resources():
        caps = problem.capacity[resource]
        phases = [p for p in range(problem.horizon) if caps[p] is not None]
        rows = {p: _Sum() for p in phases}
        for key, it in items.items():
            if resource == SECURITY_REVIEWS:
                if it.needs_review:
                    for t, column in y[key].items():
                        if t in rows:
                            rows[t].add(column, 1.0)
                            rows[t].worst += 1
                continue
            use = it.use(resource)
            if not use:
                continue
            table = tables[key]
            for p in phases:
                started = table[p]
                finished = table[p - it.duration] if p >= it.duration else None
                if started is not None and finished is not started:
                    rows[p].add(started, use)
                    rows[p].add(finished, -use)
                    rows[p].worst += use
        for p in phases:
            cap = caps[p]
            assert cap is not None
            rows[p].emit(builder, float(cap))


def _objective(
    problem: Problem,
    items: Mapping[str, Item],
    y: Mapping[str, Mapping[int, Column]],
    baseline: Mapping[str, int],
    weight: int,
) -> tuple[dict[Column, float], int]:
    """Realized value − weight × penalty by column, and the objective's constant."""
    P = problem.horizon
    coefficients: dict[Column, float] = {}
    for key, starts in y.items():
        it = items[key]
        for t, column in starts.items():
            coefficients[column] = float(it.realized_value(t, P))
    offset = 0
    if weight:
        known = set(problem.keys)
        for key, was in baseline.items():
            if key not in known:
                continue
            drop = drop_phases(P, was)
            offset -= weight * drop
            for t, column in y.get(key, {}).items():
                coefficients[column] -= weight * (abs(t - was) - drop)
    return coefficients, offset
