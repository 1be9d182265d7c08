"""Solving one benchmark case with CP-SAT and with the greedy baseline, and checking both.

Every CP-SAT roadmap goes through `planner.validate.check_roadmap` and every greedy plan
through `check_starts`; a violation, or an exception, is recorded in `Result.errors`.
A CP-SAT search that ends without a plan (status unknown or infeasible) is not a
violation: the table shows it as no roadmap, and the verdicts count it as a miss.
The one exception is the greedy's documented best effort: when the only violations are
must-select initiatives it could not place, it found no plan (`greedy_missing`), which
the table shows as such rather than as a broken rule.

Figures of a generated case (and the demo) are measured in a fresh process of its own,
so that its peak memory is its own: `peak_mb` is that process's peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`), Python and OR-Tools included, not a
tracemalloc count of Python objects. `build_seconds` is the time to build the Problem
and the CP-SAT model once (`planner.cpsat.model.build_model`), measured apart from the
solve; `seconds` is the wall time of the whole `planner.solve.solve` call.

`engine` is the engine that ran (`Roadmap.solver`: `cpsat`, `cpsat+highs`, …), and
`trace` the progress the solve reported, as (seconds, value, bound) triples; from it,
`to_1pct` is the time of the first report whose value was within 1% of the final bound
(the roadmap's: the best known when the solve ended).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.cases import Case, Instance, materialize
from planner.config import Progress, SolverConfig
from planner.greedy import greedy_starts
from planner.problem import build_problem
from planner.roadmap import realized_value
from planner.validate import check_roadmap, check_starts


@dataclass(frozen=True)
class Settings:
    time_limit: float = 10.0
    workers: int = 2
    seed: int = 0
    engine: str = "auto"  # `planner.config.ENGINES`


@dataclass
class Result:
    suite: str
    family: str
    name: str
    items: int = 0
    phases: int = 0
    status: str = "error"
    value: int | None = None  # CP-SAT realized value
    bound: int | None = None  # CP-SAT upper bound on value
    gap: float | None = None  # solver's gap, (bound − value) / bound
    seconds: float | None = None  # wall time of solve()
    greedy_value: int | None = None
    greedy_missing: int = 0  # must-select initiatives the greedy could not place (no plan)
    greedy_seconds: float | None = None
    # best-known value (mknap, generated: `bench.known`) or optimal makespan (psplib)
    reference: int | None = None
    horizon: int | None = None  # psplib: P
    build_seconds: float | None = None
    peak_mb: float | None = None
    objective: str = "value"  # what the case was planned for (`bench.cases.OBJECTIVES`)
    engine: str | None = None  # the engine that ran (`Roadmap.solver`)
    time_limit: float | None = None  # the solve's time limit
    to_1pct: float | None = None  # seconds to a plan within 1% of the final bound
    trace: list[tuple[float, int, int]] = field(default_factory=list)  # (s, value, bound)
    scale: int = 1  # solver units per shown unit of the objective (`planner.goal.Goal`)
    errors: list[str] = field(default_factory=list)

    # --- figures derived for the table; for psplib in makespans (lower is better)
    @property
    def scheduling(self) -> bool:
        return self.suite == "psplib"

    @property
    def makespan(self) -> int | None:
        return None if self.value is None or self.horizon is None else self.horizon - self.value

    @property
    def makespan_bound(self) -> int | None:
        return None if self.bound is None or self.horizon is None else self.horizon - self.bound

    @property
    def greedy_makespan(self) -> int | None:
        if self.greedy_value is None or self.horizon is None:
            return None
        return self.horizon - self.greedy_value

    @property
    def shown_gap(self) -> float | None:
        """Solver gap; for psplib in makespan terms, (makespan − lower bound) / makespan."""
        if not self.scheduling:
            return self.gap
        if self.makespan is None or self.makespan_bound is None:
            return None
        return (self.makespan - self.makespan_bound) / max(self.makespan, 1)

    @property
    def reference_gap(self) -> float | None:
        """How far CP-SAT is from the reference: best-known value short, or makespan over."""
        if self.reference is None:
            return None
        if self.scheduling:
            if self.makespan is None:
                return None
            return (self.makespan - self.reference) / self.reference
        if self.value is None:
            return None
        return (self.reference - self.value) / self.reference

    @property
    def ratio(self) -> float | None:
        """CP-SAT over greedy: value ÷ greedy value; psplib greedy makespan ÷ makespan."""
        if self.scheduling:
            if not self.makespan or self.greedy_makespan is None:
                return None
            return self.greedy_makespan / self.makespan
        if self.value is None or not self.greedy_value:
            return None
        return self.value / self.greedy_value

    @property
    def valid(self) -> bool:
        """No rule broken and nothing crashed (a search that found no plan is not invalid)."""
        return not self.errors

    @property
    def planned(self) -> bool:
        return self.status in ("optimal", "feasible")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("makespan", "makespan_bound", "greedy_makespan", "reference_gap", "ratio"):
            data[name] = getattr(self, name)
        data["gap_shown"] = self.shown_gap
        return data


def solve_instance(instance: Instance, settings: Settings, *, measure: bool = False) -> Result:
    """CP-SAT and greedy on one materialized case; with `measure`, build time and memory."""
    from planner.cpsat import build_model
    from planner.solve import solve

    case = instance.case
    result = Result(case.suite, case.family, case.name, reference=instance.reference)
    result.horizon = instance.horizon
    started = time.perf_counter()
    problem = build_problem(instance.portfolio)
    if measure:
        build_model(problem)
        result.build_seconds = time.perf_counter() - started
    result.items, result.phases = len(problem.items), problem.horizon
    result.objective, result.scale = problem.goal.kind, problem.goal.scale
    trace: list[tuple[float, int, int]] = []

    def record(progress: Progress) -> None:
        trace.append((round(progress.seconds, 3), progress.objective, progress.bound))

    config = SolverConfig(
        solver="cpsat",
        engine=settings.engine,
        time_limit=settings.time_limit,
        workers=settings.workers,
        seed=settings.seed,
        progress=record,
    )
    started = time.perf_counter()
    roadmap = solve(problem, config)
    result.seconds = time.perf_counter() - started
    result.status = roadmap.status
    result.value, result.bound = roadmap.objective, roadmap.bound
    result.gap = roadmap.gap
    result.engine, result.time_limit = roadmap.solver, settings.time_limit
    result.trace = trace
    result.to_1pct = time_within(
        trace, roadmap.bound, 0.01, value=roadmap.objective, seconds=roadmap.solve_seconds
    )
    if roadmap.status in ("optimal", "feasible"):
        result.errors += [f"CP-SAT: {v}" for v in check_roadmap(problem, roadmap)]
    started = time.perf_counter()
    starts = greedy_starts(problem)
    result.greedy_seconds = time.perf_counter() - started
    greedy_errors = check_starts(problem, starts)
    missing = [it for it in problem.items if problem.must_select(it) and it.key not in starts]
    if greedy_errors and len(greedy_errors) == len(missing):
        # the greedy's documented best effort: no complete plan, but nothing it placed is wrong
        result.greedy_missing = len(missing)
    else:
        result.errors += [f"greedy: {v}" for v in greedy_errors]
    if not greedy_errors:
        result.greedy_value = realized_value(problem, starts)
    if measure:
        result.peak_mb = _peak_rss_mb()
    return result


def time_within(
    trace: list[tuple[float, int, int]],
    bound: int | None,
    share: float,
    *,
    value: int | None,
    seconds: float,
) -> float | None:
    """Seconds to the first reported value within `share` of `bound` (None: never).

    A plan that no report announced (a solve proven at once, or one whose engine hands
    over its plan only at the end) counts at the end of the solve (`seconds`)."""
    if bound is None or value is None:
        return None
    limit = bound - share * max(abs(bound), 1)
    for at, reported, _ in trace:
        if reported >= limit:
            return at
    return seconds if value >= limit else None


def run_case(case: Case, data: Path, settings: Settings, *, measure: bool = False) -> Result:
    """Materialize and solve one case; an exception becomes an error in the result."""
    try:
        return solve_instance(materialize(case, data), settings, measure=measure)
    except Exception as exc:  # a benchmark row must report the failure, not end the run
        result = Result(case.suite, case.family, case.name)
        detail = traceback.format_exception_only(exc)[-1].strip()
        result.errors.append(f"exception: {detail}")
        return result


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_cases(
    cases: Iterable[Case],
    *,
    data: Path,
    settings: Settings,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Solve every case in turn; generated ones each in a fresh process (see module doc)."""
    results: list[Result] = []
    context = multiprocessing.get_context("spawn")
    for case in cases:
        if case.suite == "generated":
            result = _run_isolated(case, data, settings, context)
        else:
            result = run_case(case, data, settings)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _run_isolated(
    case: Case, data: Path, settings: Settings, context: multiprocessing.context.BaseContext
) -> Result:
    """`run_case` in a fresh process; a crash of that process (e.g. out of memory) is an error."""
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(run_case, case, data, settings, measure=True).result()
        except BrokenProcessPool as exc:
            result = Result(case.suite, case.family, case.name)
            result.errors.append(f"exception: the solving process died ({exc})")
            return result
