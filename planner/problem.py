"""The frozen planning Problem: what every solver, checker and explainer reads.

Its rules are docs/PLANNING_MODEL.md; `planner.validate` checks a plan against them.

`build_problem` resolves a Portfolio into per-phase budgets and capacities, tollgate and
freeze sets, the objective (`planner.goal.Goal`: value, strategic score or a blend) and
one `Item` per plannable initiative with its security review need, its per-phase benefit
and, when it can never be scheduled, the reason why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from math import lcm

from planner.calendar import Phase, phases_of, tollgate_phases
from planner.drivers import group_weights, strategic_score
from planner.errors import PortfolioError
from planner.goal import SCALE, Goal
from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.portfolio import (
    PLANNABLE_STATUSES,
    InitiativeSpec,
    Portfolio,
    policy_rule_matches,
)

SECURITY_REVIEWS = "security_reviews"
AGILE_TEAMS = "agile_teams"
WATERFALL_PROGRAMS = "waterfall_programs"


@dataclass(frozen=True)
class Item:
    """One initiative as the model sees it."""

    key: str
    title: str
    cadence: str
    duration: int
    capex: int
    opex: int
    value: int
    uses: Mapping[str, int] = field(default_factory=dict)
    teams: int = 1
    depends_on: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    mandatory: bool = False
    earliest: int = 0
    deadline: int | None = None  # last allowed go-live phase
    pin: int | None = None
    needs_review: bool = False
    blocked: str | None = None  # why it can never be scheduled (policy, failed review, …)
    spec: InitiativeSpec | None = field(default=None, compare=False, repr=False)
    strategic: float = 0.0  # strategic score S = Σ weight × score (planner.drivers)
    benefit: int | None = None  # per-phase objective coefficient; None: `value`

    @property
    def per_phase(self) -> int:
        """What the objective counts for each phase it is live: `benefit`, else `value`."""
        return self.value if self.benefit is None else self.benefit

    def use(self, resource: str) -> int:
        """Amount of a resource used in each build phase (security reviews excepted)."""
        if resource == AGILE_TEAMS:
            return self.teams if self.cadence == "agile" else 0
        if resource == WATERFALL_PROGRAMS:
            return 1 if self.cadence == "waterfall" else 0
        return self.uses.get(resource, 0)

    def capex_share(self) -> Fraction:
        """Build cost charged to each build phase: capex spread evenly, exactly."""
        return Fraction(self.capex, self.duration)

    def realized_value(self, start: int, phases: int) -> int:
        """Its contribution to the objective when started in `start`: per_phase × the
        phases from go-live to the horizon (docs/PLANNING_MODEL.md, Objective)."""
        return self.per_phase * (phases - start - self.duration + 1)


@dataclass(frozen=True)
class Problem:
    name: str
    phases: tuple[Phase, ...]
    items: tuple[Item, ...]
    budget: tuple[int | None, ...]  # per phase; None = unlimited
    total_budget: int | None = None
    capacity: Mapping[str, tuple[int | None, ...]] = field(default_factory=dict)
    tollgates: frozenset[int] = frozenset()
    freeze: frozenset[int] = frozenset()
    force_in: frozenset[str] = frozenset()
    force_out: frozenset[str] = frozenset()
    portfolio: Portfolio | None = field(default=None, compare=False, repr=False)
    goal: Goal = field(default_factory=Goal)

    @property
    def horizon(self) -> int:
        return len(self.phases)

    def item(self, key: str) -> Item:
        """The item with this key; KeyError when there is none."""
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Item]:
        return {it.key: it for it in self.items}

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(it.key for it in self.items)

    def resources(self) -> tuple[str, ...]:
        """Every resource with a capacity, built-ins included."""
        return tuple(sorted(self.capacity))

    def capacity_at(self, resource: str, phase: int) -> int | None:
        caps = self.capacity.get(resource)
        return None if caps is None else caps[phase]

    def money_scale(self) -> int:
        """Least common multiple of durations: capex × scale / d is a whole number."""
        return lcm(*(it.duration for it in self.items)) if self.items else 1

    def start_window(self, item: Item) -> range:
        """Start phases allowed by the horizon, earliest, deadline and pin alone."""
        last = self.horizon - item.duration
        if item.deadline is not None:
            last = min(last, item.deadline - item.duration + 1)
        first = item.earliest
        if item.pin is not None:
            first, last = max(first, item.pin), min(last, item.pin)
        return range(first, last + 1)

    def allowed_starts(self, item: Item) -> tuple[int, ...]:
        """Starts allowed by the item's own rules (window, tollgates, freeze)."""
        out = []
        for s in self.start_window(item):
            if item.cadence == "waterfall" and s not in self.tollgates:
                continue
            if s + item.duration - 1 in self.freeze:
                continue
            out.append(s)
        return tuple(out)

    def must_select(self, item: Item) -> bool:
        return item.mandatory or item.pin is not None or item.key in self.force_in

    def must_drop(self, item: Item) -> bool:
        return item.blocked is not None or item.key in self.force_out

    def required_keys(self) -> frozenset[str]:
        """What must be scheduled (mandatory, pinned, forced in) and all it depends on."""
        needed: set[str] = set()
        todo = [it.key for it in self.items if self.must_select(it)]
        while todo:
            key = todo.pop()
            if key not in needed:
                needed.add(key)
                todo.extend(self.item(key).depends_on)
        return frozenset(needed)

    def in_dependency_order(self, keys: Iterable[str]) -> list[str]:
        """`keys` in problem order, each after the prerequisites among them."""
        wanted = set(keys)
        out: list[str] = []
        seen: set[str] = set()

        def visit(key: str) -> None:
            if key in seen:
                return
            seen.add(key)
            for dep in self.item(key).depends_on:
                if dep in wanted:
                    visit(dep)
            out.append(key)

        for it in self.items:
            if it.key in wanted:
                visit(it.key)
        return out

    def replace_items(self, items: Iterable[Item]) -> Problem:
        return replace(self, items=tuple(items))


def check_limits(problem: Problem) -> None:
    """Refuse a problem with a figure beyond `planner.limits`: the guard in front of the
    solver (`planner.cpsat.model.build_model`), so that no path — a portfolio stored
    before the bounds, a Problem made by hand, a job payload — hands OR-Tools a number
    it cannot hold (it raises "Unable to cast Python instance … to C++ type" instead).

    Raises PortfolioError naming each figure, its value and the bound.
    """
    problems: list[str] = []

    def check(where: str, value: int | None, most: int) -> None:
        if value is None:
            return
        if value < 0:
            problems.append(f"{where}: {_figure(value)} is less than 0")
        elif value > most:
            problems.append(
                f"{where}: {_figure(value)} is more than Townhall plans with (at most {most:,})"
            )

    if problem.horizon > MAX_PHASES:
        problems.append(
            f"the plan has {problem.horizon:,} phases, more than Townhall plans with "
            f"(at most {MAX_PHASES})"
        )
    names = [ph.label for ph in problem.phases]
    for p, amount in enumerate(problem.budget):
        check(f"budget of {_name(names, p)}", amount, MAX_MONEY)
    check("total budget", problem.total_budget, MAX_MONEY)
    for resource, caps in problem.capacity.items():
        for p, cap in enumerate(caps):
            check(f"capacity of {resource} in {_name(names, p)}", cap, MAX_CAPACITY)
    for it in problem.items:
        where = f"initiative {it.key}"
        for field_name in ("capex", "opex", "value"):
            check(f"{where}: {field_name}", getattr(it, field_name), MAX_MONEY)
        check(f"{where}: teams", it.teams, MAX_CAPACITY)
        for resource, use in it.uses.items():
            check(f"{where}: uses {resource}", use, MAX_CAPACITY)
    if problems:
        raise PortfolioError(problems[:10] + _more(len(problems) - 10))


def _figure(value: int) -> str:
    """A number in a message; one with more digits than any bound is only "huge"."""
    return f"{value:,}" if abs(value) < 10**30 else "a number of more than 30 digits"


def _name(labels: list[str], phase: int) -> str:
    return labels[phase] if phase < len(labels) else f"phase {phase}"


def _more(count: int) -> list[str]:
    return [f"… and {count} more figures like these"] if count > 0 else []


def needs_review(spec: InitiativeSpec, portfolio: Portfolio) -> bool:
    """Whether an initiative uses a security review slot in its start phase."""
    if spec.review in ("passed", "conditions"):
        return False
    if spec.security_review is not None:
        return spec.security_review
    return any(
        policy_rule_matches(
            rule, hosting=spec.hosting, data=spec.data, personal_data=spec.personal_data
        )
        for rule in portfolio.policy.review
    )


def blocked_reason(spec: InitiativeSpec, portfolio: Portfolio) -> str | None:
    if spec.review == "failed":
        note = f": {spec.review_note}" if spec.review_note else ""
        return f"security review failed{note}"
    if spec.review not in ("passed", "conditions"):  # a passed review is the approved exception
        for rule in portfolio.policy.forbid:
            if policy_rule_matches(
                rule, hosting=spec.hosting, data=spec.data, personal_data=spec.personal_data
            ):
                return f"forbidden by security policy ({rule.replace('_', ' ')})"
    return None


def _per_phase(value: int | tuple[int, ...] | None, phases: int) -> tuple[int | None, ...]:
    if value is None:
        return (None,) * phases
    if isinstance(value, int):
        return (value,) * phases
    return tuple(value)


def build_problem(
    portfolio: Portfolio,
    *,
    include: Iterable[str] = (),
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
) -> Problem:
    """Resolve a portfolio into a Problem.

    Initiatives whose status is plannable (approved, scheduled, in progress) take part;
    `include` adds others by key (a what-if "with KEY"). Done initiatives satisfy the
    dependencies on them; a dependency on anything else outside the plan blocks.
    """
    cal = portfolio.calendar
    extra = set(include)
    specs = {s.key: s for s in portfolio.initiatives}
    chosen = [s for s in portfolio.initiatives if s.status in PLANNABLE_STATUSES or s.key in extra]
    chosen_keys = {s.key for s in chosen}
    items = []
    for spec in chosen:
        blocked = blocked_reason(spec, portfolio)
        deps = []
        for dep in spec.depends_on:
            dep_status = specs[dep].status
            if dep_status == "done":
                continue
            if dep not in chosen_keys and blocked is None:
                blocked = f"depends on {dep}, which is {dep_status.replace('_', ' ')}"
            deps.append(dep)
        items.append(
            Item(
                key=spec.key,
                title=spec.title,
                cadence=spec.cadence,
                duration=spec.duration,
                capex=spec.capex,
                opex=spec.opex,
                value=spec.value,
                uses=dict(spec.uses),
                teams=spec.teams,
                depends_on=tuple(d for d in deps if d in chosen_keys),
                excludes=tuple(x for x in spec.excludes if x in chosen_keys),
                mandatory=spec.mandatory,
                earliest=spec.earliest,
                deadline=spec.deadline,
                pin=spec.pin,
                needs_review=needs_review(spec, portfolio),
                blocked=blocked,
                spec=spec,
            )
        )
    # excludes are symmetric whichever side states them
    partners: dict[str, set[str]] = {it.key: set(it.excludes) for it in items}
    for it in items:
        for other in it.excludes:
            partners[other].add(it.key)
    items = [replace(it, excludes=tuple(sorted(partners[it.key]))) for it in items]
    goal = goal_of(portfolio)
    if portfolio.drivers:
        items = [_with_benefit(it, goal) for it in items]
    capacity = {name: _per_phase(value, cal.phases) for name, value in portfolio.capacity.items()}
    return Problem(
        name=portfolio.name,
        phases=phases_of(cal),
        items=tuple(items),
        budget=_per_phase(portfolio.budget.per_phase, cal.phases),
        total_budget=portfolio.budget.total,
        capacity=capacity,
        tollgates=tollgate_phases(cal),
        freeze=frozenset(cal.freeze),
        force_in=frozenset(force_in) | frozenset(k for k in extra if k in chosen_keys),
        force_out=frozenset(force_out),
        portfolio=portfolio,
        goal=goal,
    )


def goal_of(portfolio: Portfolio) -> Goal:
    """The objective a portfolio plans for, with its drivers' group weights.

    Raises PortfolioError when it plans for strategy but has no drivers to score against.
    """
    kind = portfolio.objective
    if kind != "value" and not portfolio.drivers:
        raise PortfolioError(
            [
                f"objective {kind!r} plans for the business drivers but the portfolio has "
                "none; add drivers and score the initiatives against them, or plan for value"
            ]
        )
    weights = group_weights(portfolio.drivers, portfolio.judgments)
    values = [s.value for s in portfolio.initiatives]
    return Goal(
        kind=kind,
        blend=portfolio.blend,
        weights=dict(weights.weights),
        value_norm=max([1, *values]) if kind == "blend" else 1,
        scale=1 if kind == "value" else SCALE,
        cr=weights.cr,
        source=weights.source,
        names={d.key: d.name for d in portfolio.drivers},
    )


def _with_benefit(item: Item, goal: Goal) -> Item:
    scores = item.spec.scores if item.spec is not None else {}
    score = strategic_score(scores, goal.weights)
    return replace(item, strategic=score, benefit=goal.benefit(item.value, score))
