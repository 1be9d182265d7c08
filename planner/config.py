"""How a solve is run: the solver choice and its options, and the progress it reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SOLVERS = ("cpsat", "greedy")


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
    objective subtracts `stability_weight` × (baseline initiatives dropped + phases each
    one moved). `stability_weight=None` picks the default of
    `planner.cpsat.objective.default_stability_weight`; 0 turns the term off.
    `explain=False` has `planner.solve.solve` keep the short reasons `optimize` gives for
    what is not scheduled, without the explanations of `planner.explain` (which may
    re-solve); `optimize` never explains.
    """

    solver: str = "cpsat"  # "cpsat" | "greedy"
    time_limit: float = 10.0  # seconds, for the whole solve
    workers: int = 2
    seed: int = 0
    hint_greedy: bool = True  # warm start CP-SAT from the greedy plan
    baseline: Mapping[str, int] | None = None  # published starts; enables the stability term
    stability_weight: int | None = None  # None → a sensible default; 0 disables
    explain: bool = True  # write a one-line reason for each initiative left out
    progress: Callable[[Progress], None] | None = field(default=None, compare=False)
