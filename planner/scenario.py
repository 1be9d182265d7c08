"""What-if scenarios: small transforms of a plan's settings and choices, and their parser.

`parse_whatif("budget-20%, without SOC-7")` reads what a user types into Transforms;
`apply(base, transforms)` returns the Problem of that scenario. Transforms change the
Portfolio a Problem was built from, and the Problem is rebuilt with `build_problem`, so
every derived figure (phase dates, tollgates from an RRULE, review needs, blocked
dependencies) stays consistent with the portfolio rules.

What users type (several separated by commas, semicolons or `and`):

    budget-20%   budget+10%   budget=1.2M   budget+250k   budget=300k in 2027Q3
    total-10%    total=1.5M   (the total budget)
    capacity integration=+2   capacity integration=-1   capacity integration=5 in 2027Q3
    without SOC-7   with SOC-7   pin SOC-7 3   pin SOC-7 2027Q3   unpin SOC-7
    phases+2   phases=10
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from planner.calendar import Phase, phases_of
from planner.errors import ScenarioError
from planner.money import MONEY_EXAMPLES, format_money, parse_money
from planner.portfolio import (
    BUILTIN_RESOURCES,
    KEY_RE,
    PLANNABLE_STATUSES,
    InitiativeSpec,
    Portfolio,
)
from planner.problem import Problem, build_problem
from planner.rules import start_blockers

PhaseRef = int | str

# --------------------------------------------------------------------------- changes


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


# --------------------------------------------------------------------------- transforms


@dataclass
class _Draft:
    """The scenario being built: a portfolio and the options `build_problem` takes."""

    portfolio: Portfolio
    include: set[str]
    force_in: set[str]
    force_out: set[str]
    wanted: dict[str, str] = field(default_factory=dict)  # key → the transform asking for it
    pinned: dict[str, str] = field(default_factory=dict)

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

    def _apply(self, draft: _Draft) -> None:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class BudgetChange(Transform):
    """Change the per-phase budget of every phase, or of one phase."""

    change: Change
    phase: PhaseRef | None = None

    def describe(self) -> str:
        where = "" if self.phase is None else f" in {self.phase}"
        return f"budget {self.change.text()}{where}"

    def _apply(self, draft: _Draft) -> None:
        budget = draft.portfolio.budget
        P = draft.portfolio.calendar.phases
        if budget.per_phase is None:
            if self.change.op != "set":
                raise ScenarioError(
                    f"{self.describe()}: there is no per-phase budget to change (it is "
                    "unlimited); set one instead, e.g. budget=250k"
                )
            if self.phase is not None:
                raise ScenarioError(
                    f"{self.describe()}: the other phases have no budget (unlimited); "
                    "set a budget for every phase first, e.g. budget=250k"
                )
        values = _per_phase_list(budget.per_phase, P)
        targets = range(P) if self.phase is None else [resolve_phase(draft.phases, self.phase)]
        for p in targets:
            values[p] = self.change.apply(values[p] if values[p] is not None else 0)
            if values[p] < 0:
                raise ScenarioError(
                    f"{self.describe()}: the budget of {draft.phases[p].label} would be "
                    f"negative ({format_money(values[p])})"
                )
        per_phase: int | tuple[int, ...] = (
            values[0] if self.phase is None and len(set(values)) == 1 else tuple(values)
        )
        draft.portfolio = replace(draft.portfolio, budget=replace(budget, per_phase=per_phase))


@dataclass(frozen=True)
class TotalBudgetChange(Transform):
    """Change the total budget over the horizon."""

    change: Change

    def describe(self) -> str:
        return f"total budget {self.change.text()}"

    def _apply(self, draft: _Draft) -> None:
        budget = draft.portfolio.budget
        if budget.total is None and self.change.op != "set":
            raise ScenarioError(
                f"{self.describe()}: there is no total budget to change (it is unlimited); "
                "set one instead, e.g. total=1.8M"
            )
        total = self.change.apply(budget.total or 0)
        if total < 0:
            raise ScenarioError(
                f"{self.describe()}: the total budget would be negative ({format_money(total)})"
            )
        draft.portfolio = replace(draft.portfolio, budget=replace(budget, total=total))


@dataclass(frozen=True)
class CapacityChange(Transform):
    """Change a resource's capacity in every phase, or in one phase."""

    resource: str
    change: Change
    phase: PhaseRef | None = None

    def describe(self) -> str:
        where = "" if self.phase is None else f" in {self.phase}"
        return f"capacity {self.resource} {self.change.text(money=False)}{where}"

    def _apply(self, draft: _Draft) -> None:
        portfolio = draft.portfolio
        P = portfolio.calendar.phases
        name = self.resource
        known = set(portfolio.capacity) | set(BUILTIN_RESOURCES)
        for spec in portfolio.initiatives:
            known.update(spec.uses)
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ScenarioError(
                f"{self.describe()}: unknown resource '{name}' ({hint}known: "
                f"{', '.join(sorted(known))})"
            )
        current = portfolio.capacity.get(name)
        if current is None:
            if self.change.op != "set":
                raise ScenarioError(
                    f"{self.describe()}: {name} has no capacity limit to change (it is "
                    f"unlimited); set one instead, e.g. capacity {name}=5"
                )
            if self.phase is not None:
                raise ScenarioError(
                    f"{self.describe()}: {name} is unlimited in the other phases; set its "
                    f"capacity for every phase first, e.g. capacity {name}=5"
                )
        values = _per_phase_list(current, P)
        targets = range(P) if self.phase is None else [resolve_phase(draft.phases, self.phase)]
        for p in targets:
            values[p] = self.change.apply(values[p] if values[p] is not None else 0)
            if values[p] < 0:
                raise ScenarioError(
                    f"{self.describe()}: the capacity of {name} in {draft.phases[p].label} "
                    f"would be negative ({values[p]})"
                )
        capacity = dict(portfolio.capacity)
        capacity[name] = (
            values[0] if self.phase is None and len(set(values)) == 1 else tuple(values)
        )
        draft.portfolio = replace(portfolio, capacity=capacity)


@dataclass(frozen=True)
class Without(Transform):
    """Plan without an initiative (even a mandatory or pinned one)."""

    key: str

    def describe(self) -> str:
        return f"without {self.key}"

    def _apply(self, draft: _Draft) -> None:
        spec = draft.spec(self.key, self.describe())
        if not draft.in_plan(spec):
            raise ScenarioError(
                f"{self.describe()}: {self.key} is not part of the plan anyway "
                f"(it is {spec.status.replace('_', ' ')})"
            )
        draft.force_in.discard(self.key)
        draft.force_out.add(self.key)
        draft.wanted.pop(self.key, None)
        draft.pinned.pop(self.key, None)
        if spec.mandatory or spec.pin is not None:
            draft.update(self.key, mandatory=False, pin=None)


@dataclass(frozen=True)
class With(Transform):
    """Plan with an initiative: forced in, even if it is only proposed."""

    key: str

    def describe(self) -> str:
        return f"with {self.key}"

    def _apply(self, draft: _Draft) -> None:
        spec = draft.spec(self.key, self.describe())
        if spec.status == "done":
            raise ScenarioError(f"{self.describe()}: {self.key} is done; there is nothing to plan")
        if spec.status not in PLANNABLE_STATUSES:
            draft.include.add(self.key)
        draft.force_out.discard(self.key)
        draft.force_in.add(self.key)
        draft.wanted[self.key] = self.describe()


@dataclass(frozen=True)
class Pin(Transform):
    """Fix an initiative's start phase (which also forces it in)."""

    key: str
    phase: PhaseRef

    def describe(self) -> str:
        return f"pin {self.key} {self.phase}"

    def _apply(self, draft: _Draft) -> None:
        draft.spec(self.key, self.describe())
        start = resolve_phase(draft.phases, self.phase)
        draft.update(self.key, pin=start)
        draft.force_out.discard(self.key)
        draft.pinned[self.key] = self.describe()


@dataclass(frozen=True)
class Unpin(Transform):
    """Let the optimizer choose an initiative's start phase again."""

    key: str

    def describe(self) -> str:
        return f"unpin {self.key}"

    def _apply(self, draft: _Draft) -> None:
        spec = draft.spec(self.key, self.describe())
        if spec.pin is None:
            raise ScenarioError(f"{self.describe()}: {self.key} is not pinned")
        draft.update(self.key, pin=None)
        draft.pinned.pop(self.key, None)


@dataclass(frozen=True)
class PhaseCountChange(Transform):
    """Lengthen or shorten the horizon.

    New phases keep the last phase's budget and capacities; an evenly spaced tollgate
    list continues its pattern (an RRULE or "every phase" needs nothing); deadlines
    beyond a shortened horizon lapse.
    """

    change: Change

    def __post_init__(self) -> None:
        if self.change.op == "scale":
            raise ValueError("phases change by a count, not a percentage")

    def describe(self) -> str:
        return f"phases {self.change.text(money=False)}"

    def _apply(self, draft: _Draft) -> None:
        portfolio = draft.portfolio
        cal = portfolio.calendar
        old = cal.phases
        new = self.change.apply(old)
        if new < 1:
            raise ScenarioError(f"{self.describe()}: a plan needs at least 1 phase, not {new}")
        if new > 400:
            raise ScenarioError(f"{self.describe()}: {new} phases is more than the 400 allowed")
        calendar = replace(
            cal,
            phases=new,
            tollgates=_resize_tollgates(cal.tollgates, old, new),
            freeze=tuple(p for p in cal.freeze if p < new),
        )
        specs = []
        for spec in portfolio.initiatives:
            if spec.pin is not None and spec.pin + spec.duration > new and draft.in_plan(spec):
                raise ScenarioError(
                    f"{self.describe()}: {spec.key} is pinned to phase {spec.pin} and would "
                    f"not finish inside {new} phases; unpin it first"
                )
            if spec.deadline is not None and spec.deadline >= new:
                spec = replace(spec, deadline=None)
            specs.append(spec)
        budget = portfolio.budget
        if isinstance(budget.per_phase, tuple):
            budget = replace(budget, per_phase=_resize(budget.per_phase, new))
        capacity = {
            name: _resize(value, new) if isinstance(value, tuple) else value
            for name, value in portfolio.capacity.items()
        }
        draft.portfolio = replace(
            portfolio,
            calendar=calendar,
            budget=budget,
            capacity=capacity,
            initiatives=tuple(specs),
        )


def _per_phase_list(value: int | tuple[int, ...] | None, phases: int) -> list[int | None]:
    if value is None or isinstance(value, int):
        return [value] * phases
    return list(value)


def _resize(values: tuple[int, ...], n: int) -> tuple[int, ...]:
    if n <= len(values):
        return values[:n]
    return values + (values[-1],) * (n - len(values))


def _resize_tollgates(
    gates: tuple[int, ...] | str | None, old: int, new: int
) -> tuple[int, ...] | str | None:
    if gates is None or isinstance(gates, str):
        return gates
    kept = [g for g in gates if g < new]
    if new > old and len(gates) >= 2:
        steps = {b - a for a, b in itertools.pairwise(gates)}
        if len(steps) == 1:
            step = steps.pop()
            nxt = gates[-1] + step
            while nxt < new:
                kept.append(nxt)
                nxt += step
    return tuple(kept)


# --------------------------------------------------------------------------- phases


def resolve_phase(phases: Sequence[Phase], ref: PhaseRef) -> int:
    """The index of a phase named by index (`3`), label (`2027Q3`, `Q3`, `2027-03`,
    `Sprint 4`) or a date inside it (`2027-08-15`). `Q3` alone is its first occurrence."""
    P = len(phases)
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        index = int(text)
        if 0 <= index < P:
            return index
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


# --------------------------------------------------------------------------- apply


def apply(
    base: Problem | Portfolio,
    transforms: Sequence[Transform] | str,
    *,
    include: Iterable[str] = (),
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
) -> Problem:
    """The Problem of a what-if: `transforms` applied in order to `base`.

    `base` is a Problem built by `build_problem` (its portfolio and options are reused)
    or a Portfolio with the `build_problem` options. `transforms` may be the text a user
    typed. Raises ScenarioError naming the transform that cannot apply.
    """
    if isinstance(transforms, str):
        transforms = parse_whatif(transforms)
    if isinstance(base, Problem):
        if base.portfolio is None:
            raise ScenarioError(
                "what-ifs need the portfolio a problem was built from, and this one has none"
            )
        portfolio = base.portfolio
        extra = {
            it.key
            for it in base.items
            if it.spec is None or it.spec.status not in PLANNABLE_STATUSES
        }
        draft = _Draft(
            portfolio=portfolio,
            include=extra | set(include),
            force_in=set(base.force_in) | set(force_in),
            force_out=set(base.force_out) | set(force_out),
        )
    else:
        draft = _Draft(
            portfolio=base,
            include=set(include),
            force_in=set(force_in),
            force_out=set(force_out),
        )
    for transform in transforms:
        transform._apply(draft)
    problem = build_problem(
        draft.portfolio,
        include=draft.include,
        force_in=draft.force_in,
        force_out=draft.force_out,
    )
    problem = replace(problem, force_in=problem.force_in - problem.force_out)
    _check_wanted(problem, draft)
    return problem


def _check_wanted(problem: Problem, draft: _Draft) -> None:
    """`with` and `pin` must name something that can take part in the plan."""
    keys = set(problem.keys)
    for key, what in {**draft.wanted, **draft.pinned}.items():
        if key not in keys:
            spec = draft.portfolio.initiative(key)
            raise ScenarioError(
                f"{what}: {key} is not part of the plan (it is "
                f"{spec.status.replace('_', ' ')}); add 'with {key}' first"
            )
        item = problem.item(key)
        if item.blocked:
            raise ScenarioError(f"{what}: {key} can never be scheduled: {item.blocked}")
    for key, what in draft.pinned.items():
        item = problem.item(key)
        assert item.pin is not None
        blockers = start_blockers(problem, item, item.pin)
        if blockers:
            raise ScenarioError(
                f"{what}: {key} cannot start in {problem.phases[item.pin].label}: "
                + "; ".join(blockers)
            )


# --------------------------------------------------------------------------- parsing

_SPLIT_RE = re.compile(r"\s*(?:;|,(?!\d{3})|\s+and\s+|\n)\s*", re.IGNORECASE)
_PHASE_TAIL = r"(?:\s+(?:in|for|at|during)\s+(?P<phase>\S+))?"
_TOTAL_RE = re.compile(r"^(?:total\s*budget|budget\s*total|total)\s*(?P<rest>.*)$", re.I)
_BUDGET_RE = re.compile(rf"^budget\s*(?P<rest>.*?){_PHASE_TAIL}$", re.I)
_CAPACITY_RE = re.compile(
    rf"^(?:capacity|cap)\s+(?P<res>[A-Za-z][\w-]*)\s*(?P<rest>.*?){_PHASE_TAIL}$", re.I
)
_WITHOUT_RE = re.compile(r"^(?:without|drop|exclude)\s+(?P<key>.+)$", re.I)
_WITH_RE = re.compile(r"^(?:with|add|include)\s+(?P<key>.+)$", re.I)
_PIN_RE = re.compile(r"^pin\s+(?P<key>\S+)\s+(?:(?:to|at|in)\s+)?(?P<phase>\S+)$", re.I)
_UNPIN_RE = re.compile(r"^unpin\s+(?P<key>.+)$", re.I)
_PHASES_RE = re.compile(r"^(?:phases|horizon)\s*(?P<rest>.*)$", re.I)
_CHANGE_RE = re.compile(r"^(?P<op>[=+-])\s*(?P<sign>[+-])?\s*(?P<value>.+)$")

WHATIF_HELP = (
    "budget-20%, budget+10%, budget=1.2M, total=1.8M, capacity integration=+2, "
    "without KEY, with KEY, pin KEY PHASE, unpin KEY, phases+2"
)


def parse_whatif(text: str) -> list[Transform]:
    """Read what-ifs typed by a user, e.g. `budget-20% and without SOC-7`.

    Raises ScenarioError naming the part that cannot be read and what was expected.
    Keys, resources and phases are checked later, by `apply`, against the plan.
    """
    normalized = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-")
    parts = [p.strip() for p in _SPLIT_RE.split(normalized.strip())]
    parts = [p for p in parts if p]
    if not parts:
        raise ScenarioError(f"no what-if given: expected e.g. {WHATIF_HELP}")
    return [_parse_part(part) for part in parts]


def _parse_part(part: str) -> Transform:
    part = re.sub(r"\s+", " ", part)
    if m := _TOTAL_RE.match(part):
        change = _change(part, m["rest"], money=True, expected="total-10% or total=1.8M")
        return TotalBudgetChange(change)
    if m := _BUDGET_RE.match(part):
        change = _change(
            part,
            m["rest"],
            money=True,
            expected="budget-20%, budget+10%, budget=1.2M or budget+250k",
        )
        return BudgetChange(change, _phase_ref(m["phase"]))
    if m := _CAPACITY_RE.match(part):
        resource = m["res"].lower().replace("-", "_")
        change = _change(
            part,
            m["rest"],
            money=False,
            expected=f"capacity {resource}=+2, capacity {resource}=-1 or capacity {resource}=5",
        )
        return CapacityChange(resource, change, _phase_ref(m["phase"]))
    if m := _UNPIN_RE.match(part):
        return Unpin(_key(part, m["key"]))
    if m := _PIN_RE.match(part):
        phase = _phase_ref(m["phase"])
        assert phase is not None
        return Pin(_key(part, m["key"]), phase)
    if re.match(r"^pin\b", part, re.I):
        raise ScenarioError(f"'{part}': expected pin KEY PHASE, e.g. pin SOC-7 2027Q3")
    if m := _WITHOUT_RE.match(part):
        return Without(_key(part, m["key"]))
    if m := _WITH_RE.match(part):
        return With(_key(part, m["key"]))
    if m := _PHASES_RE.match(part):
        change = _change(part, m["rest"], money=False, expected="phases+2 or phases=10")
        if change.op == "scale":
            raise ScenarioError(f"'{part}': expected a number of phases, e.g. phases+2")
        return PhaseCountChange(change)
    raise ScenarioError(f"'{part}' is not a what-if I know: expected one of {WHATIF_HELP}")


def _change(part: str, rest: str, *, money: bool, expected: str) -> Change:
    m = _CHANGE_RE.match(rest.strip())
    if m is None:
        raise ScenarioError(f"'{part}': expected {expected}")
    op, sign, value = m["op"], m["sign"], m["value"].strip()
    if op != "=" and sign:
        raise ScenarioError(f"'{part}': expected {expected}")
    relative = op != "=" or sign is not None
    negative = (op if op != "=" else sign) == "-"
    if value.endswith("%"):
        try:
            pct = Fraction(value[:-1].strip())
        except ValueError:
            raise ScenarioError(
                f"'{part}': '{value}' is not a percentage; expected {expected}"
            ) from None
        if pct < 0:
            raise ScenarioError(f"'{part}': expected {expected}")
        if not relative:
            return Change("scale", pct / 100)
        if negative and pct > 100:
            raise ScenarioError(f"'{part}': cannot cut by more than 100%")
        return Change("scale", 1 + (-pct if negative else pct) / 100)
    if money:
        try:
            amount = parse_money(value)
        except ScenarioError:
            raise ScenarioError(
                f"'{part}': '{value}' is neither a percentage nor an amount of money "
                f"(e.g. {MONEY_EXAMPLES}); expected {expected}"
            ) from None
    else:
        if not value.isdigit():
            raise ScenarioError(f"'{part}': '{value}' is not a whole number; expected {expected}")
        amount = int(value)
    if not relative:
        return Change("set", Fraction(amount))
    return Change("add", Fraction(-amount if negative else amount))


def _key(part: str, raw: str) -> str:
    key = raw.strip().upper()
    if not KEY_RE.match(key):
        raise ScenarioError(
            f"'{part}': '{raw.strip()}' is not an initiative key (letters, digits and dashes, "
            "e.g. SOC-7)"
        )
    return key


def _phase_ref(raw: str | None) -> PhaseRef | None:
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if raw.isdigit() else raw


def describe(transforms: Sequence[Transform]) -> str:
    """The canonical text of a scenario, e.g. `budget −20%, without SOC-7`."""
    return ", ".join(t.describe() for t in transforms)


__all__ = [
    "BudgetChange",
    "CapacityChange",
    "Change",
    "PhaseCountChange",
    "Pin",
    "TotalBudgetChange",
    "Transform",
    "Unpin",
    "With",
    "Without",
    "apply",
    "describe",
    "parse_whatif",
    "resolve_phase",
]
