"""The what-if transforms: budgets, the total budget, capacities, with/without an
initiative, pins and the number of phases (`planner.scenario` lists what users type)."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, replace

from planner.errors import ScenarioError
from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.money import format_money, format_money_exact
from planner.portfolio import BUILTIN_RESOURCES, PLANNABLE_STATUSES
from planner.scenario.draft import Change, Draft, PhaseRef, Transform, resolve_phase


@dataclass(frozen=True)
class BudgetChange(Transform):
    """Change the budget: of every phase, or of one phase.

    A percentage for every phase (`budget-20%`, `budget=80%`) is a percentage of the
    money: it scales every phase's budget and the total budget alike. An amount
    (`budget+250k`, `budget=300k`) is an amount per phase, as in `plan budget=…` and the
    settings' per-phase budget: it changes every phase's budget and leaves the total,
    which `TotalBudgetChange` (`total…`) changes alone. `… in PHASE` changes that
    phase's budget only.
    """

    change: Change
    phase: PhaseRef | None = None

    def describe(self) -> str:
        where = "" if self.phase is None else f" in {self.phase}"
        return f"budget {self.change.text()}{where}"

    @property
    def moves_total(self) -> bool:
        """Whether the total budget changes too: a percentage of the whole budget."""
        return self.phase is None and self.change.op == "scale"

    def apply_to(self, draft: Draft) -> None:
        budget = draft.portfolio.budget
        P = draft.portfolio.calendar.phases
        if budget.per_phase is None:
            if self.moves_total and budget.total is not None:
                _change_total(draft, self.change, self.describe())
                return
            if self.moves_total:
                raise ScenarioError(
                    f"{self.describe()}: there is no per-phase budget to change (it is "
                    "unlimited), nor a total budget; set one instead, e.g. budget=250k or "
                    "total=1.8M"
                )
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
        before = list(values)
        targets = range(P) if self.phase is None else [resolve_phase(draft.phases, self.phase)]
        for p in targets:
            values[p] = self.change.apply(values[p] if values[p] is not None else 0)
            if values[p] < 0:
                raise ScenarioError(
                    f"{self.describe()}: the budget of {draft.phases[p].label} would be "
                    f"negative ({format_money(values[p])})"
                )
            if values[p] > MAX_MONEY:
                raise ScenarioError(
                    f"{self.describe()}: the budget of {draft.phases[p].label} would be "
                    f"{format_money_exact(values[p])}, {_TOO_MUCH} (at most {MAX_MONEY:,})"
                )
        per_phase: int | tuple[int, ...] = (
            values[0] if self.phase is None and len(set(values)) == 1 else tuple(values)
        )
        draft.portfolio = replace(draft.portfolio, budget=replace(budget, per_phase=per_phase))
        if self.phase is None:
            draft.notes.append(_phases_note("budget", before, values, money=True))
        else:
            p = targets[0]
            draft.notes.append(
                f"budget of {draft.phases[p].label} {_shown(before[p], True)} → "
                f"{_shown(values[p], True)}"
            )
        if self.moves_total and budget.total is not None:
            _change_total(draft, self.change, self.describe())
        elif self.phase is None and budget.total is not None:
            draft.notes.append(
                f"total budget stays {format_money(budget.total)} (total+… or total=… changes it)"
            )


@dataclass(frozen=True)
class TotalBudgetChange(Transform):
    """Change the total budget over the horizon (and nothing else)."""

    change: Change

    def describe(self) -> str:
        return f"total budget {self.change.text()}"

    def apply_to(self, draft: Draft) -> None:
        budget = draft.portfolio.budget
        if budget.total is None and self.change.op != "set":
            raise ScenarioError(
                f"{self.describe()}: there is no total budget to change (it is unlimited); "
                "set one instead, e.g. total=1.8M"
            )
        _change_total(draft, self.change, self.describe())


def _change_total(draft: Draft, change: Change, what: str) -> None:
    budget = draft.portfolio.budget
    total = change.apply(budget.total or 0)
    if total < 0:
        raise ScenarioError(f"{what}: the total budget would be negative ({format_money(total)})")
    if total > MAX_MONEY:
        raise ScenarioError(
            f"{what}: the total budget would be {format_money_exact(total)}, {_TOO_MUCH} "
            f"(at most {MAX_MONEY:,})"
        )
    draft.portfolio = replace(draft.portfolio, budget=replace(budget, total=total))
    before = "unlimited" if budget.total is None else format_money(budget.total)
    draft.notes.append(f"total budget {before} → {format_money(total)}")


@dataclass(frozen=True)
class CapacityChange(Transform):
    """Change a resource's capacity in every phase, or in one phase."""

    resource: str
    change: Change
    phase: PhaseRef | None = None

    def describe(self) -> str:
        where = "" if self.phase is None else f" in {self.phase}"
        return f"capacity {self.resource} {self.change.text(money=False)}{where}"

    def apply_to(self, draft: Draft) -> None:
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
        before = list(values)
        targets = range(P) if self.phase is None else [resolve_phase(draft.phases, self.phase)]
        for p in targets:
            values[p] = self.change.apply(values[p] if values[p] is not None else 0)
            if values[p] < 0:
                raise ScenarioError(
                    f"{self.describe()}: the capacity of {name} in {draft.phases[p].label} "
                    f"would be negative ({values[p]})"
                )
            if values[p] > MAX_CAPACITY:
                raise ScenarioError(
                    f"{self.describe()}: the capacity of {name} in {draft.phases[p].label} "
                    f"would be {values[p]:,}, {_TOO_MUCH} (at most {MAX_CAPACITY:,})"
                )
        capacity = dict(portfolio.capacity)
        capacity[name] = (
            values[0] if self.phase is None and len(set(values)) == 1 else tuple(values)
        )
        draft.portfolio = replace(portfolio, capacity=capacity)
        if self.phase is None:
            draft.notes.append(
                _phases_note(f"capacity of {name}", before, values, money=False, link="in")
            )
        else:
            p = targets[0]
            draft.notes.append(
                f"capacity of {name} in {draft.phases[p].label} "
                f"{_shown(before[p], False)} → {_shown(values[p], False)}"
            )


@dataclass(frozen=True)
class Without(Transform):
    """Plan without an initiative (even a mandatory or pinned one)."""

    key: str

    def describe(self) -> str:
        return f"without {self.key}"

    def apply_to(self, draft: Draft) -> None:
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
        draft.notes.append(self.describe())


@dataclass(frozen=True)
class With(Transform):
    """Plan with an initiative: forced in, even if it is only proposed."""

    key: str

    def describe(self) -> str:
        return f"with {self.key}"

    def apply_to(self, draft: Draft) -> None:
        spec = draft.spec(self.key, self.describe())
        if spec.status == "done":
            raise ScenarioError(f"{self.describe()}: {self.key} is done; there is nothing to plan")
        if spec.status not in PLANNABLE_STATUSES:
            draft.include.add(self.key)
        draft.force_out.discard(self.key)
        draft.force_in.add(self.key)
        draft.wanted[self.key] = self.describe()
        draft.notes.append(self.describe())


@dataclass(frozen=True)
class Pin(Transform):
    """Fix an initiative's start phase (which also forces it in)."""

    key: str
    phase: PhaseRef

    def describe(self) -> str:
        return f"pin {self.key} {self.phase}"

    def apply_to(self, draft: Draft) -> None:
        draft.spec(self.key, self.describe())
        start = resolve_phase(draft.phases, self.phase)
        draft.update(self.key, pin=start)
        draft.force_out.discard(self.key)
        draft.pinned[self.key] = self.describe()
        draft.notes.append(f"pin {self.key} to {draft.phases[start].label}")


@dataclass(frozen=True)
class Unpin(Transform):
    """Let the optimizer choose an initiative's start phase again."""

    key: str

    def describe(self) -> str:
        return f"unpin {self.key}"

    def apply_to(self, draft: Draft) -> None:
        spec = draft.spec(self.key, self.describe())
        if spec.pin is None:
            raise ScenarioError(f"{self.describe()}: {self.key} is not pinned")
        draft.update(self.key, pin=None)
        draft.pinned.pop(self.key, None)
        draft.notes.append(self.describe())


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

    def apply_to(self, draft: Draft) -> None:
        portfolio = draft.portfolio
        cal = portfolio.calendar
        old = cal.phases
        new = self.change.apply(old)
        if new < 1:
            raise ScenarioError(f"{self.describe()}: a plan needs at least 1 phase, not {new}")
        if new > MAX_PHASES:
            raise ScenarioError(
                f"{self.describe()}: {new:,} phases is more than the {MAX_PHASES} allowed"
            )
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
        draft.notes.append(f"phases {old} → {new}")


_TOO_MUCH = "more than Townhall plans with"


def _shown(value: int | None, money: bool) -> str:
    if value is None:
        return "unlimited"
    return format_money(value) if money else f"{value:,}"


def _phases_note(
    what: str, before: list[int | None], after: list[int | None], *, money: bool, link: str = "of"
) -> str:
    """`budget of every phase 250k → 200k`, or with uneven phases `budget per phase
    100–400 → 110–440`."""

    def span(values: list[int | None]) -> str:
        known = [v for v in values if v is not None]
        if len(known) < len(values) or not known:
            return "unlimited" if not known else f"{_shown(min(known), money)}–unlimited"
        low, high = min(known), max(known)
        return _shown(low, money) if low == high else f"{_shown(low, money)}–{_shown(high, money)}"

    if len(set(before)) <= 1 and len(set(after)) <= 1:
        return f"{what} {link} every phase {span(before)} → {span(after)}"
    return f"{what} per phase {span(before)} → {span(after)}"


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
