"""What a what-if transform works on: the scenario being built, the numbers it changes,
and the phases it names.

`Draft` is a portfolio plus the `build_problem` options; a `Transform` changes it in
place (`apply_to`); `Change` is how a number changes; `resolve_phase` reads a phase
reference against the scenario's phases.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from planner.calendar import Phase, phases_of
from planner.errors import ScenarioError
from planner.limits import read_whole
from planner.money import format_money
from planner.portfolio import PLANNABLE_STATUSES, InitiativeSpec, Portfolio

PhaseRef = int | str


@dataclass(frozen=True)
class Change:
    """How a number changes: `set` to an amount, `add` an amount (negative to cut), or
    `scale` by a factor (0.8 for −20%)."""

    op: str
    amount: Fraction

    def __post_init__(self) -> None:
        if self.op not in ("set", "add", "scale"):
            raise ValueError(self.op)

    def apply(self, value: int) -> int:
        if self.op == "set":
            out = self.amount
        elif self.op == "add":
            out = value + self.amount
        else:
            out = value * self.amount
        return round(out)

    def text(self, *, money: bool = True) -> str:
        show = format_money if money else (lambda n: f"{round(n):,}")
        if self.op == "scale":
            pct = (self.amount - 1) * 100
            if pct == 0:
                return "unchanged"
            sign = "+" if pct > 0 else "−"
            return f"{sign}{_number(abs(pct))}%"
        if self.op == "add":
            sign = "+" if self.amount >= 0 else "−"
            return f"{sign}{show(abs(self.amount))}"
        return f"= {show(self.amount)}"


def _number(x: Fraction) -> str:
    return str(int(x)) if x.denominator == 1 else f"{float(x):g}"


@dataclass
class Draft:
    """The scenario being built: a portfolio and the options `build_problem` takes."""

    portfolio: Portfolio
    include: set[str]
    force_in: set[str]
    force_out: set[str]
    wanted: dict[str, str] = field(default_factory=dict)  # key → the transform asking for it
    pinned: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what changed, in words (`changes`)

    @property
    def phases(self) -> tuple[Phase, ...]:
        return phases_of(self.portfolio.calendar)

    def spec(self, key: str, what: str) -> InitiativeSpec:
        try:
            return self.portfolio.initiative(key)
        except KeyError:
            known = [s.key for s in self.portfolio.initiatives]
            close = difflib.get_close_matches(key, known, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ScenarioError(f"{what}: there is no initiative {key}{hint}") from None

    def in_plan(self, spec: InitiativeSpec) -> bool:
        return spec.status in PLANNABLE_STATUSES or spec.key in self.include

    def update(self, key: str, **changes: object) -> None:
        specs = tuple(
            replace(s, **changes) if s.key == key else s for s in self.portfolio.initiatives
        )
        self.portfolio = self.portfolio.with_initiatives(specs)


class Transform:
    """One what-if change (a frozen dataclass); `describe` gives its canonical text."""

    def describe(self) -> str:
        raise NotImplementedError

    def apply_to(self, draft: Draft) -> None:
        """Change the draft in place; ScenarioError when it cannot apply."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


def resolve_phase(phases: Sequence[Phase], ref: PhaseRef) -> int:
    """The index of a phase named by index (`3`), label (`2027Q3`, `Q3`, `2027-03`,
    `Sprint 4`) or a date inside it (`2027-08-15`). `Q3` alone is its first occurrence."""
    P = len(phases)
    text = str(ref).strip()
    number = ref if isinstance(ref, int) else read_whole(text)
    if number is not None:
        if 0 <= number < P:
            return number
    else:
        squeezed = text.replace(" ", "").lower()
        for ph in phases:
            if ph.label.replace(" ", "").lower() == squeezed:
                return ph.index
        if re.fullmatch(r"q[1-4]", squeezed):
            for ph in phases:
                if ph.label.lower().endswith(squeezed):
                    return ph.index
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            for ph in phases:
                if ph.start <= day <= ph.end:
                    return ph.index
    first, last = phases[0], phases[-1]
    raise ScenarioError(
        f"'{text}' is not a phase of this plan: expected a phase number 0–{P - 1}, a label "
        f"like {first.label}, or a date from {first.start} to {last.end}"
    )
