"""Best-known plans of generated portfolios: the reference column of their bench rows.

A generated portfolio has no published optimum, so its 10 s gap alone cannot tell a
weak search from a weak bound. `BEST_KNOWN` holds, per (initiatives, phases, seed) of
`bench.generate.generate_portfolio` planned for realized value, the best plan value any
run here has found and the best bound proved on it, with how long that took. The bench
shows the value as the row's reference (vs ref: how far the plan found is short of it),
and its verdict states the gap the best-known plan would have had at the bound the run
ended with: a figure above a gap target means that target could only be met with a
tighter bound, not with a better plan.

    python -m bench.known --size 200x12 --seeds 1-5 --seconds 300

solves each instance with HiGHS alone (`planner.solve`, engine `highs`, two workers) for
that long and prints the figures as entries of `BEST_KNOWN`, to replace those it improves
on.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bench.generate import generate_portfolio, parse_sizes
from planner.config import SolverConfig
from planner.problem import build_problem
from planner.solve import solve


@dataclass(frozen=True)
class Known:
    """The best plan value known, the best bound proved, and what found them."""

    value: int
    bound: int
    how: str


#: (initiatives, phases, seed) → best known, planned for realized value.
BEST_KNOWN: dict[tuple[int, int, int], Known] = {
    (200, 12, 1): Known(48_007_000, 48_105_000, "HiGHS 300 s, 2026-12-03"),
    (200, 12, 2): Known(42_849_000, 42_955_000, "HiGHS 300 s, 2026-12-03"),
    (200, 12, 3): Known(51_723_000, 51_723_000, "HiGHS 300 s (optimal), 2026-12-03"),
    (200, 12, 4): Known(52_734_000, 52_851_000, "HiGHS 300 s, 2026-12-03"),
    (200, 12, 5): Known(47_677_000, 47_826_000, "HiGHS 300 s, 2026-12-03"),
}


def best_known(n: int, phases: int, seed: int) -> Known | None:
    """The best known figures of a generated portfolio, when there are any."""
    return BEST_KNOWN.get((n, phases, seed))


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(
                f"expected seeds like 1-5 or 1,3, got {part!r}"
            ) from exc
        out.extend(range(low, high + 1))
    return out


def _size(text: str) -> tuple[int, int]:
    sizes = parse_sizes(text)
    if len(sizes) != 1:
        raise argparse.ArgumentTypeError(f"expected one size like 200x12, got {text!r}")
    return sizes[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.known", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", type=_size, default=(200, 12), help="NxP (default 200x12)")
    parser.add_argument("--seeds", type=_seeds, default=[1, 2, 3, 4, 5], help="e.g. 1-5")
    parser.add_argument("--seconds", type=float, default=300.0, help="HiGHS time per instance")
    args = parser.parse_args(argv)
    n, phases = args.size
    console = Console()
    table = Table(title=f"HiGHS alone, {args.seconds:g} s per instance")
    for column in ("seed", "value", "bound", "gap", "seconds", "recorded value", "improves"):
        table.add_column(column, justify="right")
    entries = []
    for seed in args.seeds:
        problem = build_problem(generate_portfolio(n, phases, seed=seed))
        started = time.perf_counter()
        roadmap = solve(
            problem, SolverConfig(engine="highs", time_limit=args.seconds, explain=False)
        )
        seconds = time.perf_counter() - started
        value, bound = roadmap.objective, roadmap.bound
        known = best_known(n, phases, seed)
        better = known is None or (value or 0) > known.value or (bound or known.bound) < known.bound
        table.add_row(
            str(seed),
            f"{value:,}" if value is not None else "—",
            f"{bound:,}" if bound is not None else "—",
            f"{roadmap.gap:.3%}" if roadmap.gap is not None else "—",
            f"{seconds:.0f}",
            f"{known.value:,}" if known else "—",
            "yes" if better else "no",
        )
        if value is not None and bound is not None:
            proved = " (optimal)" if roadmap.status == "optimal" else ""
            entries.append(
                f"    ({n}, {phases}, {seed}): Known({value:_}, {bound:_}, "
                f'"HiGHS {args.seconds:g} s{proved}, {time.strftime("%Y-%m-%d")}"),'
            )
    console.print(table)
    console.print("\n".join(entries), highlight=False, markup=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
