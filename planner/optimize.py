"""`optimize`: from a frozen Problem to a checked Roadmap, with CP-SAT or the greedy baseline.

The reasons it gives for what is left out are read off the plan alone (`simple_reasons`);
the fuller ones are `planner.reasons.explain_unscheduled`, which re-solves through this
module; `planner.solve.solve` calls it after the search, so this module never imports it.

Status of the result:

- optimal: CP-SAT proved no plan is worth more (with a baseline: no plan has a better
  value − stability penalty);
- feasible: a valid plan, with `bound` and `gap` when CP-SAT has a bound (never for
  greedy). With a stability term the bound is `solver bound + weight × penalty found`:
  no plan at least as stable as the one returned is worth more (see
  `planner.cpsat.search.value_bound`);
- infeasible: the must-hold constraints contradict each other; `conflicts` names them;
- unknown: no plan was found within the time limit.

Engines (`SolverConfig.engine`, `choose_engine`): small models, pure scheduling and
short time limits are CP-SAT's alone; mid-size knapsack-like models are HiGHS's MIP
search on every worker; large time-indexed models are searched by CP-SAT guided by
HiGHS's LP relaxation, which also gives the bound (both `planner.mip.engine`). The
roadmap's `solver` names the engine that ran (`cpsat`, `highs`, `cpsat+highs`, `greedy`).

`time_limit` is for the whole solve: the search gets what is left after the greedy plan
and the model are built, less a small allowance for checking and explaining the result.

`stability_penalty` is, with a baseline and a non-zero weight, weight × (phases each
baseline initiative moved + `drop_phases` for each dropped); `objective` is always the
realized value. With a baseline the roadmap's `stability` counts the published starts
kept, moved and dropped (`planner.stability.measure`); `planner.solve.solve` adds what
keeping them cost.
Every plan returned passes `check_starts`; if one ever does not, `SolverBug` is raised.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

from planner.config import ENGINES, SOLVERS, SolverConfig
from planner.conflicts import find_conflicts
from planner.cpsat import RoadmapModel, build_model, run
from planner.cpsat.schedule import is_pure_scheduling
from planner.errors import ScenarioError
from planner.greedy import greedy_starts
from planner.mip.engine import (
    HIGHS,
    LP_GUIDED,
    Found,
    highs_search,
    lp_guided,
    start_relaxation,
)
from planner.problem import Item, Problem
from planner.roadmap import Roadmap, assemble, realized_value
from planner.rules import no_start_reason
from planner.stability import CUSTOM, level_weight, measure, parse_stability, stability_penalty
from planner.validate import check_starts

#: Most seconds spent naming the conflicts of an infeasible problem.
CONFLICT_SECONDS = 5.0
#: Seconds per initiative kept back from the search for checking and explaining its
#: result (measured: about 0.5 ms per initiative), at most this share of the time limit.
AFTER_SEARCH_PER_ITEM = 0.0006
AFTER_SEARCH_SHARE = 0.15
#: `auto` hands a time-indexed model to a MIP-based engine from this many start literals
#: on (measured: CP-SAT alone stays within 0.1% of optimal below it, and ends 1–7% short
#: at 200 × 12 and beyond in 10 s) ...
AUTO_LP_LITERALS = 1000
#: ... to HiGHS's MIP search up to this many literals, when the initiatives have at most
#: `AUTO_MIP_STARTS` allowed starts each on average: a knapsack over few phases. Measured
#: in 10 s on two cores (generated portfolios): at 200 × 12 (1,262 literals, 6.3 starts
#: each; seeds 1–5) it ends 0.23–0.59% from its bound (mean 0.36% over HiGHS random
#: seeds) where the LP-guided search leaves 0.86–1.40%; on seeds 1–3, at 400 × 12 (2,493
#: literals) 0.26–0.59% against 0.49–0.84%, at 600 and 800 × 12 (5,012–5,130 literals)
#: as well or better on every seed, and at 1500 × 12 the two tie. At 24 monthly phases
#: (14 starts each) the LP-guided search does better, and it takes every larger model.
AUTO_MIP_LITERALS = 6000
AUTO_MIP_STARTS = 8.0
#: Both only when the search has at least this many seconds (shorter solves, e.g. the
#: explanations' re-solves, are CP-SAT's: the LP alone could take them).
AUTO_LP_SECONDS = 3.0


class SolverBug(AssertionError):
    """Raised when a solver returns a plan that breaks the planning model (a bug)."""

    def __init__(self, solver: str, violations: list[str]) -> None:
        self.violations = violations
        super().__init__(
            f"{solver} returned an invalid plan:\n" + "\n".join(f"  - {v}" for v in violations)
        )


def optimize(
    problem: Problem,
    config: SolverConfig = SolverConfig(),  # noqa: B008
    *,
    hint: Mapping[str, int] | None = None,
) -> Roadmap:
    """Plan the problem as `config` says; never raises for an infeasible problem.

    Left-out initiatives get `simple_reasons`; `config.explain` is read by
    `planner.solve.solve`, not here. `hint`, a valid plan, warm-starts CP-SAT instead of
    the greedy plan when it is worth at least as much.
    """
    clock = time.perf_counter()
    if config.solver not in SOLVERS:
        raise ScenarioError(f"unknown solver '{config.solver}' (known: {', '.join(SOLVERS)})")
    if not config.time_limit > 0:
        raise ScenarioError(f"time limit must be more than 0 seconds, got {config.time_limit}")
    if config.workers < 1:
        raise ScenarioError(f"workers must be 1 or more, got {config.workers}")
    if config.engine not in ENGINES:
        raise ScenarioError(f"unknown engine '{config.engine}' (known: {', '.join(ENGINES)})")
    weight = _weight(problem, config)
    greedy = greedy_starts(problem) if config.hint_greedy or config.solver == "greedy" else {}
    hinted = config.hint_greedy
    if hint is not None and config.solver == "cpsat" and _better_hint(problem, hint, greedy):
        greedy, hinted = dict(hint), True
    if config.solver == "greedy":
        return _greedy_roadmap(problem, greedy, config=config, weight=weight, clock=clock)

    after = min(AFTER_SEARCH_SHARE * config.time_limit, AFTER_SEARCH_PER_ITEM * len(problem.items))
    engine = choose_engine(problem, config, config.time_limit - (time.perf_counter() - clock))
    if engine == HIGHS:
        found = highs_search(
            problem,
            greedy=greedy,
            time_limit=config.time_limit - (time.perf_counter() - clock) - after,
            workers=config.workers,
            seed=config.seed,
            weight=weight,
            baseline=config.baseline,
            progress=config.progress,
            clock=clock,
        )
        return _found_roadmap(problem, found, config=config, weight=weight, clock=clock)
    relaxation = None
    if engine == LP_GUIDED:  # the LP is solved on the other core while CP-SAT's model is built
        relaxation = start_relaxation(
            problem,
            baseline=config.baseline,
            weight=weight,
            time_limit=config.time_limit - (time.perf_counter() - clock) - after,
        )
    if relaxation is not None:
        relaxation.wait_built()
    # should this fail, the LP runs out its time in the background (it cannot be stopped
    # mid-solve: `planner.mip.highs.Watch`)
    built = build_model(problem, baseline=config.baseline, stability_weight=weight)
    if hinted:
        built.hint(greedy)
    left = config.time_limit - (time.perf_counter() - clock) - after
    if relaxation is not None:
        assert isinstance(built, RoadmapModel)
        found = lp_guided(
            problem,
            built,
            relaxation,
            greedy=greedy if hinted else {},
            time_limit=left,
            workers=config.workers,
            seed=config.seed,
            weight=weight,
            baseline=config.baseline,
            progress=config.progress,
            clock=clock,
        )
        if found.status == "invalid":
            raise SolverBug(found.engine, [f"CP-SAT rejected the model: {built.model.validate()}"])
        return _found_roadmap(problem, found, config=config, weight=weight, clock=clock)
    outcome = run(
        built,
        time_limit=left,
        workers=config.workers,
        seed=config.seed,
        progress=config.progress,
    )
    if outcome.status == "invalid":
        raise SolverBug("cpsat", [f"CP-SAT rejected the model: {built.model.validate()}"])
    found = Found(outcome.status, outcome.starts, outcome.bound, "cpsat")
    if outcome.status == "unknown" and hinted and not check_starts(problem, greedy):
        # CP-SAT found nothing in time, not even the hint again: the greedy plan stands.
        found = Found("feasible", dict(greedy), None, "cpsat")
    return _found_roadmap(problem, found, config=config, weight=weight, clock=clock)


def choose_engine(problem: Problem, config: SolverConfig, seconds: float) -> str:
    """The engine that searches the problem (`SolverConfig.engine`; `auto`: CP-SAT
    alone for pure scheduling, small models and short searches, else HiGHS's MIP search
    for mid-size models and the LP-guided search for large ones)."""
    if config.engine != "auto":
        return config.engine
    literals = start_literals(problem)
    if is_pure_scheduling(problem) or literals < AUTO_LP_LITERALS or seconds < AUTO_LP_SECONDS:
        return "cpsat"
    few = literals <= AUTO_MIP_STARTS * len(problem.items)
    return HIGHS if literals <= AUTO_MIP_LITERALS and few else LP_GUIDED


def start_literals(problem: Problem) -> int:
    """How many start literals the time-indexed model of the problem has."""
    return sum(len(problem.allowed_starts(it)) for it in problem.items if not problem.must_drop(it))


def _found_roadmap(
    problem: Problem, found: Found, *, config: SolverConfig, weight: int, clock: float
) -> Roadmap:
    """The roadmap of what a search found (its conflicts named when infeasible)."""
    if found.status in ("optimal", "feasible"):
        return _finish(
            problem,
            found.starts,
            status=found.status,
            solver=found.engine,
            bound=found.bound,
            config=config,
            weight=weight,
            clock=clock,
        )
    conflicts = (
        find_conflicts(problem, time_limit=_conflict_seconds(config, clock))
        if found.status == "infeasible"
        else ()
    )
    return _finish(
        problem,
        {},
        status=found.status,
        solver=found.engine,
        conflicts=conflicts,
        config=config,
        weight=weight,
        clock=clock,
    )


def _conflict_seconds(config: SolverConfig, clock: float) -> float:
    """What is left of the time limit, at least one second and at most CONFLICT_SECONDS."""
    left = config.time_limit - (time.perf_counter() - clock)
    return max(1.0, min(CONFLICT_SECONDS, left))


def _better_hint(problem: Problem, hint: Mapping[str, int], greedy: Mapping[str, int]) -> bool:
    """Whether `hint` is a valid plan worth at least as much as the greedy one."""
    if check_starts(problem, hint):
        return False
    if not greedy or check_starts(problem, greedy):
        return True
    return realized_value(problem, hint) >= realized_value(problem, greedy)


def _weight(problem: Problem, config: SolverConfig) -> int:
    level = parse_stability(config.stability)  # a bad level is refused, baseline or not
    if not config.baseline:
        return 0
    if config.stability_weight is None:
        return level_weight(problem, level)
    if config.stability_weight < 0:
        raise ScenarioError(f"stability weight must be 0 or more, got {config.stability_weight}")
    return config.stability_weight


def _greedy_roadmap(
    problem: Problem,
    starts: dict[str, int],
    *,
    config: SolverConfig,
    weight: int,
    clock: float,
) -> Roadmap:
    violations = check_starts(problem, starts)
    missing = [it.key for it in problem.items if problem.must_select(it) and it.key not in starts]
    if len(violations) != len(missing):
        raise SolverBug("greedy", violations)
    if not violations:
        return _finish(
            problem,
            starts,
            status="feasible",
            solver="greedy",
            config=config,
            weight=weight,
            clock=clock,
        )
    # Some initiative that must be scheduled did not fit: infeasible only if proven so.
    conflicts = find_conflicts(problem, time_limit=_conflict_seconds(config, clock))
    return _finish(
        problem,
        {},
        status="infeasible" if conflicts else "unknown",
        solver="greedy",
        conflicts=conflicts,
        config=config,
        weight=weight,
        clock=clock,
    )


def _finish(
    problem: Problem,
    starts: Mapping[str, int],
    *,
    status: str,
    solver: str,
    config: SolverConfig,
    weight: int,
    clock: float,
    bound: int | None = None,
    conflicts: tuple[str, ...] = (),
) -> Roadmap:
    """Check the plan, then assemble the Roadmap with a short reason for what is left out."""
    planned = status in ("optimal", "feasible")
    if planned:
        violations = check_starts(problem, starts)
        if violations:
            raise SolverBug(solver, violations)
    penalty = (
        weight * stability_penalty(problem, config.baseline, starts)
        if planned and config.baseline and weight
        else None
    )
    roadmap = assemble(
        problem,
        starts,
        status=status,
        solver=solver,
        seconds=time.perf_counter() - clock,
        bound=bound,
        reasons=simple_reasons(problem, starts, status=status, stable=bool(penalty is not None)),
        conflicts=conflicts,
        stability_penalty=penalty,
    )
    if not planned or not config.baseline:
        return roadmap
    level = config.stability if config.stability_weight is None else CUSTOM
    report = measure(problem, config.baseline, starts, level=level, weight=weight)
    return replace(roadmap, stability=report)


def simple_reasons(
    problem: Problem, starts: Mapping[str, int], *, status: str = "optimal", stable: bool = False
) -> dict[str, str]:
    """One short reason for each initiative left out of the plan (`stable`: it was
    planned with a stability term against a published baseline)."""
    out = {}
    for it in problem.items:
        if it.key in starts:
            continue
        if it.blocked:
            out[it.key] = it.blocked
        elif it.key in problem.force_out:
            out[it.key] = "left out by the scenario"
        elif (no_start := no_start_reason(problem, it)) is not None:
            out[it.key] = f"no allowed start: {no_start}"
        elif status == "infeasible":
            out[it.key] = "no roadmap satisfies the constraints: see the conflicts"
        elif status == "unknown":
            out[it.key] = "no roadmap was found within the time limit"
        else:
            out[it.key] = _planned_reason(problem, it, starts, status=status, stable=stable)
    return out


def _planned_reason(
    problem: Problem, it: Item, starts: Mapping[str, int], *, status: str, stable: bool
) -> str:
    for dep in it.depends_on:
        if dep not in starts:
            return f"depends on {dep}, which is not scheduled"
    for other in it.excludes:
        if other in starts:
            return f"excluded by {other}, which is scheduled"
    noun = problem.goal.noun
    if status != "optimal":
        return f"not in the best plan found in time (its {noun} or room for it)"
    if stable:
        return f"lower {noun} than what it would displace, or move in the published roadmap"
    return f"lower {noun} than what it would displace"
