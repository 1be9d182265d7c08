"""What-if scenarios: small transforms of a plan's settings and choices, and their parser.

`parse_whatif("budget-20%, without SOC-7")` reads what a user types into Transforms;
`apply(base, transforms)` returns the Problem of that scenario. Transforms change the
Portfolio a Problem was built from, and the Problem is rebuilt with `build_problem`, so
every derived figure (phase dates, tollgates from an RRULE, review needs, blocked
dependencies) stays consistent with the portfolio rules.

What users type (several separated by commas, semicolons or `and`):

    budget-20%   budget+10%   budget=80%   (every phase's budget and the total budget)
    budget=1.2M   budget+250k   budget-50k   (every phase's budget; the total stays)
    budget=300k in 2027Q3   budget+10% in 3   (that phase's budget only)
    total-10%    total=1.5M   (the total budget alone)
    capacity integration=+2   capacity integration=-1   capacity integration=5 in 2027Q3
    without SOC-7   with SOC-7   pin SOC-7 3   pin SOC-7 2027Q3   unpin SOC-7
    phases+2   phases=10

Numbers are ASCII digits and held to `planner.limits` when read and again when a
transform has applied (a capacity, budget or phase count beyond them is a
ScenarioError, never a number the solver cannot hold).

The parts: `planner.scenario.draft` (what a transform works on), `.transforms` (one
class per kind of change), `.parse` (the text above in and out); `apply` and
`changes` (what a scenario changed, in words, for the answer) are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from planner.errors import ScenarioError
from planner.portfolio import PLANNABLE_STATUSES, Portfolio
from planner.problem import Problem, build_problem
from planner.rules import start_blockers
from planner.scenario.draft import Change, Draft, PhaseRef, Transform, resolve_phase
from planner.scenario.parse import BUDGET_HELP, WHATIF_HELP, describe, parse_whatif
from planner.scenario.transforms import (
    BudgetChange,
    CapacityChange,
    PhaseCountChange,
    Pin,
    TotalBudgetChange,
    Unpin,
    With,
    Without,
)


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
    draft = _applied(base, transforms, include=include, force_in=force_in, force_out=force_out)
    problem = build_problem(
        draft.portfolio,
        include=draft.include,
        force_in=draft.force_in,
        force_out=draft.force_out,
    )
    problem = replace(problem, force_in=problem.force_in - problem.force_out)
    _check_wanted(problem, draft)
    return problem


def changes(
    base: Problem | Portfolio,
    transforms: Sequence[Transform] | str,
    *,
    include: Iterable[str] = (),
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
) -> tuple[str, ...]:
    """What a what-if changes, one line per setting, with the figures before and after:
    `budget of every phase 250k → 200k`, `total budget 1.3M → 1.04M`, `total budget
    stays 1.3M (total+… or total=… changes it)`, `capacity of integration in every phase
    4 → 6`, `phases 8 → 10`, `pin SSO to 2027Q3`, `without DLP`.

    Takes what `apply` takes and raises what it raises.
    """
    draft = _applied(base, transforms, include=include, force_in=force_in, force_out=force_out)
    return tuple(draft.notes)


def _applied(
    base: Problem | Portfolio,
    transforms: Sequence[Transform] | str,
    *,
    include: Iterable[str],
    force_in: Iterable[str],
    force_out: Iterable[str],
) -> Draft:
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
        draft = Draft(
            portfolio=portfolio,
            include=extra | set(include),
            force_in=set(base.force_in) | set(force_in),
            force_out=set(base.force_out) | set(force_out),
        )
    else:
        draft = Draft(
            portfolio=base,
            include=set(include),
            force_in=set(force_in),
            force_out=set(force_out),
        )
    for transform in transforms:
        transform.apply_to(draft)
    return draft


def _check_wanted(problem: Problem, draft: Draft) -> None:
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


__all__ = [
    "BUDGET_HELP",
    "WHATIF_HELP",
    "BudgetChange",
    "CapacityChange",
    "Change",
    "PhaseCountChange",
    "PhaseRef",
    "Pin",
    "TotalBudgetChange",
    "Transform",
    "Unpin",
    "With",
    "Without",
    "apply",
    "changes",
    "describe",
    "parse_whatif",
    "resolve_phase",
]
