"""The greedy baseline: the spreadsheet cut line a PMO would draw, redrawn a few times.

One pass takes initiatives one at a time and places each at its earliest start that
still fits next to what is already placed (budgets, capacities, review slots,
dependencies, excludes and the initiative's own rules). The order of a pass is:

1. initiatives that must be scheduled (mandatory, pinned, forced in) with everything
   they depend on, tightest first: by latest possible start, a successor's latest start
   pulling its predecessors' earlier;
2. every other initiative by value per cost, best first. Value is the realized value
   `value × (P − s − d + 1)` at its earliest start s (its own rules and its
   dependencies' durations allowing). Cost is what it consumes of each limited
   dimension at that start, as a share of the dimension's limit, weighted and summed;
   the dimensions are each phase's budget (capex/d while building, opex while live),
   the total budget (capex + opex × live phases), and each capacity in each phase
   (one review slot in the start phase). With every weight 1 and a single budget this
   is value / (capex + opex × live phases) scaled by the budget: the classic ratio.

Passes differ only in the weights: after each pass, the weight of every dimension the
plan loads beyond 80% is raised in proportion to the excess (×(1 + 5 × (load − 0.8))),
so the next pass prefers initiatives that spare the scarce budgets and capacities. The
most valuable plan of `PASSES` passes wins (fewer when a pass repeats an earlier order).
If a must-select initiative was left out, up to `REQUIRED_TRIES` more passes reorder
the must-select part, latest starts blurred by a growing random amount (seeded, so the
plan is the same every time) — serial schedule generation with biased sampling.

An initiative whose dependencies are not yet placed pulls them in first; if any of them
cannot be placed, nothing of that attempt is kept. Money is checked exactly, in units of
1 / `Problem.money_scale()`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from planner.problem import SECURITY_REVIEWS, Item, Problem

#: Most greedy passes (each with re-weighted dimensions).
PASSES = 8
#: Most extra orders of the must-select part tried when one of them does not fit.
REQUIRED_TRIES = 40
_LOADED = 0.8  # load above which a dimension's weight grows
_GROWTH = 5.0

Dimension = tuple[str, int]  # ("budget", p) | ("total", 0) | (resource, p)


def greedy_starts(problem: Problem, *, passes: int = PASSES) -> dict[str, int]:
    """Start phases chosen greedily, as the module docstring describes.

    The plan is valid per `check_starts` unless some must-select initiative cannot be
    placed; then the others are still placed as well as possible (a best effort that
    `check_starts` reports as missing those initiatives).
    """
    shared = _Shared(problem)
    weights: dict[Dimension, float] = {}
    best: tuple[tuple[int, int], dict[str, int]] | None = None
    seen: set[tuple[str, ...]] = set()
    for _ in range(max(1, passes)):
        order = shared.order(weights)
        if tuple(order) in seen:
            break
        seen.add(tuple(order))
        rank, plan = shared.attempt(order)
        if best is None or rank > best[0]:
            best = (rank, plan)
        for dim, load in shared.loads(plan).items():
            if load > _LOADED:
                weights[dim] = weights.get(dim, 1.0) * (1 + _GROWTH * (load - _LOADED))
    assert best is not None
    # Some must-select initiative left out: try other orders of the must-select part.
    rng = random.Random(0)
    tries = 0
    while best[0][0] < 0 and tries < REQUIRED_TRIES:
        tries += 1
        first = shared.sampled_first(rng, spread=tries)
        if shared.attempt(first)[0][0] == 0:  # the must-select part fits: now the rest
            rest = shared.order(weights)[len(shared.first) :]
            best = shared.attempt(first + rest)
    return best[1]


class _Shared:
    """What every pass reads: allowed starts, earliest starts, required keys, limits."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.P = problem.horizon
        self.items = {it.key: it for it in problem.items}
        self.starts = {
            it.key: problem.allowed_starts(it) for it in problem.items if not problem.must_drop(it)
        }
        self.earliest = self._earliest_starts()
        self.required: set[str] = set()
        for it in problem.items:
            if problem.must_select(it):
                self.required.add(it.key)
                self.required.update(self.ancestors(it.key))
        self.latest = self._latest_starts(self.required)
        self.first = sorted(self.required, key=lambda k: (self.latest[k], k))
        self.rest = [it.key for it in problem.items if it.key not in self.required]
        self.usage = {
            k: self.consumption(self.items[k], s) for k, s in self.earliest.items() if s is not None
        }

    # ---- order
    def attempt(self, order: list[str]) -> tuple[tuple[int, int], dict[str, int]]:
        """A pass in this order: its plan, ranked by must-select left out, then value."""
        plan = _Pass(self).run(order)
        missing = sum(1 for k in self.required if k not in plan)
        value = sum(self.items[k].realized_value(s, self.P) for k, s in plan.items())
        return (-missing, value), plan

    def sampled_first(self, rng: random.Random, *, spread: int) -> list[str]:
        """The must-select part by latest start blurred by up to `spread` phases."""
        noisy = {k: self.latest[k] + rng.uniform(0, spread) for k in self.first}
        return sorted(self.first, key=lambda k: (noisy[k], k))

    def order(self, weights: dict[Dimension, float]) -> list[str]:
        def rank(key: str) -> tuple[float, int, str]:
            """Best first: value per cost, then value (when nothing limited is used)."""
            s = self.earliest.get(key)
            if s is None:
                return (math.inf, 0, key)
            value = self.items[key].realized_value(s, self.P)
            cost = sum(weights.get(dim, 1.0) * share for dim, share in self.usage[key])
            ratio = value / cost if cost > 0 else (math.inf if value > 0 else 0.0)
            return (-ratio, -value, key)

        return self.first + sorted(self.rest, key=rank)

    def consumption(self, it: Item, s: int) -> list[tuple[Dimension, float]]:
        """Share of each limited dimension the item uses when started in s."""
        out: list[tuple[Dimension, float]] = []
        for p in range(s, self.P):
            budget = self.problem.budget[p]
            amount = it.capex / it.duration if p < s + it.duration else it.opex
            if budget is not None and amount:
                out.append((("budget", p), amount / budget if budget else math.inf))
        total = self.problem.total_budget
        if total is not None:
            spend = it.capex + it.opex * (self.P - s - it.duration)
            if spend:
                out.append((("total", 0), spend / total if total else math.inf))
        for resource, caps in self.problem.capacity.items():
            if resource == SECURITY_REVIEWS:
                phases, use = ([s], 1) if it.needs_review else ([], 0)
            else:
                phases, use = list(range(s, s + it.duration)), it.use(resource)
            for p in phases:
                cap = caps[p]
                if use and cap is not None:
                    out.append(((resource, p), use / cap if cap else math.inf))
        return out

    def loads(self, plan: dict[str, int]) -> dict[Dimension, float]:
        """Share of each limited dimension a plan uses."""
        out: dict[Dimension, float] = {}
        for key, s in plan.items():
            for dim, share in self.consumption(self.items[key], s):
                out[dim] = out.get(dim, 0.0) + share
        return out

    # ---- dependencies
    def ancestors(self, key: str) -> list[str]:
        """Everything `key` depends on, transitively, dependencies first."""
        out: list[str] = []
        seen: set[str] = set()

        def visit(k: str) -> None:
            for dep in self.items[k].depends_on:
                if dep not in seen:
                    seen.add(dep)
                    visit(dep)
                    out.append(dep)

        visit(key)
        return out

    def _earliest_starts(self) -> dict[str, int | None]:
        """First allowed start after every dependency could have finished; None: none."""
        out: dict[str, int | None] = {}

        def visit(key: str) -> int | None:
            if key in out:
                return out[key]
            out[key] = None  # validation forbids cycles; this only guards recursion
            ready = 0
            for dep in self.items[key].depends_on:
                s = visit(dep)
                if s is None:
                    return None
                ready = max(ready, s + self.items[dep].duration)
            out[key] = next((s for s in self.starts.get(key, ()) if s >= ready), None)
            return out[key]

        for key in self.items:
            visit(key)
        return out

    def _latest_starts(self, keys: set[str]) -> dict[str, float]:
        """Latest start of each key, tightened backwards through dependents in `keys`."""
        latest: dict[str, float] = {
            k: max(self.starts[k]) if self.starts.get(k) else -math.inf for k in keys
        }
        dependents: dict[str, list[str]] = {k: [] for k in keys}
        for k in keys:
            for dep in self.items[k].depends_on:
                if dep in dependents:
                    dependents[dep].append(k)
        for k in reversed(self._topological(keys)):
            for succ in dependents[k]:
                latest[k] = min(latest[k], latest[succ] - self.items[k].duration)
        return latest

    def _topological(self, keys: set[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()

        def visit(key: str) -> None:
            if key in seen:
                return
            seen.add(key)
            for dep in self.items[key].depends_on:
                if dep in keys:
                    visit(dep)
            out.append(key)

        for key in sorted(keys):
            visit(key)
        return out


class _Pass:
    """One greedy pass: what is left of every limit, and what is placed where."""

    def __init__(self, shared: _Shared) -> None:
        problem = shared.problem
        self.shared = shared
        self.items = shared.items
        self.P = shared.P
        self.scale = problem.money_scale()
        self.budget_left: list[int | None] = [
            None if b is None else b * self.scale for b in problem.budget
        ]
        self.total_left: int | None = (
            None if problem.total_budget is None else problem.total_budget * self.scale
        )
        self.cap_left: dict[str, list[int | None]] = {
            r: list(caps) for r, caps in problem.capacity.items() if r != SECURITY_REVIEWS
        }
        reviews = problem.capacity.get(SECURITY_REVIEWS)
        self.reviews_left: list[int | None] | None = None if reviews is None else list(reviews)
        self.placed: dict[str, int] = {}

    def run(self, order: list[str]) -> dict[str, int]:
        for key in order:
            if key not in self.placed and self.shared.earliest.get(key) is not None:
                self.place_with_ancestors(key)
        return dict(self.placed)

    def place_with_ancestors(self, key: str) -> bool:
        chain = [k for k in self.shared.ancestors(key) if k not in self.placed] + [key]
        done: list[str] = []
        for k in chain:
            s = self.earliest_fit(self.items[k])
            if s is None:
                for undo in reversed(done):
                    self.book(self.items[undo], self.placed.pop(undo), sign=-1)
                return False
            self.book(self.items[k], s, sign=1)
            self.placed[k] = s
            done.append(k)
        return True

    def earliest_fit(self, it: Item) -> int | None:
        if any(other in self.placed for other in it.excludes):
            return None
        ready = 0
        for dep in it.depends_on:
            if dep not in self.placed:
                return None
            ready = max(ready, self.placed[dep] + self.items[dep].duration)
        for s in self.shared.starts.get(it.key, ()):
            if s >= ready and self.fits(it, s):
                return s
        return None

    def charges(self, it: Item, s: int) -> Iterator[tuple[int, int]]:
        """(phase, scaled spend) of the item started in phase s."""
        share = it.capex * self.scale // it.duration
        for p in range(s, s + it.duration):
            yield p, share
        if it.opex:
            for p in range(s + it.duration, self.P):
                yield p, it.opex * self.scale

    def fits(self, it: Item, s: int) -> bool:
        for p, amount in self.charges(it, s):
            left = self.budget_left[p]
            if left is not None and amount > left:
                return False
        if self.total_left is not None:
            spend = it.capex * self.scale + it.opex * self.scale * (self.P - s - it.duration)
            if spend > self.total_left:
                return False
        for resource, left in self.cap_left.items():
            use = it.use(resource)
            if use:
                for p in range(s, s + it.duration):
                    cap = left[p]
                    if cap is not None and use > cap:
                        return False
        if it.needs_review and self.reviews_left is not None:
            cap = self.reviews_left[s]
            if cap is not None and cap < 1:
                return False
        return True

    def book(self, it: Item, s: int, *, sign: int) -> None:
        """Charge (sign=1) or refund (sign=-1) what the item uses when started in s."""
        total = 0
        for p, amount in self.charges(it, s):
            total += amount
            left = self.budget_left[p]
            if left is not None:
                self.budget_left[p] = left - sign * amount
        if self.total_left is not None:
            self.total_left -= sign * total
        for resource, caps in self.cap_left.items():
            use = it.use(resource)
            if use:
                for p in range(s, s + it.duration):
                    cap = caps[p]
                    if cap is not None:
                        caps[p] = cap - sign * use
        if it.needs_review and self.reviews_left is not None:
            cap = self.reviews_left[s]
            if cap is not None:
                self.reviews_left[s] = cap - sign
