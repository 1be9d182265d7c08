"""Does an initiative fit next to a plan? What binds if not, and what would make room.

A `Load` is what a set of start phases already uses: spend per phase (exact), resource
use per phase (security reviews in start phases) and total spend. `bindings` lists every
budget, capacity or review slot an initiative would overrun at one start; `summarize`
turns the bindings of several starts into one short sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from planner.money import format_money
from planner.problem import SECURITY_REVIEWS, Item, Problem
from planner.rules import phase_span

#: Order in which families are preferred when several explain the same starts.
_KIND_ORDER = {"review": 0, "capacity": 1, "budget": 2, "total": 3}
#: Longest phase span put first in a sentence.
_SHORT_SPAN = 24


@dataclass(frozen=True)
class Load:
    """What a plan uses: spend per phase and in total (in units of 1/`scale`, exact) and
    resource use per phase (security reviews counted in start phases)."""

    scale: int
    spend: tuple[int, ...]
    use: tuple[Mapping[str, int], ...]
    total: int

    @classmethod
    def of(
        cls,
        problem: Problem,
        starts: Mapping[str, int],
        *,
        items: Mapping[str, Item] | None = None,
    ) -> Load:
        empty = cls(
            scale=problem.money_scale(),
            spend=(0,) * problem.horizon,
            use=tuple({} for _ in range(problem.horizon)),
            total=0,
        )
        return empty.plus(problem, starts, items=items)

    def plus(
        self,
        problem: Problem,
        starts: Mapping[str, int],
        *,
        items: Mapping[str, Item] | None = None,
    ) -> Load:
        """This load with the initiatives of `starts` added (`items`: the problem's by key)."""
        if not starts:
            return self
        if items is None:
            items = {it.key: it for it in problem.items}
        P, L = problem.horizon, self.scale
        spend = list(self.spend)
        use = [dict(u) for u in self.use]
        total = self.total
        limited = [r for r in problem.capacity if r != SECURITY_REVIEWS]
        reviews = SECURITY_REVIEWS in problem.capacity
        for key, s in starts.items():
            it = items[key]
            end = min(s + it.duration, P)
            share = it.capex * L // it.duration
            amounts = [(r, it.use(r)) for r in limited]
            for p in range(s, end):
                spend[p] += share
                for r, amount in amounts:
                    if amount:
                        use[p][r] = use[p].get(r, 0) + amount
            opex = it.opex * L
            if opex:
                for p in range(end, P):
                    spend[p] += opex
            total += share * (end - s) + opex * (P - end)
            if reviews and it.needs_review:
                use[s][SECURITY_REVIEWS] = use[s].get(SECURITY_REVIEWS, 0) + 1
        return Load(scale=L, spend=tuple(spend), use=tuple(use), total=total)


@dataclass(frozen=True)
class Binding:
    """A limit an initiative would overrun: `need` more than the `left` of `cap`."""

    kind: str  # "budget" | "total" | "capacity" | "review"
    phase: int | None  # None for the total budget
    resource: str | None  # for capacity and review
    need: Fraction
    left: Fraction
    cap: int

    @property
    def family(self) -> tuple[str, str | None]:
        return (self.kind, self.resource)

    @property
    def shortfall(self) -> Fraction:
        return self.need - max(self.left, Fraction(0))

    @property
    def money(self) -> bool:
        return self.kind in ("budget", "total")


def item_cost(problem: Problem, item: Item, start: int) -> int:
    """Total spend of an initiative started in `start`: capex plus opex while live."""
    return item.capex + item.opex * max(0, problem.horizon - start - item.duration)


def bindings(problem: Problem, load: Load, item: Item, start: int) -> list[Binding]:
    """Every limit `item` would overrun if it started in `start` next to `load`."""
    out: list[Binding] = []
    P, d, L = problem.horizon, item.duration, load.scale
    if item.needs_review:
        cap = problem.capacity_at(SECURITY_REVIEWS, start)
        if cap is not None:
            used = load.use[start].get(SECURITY_REVIEWS, 0)
            if used + 1 > cap:
                out.append(
                    Binding(
                        "review", start, SECURITY_REVIEWS, Fraction(1), Fraction(cap - used), cap
                    )
                )
    share, opex = item.capex * L // d, item.opex * L
    limited = [
        (r, item.use(r), problem.capacity[r])
        for r in problem.capacity
        if r != SECURITY_REVIEWS and item.use(r)
    ]
    for p in range(start, P):
        building = p < start + d
        need = share if building else opex
        budget = problem.budget[p]
        if budget is not None and need and load.spend[p] + need > budget * L:
            left = Fraction(budget * L - load.spend[p], L)
            out.append(Binding("budget", p, None, Fraction(need, L), left, budget))
        if not building:
            continue
        for resource, amount, caps in limited:
            cap = caps[p]
            if cap is not None:
                used = load.use[p].get(resource, 0)
                if used + amount > cap:
                    out.append(
                        Binding(
                            "capacity", p, resource, Fraction(amount), Fraction(cap - used), cap
                        )
                    )
    if problem.total_budget is not None:
        cost = item_cost(problem, item, start) * L
        total = problem.total_budget
        if load.total + cost > total * L:
            left = Fraction(total * L - load.total, L)
            out.append(Binding("total", None, None, Fraction(cost, L), left, total))
    return out


def cover(per_start: Mapping[int, list[Binding]]) -> list[tuple[str, str | None]]:
    """A small set of binding families that, together, rule out every start (greedy cover)."""
    uncovered = {s for s, found in per_start.items() if found}
    chosen: list[tuple[str, str | None]] = []
    while uncovered:
        counts: Counter[tuple[str, str | None]] = Counter()
        for s in uncovered:
            counts.update({b.family for b in per_start[s]})
        family = max(counts, key=lambda f: (counts[f], -_KIND_ORDER[f[0]], f[1] or ""))
        chosen.append(family)
        uncovered = {s for s in uncovered if all(b.family != family for b in per_start[s])}
    return chosen


def summarize(problem: Problem, per_start: Mapping[int, list[Binding]], *, limit: int) -> str:
    """What binds at every start, in one line of at most `limit` characters."""
    parts = []
    for family in cover(per_start):
        starts = [s for s, found in per_start.items() if any(b.family == family for b in found)]
        found = [b for s in starts for b in per_start[s] if b.family == family]
        parts.append(describe(problem, found))
    return clip("; ".join(parts), limit)


def describe(problem: Problem, found: Iterable[Binding]) -> str:
    """One family of bindings (same kind and resource) in words."""
    found = list(found)
    kind, resource = found[0].family
    phases = sorted({b.phase for b in found if b.phase is not None})
    span = phase_span(problem, phases)
    caps = {b.cap for b in found}
    cap = caps.pop() if len(caps) == 1 else None
    left = max(max(b.left for b in found), Fraction(0))
    need = max(b.need for b in found)
    if kind == "total":
        need = min(b.need for b in found)
        return (
            f"the total budget has {format_money(left)} left of "
            f"{format_money(found[0].cap)}, needs {format_money(need)}"
        )
    if kind == "review":
        if cap == 0:
            return f"no security review capacity in {span}"
        return f"no security review slot free in {span}"
    too_big = all(b.need > b.cap for b in found)  # too big even for an empty phase
    if kind == "budget":
        if too_big:
            of = f"the {format_money(cap)} budget" if cap is not None else "the budget"
            return f"needs {format_money(need)} a phase, more than {of} of {span}"
        most = "at most " if len(found) > 1 else ""
        of = f" of {format_money(cap)}" if cap is not None else ""
        if len(span) <= _SHORT_SPAN:
            return (
                f"{span} budget has {most}{format_money(left)} left{of}, needs {format_money(need)}"
            )
        return (
            f"needs {format_money(need)} a phase, budget has {most}{format_money(left)} "
            f"left{of} in {span}"
        )
    name = (resource or "").replace("_", " ")
    if too_big:
        of = f"the capacity of {cap}" if cap is not None else "its capacity"
        return f"needs {int(need)} {name} a phase, more than {of} in {span}"
    free = "at most " if len(found) > 1 and left else ""
    of = f" of {cap}" if cap is not None else ""
    return f"{name} capacity is full in {span} ({free}{int(left)}{of} free, needs {int(need)})"


def clip(text: str, limit: int) -> str:
    """Cut text to `limit` characters, at a `; ` or `, ` when possible, marking the cut."""
    if len(text) <= limit:
        return text
    for sep in ("; ", ", "):
        cut = text.rfind(sep, 0, limit - 1)
        if cut > limit // 2:
            return text[:cut] + "…"
    return text[: limit - 1].rstrip() + "…"


def names(keys: list[str], *, most: int = 3) -> str:
    """`A, B, C and 2 more`."""
    if len(keys) <= most:
        return ", ".join(keys)
    return ", ".join(keys[:most]) + f" and {len(keys) - most} more"
