"""The greedy baseline: the spreadsheet cut line a PMO would draw by hand.

Initiatives are taken one at a time and each is placed at its earliest start that still
fits next to what is already placed (budgets, capacities, review slots, dependencies,
excludes, and the initiative's own rules). The order is:

1. initiatives that must be scheduled (mandatory, pinned, forced in) together with
   everything they depend on, tightest first: by latest possible start, where a
   successor's latest start pulls its predecessors' earlier;
2. every other initiative by value per cost, best first. Value is the realized value at
   the earliest allowed start, `value × (P − s − d + 1)`. Cost is the share of each
   limited dimension the initiative would consume, summed: its whole spend
   (`capex + opex × live phases`) over the money available (the total budget, else the
   sum of the limited per-phase budgets), plus for each resource with a capacity its
   total use (`use × duration`, one slot for a review) over that resource's total
   capacity. An initiative that consumes nothing limited comes first. This is the
   classic ratio of the multidimensional knapsack; with one budget it is value / capex.

An initiative whose dependencies are not yet placed pulls them in first; if any of them
cannot be placed, nothing of that attempt is kept. Money is checked exactly, in units of
1 / `Problem.money_scale()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.problem import SECURITY_REVIEWS, Item, Problem


def greedy_starts(problem: Problem) -> dict[str, int]:
    """Start phases chosen greedily, in the order the module docstring describes.

    The plan is valid per `check_starts` unless some must-select initiative cannot be
    placed; then the others are still placed as well as possible (a best effort that
    `check_starts` reports as missing those initiatives).
    """
    return _Greedy(problem).run()


class _Greedy:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.P = problem.horizon
        self.scale = problem.money_scale()
        self.items = {it.key: it for it in problem.items}
        self.starts = {
            it.key: problem.allowed_starts(it) for it in problem.items if not problem.must_drop(it)
        }
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
        self._viable: dict[str, bool] = {}

    # ------------------------------------------------------------------ order
    def run(self) -> dict[str, int]:
        for key in self.order():
            if key not in self.placed and self.viable(key):
                self.place_with_ancestors(key)
        return dict(self.placed)

    def order(self) -> list[str]:
        required = set()
        for it in self.problem.items:
            if self.problem.must_select(it):
                required.add(it.key)
                required.update(self.ancestors(it.key))
        latest = self.latest_starts(required)
        first = sorted(required, key=lambda k: (latest[k], k))
        rest = [it.key for it in self.problem.items if it.key not in required]
        rest.sort(key=lambda k: (-self.score(self.items[k]), k))
        return first + rest

    def latest_starts(self, keys: set[str]) -> dict[str, float]:
        """Latest start of each key, tightened backwards through dependents in `keys`."""
        latest: dict[str, float] = {
            k: max(self.starts[k]) if self.starts.get(k) else float("-inf") for k in keys
        }
        dependents: dict[str, list[str]] = {k: [] for k in keys}
        for k in keys:
            for dep in self.items[k].depends_on:
                if dep in dependents:
                    dependents[dep].append(k)
        for k in reversed(self.topological(keys)):
            for succ in dependents[k]:
                latest[k] = min(latest[k], latest[succ] - self.items[k].duration)
        return latest

    def topological(self, keys: set[str]) -> list[str]:
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

    def score(self, it: Item) -> float:
        starts = self.starts.get(it.key)
        if not starts:
            return float("-inf")
        s = starts[0]
        value = it.realized_value(s, self.P)
        cost = 0.0
        money = self.money_available()
        if money is not None:
            spend = it.capex + it.opex * (self.P - s - it.duration)
            cost += spend / money if money > 0 else (float("inf") if spend else 0.0)
        for resource, caps in self.problem.capacity.items():
            if resource == SECURITY_REVIEWS:
                use = 1 if it.needs_review else 0
            else:
                use = it.use(resource) * it.duration
            if use:
                total = sum(c for c in caps if c is not None)
                if any(c is None for c in caps):
                    continue  # unlimited somewhere: not a scarce dimension
                cost += use / total if total > 0 else float("inf")
        if cost == 0:
            return float("inf") if value > 0 else 0.0
        return value / cost

    def money_available(self) -> int | None:
        if self.problem.total_budget is not None:
            return self.problem.total_budget
        limited = [b for b in self.problem.budget if b is not None]
        return sum(limited) if limited else None

    # ------------------------------------------------------------------ placing
    def viable(self, key: str) -> bool:
        """Whether the key and all it depends on have at least one allowed start."""
        known = self._viable.get(key)
        if known is None:
            self._viable[key] = False  # guards against cycles, which validation forbids
            known = bool(self.starts.get(key)) and all(
                self.viable(dep) for dep in self.items[key].depends_on
            )
            self._viable[key] = known
        return known

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

    def place_with_ancestors(self, key: str) -> bool:
        chain = [k for k in self.ancestors(key) if k not in self.placed] + [key]
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
        for s in self.starts.get(it.key, ()):
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
            if self.budget_left[p] is not None:
                self.budget_left[p] -= sign * amount  # type: ignore[operator]
        if self.total_left is not None:
            self.total_left -= sign * total
        for resource, left in self.cap_left.items():
            use = it.use(resource)
            if use:
                for p in range(s, s + it.duration):
                    if left[p] is not None:
                        left[p] -= sign * use  # type: ignore[operator]
        if it.needs_review and self.reviews_left is not None and self.reviews_left[s] is not None:
            self.reviews_left[s] -= sign  # type: ignore[operator]
