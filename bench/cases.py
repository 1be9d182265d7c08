"""Which instances a benchmark run solves, and how each one is turned into a portfolio.

A `Case` is a small recipe (picklable, so a case can be solved in a fresh process);
`materialize` reads or generates its portfolio and its reference figure.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path

from bench.generate import generate_portfolio, with_drivers
from bench.known import best_known
from bench.mknap import FAMILIES as MKNAP_FAMILIES
from bench.mknap import load_mknap
from bench.paths import DEMO_PORTFOLIO
from bench.psplib import instance_names, load_psplib
from bench.worst import worst_portfolio
from planner.portfolio import Portfolio, load_portfolio

SUITES = ("generated", "mknap", "psplib")
#: What generated portfolios (and the demo) are planned for: each objective gives its own
#: rows, the strategic ones in families named e.g. `200x12 strategic`.
OBJECTIVES = ("value", "strategic")
DEFAULT_SIZES = ((50, 8), (200, 12), (1000, 24))


@dataclass(frozen=True)
class Case:
    suite: str  # generated | mknap | psplib
    family: str  # 200x12, demo, mknapcb1, j30, …
    name: str
    # ("generate", n, phases, seed) | ("worst", n, phases, seed) | ("file", path)
    # | ("mknap", family, k) | ("psplib", name)
    recipe: tuple
    objective: str = "value"  # value | strategic (generated cases; see `with_objective`)


@dataclass(frozen=True)
class Instance:
    """A materialized case: its portfolio and the figure it is compared with."""

    case: Case
    portfolio: Portfolio
    # best-known value (mknap, generated: `bench.known`) or optimal makespan (psplib)
    reference: int | None = None
    horizon: int | None = None  # psplib: P, to turn values into makespans


def spread(count: int, total: int) -> list[int]:
    """`count` indices spread evenly over `range(total)`, first one included."""
    if count >= total:
        return list(range(total))
    return sorted({(i * total) // count for i in range(count)})


def select_cases(
    *,
    suites: tuple[str, ...],
    data: Path,
    sample: int,
    all_mknap: bool = False,
    all_psplib: bool = False,
    sizes: tuple[tuple[int, int], ...] = DEFAULT_SIZES,
    demo: Path | None = DEMO_PORTFOLIO,
    pattern: str | None = None,
    objectives: tuple[str, ...] = OBJECTIVES,
    worst: tuple[tuple[int, int], ...] = (),
) -> list[Case]:
    """The cases of a run, in the order they are solved.

    `sample` is the number of instances per family: seeds 1…sample for each generated
    size, and evenly spread problems of each mknap file and j30 parameter groups (the
    first instance of each chosen group); the `all_*` flags take whole families.
    Generated portfolios and the demo are planned once per objective in `objectives`;
    `worst` adds the constructed worst case (`bench.worst`) of each size, for value.
    """
    cases: list[Case] = []
    if "generated" in suites:
        for objective in objectives:
            suffix = "" if objective == "value" else f" {objective}"
            tag = "" if objective == "value" else f"-{objective}"
            if demo is not None and demo.exists():
                cases.append(
                    Case("generated", f"demo{suffix}", f"demo{tag}", ("file", str(demo)), objective)
                )
            for n, phases in sizes:
                family = f"{n}x{phases}"
                for seed in range(1, sample + 1):
                    recipe = ("generate", n, phases, seed)
                    name = f"gen-{family}-s{seed}{tag}"
                    cases.append(Case("generated", f"{family}{suffix}", name, recipe, objective))
        for n, phases in worst:
            family = f"worst {n}x{phases}"
            for seed in range(1, sample + 1):
                name = f"worst-{n}x{phases}-s{seed}"
                cases.append(Case("generated", family, name, ("worst", n, phases, seed)))
    if "mknap" in suites:
        for family in MKNAP_FAMILIES:
            for k in range(30) if all_mknap else spread(sample, 30):
                cases.append(Case("mknap", family, f"{family}-{k:02d}", ("mknap", family, k)))
    if "psplib" in suites:
        names = instance_names(data)
        if not all_psplib:
            firsts = [n for n in names if n.endswith("_1")]
            names = [firsts[i] for i in spread(sample, len(firsts))]
        cases += [Case("psplib", "j30", name, ("psplib", name)) for name in names]
    if pattern:
        cases = [c for c in cases if fnmatch.fnmatch(c.name, pattern)]
    return cases


def materialize(case: Case, data: Path) -> Instance:
    """Read or generate the case's portfolio, with its reference figure."""
    kind, *args = case.recipe
    if kind == "generate":
        n, phases, seed = args
        portfolio = with_objective(generate_portfolio(n, phases, seed=seed), case)
        known = best_known(n, phases, seed) if case.objective == "value" else None
        return Instance(case, portfolio, reference=known.value if known else None)
    if kind == "worst":
        n, phases, seed = args
        return Instance(case, worst_portfolio(n, phases, seed=seed))
    if kind == "file":
        return Instance(case, with_objective(load_portfolio(args[0]), case))
    if kind == "mknap":
        family, k = args
        knapsack = load_mknap(data, family)[k]
        return Instance(case, knapsack.portfolio, reference=knapsack.best_known)
    if kind == "psplib":
        (scheduling,) = load_psplib(data, [args[0]])
        return Instance(
            case, scheduling.portfolio, reference=scheduling.optimum, horizon=scheduling.horizon
        )
    raise ValueError(f"unknown recipe {case.recipe!r}")


def with_objective(portfolio: Portfolio, case: Case) -> Portfolio:
    """The portfolio planned for the case's objective; a strategic case scores a
    portfolio without drivers with the bench's own (`bench.generate.with_drivers`)."""
    if case.objective == "value":
        return portfolio
    seed = case.recipe[3] if case.recipe[0] == "generate" else 0
    return replace(with_drivers(portfolio, seed=seed), objective=case.objective)
