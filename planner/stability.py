"""Stability: how a re-plan keeps to the published roadmap, and what keeping to it cost.

Re-planning against a published roadmap (the baseline: each published initiative's
start phase) subtracts `weight × penalty` from the objective (docs/PLANNING_MODEL.md,
Stability). The penalty counts, for each published initiative that is part of the
problem, the phases it moved, and `drop_phases` when it is dropped: one more than the
largest move it could make, so dropping a published initiative always costs more than
moving it, however far.

The weight is a level (`STABILITY_LEVELS`) times the default weight, half the median
per-phase benefit of the initiatives: `low` ½×, `normal` 1×, `high` 4×, `off` 0 (no
term). `Stability` is what a roadmap says about it: the level and weight, the
published starts kept, moved and dropped, and the objective with and without the
baseline (the second from one more solve without it, `planner.solve`).

Nothing here loads OR-Tools: roadmaps and their renderers import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from statistics import median

from planner.errors import ScenarioError
from planner.problem import Problem

#: Multiples of the default weight (`default_stability_weight`) each level stands for.
STABILITY_LEVELS: Mapping[str, Fraction] = {
    "low": Fraction(1, 2),
    "normal": Fraction(1),
    "high": Fraction(4),
    "off": Fraction(0),
}
DEFAULT_STABILITY = "normal"
#: The level a roadmap reports when its weight was given as a number.
CUSTOM = "custom"
#: Decimals a figure of a scaled objective (strategic, blend) is shown with, as the
#: roadmap shows its own (`planner.goal.Goal.shown`).
_DECIMALS = 2
_PHASE_WORDS = {"quarter": "quarter", "month": "month", "sprint": "sprint"}


def parse_stability(text: str) -> str:
    """A stability level from what someone typed (`high`, ` Off `); ScenarioError names
    the levels when it is none of them."""
    level = str(text).strip().lower()
    if level not in STABILITY_LEVELS:
        shown = str(text).strip()[:20]
        raise ScenarioError(
            f"stability must be one of {', '.join(STABILITY_LEVELS)} (how firmly a re-plan "
            f"keeps to the published roadmap), not {shown!r}"
        )
    return level


def default_stability_weight(problem: Problem) -> int:
    """Half the median per-phase benefit of the initiatives with one, at least 1."""
    values = [it.per_phase for it in problem.items if it.per_phase > 0]
    return max(1, int(median(values)) // 2) if values else 1


def level_weight(problem: Problem, level: str) -> int:
    """The weight of a stability level: its multiple of the default weight, at least 1
    unless the level is `off` (0)."""
    factor = STABILITY_LEVELS[parse_stability(level)]
    if factor == 0:
        return 0
    return max(1, int(default_stability_weight(problem) * factor))


def drop_phases(horizon: int, published: int) -> int:
    """What dropping an initiative published in phase `published` counts, in phases:
    one more than its largest possible move (`horizon + 1` for a start in the horizon)."""
    return max(horizon, published) + 1


def stability_penalty(
    problem: Problem, baseline: Mapping[str, int], starts: Mapping[str, int]
) -> int:
    """Phases moved plus `drop_phases` per dropped initiative, over the published
    initiatives that are part of the problem (before the weight)."""
    penalty = 0
    for key, was in baseline.items():
        if key not in problem.keys:
            continue
        penalty += abs(starts[key] - was) if key in starts else drop_phases(problem.horizon, was)
    return penalty


def phase_count(problem: Problem, count: int) -> str:
    """`1 quarter`, `6 quarters`, `2 sprints` (`phases` without a calendar)."""
    calendar = problem.portfolio.calendar if problem.portfolio is not None else None
    word = _PHASE_WORDS.get(calendar.phase, "phase") if calendar is not None else "phase"
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class Stability:
    """What a roadmap planned against a published baseline says about keeping to it.

    Figures are in the objective's own units, as `Roadmap.objective` (`scale` solver
    units make one shown unit; `noun` names the objective, e.g. "value"). `value` is the
    objective of this plan; `value_without` the best found when planning the same
    problem without the baseline (None when that was not solved), never below `value`
    (this plan is one of those), and `proven` when that best is proven optimal; `cost`
    is their difference.
    """

    level: str  # low | normal | high | off | custom (a weight given as a number)
    weight: int  # per phase moved; 0: the term is off
    baseline: Mapping[str, int]  # published start phase of each published initiative
    published: int  # published initiatives that are part of this plan's problem
    kept: int  # ... starting in their published phase
    moved: int  # ... starting in another phase
    dropped: int  # ... left out
    penalty: int  # phases moved plus drop_phases per dropped, before the weight
    value: int
    value_without: int | None = None
    proven: bool = False
    cost: int | None = None
    noun: str = "value"
    scale: int = 1
    moves: Mapping[str, int] = field(default_factory=dict)  # key → phases moved (+: later)
    drops: tuple[str, ...] = ()  # published keys left out

    def compared(self, value_without: int | None, *, proven: bool) -> Stability:
        """This report with the objective of the plan made without the baseline."""
        if value_without is None:
            return replace(self, value_without=None, proven=False, cost=None)
        best = max(value_without, self.value)
        return replace(self, value_without=best, proven=proven, cost=best - self.value)

    def figure(self, units: int) -> str:
        """A figure of the objective as people read it, as the roadmap states its own
        (`planner.goal.Goal.shown`): `957,000` of value, `12.35` of a score (`less than
        0.01` for a score that rounds to nothing but is not)."""
        if self.scale == 1:
            return f"{units:,}"
        shown = units / self.scale
        if 0 < shown < 0.5 / 10**_DECIMALS:
            return f"less than {10**-_DECIMALS:.{_DECIMALS}f}"
        return f"{shown:,.{_DECIMALS}f}"

    def summary(self) -> str:
        """One line: what was kept, what it cost, and the command that plans without it.

        `Stability kept 7 of 9 published starts (1 moved, 1 dropped); it cost 20,000 of
        value: `plan stability=off` gives 957,000.`
        """
        changed = [f"{n} {w}" for n, w in ((self.moved, "moved"), (self.dropped, "dropped")) if n]
        what = f"{self.kept} of {self.published} published starts"
        detail = f" ({', '.join(changed)})" if changed else ""
        if self.weight == 0:
            return f"Stability off: {what} kept{detail}."
        head = f"Stability kept {what}{detail}"
        if self.cost is None:
            unmeasured = "what it cost was not measured: planning without it found no plan in time"
            return f"{head}; {unmeasured}."
        off = "`plan stability=off`"
        if self.cost == 0:
            if self.proven:
                return f"{head}; it cost no {self.noun}."
            return f"{head}; planning without it found no plan worth more."
        cost, without = self.figure(self.cost), self.figure(self.value_without or 0)
        if self.proven:
            return f"{head}; it cost {cost} of {self.noun}: {off} gives {without}."
        return f"{head}; it cost at least {cost} of {self.noun}: {off} found {without}."


def measure(
    problem: Problem,
    baseline: Mapping[str, int],
    starts: Mapping[str, int],
    *,
    level: str,
    weight: int,
) -> Stability:
    """The stability report of a plan (`starts`) against `baseline`, not yet compared
    with a plan made without it."""
    known = {k: s for k, s in baseline.items() if k in problem.keys}
    moves = {k: starts[k] - s for k, s in known.items() if k in starts and starts[k] != s}
    drops = tuple(k for k in problem.keys if k in known and k not in starts)
    return Stability(
        level=level,
        weight=weight,
        baseline=dict(baseline),
        published=len(known),
        kept=len(known) - len(moves) - len(drops),
        moved=len(moves),
        dropped=len(drops),
        penalty=stability_penalty(problem, baseline, starts),
        value=sum(problem.item(k).realized_value(s, problem.horizon) for k, s in starts.items()),
        noun=problem.goal.noun,
        scale=problem.goal.scale,
        moves=moves,
        drops=drops,
    )


def stability_from_dict(data: Mapping[str, object] | None) -> Stability | None:
    """Read back the `stability` of a roadmap document (`Roadmap.to_dict`)."""
    if data is None:
        return None
    fields = dict(data)
    fields["baseline"] = dict(fields.get("baseline") or {})  # type: ignore[call-overload]
    fields["moves"] = dict(fields.get("moves") or {})  # type: ignore[call-overload]
    fields["drops"] = tuple(fields.get("drops") or ())  # type: ignore[arg-type]
    return Stability(**fields)  # type: ignore[arg-type]
