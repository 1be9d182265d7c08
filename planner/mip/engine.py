"""Roadmaps beyond CP-SAT's reach: HiGHS's MIP search, and CP-SAT guided by the LP relaxation.

`highs_search` is what `planner.optimize` runs on mid-size time-indexed models: HiGHS
(`planner.mip.highs`) searches the MIP on every worker, from the greedy plan; each
improving plan it finds is checked by the validator and offered as it comes, with the
dual bound as it tightens.

`lp_guided` is what it runs on large ones, where HiGHS's own search bogs down at its root.
The problem is close to a multidimensional knapsack over time, whose LP relaxation is
tight and nearly integral: its optimum is a valid bound, and the starts it uses hold a
near-optimal plan.

1. HiGHS solves the LP relaxation (`planner.mip.model`) in a thread of its own, started
   as soon as the greedy plan is made, while the CP-SAT model is built;
2. the LP solution is rounded into a plan (`planner.mip.rounding`), and CP-SAT (every
   worker), warm-started from the better of it and the greedy plan, searches the *LP
   neighbourhood*: every start the LP uses,
   plus the starts of the best plan so far; every other start literal is fixed to 0, so
   each plan found is a plan of the full model, and the search is small enough for
   CP-SAT to be strong;
3. if that neighbourhood is solved to optimality with time left, it is widened to every
   start whose LP reduced cost does not rule it out (reduced-cost fixing: a start whose
   reduced cost exceeds the LP bound minus the best plan's objective cannot be part of a
   better plan) and searched again; solved to optimality, that is a proof for the full
   model.

The bound is the best of the LP bound and a solved reduced-cost neighbourhood's. If the
LP is not solved in time, or there is no plan yet to keep inside the neighbourhood,
CP-SAT searches the full model instead.

Progress (best realized value, bound, gap) flows to `config.progress` from every phase:
CP-SAT's solution callbacks and HiGHS's. Every plan is one of the full model's, and
`planner.optimize` checks it against the validator like any other.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.config import Progress
from planner.cpsat.model import RoadmapModel
from planner.cpsat.search import STATUS, configure
from planner.mip.highs import HighsResult, Watch, solve_highs
from planner.mip.model import MipModel, build_mip
from planner.mip.rounding import round_lp
from planner.problem import Problem
from planner.roadmap import gap_of, realized_value
from planner.stability import stability_penalty
from planner.validate import check_starts

#: The engine names a roadmap states (`Roadmap.solver`).
LP_GUIDED = "cpsat+highs"
HIGHS = "highs"
#: Share of the search time the LP relaxation may take at most; the rest is left for
#: the neighbourhood search.
LP_SHARE = 0.9
#: Relative slack added to a floating-point LP bound before it is rounded down.
BOUND_SLACK = 1e-7
#: Start literals with an LP value above this are in the neighbourhood.
SUPPORT = 1e-6


@dataclass(frozen=True)
class Found:
    """What a search found: status, starts, bound on realized value, the engine."""

    status: str  # optimal | feasible | infeasible | unknown | invalid
    starts: dict[str, int]
    bound: int | None
    engine: str


class Incumbent:
    """The best plan found by any engine and the best bound, shared between threads.

    Objectives are the model's (realized value − weight × stability penalty); progress
    is reported in realized value, with the bound of `planner.cpsat.search.value_bound`.
    """

    def __init__(
        self,
        problem: Problem,
        *,
        weight: int,
        baseline: Mapping[str, int] | None,
        progress: Callable[[Progress], None] | None,
        clock: float,
    ) -> None:
        self.problem = problem
        self.weight = weight
        self.baseline = baseline if weight else None
        self.progress = progress
        self.clock = clock
        self.lock = threading.Lock()
        self.starts: dict[str, int] | None = None
        self.plan_objective: int | None = None  # model objective of `starts`
        self.objective: int | None = None  # the best model objective seen (figures)
        self.shown: tuple[int, int] | None = None  # realized value, penalty of the best
        self.bound: int | None = None  # on the model objective
        self.reported: tuple[int, int] | None = None

    def penalty(self, starts: Mapping[str, int]) -> int:
        if not self.baseline:
            return 0
        return stability_penalty(self.problem, self.baseline, starts)

    def model_objective(self, starts: Mapping[str, int]) -> int:
        return realized_value(self.problem, starts) - self.weight * self.penalty(starts)

    def offer_plan(self, starts: Mapping[str, int]) -> None:
        """A complete plan (already valid): kept when it is better."""
        value = realized_value(self.problem, starts)
        penalty = self.penalty(starts)
        with self.lock:
            objective = value - self.weight * penalty
            if self.plan_objective is None or objective > self.plan_objective:
                self.starts, self.plan_objective = dict(starts), objective
            if self.objective is None or objective > self.objective:
                self.objective = objective
                self.shown = (value, penalty)
        self.report()

    def offer_figures(self, value: int, penalty: int, bound: int | None) -> None:
        """A solution's figures from a solver callback (its starts are read later)."""
        with self.lock:
            objective = value - self.weight * penalty
            if self.objective is None or objective > self.objective:
                self.objective = objective
                self.shown = (value, penalty)
        if bound is not None:
            self.offer_bound(bound)
        else:
            self.report()

    def offer_bound(self, bound: int) -> None:
        with self.lock:
            if self.bound is None or bound < self.bound:
                self.bound = bound
        self.report()

    def value_bound(self) -> int | None:
        """An upper bound on realized value for plans at least as stable as the best."""
        with self.lock:
            if self.bound is None or self.shown is None:
                return None
            value, penalty = self.shown
            return max(value, self.bound + self.weight * penalty)

    def report(self) -> None:
        if self.progress is None:
            return
        bound = self.value_bound()
        with self.lock:
            if self.shown is None or bound is None:
                return
            value = self.shown[0]
            if self.reported == (value, bound):
                return
            self.reported = (value, bound)
        self.progress(
            Progress(
                objective=value,
                bound=bound,
                gap=gap_of(value, bound) or 0.0,
                seconds=time.perf_counter() - self.clock,
            )
        )


class _Figures(cp_model.CpSolverSolutionCallback):
    """Passes each CP-SAT solution's figures to the incumbent; its bound only when it
    bounds the full model."""

    def __init__(self, built: RoadmapModel, incumbent: Incumbent, *, global_bound: bool) -> None:
        super().__init__()
        self.built = built
        self.incumbent = incumbent
        self.global_bound = global_bound

    def on_solution_callback(self) -> None:
        objective = self.built.objective
        penalty = 0 if objective.penalty is None else self.value(objective.penalty)
        value = round(self.objective_value) + objective.weight * penalty
        bound = None
        if self.global_bound and math.isfinite(self.best_objective_bound):
            bound = math.floor(self.best_objective_bound + 1e-6)
        self.incumbent.offer_figures(value, penalty, bound)


class _CpRun:
    """One CP-SAT search of `built` in a thread of its own."""

    def __init__(
        self,
        built: RoadmapModel,
        incumbent: Incumbent,
        *,
        time_limit: float,
        workers: int,
        seed: int,
        size: int,
        global_bound: bool,
    ) -> None:
        self.built = built
        self.incumbent = incumbent
        self.global_bound = global_bound
        self.solver = cp_model.CpSolver()
        configure(
            self.solver.parameters, time_limit=time_limit, workers=workers, seed=seed, size=size
        )
        self.status = "unknown"
        self.starts: dict[str, int] = {}
        self.bound: int | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="cpsat search", daemon=True)

    def _run(self) -> None:
        try:
            code = self.solver.solve(
                self.built.model,
                _Figures(self.built, self.incumbent, global_bound=self.global_bound),
            )
            self.status = STATUS.get(code, "unknown")
            if self.status in ("optimal", "feasible"):
                self.starts = self.built.read(self.solver)
                bound = self.solver.best_objective_bound
                if math.isfinite(bound):
                    self.bound = math.floor(bound + 1e-6)
        except BaseException as exc:  # re-raised in the caller's thread by `join`
            self.error = exc

    def start(self) -> _CpRun:
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.status in ("optimal", "feasible"):
            self.incumbent.offer_plan(self.starts)
            if self.global_bound and self.bound is not None:
                self.incumbent.offer_bound(self.bound)


class Relaxation:
    """The LP relaxation, built and solved by HiGHS in a thread of its own (HiGHS lets go
    of the interpreter while it solves, so the CP-SAT model is built meanwhile).

    Dual simplex: measured at 1,000 × 24 it took 3.3–5.9 s where the interior point
    method took 3.9–7.7 s; solving with both at once, first to finish wins, was slower
    still on a busy two-core machine (each got half a core)."""

    def __init__(
        self,
        problem: Problem,
        *,
        baseline: Mapping[str, int] | None,
        weight: int,
        time_limit: float,
    ) -> None:
        self.problem = problem
        self.baseline = baseline
        self.weight = weight
        self.time_limit = time_limit
        self.mip: MipModel | None = None
        self.result = HighsResult("unknown", (), None, None)
        self.error: BaseException | None = None
        self.built = threading.Event()  # set once the LP is built (or failed to be)
        self.thread = threading.Thread(target=self._run, name="lp relaxation", daemon=True)

    def _run(self) -> None:
        try:
            started = time.perf_counter()
            try:
                self.mip = build_mip(
                    self.problem, baseline=self.baseline, stability_weight=self.weight, relax=True
                )
            finally:
                self.built.set()
            left = self.time_limit - (time.perf_counter() - started)
            self.result = solve_highs(self.mip, time_limit=left, lp_algorithm="dual")
        except BaseException as exc:  # re-raised in the caller's thread by `join`
            self.error = exc

    def start(self) -> Relaxation:
        self.thread.start()
        return self

    def wait_built(self) -> None:
        """Wait until the LP is built: HiGHS solves it without the interpreter, so Python
        work done after this does not slow it down."""
        self.built.wait()

    def join(self) -> tuple[MipModel | None, HighsResult]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.mip, self.result


def lp_guided(
    problem: Problem,
    built: RoadmapModel,
    relaxation: Relaxation,
    *,
    greedy: Mapping[str, int],
    time_limit: float,
    workers: int,
    seed: int,
    weight: int,
    baseline: Mapping[str, int] | None,
    progress: Callable[[Progress], None] | None,
    clock: float,
) -> Found:
    """The LP-guided search of the module docstring, within `time_limit` seconds.

    `built` is the full model, hinted; `relaxation` the LP, started (`start_relaxation`);
    `greedy` a plan to start from (empty: none).
    """
    end = time.perf_counter() + time_limit
    incumbent = Incumbent(problem, weight=weight, baseline=baseline, progress=progress, clock=clock)
    if greedy and not check_starts(problem, greedy):
        incumbent.offer_plan(greedy)
    incumbent.offer_bound(trivial_bound(problem))  # progress from the start
    search = _Guided(problem, built, incumbent, end=end, workers=workers, seed=seed)
    status = search.run(relaxation)
    if status in ("optimal", "infeasible", "invalid"):
        return _found(incumbent, status, search.engine)
    return _found(incumbent, "feasible", search.engine)


class _Guided:
    """The CP-SAT side of `lp_guided`: the full search while the LP is solved, then the
    LP neighbourhood, widened once by reduced costs."""

    def __init__(
        self,
        problem: Problem,
        built: RoadmapModel,
        incumbent: Incumbent,
        *,
        end: float,
        workers: int,
        seed: int,
    ) -> None:
        self.problem = problem
        self.built = built
        self.incumbent = incumbent
        self.end = end
        self.workers = workers
        self.seed = seed
        self.engine = "cpsat"
        self.proven = False

    def cp_run(self, *, global_bound: bool) -> _CpRun:
        return _CpRun(
            self.built,
            self.incumbent,
            time_limit=max(0.05, self.end - time.perf_counter()),
            workers=self.workers,
            seed=self.seed,
            size=self.built.size,
            global_bound=global_bound,
        ).start()

    def finish_full(self) -> str:
        """CP-SAT searches the full model in the time left."""
        full = self.cp_run(global_bound=True)
        full.join()
        self.proven = full.status in ("optimal", "infeasible")
        return full.status

    def run(self, relaxation: Relaxation) -> str:
        built, incumbent = self.built, self.incumbent
        # the LP has the cores to itself (a CP-SAT search beside it barely moves from the
        # greedy plan at this size, and slows the LP down on a busy machine)
        mip, lp = relaxation.join()
        lp_bound = _lp_bound(lp)
        if lp.status != "optimal" or mip is None or lp_bound is None:
            # no LP (no plan at all, or not in time): CP-SAT searches the full model in
            # what is left, and says infeasible itself (conflicts are then found as ever)
            return self.finish_full()
        self.engine = LP_GUIDED
        incumbent.offer_bound(lp_bound)
        rounded = round_lp(self.problem, mip, lp.values)
        if rounded is not None:
            incumbent.offer_plan(rounded)
        if incumbent.starts is None:
            return self.finish_full()
        proto = built.model.proto
        columns: dict[int, int | None] = {}
        fixed: list[int] = []
        chosen = incumbent.starts
        for key, y in built.starts.y.items():
            for t, lit in y.items():
                column = columns[lit.index] = mip.y.get(key, {}).get(t)
                if chosen.get(key) == t or (column is not None and lp.values[column] > SUPPORT):
                    continue
                proto.variables[lit.index].domain[1] = 0
                fixed.append(lit.index)
        exact = False
        try:
            while self.end - time.perf_counter() > 0.05:
                built.model.clear_hints()
                built.hint(incumbent.starts or {})
                base = incumbent.plan_objective
                # light presolve (the size of the full model): most literals are fixed
                run = self.cp_run(global_bound=False)
                run.join()
                if run.status == "optimal" and exact:
                    incumbent.offer_bound(max(run.bound or 0, base or 0))
                    self.proven = True
                    break
                if run.status != "optimal" or base is None:
                    break
                # solved: widen to what the reduced costs do not rule out, once
                assert incumbent.plan_objective is not None
                slack = lp_bound - incumbent.plan_objective
                kept = []
                for index in fixed:
                    column = columns[index]
                    if column is None or -lp.reduced_costs[column] <= slack * (1 + 1e-6) + 1:
                        proto.variables[index].domain[1] = 1
                    else:
                        kept.append(index)
                fixed, exact = kept, True
        finally:
            for index in fixed:
                proto.variables[index].domain[1] = 1
        return "optimal" if self.proven else "feasible"


def _take(problem: Problem, incumbent: Incumbent, mip: MipModel, result: HighsResult) -> bool:
    """Offer HiGHS's plan and bound to the incumbent; whether they prove it optimal."""
    if result.status in ("optimal", "feasible"):
        starts = mip.read(result.values)
        if not check_starts(problem, starts):
            incumbent.offer_plan(starts)
    if result.bound is not None:
        incumbent.offer_bound(_whole(result.bound))
    if result.status == "optimal" and result.objective is not None:
        best = incumbent.plan_objective
        if best is not None and best >= round(result.objective):
            incumbent.offer_bound(best)
            return True
    return False


def _whole(bound: float) -> int:
    """A floating-point bound as a whole number, with a little slack for rounding."""
    return math.floor(bound + BOUND_SLACK * max(1.0, abs(bound)))


def start_relaxation(
    problem: Problem,
    *,
    baseline: Mapping[str, int] | None,
    weight: int,
    time_limit: float,
) -> Relaxation:
    """Start solving the LP relaxation; it gets at most `LP_SHARE` of `time_limit`."""
    return Relaxation(
        problem, baseline=baseline, weight=weight, time_limit=LP_SHARE * time_limit
    ).start()


def _found(incumbent: Incumbent, status: str, engine: str) -> Found:
    if status in ("infeasible", "invalid"):
        return Found(status, {}, None, engine)
    if incumbent.starts is None:
        return Found("unknown", {}, None, engine)
    value = realized_value(incumbent.problem, incumbent.starts)
    bound = None
    if incumbent.bound is not None:  # for plans at least as stable as this one
        penalty = incumbent.penalty(incumbent.starts)
        bound = max(value, incumbent.bound + incumbent.weight * penalty)
    proven = (
        incumbent.bound is not None
        and incumbent.plan_objective is not None
        and incumbent.bound <= incumbent.plan_objective
    )
    if status == "optimal" or proven:
        return Found("optimal", dict(incumbent.starts), value, engine)
    return Found("feasible", dict(incumbent.starts), bound, engine)


def trivial_bound(problem: Problem) -> int:
    """A bound on any plan's objective: every initiative at its most valuable start (a
    stability penalty only lowers it)."""
    P = problem.horizon
    return sum(
        max((it.realized_value(t, P) for t in problem.allowed_starts(it)), default=0)
        for it in problem.items
        if not problem.must_drop(it)
    )


def _lp_bound(lp: HighsResult) -> int | None:
    """The LP's dual bound as a whole number, with a little slack for floating point."""
    if lp.bound is None or lp.status != "optimal":
        return None
    return _whole(lp.bound)


def highs_search(
    problem: Problem,
    *,
    greedy: Mapping[str, int],
    time_limit: float,
    workers: int,
    seed: int,
    weight: int,
    baseline: Mapping[str, int] | None,
    progress: Callable[[Progress], None] | None,
    clock: float,
) -> Found:
    """The MIP searched by HiGHS on `workers` threads from the greedy plan: the best plan
    it found that passes the validator (else the greedy one), with HiGHS's bound."""
    end = time.perf_counter() + time_limit
    incumbent = Incumbent(problem, weight=weight, baseline=baseline, progress=progress, clock=clock)
    valid = bool(greedy) and not check_starts(problem, greedy)
    if valid:
        incumbent.offer_plan(greedy)
    incumbent.offer_bound(trivial_bound(problem))  # progress from the start
    mip = build_mip(problem, baseline=baseline, stability_weight=weight)

    def found(values: Sequence[float]) -> None:
        starts = mip.read(values)
        if not check_starts(problem, starts):
            incumbent.offer_plan(starts)

    def bound(value: float) -> None:
        incumbent.offer_bound(_whole(value))

    result = solve_highs(
        mip,
        time_limit=end - time.perf_counter(),
        workers=workers,
        seed=seed,
        start=greedy if valid else None,
        watch=Watch(bound=bound, solution=found),
    )
    if result.status == "infeasible":
        return Found("infeasible", {}, None, HIGHS)
    proven = _take(problem, incumbent, mip, result)
    return _found(incumbent, "optimal" if proven else "feasible", HIGHS)
