"""Running HiGHS (the `highspy` package) on a `MipModel`: its LP relaxation or the MIP.

HiGHS 1.16 searches a MIP's tree on several threads; the LP relaxation is solved by its
dual simplex method (or its interior point method). Progress comes from HiGHS's
callbacks, never from its log: the dual bound as the search goes, each improving
solution as it is found.

HiGHS schedules its threads with one scheduler per process, and every HiGHS run that
overlaps another must ask for the same number of threads: runs ask for `THREADS` each,
and a MIP search uses them (parallel tree search) only when it is given 2 workers or more.
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import highspy

from planner.mip.model import MipModel

#: Threads of every HiGHS run in this process: the scheduler's size, and the most a MIP
#: search uses. Two cores are the deployment this is tuned for (seed 1 of 200 × 12, 10 s:
#: gap 0.52% on two threads, 0.81% on one).
THREADS = 2
#: Share of its work HiGHS's MIP search may spend in primal heuristics (HiGHS's default
#: is 0.05, the most 1.0). Measured on generated 200 × 12 portfolios (seeds 1–5, HiGHS's
#: random seeds 1 and 2), 10 s on two threads: gap 0.28–0.81% (mean 0.55%) at 1.0,
#: 0.31–1.34% (mean 0.76%) at the default, for bounds as good.
HEURISTIC_EFFORT = 1.0
#: Branching candidates get strong-branching LPs until their pseudocosts rest on this
#: many observations (HiGHS's default: 8). Fewer such LPs leave time for more nodes and
#: the heuristics run in them. Measured as above, heuristic effort 1.0, HiGHS random
#: seeds 1–6 per portfolio: gap 0.27–1.26% (mean 0.52%, 19 of 30 runs within 0.5%) at 2;
#: at 8, mean 0.65% on seeds 1–4 where 2 had 0.45%, and as wide on seeds 5–6; 0 and 4
#: did worse than 2.
PSCOST_MINRELIABLE = 2
#: Whether HiGHS separates cuts at the nodes of its tree, not only at the root (HiGHS's
#: default: yes). Without, each node costs fewer LPs, and the tree both tightens the
#: bound and finds plans faster. Measured as above, HiGHS random seeds 1–6 on each of
#: the five portfolios: gap 0.23–0.59% (mean 0.36%, 29 of 30 runs within 0.5%) without,
#: 0.20–0.76% (mean 0.41%, 26 of 30) with, on the same runs.
NODE_CUTS = False
#: Seconds between two progress reports of the dual bound (HiGHS's MIP log lines, which
#: it hands to a callback without printing them).
BOUND_EVERY = 0.5

_STATUS = highspy.HighsModelStatus
_FEASIBLE = 2  # HiGHS's solution status of a feasible primal solution


@dataclass(frozen=True)
class HighsResult:
    """What HiGHS returned: the status, the column values of its best solution (empty:
    none), the model objective of that solution, the dual bound, and (LP only) the
    reduced cost of each column."""

    status: str  # optimal | feasible | infeasible | unknown
    values: tuple[float, ...]
    objective: float | None
    bound: float | None
    reduced_costs: tuple[float, ...] = ()


@dataclass(frozen=True)
class Watch:
    """What a caller follows of a MIP search: `bound(dual bound)` about every
    `BOUND_EVERY` s and `solution(column values)` for each improving solution.

    Each callback runs Python, and waits for the interpreter when another thread holds
    it, so HiGHS is asked for as few as that takes: its MIP log lines, not its interrupt
    checks (several per node); nothing at all of an LP relaxation, whose interrupt checks
    come on every simplex iteration (measured at 1000 × 24 while the CP-SAT model was
    built: a 2.7 s LP did not finish in 30 s). Nothing can stop a solve early, so none
    is asked to: each ends at its time limit.
    """

    bound: Callable[[float], None] | None = None
    solution: Callable[[Sequence[float]], None] | None = None


def solve_highs(
    mip: MipModel,
    *,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    start: Mapping[str, int] | None = None,
    watch: Watch = Watch(),
    lp_algorithm: str = "dual",
) -> HighsResult:
    """Solve the model (its LP relaxation when `mip.relaxed`, which `watch` does not
    follow) within `time_limit` s.

    A MIP is searched on `workers` threads (at most `THREADS`), from `start` (a valid
    plan) when given; a proven optimum is asked for exactly (no relative gap; an absolute
    gap below one unit, since every objective coefficient is whole). `lp_algorithm`
    (`dual`: dual simplex, or `barrier`: the interior point method, then crossover to a
    vertex) is how an LP relaxation is solved.
    """
    highs = highspy.Highs()
    _option(highs, "output_flag", False)
    _option(highs, "threads", THREADS)
    _option(highs, "time_limit", max(time_limit, 0.01))
    _option(highs, "random_seed", abs(seed) % 2_147_483_647)  # HiGHS takes 0 … 2³¹ − 2
    if mip.relaxed:
        _option(highs, "solver", "ipm" if lp_algorithm == "barrier" else "simplex")
    else:
        _option(highs, "parallel", "on" if workers >= 2 else "off")
        _option(highs, "mip_rel_gap", 0.0)
        _option(highs, "mip_abs_gap", 0.5)
        _option(highs, "mip_heuristic_effort", HEURISTIC_EFFORT)
        _option(highs, "mip_pscost_minreliable", PSCOST_MINRELIABLE)
        _option(highs, "mip_allow_cut_separation_at_nodes", NODE_CUTS)
    highs.passModel(mip.lp)
    if start:
        solution = highspy.HighsSolution()
        solution.col_value = mip.values_of(start)
        solution.value_valid = True
        highs.setSolution(solution)
    if not mip.relaxed:
        _follow(highs, watch)
    highs.run()
    return _read(mip, highs)


def _option(highs: highspy.Highs, name: str, value: object) -> None:
    """Set an option; HiGHS refuses a bad one (a name or a value out of range) only by
    its return status, which must not pass unnoticed."""
    if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise ValueError(f"HiGHS refused option {name}={value!r}")


def _follow(highs: highspy.Highs, watch: Watch) -> None:
    on_bound, on_solution = watch.bound, watch.solution
    if on_bound is not None:
        _option(highs, "output_flag", True)  # the log, to the callback alone
        _option(highs, "log_to_console", False)
        _option(highs, "mip_min_logging_interval", BOUND_EVERY)

        def bound(event: highspy.HighsCallbackEvent) -> None:
            value = event.data_out.mip_dual_bound
            if math.isfinite(value):
                on_bound(value)

        highs.cbMipLogging.subscribe(bound)
    if on_solution is not None:

        def improved(event: highspy.HighsCallbackEvent) -> None:
            on_solution(list(event.data_out.mip_solution))

        highs.cbMipImprovingSolution.subscribe(improved)


def _read(mip: MipModel, highs: highspy.Highs) -> HighsResult:
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status in (_STATUS.kInfeasible, _STATUS.kUnboundedOrInfeasible):
        return HighsResult("infeasible", (), None, None)
    if status == _STATUS.kModelEmpty:  # nothing can start: the empty plan, optimal
        offset = float(mip.lp.offset_)
        return HighsResult("optimal", (), offset, offset)
    bound: float | None = None
    if not mip.relaxed:
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if info.primal_solution_status != _FEASIBLE:
        return HighsResult("unknown", (), None, bound)
    solution = highs.getSolution()
    values = tuple(solution.col_value)
    objective = info.objective_function_value
    optimal = status == _STATUS.kOptimal
    reduced: tuple[float, ...] = ()
    if mip.relaxed:
        if optimal:
            bound = objective
        if solution.dual_valid:
            reduced = tuple(solution.col_dual)
    elif optimal and bound is None:
        bound = objective
    return HighsResult("optimal" if optimal else "feasible", values, objective, bound, reduced)


def _without_banner() -> None:
    """HiGHS prints a banner on standard output when a process makes its first instance,
    before any option can turn its output off; the CLI's output (e.g. JSON on a pipe)
    must not carry it. The first instance is made here, with standard output pointed at
    the null device meanwhile (C's buffers flushed before it is restored)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output at all: nothing to keep clean
        highspy.Highs()
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
            ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_without_banner()
