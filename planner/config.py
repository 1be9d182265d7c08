"""How a solve is run: the solver choice and its options, and the progress it reports."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from planner.errors import PlannerError

SOLVERS = ("cpsat", "greedy")
#: How the optimizing solver ("cpsat") searches (`SolverConfig.engine`): `auto` picks by
#: size (`planner.optimize.choose_engine`); `cpsat` is CP-SAT alone; `cpsat+highs` is
#: CP-SAT guided by HiGHS's LP relaxation (`planner.mip.engine.lp_guided`); `highs` is
#: HiGHS's MIP search alone, on every worker.
ENGINES = ("auto", "cpsat", "cpsat+highs", "highs")
#: Fewest seconds worth starting a solve for before a deadline.
LEAST_SOLVE_SECONDS = 0.1


class OutOfTime(PlannerError):
    """Raised when a solve cannot start: the deadline of the work it is part of has
    passed (`SolverConfig.deadline`)."""


@dataclass(frozen=True)
class Progress:
    """One improving solution found during a CP-SAT search.

    `objective` is the realized value of that solution and `bound` an upper bound on the
    realized value (see `planner.optimize` for what the bound means with a stability term).
    """

    objective: int
    bound: int
    gap: float
    seconds: float


@dataclass(frozen=True)
class SolverConfig:
    """Options of `planner.solve.solve` and `planner.optimize.optimize`.

    `baseline` holds the published start phase of each initiative; with it, the CP-SAT
    objective subtracts weight × (phases each baseline initiative moved + P + 1 for each
    one dropped; `planner.stability`). The weight is the `stability` level (`low` ½×,
    `normal` 1×, `high` 4×, `off` 0) times `planner.stability.default_stability_weight`;
    `stability_weight`, when given, is the weight itself (0 turns the term off).
    `planner.solve.solve` then also plans without the baseline, to report what keeping
    to it cost (`Roadmap.stability`).
    `engine` says how `solver="cpsat"` searches (`ENGINES`); the roadmap's `solver`
    names the engine that ran.
    `explain=False` has `planner.solve.solve` keep the short reasons `optimize` gives for
    what is not scheduled, without the explanations of `planner.explain` (which may
    re-solve); `optimize` never explains.
    """

    solver: str = "cpsat"  # "cpsat" | "greedy"
    engine: str = "auto"  # for solver "cpsat": ENGINES
    time_limit: float = 10.0  # seconds, for the whole solve
    workers: int = 2
    seed: int = 0
    hint_greedy: bool = True  # warm start CP-SAT from the greedy plan
    baseline: Mapping[str, int] | None = None  # published starts; enables the stability term
    stability: str = "normal"  # low | normal | high | off: planner.stability.STABILITY_LEVELS
    stability_weight: int | None = None  # None → the level's weight; a number overrides it
    explain: bool = True  # write a one-line reason for each initiative left out
    progress: Callable[[Progress], None] | None = field(default=None, compare=False)
    #: `time.monotonic()` by which every solve made with these options must be over: the
    #: wall-clock limit of the job they belong to (README, Configuration). A solve gets at
    #: most what is left (`within_deadline`); explanations and frontier points share it.
    deadline: float | None = field(default=None, compare=False)

    def seconds_left(self) -> float | None:
        """Seconds until the deadline (negative once it passed); None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def capped(self, seconds: float) -> float:
        """`seconds`, or what is left before the deadline if that is less (never < 0)."""
        left = self.seconds_left()
        return seconds if left is None else max(0.0, min(seconds, left))

    def within_deadline(self, what: str = "the solve") -> SolverConfig:
        """These options with the time limit cut to what is left before the deadline;
        raises OutOfTime when too little is left to start `what`."""
        left = self.seconds_left()
        if left is None or left >= self.time_limit:
            return self
        if left < LEAST_SOLVE_SECONDS:
            raise OutOfTime(f"no time was left for {what}: the job's wall-clock limit was reached")
        return replace(self, time_limit=left)
