"""Why each initiative a roadmap leaves out is left out: one line each.

`explain_unscheduled(problem, roadmap)` gives every unscheduled initiative one line,
most specific reason first:

1. it can never be scheduled (forbidden by policy, failed review, a dependency outside
   the plan);
2. the what-if scenario leaves it out;
3. its own rules allow no start phase (horizon, earliest start, deadline, tollgates,
   freeze);
4. an initiative it depends on is not scheduled (named, following the chain);
5. an alternative it excludes is scheduled;
6. it cannot start after its dependencies go live within its own rules;
7. it does not fit next to what must be scheduled (mandatory, pinned, forced in and what
   they depend on): which budget, capacity or review slot binds;
8. otherwise room for it must be made, found by re-solving with it forced in (only for
   a roadmap proven optimal; short solves sharing a time budget about the size of the
   solve itself, stopping at the first that proves nothing): "lower value than what it
   would displace: X, Y" when the best plan with it is worth less; with a published
   baseline, "kept out to keep the published roadmap: scheduling it in 2028Q3 would move
   SSO by 6 quarters" when that plan is worth more but moves or drops published
   initiatives at a stability cost above the gain. Without a re-solve: "does not fit
   next to the chosen plan" with what binds and who uses it. If it fits next to the
   plan as it is: that the search stopped before adding it (a plan not proven optimal
   only), or that it adds nothing to the objective (a proven optimal one).

With a published baseline (`Roadmap.stability` with a weight), re-solves maximize what
the roadmap maximized, value − weight × stability penalty against the published starts,
so a reason names what actually kept the initiative out. Without one, a re-solve keeps
what it can of the roadmap itself, so that what it displaces is what it must.

`Analysis` holds what those reasons share for one roadmap (loads, what must be
scheduled, re-solves with an initiative forced in); `planner.explain` reads it too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from planner.config import SolverConfig
from planner.diff import diff_roadmaps
from planner.fit import Binding, Load, bindings, clip, describe, names, summarize
from planner.problem import Item, Problem
from planner.roadmap import Roadmap
from planner.rules import no_start_reason, phase_label
from planner.stability import Stability, phase_count, stability_penalty

#: Longest reason, in characters.
REASON_LIMIT = 150
#: Seconds of re-solving `explain_unscheduled` may spend, all items together: at most
#: RESOLVE_BUDGET, and at most RESOLVE_SHARE × the roadmap's own solve time (but never
#: less than RESOLVE_FLOOR), so explanations cost about as much as the solve itself.
RESOLVE_BUDGET = 2.0
RESOLVE_SHARE = 2.0
RESOLVE_FLOOR = 0.3
#: Longest single re-solve in `explain_unscheduled`.
RESOLVE_SECONDS = 0.5
#: Statuses of a roadmap that holds a plan.
PLANNED = ("optimal", "feasible")
_MOST_NAMES = 3


def explain_unscheduled(
    problem: Problem,
    roadmap: Roadmap,
    *,
    config: SolverConfig | None = None,
    time_budget: float = RESOLVE_BUDGET,
) -> dict[str, str]:
    """One line (≤ 150 characters) for each initiative the roadmap leaves out, by key.

    Re-solves (for "lower value than what it would displace") happen only when the
    roadmap is proven optimal and share at most `time_budget` seconds (less for a quick
    solve: see RESOLVE_SHARE); `config` sets their workers and seed (default: one
    worker, seed 0).
    """
    budget = min(time_budget, max(RESOLVE_FLOOR, RESOLVE_SHARE * roadmap.solve_seconds))
    # A plan not proven optimal in its own time will not be re-solved faster with one
    # more initiative forced in: describe what binds instead.
    analysis = Analysis(
        problem,
        roadmap,
        config=config,
        time_budget=budget,
        resolve=roadmap.status == "optimal",
    )
    return {key: analysis.reason(key) for key in analysis.unscheduled}


class Analysis:
    """Reasons for one roadmap, with what they share computed once."""

    def __init__(
        self,
        problem: Problem,
        roadmap: Roadmap,
        *,
        config: SolverConfig | None,
        time_budget: float,
        resolve_seconds: float = RESOLVE_SECONDS,
        resolve: bool = True,
    ) -> None:
        self.problem = problem
        self.roadmap = roadmap
        self.items = {it.key: it for it in problem.items}
        self.starts = {k: s for k, s in roadmap.starts.items() if k in self.items}
        self.unscheduled = [it.key for it in problem.items if it.key not in self.starts]
        self.planned = roadmap.status in PLANNED
        self.config = config or SolverConfig(workers=1, seed=0)
        self.deadline = time.perf_counter() + time_budget
        self.resolve_seconds = resolve_seconds
        self.resolving_pays = resolve  # False once a re-solve cannot prove optimality
        report = roadmap.stability
        #: The published baseline and its weight, when the roadmap weighed keeping to it.
        self.stability: Stability | None = report if report and report.weight > 0 else None
        self.noun = problem.goal.noun
        self._reasons: dict[str, str] = {}
        self._full: Load | None = None
        self._required: set[str] | None = None
        self._earliest: dict[str, int | None] = {}
        self._committed: Load | None = None
        self._tight: dict[str, dict[int, list[Binding]]] = {}
        self._by_value: list[str] | None = None
        self._forced: dict[str, Roadmap] = {}

    # --- shared figures
    @property
    def full(self) -> Load:
        if self._full is None:
            self._full = Load.of(self.problem, self.starts, items=self.items)
        return self._full

    @property
    def committed(self) -> Load:
        """The load of what must be scheduled, at its planned starts."""
        if self._committed is None:
            self._committed = Load.of(self.problem, self.starts_of(self.required), items=self.items)
        return self._committed

    def starts_of(self, keys: set[str]) -> dict[str, int]:
        return {k: self.starts[k] for k in keys if k in self.starts}

    def full_bindings(self, item: Item, candidates: list[int]) -> dict[int, list[Binding]]:
        """What `item` would overrun at each candidate start next to the whole plan."""
        if item.key not in self._tight:
            self._tight[item.key] = {
                s: bindings(self.problem, self.full, item, s) for s in candidates
            }
        return self._tight[item.key]

    @property
    def required(self) -> set[str]:
        """Keys that must be scheduled, and what they depend on, transitively."""
        if self._required is None:
            todo = [it.key for it in self.problem.items if self.problem.must_select(it)]
            self._required = self._closure(todo)
        return self._required

    def _closure(self, keys: list[str]) -> set[str]:
        out: set[str] = set()
        while keys:
            key = keys.pop()
            if key not in out:
                out.add(key)
                keys.extend(self.items[key].depends_on)
        return out

    def label(self, phase: int) -> str:
        return phase_label(self.problem, phase)

    # --- reasons
    def reason(self, key: str) -> str:
        if key not in self._reasons:
            self._reasons[key] = clip(self._reason(self.items[key]), REASON_LIMIT)
        return self._reasons[key]

    def _reason(self, item: Item) -> str:
        problem = self.problem
        if item.blocked:
            return item.blocked
        if item.key in problem.force_out:
            return "left out by the what-if scenario"
        no_start = no_start_reason(problem, item)
        if no_start is not None:
            return f"no allowed start: {no_start}"
        if not self.planned:
            if self.roadmap.status == "infeasible":
                return "no roadmap satisfies the constraints: see the conflicts"
            return "no roadmap was found within the time limit"
        chain = self.missing_dependency(item)
        if chain:
            return self._dependency_reason(chain)
        for other in item.excludes:
            if other in self.starts:
                return f"excluded by {other}, its alternative, which is scheduled"
        candidates = self.candidates(item)
        if not candidates:
            return self._too_late_reason(item)
        own = self._closure(list(item.depends_on)) - self.required
        base = self.committed.plus(problem, self.starts_of(own), items=self.items)
        tight = {s: bindings(problem, base, item, s) for s in candidates}
        if all(tight.values()):
            return "does not fit: " + summarize(problem, tight, limit=REASON_LIMIT - 14)
        return self._displacement_reason(item, candidates)

    def missing_dependency(self, item: Item) -> list[str]:
        """The chain to the first unscheduled dependency: [direct, …, root]; [] if none."""
        chain: list[str] = []
        current = item
        while True:
            missing = [d for d in current.depends_on if d not in self.starts]
            if not missing or missing[0] in chain:
                return chain
            chain.append(missing[0])
            current = self.items[missing[0]]

    def _dependency_reason(self, chain: list[str]) -> str:
        root = chain[-1]
        via = "".join(f", which needs {k}" for k in chain[1:])
        text = f"depends on {chain[0]}{via}, which is not scheduled"
        why = self.reason(root)
        if len(text) + len(why) + 3 <= REASON_LIMIT:
            text += f" ({why})"
        return text

    def dependency_ready(self, item: Item) -> int:
        """First phase all scheduled dependencies have gone live before."""
        ends = [self.starts[d] + self.items[d].duration for d in item.depends_on]
        return max(ends, default=0)

    def earliest_possible(self, key: str) -> int | None:
        """Earliest start its own rules and its dependencies' own rules allow, plan aside."""
        if key not in self._earliest:
            self._earliest[key] = None  # dependencies never loop; this only guards
            ready = self.ready_floor(self.items[key])
            if ready is not None:
                allowed = self.problem.allowed_starts(self.items[key])
                self._earliest[key] = next((s for s in allowed if s >= ready), None)
        return self._earliest[key]

    def ready_floor(self, item: Item) -> int | None:
        """First phase in which all dependencies could have gone live; None if never."""
        ready = 0
        for dep in item.depends_on:
            first = self.earliest_possible(dep)
            if first is None:
                return None
            ready = max(ready, first + self.items[dep].duration)
        return ready

    def candidates(self, item: Item) -> list[int]:
        ready = self.dependency_ready(item)
        return [s for s in self.problem.allowed_starts(item) if s >= ready]

    def _too_late_reason(self, item: Item) -> str:
        ready = self.dependency_ready(item)
        late = max(
            item.depends_on, key=lambda d: self.starts[d] + self.items[d].duration, default=None
        )
        live = self.label(ready - 1)
        last = self.label(max(self.problem.allowed_starts(item)))
        return (
            f"waits for {late}, which goes live in {live}; it can start only after that, "
            f"and its last allowed start is {last}"
        )

    def _displacement_reason(self, item: Item, candidates: list[int]) -> str:
        loose = [s for s, found in self.full_bindings(item, candidates).items() if not found]
        if loose:
            return self._loose_reason(item, loose)
        forced = self.resolve_forced_in(item) if self.can_resolve() else None
        if forced is not None:
            if forced.status == "infeasible":
                return "cannot be scheduled together with what must be scheduled"
            gain = (forced.objective or 0) - (self.roadmap.objective or 0)
            if gain > 0 and (self.stability_cost(forced) or 0) >= gain:
                text = self._stability_reason(item, forced, gain)
                if text is not None:
                    return text
            elif gain <= 0:
                text = self._value_reason(item, forced, gain)
                if text is not None:
                    return text
        return self._occupants_reason(item, candidates)

    def _loose_reason(self, item: Item, loose: list[int]) -> str:
        """It fits next to the plan as it is, from `loose[0]`: the search stopped before
        adding it, unless the plan is proven optimal (then adding it gains nothing)."""
        where = f"fits from {self.label(loose[0])} next to the plan"
        if self.roadmap.status != "optimal":
            return f"{where}, but the search stopped before adding it"
        if all(item.realized_value(s, self.problem.horizon) <= 0 for s in loose):
            return f"{where} but adds no {self.noun}"
        return where  # a proven optimal plan leaves out nothing that gains: not reached

    def _value_reason(self, item: Item, forced: Roadmap, gain: int) -> str | None:
        """The best plan with it is worth no more: what it would displace or push back."""
        change = diff_roadmaps(self.roadmap, forced)
        lower = f"lower {self.noun}" if gain < 0 else f"no more {self.noun}"
        dropped = [d.key for d in change.dropped]
        if dropped:
            return f"{lower} than what it would displace: {names(dropped)}"
        moved = [m.key for m in change.moved if m.key != item.key]
        if moved:
            return f"{lower} than what it would push back: {names(moved)}"
        return None

    def _stability_reason(self, item: Item, forced: Roadmap, gain: int) -> str | None:
        """The best plan with it is worth more but moves or drops published initiatives
        at a stability cost above that gain: what it would do to the published roadmap."""
        effects = self.stability_effects(forced, skip=item.key)
        if not effects:
            return None  # not the stability term: leave it to what binds
        placed = forced.scheduled_item(item.key)
        where = f" in {self.label(placed.start_phase)}" if placed is not None else ""
        published = self.stability is not None and item.key in self.stability.baseline
        head = (
            "dropped to keep the rest of the published roadmap"
            if published
            else "kept out to keep the published roadmap"
        )
        text = f"{head}: scheduling it{where} would {listed(effects)}"
        worth = f" (+{self._figure(gain)} of {self.noun}, less than its stability cost)"
        if len(text) + len(worth) <= REASON_LIMIT:
            text += worth
        return text

    def stability_effects(self, other: Roadmap, *, skip: str = "") -> list[str]:
        """What `other` does to the published roadmap beyond what this roadmap does, one
        phrase per published initiative: `move SSO by 6 quarters`, `drop DLP`."""
        if self.stability is None:
            return []
        baseline = self.stability.baseline
        here, there = self.starts, other.starts
        out = []
        for key in self.problem.keys:
            if key == skip or key not in baseline:
                continue
            before = stability_penalty(self.problem, {key: baseline[key]}, here)
            after = stability_penalty(self.problem, {key: baseline[key]}, there)
            if after <= before:
                continue
            if key not in there:
                out.append(f"drop {key}")
                continue
            moved = phase_count(self.problem, abs(there[key] - baseline[key]))
            was = f" instead of {abs(here[key] - baseline[key])}" if key in here and before else ""
            out.append(f"move {key} by {moved}{was}")
        return out

    def stability_relieved(self, other: Roadmap) -> bool:
        """Whether `other` brings some published initiative closer to its published start
        (or back on the roadmap) than this roadmap has it."""
        if self.stability is None:
            return False
        return any(
            stability_penalty(self.problem, {key: was}, other.starts)
            < stability_penalty(self.problem, {key: was}, self.starts)
            for key, was in self.stability.baseline.items()
        )

    def stability_cost(self, other: Roadmap) -> int | None:
        """weight × (stability penalty of `other` − that of this roadmap); None without
        a published baseline."""
        if self.stability is None:
            return None
        baseline = self.stability.baseline
        extra = stability_penalty(self.problem, baseline, other.starts) - stability_penalty(
            self.problem, baseline, self.starts
        )
        return self.stability.weight * extra

    def _figure(self, units: int) -> str:
        if self.stability is not None:
            return self.stability.figure(units)
        return f"{units:,}"

    def _occupants_reason(self, item: Item, candidates: list[int]) -> str:
        """Without a re-solve: what binds next to the plan, and who uses it."""
        tight = self.full_bindings(item, candidates)
        found = [b for s in candidates for b in tight[s]]
        counts = Counter(b.family for b in found)
        family = max(counts, key=lambda f: (counts[f], f[1] or ""))
        same = [b for b in found if b.family == family]
        phases = {b.phase for b in same if b.phase is not None}
        users: list[str] = []
        for key in self.by_value:
            if key not in self.required and self._uses(self.items[key], family, phases):
                users.append(key)
                if len(users) > _MOST_NAMES:
                    break
        text = f"does not fit next to the chosen plan: {describe(self.problem, same)}"
        if users:
            more = " and others" if len(users) > _MOST_NAMES else ""
            text += f" (used by {', '.join(users[:_MOST_NAMES])}{more})"
        return clip(text, REASON_LIMIT)

    @property
    def by_value(self) -> list[str]:
        """Scheduled keys, least realized value first."""
        if self._by_value is None:
            self._by_value = sorted(self.starts, key=lambda k: (self.value_of(k), k))
        return self._by_value

    def value_of(self, key: str) -> int:
        return self.items[key].realized_value(self.starts[key], self.problem.horizon)

    def _uses(self, item: Item, family: tuple[str, str | None], phases: set[int]) -> bool:
        s, d = self.starts[item.key], item.duration
        kind, resource = family
        if kind == "review":
            return item.needs_review and s in phases
        if kind == "total":
            return True
        if kind == "capacity":
            return bool(item.use(resource or "")) and any(p in phases for p in range(s, s + d))
        if item.capex and any(p in phases for p in range(s, s + d)):
            return True
        return bool(item.opex) and any(p in phases for p in range(s + d, self.problem.horizon))

    # --- re-solves
    def can_resolve(self) -> bool:
        return self.resolving_pays and self.deadline - time.perf_counter() > 0.05

    def forced_in(self, item: Item) -> Roadmap:
        """The roadmap re-solved with `item` forced in, keeping what it can (cached)."""
        if item.key not in self._forced:
            seconds = min(self.resolve_seconds, self.deadline - time.perf_counter())
            forced = replace(self.problem, force_in=self.problem.force_in | {item.key})
            self._forced[item.key] = self.resolve(forced, seconds=seconds)
        return self._forced[item.key]

    def resolve(self, problem: Problem, *, seconds: float) -> Roadmap:
        """A re-solve of a changed problem (forced in, pinned earlier): with a published
        baseline, the roadmap's own objective against it; else keeping what it can of
        this roadmap."""
        if self.stability is not None:
            return resolve(
                problem,
                self.config,
                baseline=self.stability.baseline,
                seconds=seconds,
                weight=self.stability.weight,
            )
        return resolve(problem, self.config, baseline=self.starts, seconds=seconds)

    def resolve_forced_in(self, item: Item) -> Roadmap | None:
        """`forced_in`, or None when it is not proven (then no more re-solves are tried)."""
        result = self.forced_in(item)
        if result.status in ("optimal", "infeasible"):
            return result
        self.resolving_pays = False
        return None


def resolve(
    problem: Problem,
    config: SolverConfig,
    *,
    baseline: Mapping[str, int],
    seconds: float,
    weight: int = 1,
) -> Roadmap:
    """A nested, time-boxed CP-SAT solve that keeps what it can of `baseline`, with
    `weight` per phase moved (its own left-out initiatives get only the short reasons of
    `planner.optimize`)."""
    # Imported here, not at the top: OR-Tools loads on the first re-solve, so importing
    # `planner.explain` only to render an `Explanation` does not load the solver
    # (planner/__init__ docstring: the names that need OR-Tools load on first use).
    from planner.optimize import optimize

    nested = replace(
        config,
        solver="cpsat",
        time_limit=max(seconds, 0.05),
        baseline=dict(baseline),
        stability_weight=weight,
        progress=None,
    )
    return optimize(problem, nested)


def listed(phrases: list[str], most: int = 2) -> str:
    """`move A by 2 quarters and drop B`; past `most`, `… and N more`."""
    if len(phrases) > most:
        return ", ".join(phrases[:most]) + f" and {len(phrases) - most} more"
    if len(phrases) == 2:
        return f"{phrases[0]} and {phrases[1]}"
    return phrases[0]
