"""`solve`: plan a Problem, then say why each initiative left out is left out.

The search is `planner.optimize.optimize` (CP-SAT or the greedy baseline; the status,
bound and time limit are described there). With `config.explain` (the default) a planned
roadmap's one-line reasons are then replaced by those of
`planner.reasons.explain_unscheduled`, which may re-solve through `optimize`. This module
calls the two in turn, so `optimize` never imports the explanations that import it.
Solves made only for their figures (explanation re-solves, frontier points) call
`optimize` directly.

With a published baseline and a stability weight, the search gets `STABLE_SHARE` of the
time limit and the rest plans the same problem once more without the baseline (warm
started from the plan found), so that `Roadmap.stability` says what keeping to the
published roadmap cost (`planner.stability`). Without a baseline nothing changes.

With a `deadline` in the config (a job's wall-clock limit), the search gets at most what is
left of it and the explanations' re-solves share what the search leaves; `OutOfTime` is
raised when nothing is left to start the search.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

from planner.config import LEAST_SOLVE_SECONDS, SolverConfig
from planner.optimize import (
    AFTER_SEARCH_PER_ITEM,
    AFTER_SEARCH_SHARE,
    CONFLICT_SECONDS,
    SolverBug,
    optimize,
    simple_reasons,
)
from planner.problem import Problem
from planner.reasons import RESOLVE_BUDGET, explain_unscheduled
from planner.roadmap import Roadmap

_PLANNED = ("optimal", "feasible")
#: Share of the time limit the search against a published baseline gets; the solve
#: without it gets the rest, and more when the first finishes early.
STABLE_SHARE = 0.75


def solve(problem: Problem, config: SolverConfig = SolverConfig()) -> Roadmap:  # noqa: B008
    """Plan the problem as `config` says, with reasons for what is left out.

    Never raises for an infeasible problem; `solve_seconds` counts the explanations too.
    Raises OutOfTime when `config.deadline` leaves no time to solve.
    """
    clock = time.perf_counter()
    config = config.within_deadline()
    weighed = bool(config.baseline) and _weighs(config)
    first = replace(config, time_limit=config.time_limit * STABLE_SHARE) if weighed else config
    roadmap = optimize(problem, first)
    if weighed and roadmap.status in _PLANNED:
        roadmap = with_cost(problem, roadmap, config, left=_left(config, clock))
    if not config.explain or roadmap.status not in _PLANNED:
        return roadmap
    reasons = explain_unscheduled(problem, roadmap, time_budget=config.capped(RESOLVE_BUDGET))
    return with_reasons(problem, roadmap, reasons, seconds=time.perf_counter() - clock)


def _weighs(config: SolverConfig) -> bool:
    """Whether the options give the stability term a weight (a bad level is `optimize`'s
    to refuse)."""
    if config.stability_weight is not None:
        return config.stability_weight > 0
    return config.stability != "off"


def _left(config: SolverConfig, clock: float) -> float:
    return config.capped(config.time_limit - (time.perf_counter() - clock))


def with_cost(problem: Problem, roadmap: Roadmap, config: SolverConfig, *, left: float) -> Roadmap:
    """The roadmap with `stability` saying what it cost: the problem planned once more,
    without the baseline, in `left` seconds (not measured when too little is left)."""
    assert roadmap.stability is not None
    if left < LEAST_SOLVE_SECONDS:
        return replace(roadmap, stability=roadmap.stability.compared(None, proven=False))
    free = replace(config, baseline=None, time_limit=left, progress=None)
    without = optimize(problem, free, hint=roadmap.starts)
    if without.status not in _PLANNED:
        report = roadmap.stability.compared(None, proven=False)
    else:
        report = roadmap.stability.compared(without.objective, proven=without.status == "optimal")
    return replace(roadmap, stability=report)


def with_reasons(
    problem: Problem, roadmap: Roadmap, reasons: Mapping[str, str], *, seconds: float
) -> Roadmap:
    """The roadmap with `reasons` for its unscheduled initiatives (a blocked initiative
    keeps its block as its reason, as `planner.roadmap.assemble` gives it)."""
    blocked = {it.key: it.blocked for it in problem.items if it.blocked}
    unscheduled = tuple(
        replace(u, reason=blocked.get(u.key) or reasons.get(u.key, u.reason))
        for u in roadmap.unscheduled
    )
    return replace(roadmap, unscheduled=unscheduled, solve_seconds=round(seconds, 3))


__all__ = [
    "AFTER_SEARCH_PER_ITEM",
    "AFTER_SEARCH_SHARE",
    "CONFLICT_SECONDS",
    "SolverBug",
    "optimize",
    "simple_reasons",
    "solve",
    "with_reasons",
]
