"""OR-Library multidimensional knapsack instances (Chu and Beasley) as portfolios.

A problem of `n` items and `m` constraints becomes a one-phase portfolio: item `j` is
the agile initiative `I<j>` of duration 1 with value `p(j)`, using `v(i, j)` of the
resource `r<i>` (capacity `b(i)`), with no budget and no team limit. Its realized value
`p(j) × (1 − 0 − 1 + 1)` is `p(j)`, so a roadmap's objective is the knapsack's value.

Problem `k` (0-based) of a file with `m` constraints and `n` items is named `m.n-kk` in
`best-feasible-slns.txt` (`5.100-00` is the first of mknapcb1), which gives its
best-known value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from planner.portfolio import Calendar, InitiativeSpec, Portfolio

FAMILIES = ("mknapcb1", "mknapcb4")
_START = dt.date(2027, 1, 1)
_BEST_LINE = re.compile(r"^\s*(\d+\.\d+-\d+)\s+(\d+)\s*$")


@dataclass(frozen=True)
class KnapsackProblem:
    """One problem exactly as the OR-Library file states it."""

    values: tuple[int, ...]
    weights: tuple[tuple[int, ...], ...]  # one row of n weights per constraint
    capacities: tuple[int, ...]
    stated_optimum: int  # the file's own figure; 0 when unknown

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def m(self) -> int:
        return len(self.capacities)

    def orlib_name(self, index: int) -> str:
        """The name `best-feasible-slns.txt` gives problem `index` (0-based) of its file."""
        return f"{self.m}.{self.n}-{index:02d}"


@dataclass(frozen=True)
class KnapsackInstance:
    """A benchmark instance: the portfolio, where it came from, and the value to beat."""

    name: str  # e.g. mknapcb1-00
    orlib_name: str  # e.g. 5.100-00
    problem: KnapsackProblem
    portfolio: Portfolio
    best_known: int | None


def parse_mknap(text: str) -> list[KnapsackProblem]:
    """Every problem of an OR-Library mknap file (the layout of `file-format.txt`)."""
    numbers = [int(tok) for tok in text.split()]
    if not numbers:
        raise ValueError("empty mknap file")
    pos = 0

    def take(count: int) -> list[int]:
        nonlocal pos
        if pos + count > len(numbers):
            raise ValueError(f"mknap file ends early: wanted {count} numbers at position {pos}")
        chunk = numbers[pos : pos + count]
        pos += count
        return chunk

    (count,) = take(1)
    problems = []
    for _ in range(count):
        n, m, stated = take(3)
        values = tuple(take(n))
        weights = tuple(tuple(take(n)) for _ in range(m))
        capacities = tuple(take(m))
        problems.append(
            KnapsackProblem(
                values=values, weights=weights, capacities=capacities, stated_optimum=stated
            )
        )
    if pos != len(numbers):
        raise ValueError(f"mknap file has {len(numbers) - pos} numbers after its last problem")
    return problems


def parse_best_known(text: str) -> dict[str, int]:
    """Best-known values by OR-Library name, from the first table of `best-feasible-slns.txt`.

    The second table (LP relaxation values, written as floats) is not read.
    """
    best: dict[str, int] = {}
    for line in text.splitlines():
        if "LP" in line and best:
            break
        found = _BEST_LINE.match(line)
        if found:
            best[found.group(1)] = int(found.group(2))
    return best


def knapsack_portfolio(problem: KnapsackProblem, *, name: str) -> Portfolio:
    """The one-phase portfolio whose best roadmap is the knapsack's best packing."""
    width = len(str(problem.n - 1))
    items = []
    for j, value in enumerate(problem.values):
        uses = {f"r{i}": row[j] for i, row in enumerate(problem.weights) if row[j]}
        items.append(
            InitiativeSpec(
                key=f"I{j:0{width}d}",
                title=f"item {j}",
                duration=1,
                value=value,
                cadence="agile",
                teams=0,
                uses=uses,
            )
        )
    return Portfolio(
        name=name,
        calendar=Calendar(start=_START, phases=1),
        capacity={f"r{i}": cap for i, cap in enumerate(problem.capacities)},
        initiatives=tuple(items),
    )


def load_mknap(data: Path, family: str) -> list[KnapsackInstance]:
    """All problems of `mknap/<family>.txt` under `data`, with their best-known values."""
    if family not in FAMILIES:
        raise ValueError(f"unknown mknap family {family!r} (known: {', '.join(FAMILIES)})")
    folder = Path(data) / "mknap"
    problems = parse_mknap((folder / f"{family}.txt").read_text())
    best = parse_best_known((folder / "best-feasible-slns.txt").read_text())
    out = []
    for k, problem in enumerate(problems):
        name = f"{family}-{k:02d}"
        orlib = problem.orlib_name(k)
        out.append(
            KnapsackInstance(
                name=name,
                orlib_name=orlib,
                problem=problem,
                portfolio=knapsack_portfolio(problem, name=name),
                best_known=best.get(orlib),
            )
        )
    return out
