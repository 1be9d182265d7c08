"""The Roadmap result and how one is assembled from chosen start phases.

What a result states is docs/PLANNING_MODEL.md, Result statuses; its document is
docs/PLANNING_MODEL.md, Roadmap JSON.

Every figure in a Roadmap is recomputed from the starts and the Problem, never copied
from a solver's internals, so two solvers that pick the same starts report the same plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from planner.goal import Goal, goal_from_json, shown_figures, solver_figures
from planner.problem import SECURITY_REVIEWS, Problem
from planner.stability import Stability, stability_from_dict

SCHEMA = "townhall.roadmap/1"
STATUSES = ("optimal", "feasible", "infeasible", "unknown")


@dataclass(frozen=True)
class PhaseUse:
    index: int
    label: str
    start: dt.date
    end: dt.date
    budget: int | None
    spend: int  # rounded to whole currency units
    use: Mapping[str, int]
    capacity: Mapping[str, int | None]


@dataclass(frozen=True)
class Scheduled:
    key: str
    title: str
    cadence: str
    start_phase: int
    end_phase: int  # the go-live phase, s + d - 1
    start: dt.date
    end: dt.date
    value: int  # what it contributes to the objective planned (solver units: `Goal.scale`)
    strategic_score: float | None = None  # S = Σ weight × score, when there are drivers


@dataclass(frozen=True)
class Unscheduled:
    key: str
    title: str
    reason: str


@dataclass(frozen=True)
class Roadmap:
    status: str
    objective: int | None
    bound: int | None
    gap: float | None
    solve_seconds: float
    solver: str
    phases: tuple[PhaseUse, ...] = ()
    scheduled: tuple[Scheduled, ...] = ()
    unscheduled: tuple[Unscheduled, ...] = ()
    conflicts: tuple[str, ...] = ()
    stability_penalty: int | None = None  # with a baseline: cost of moving/dropping items
    name: str = ""
    #: With a published baseline: what keeping to it kept and cost (planner.stability).
    stability: Stability | None = None
    #: What was maximized (value, strategic score, blend) with its weights; `objective`,
    #: `bound` and each `Scheduled.value` are in its solver units (`Goal.display`).
    goal: Goal = field(default_factory=Goal)

    @property
    def starts(self) -> dict[str, int]:
        return {s.key: s.start_phase for s in self.scheduled}

    def scheduled_item(self, key: str) -> Scheduled | None:
        return next((s for s in self.scheduled if s.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The roadmap document: figures in the units people read (`Goal.display`)."""
        data = asdict(self)
        data = {"schema": SCHEMA, **data}
        return _jsonable(shown_figures(data, self.goal))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def realized_value(problem: Problem, starts: Mapping[str, int]) -> int:
    """Σ value × (P − s − d + 1) over scheduled items (docs/PLANNING_MODEL.md, Objective)."""
    return sum(problem.item(k).realized_value(s, problem.horizon) for k, s in starts.items())


def spend_by_phase(problem: Problem, starts: Mapping[str, int]) -> list[Fraction]:
    spend = [Fraction(0)] * problem.horizon
    for key, s in starts.items():
        it = problem.item(key)
        for p in range(s, min(s + it.duration, problem.horizon)):
            spend[p] += it.capex_share()
        for p in range(s + it.duration, problem.horizon):
            spend[p] += it.opex
    return spend


def use_by_phase(problem: Problem, starts: Mapping[str, int]) -> list[dict[str, int]]:
    """Use of every resource that has a capacity or is used by a scheduled item."""
    names = set(problem.capacity)
    for key in starts:
        names.update(problem.item(key).uses)
    use = [dict.fromkeys(sorted(names), 0) for _ in range(problem.horizon)]
    for key, s in starts.items():
        it = problem.item(key)
        for p in range(s, min(s + it.duration, problem.horizon)):
            for name in use[p]:
                if name != SECURITY_REVIEWS:
                    use[p][name] += it.use(name)
        if it.needs_review and SECURITY_REVIEWS in use[s]:
            use[s][SECURITY_REVIEWS] += 1
    return use


def gap_of(objective: int | None, bound: int | None) -> float | None:
    if objective is None or bound is None:
        return None
    if bound == objective:
        return 0.0
    return abs(bound - objective) / max(abs(bound), 1)


def assemble(
    problem: Problem,
    starts: Mapping[str, int],
    *,
    status: str,
    solver: str,
    seconds: float,
    bound: int | None = None,
    reasons: Mapping[str, str] | None = None,
    conflicts: tuple[str, ...] = (),
    stability_penalty: int | None = None,
) -> Roadmap:
    """Build a Roadmap from start phases; every figure is recomputed here."""
    assert status in STATUSES, status
    reasons = reasons or {}
    P = problem.horizon
    objective = realized_value(problem, starts) if status in ("optimal", "feasible") else None
    if status == "optimal":
        bound = objective
    spend = spend_by_phase(problem, starts)
    use = use_by_phase(problem, starts)
    phases = tuple(
        PhaseUse(
            index=ph.index,
            label=ph.label,
            start=ph.start,
            end=ph.end,
            budget=problem.budget[ph.index],
            spend=round(spend[ph.index]),
            use=use[ph.index],
            capacity={r: problem.capacity_at(r, ph.index) for r in use[ph.index]},
        )
        for ph in problem.phases
    )
    scheduled = []
    for it in problem.items:
        if it.key not in starts:
            continue
        s = starts[it.key]
        scheduled.append(
            Scheduled(
                key=it.key,
                title=it.title,
                cadence=it.cadence,
                start_phase=s,
                end_phase=s + it.duration - 1,
                start=problem.phases[s].start,
                end=problem.phases[s + it.duration - 1].end,
                value=it.realized_value(s, P),
                strategic_score=it.strategic if problem.goal.weights else None,
            )
        )
    scheduled.sort(key=lambda x: (x.start_phase, x.end_phase, x.key))
    unscheduled = tuple(
        Unscheduled(
            key=it.key,
            title=it.title,
            reason=it.blocked or reasons.get(it.key, "not selected by the optimizer"),
        )
        for it in problem.items
        if it.key not in starts
    )
    return Roadmap(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap_of(objective, bound),
        solve_seconds=round(seconds, 3),
        solver=solver,
        phases=phases,
        scheduled=tuple(scheduled),
        unscheduled=unscheduled,
        conflicts=tuple(conflicts),
        stability_penalty=stability_penalty,
        name=problem.name,
        goal=problem.goal,
    )


def roadmap_from_dict(data: Mapping[str, Any]) -> Roadmap:
    """Read back what `Roadmap.to_dict` wrote (e.g. a stored or exported roadmap)."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} document (schema is {data.get('schema')!r})")
    goal = goal_from_json(data.get("goal"))
    data = solver_figures(data, goal)
    day = dt.date.fromisoformat
    phases = tuple(
        PhaseUse(
            index=p["index"],
            label=p["label"],
            start=day(p["start"]),
            end=day(p["end"]),
            budget=p["budget"],
            spend=p["spend"],
            use=dict(p["use"]),
            capacity=dict(p["capacity"]),
        )
        for p in data.get("phases", ())
    )
    scheduled = tuple(
        Scheduled(**{**s, "start": day(s["start"]), "end": day(s["end"])})
        for s in data.get("scheduled", ())
    )
    unscheduled = tuple(Unscheduled(**u) for u in data.get("unscheduled", ()))
    simple = {
        k: data.get(k)
        for k in (
            "status",
            "objective",
            "bound",
            "gap",
            "solve_seconds",
            "solver",
            "stability_penalty",
            "name",
        )
    }
    simple["name"] = simple["name"] or ""
    return Roadmap(
        **simple,
        phases=phases,
        scheduled=scheduled,
        unscheduled=unscheduled,
        conflicts=tuple(data.get("conflicts", ())),
        stability=stability_from_dict(data.get("stability")),
        goal=goal,
    )
