"""`explain KEY`: why an initiative starts where it does or is left out, and what
changing that would cost.

`explain(problem, roadmap, key)` answers `explain KEY` with a headline and details: for a
scheduled initiative, what rules out each earlier start and what starting one phase
earlier would cost; for an unscheduled one, its reason, what forcing it in would cost
and how much more budget would make room for it next to the current plan. For a roadmap
planned against a published baseline, re-solves weigh it as the roadmap did, and what
they would change in the published roadmap is said with its stability cost.

The one-line reasons for every initiative left out are `planner.reasons`
(`explain_unscheduled`, importable from here too).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from fractions import Fraction

from planner.config import LEAST_SOLVE_SECONDS, SolverConfig
from planner.diff import RoadmapDiff, diff_roadmaps
from planner.errors import ScenarioError
from planner.fit import Binding, Load, bindings, names, summarize
from planner.money import format_money
from planner.problem import SECURITY_REVIEWS, Item, Problem
from planner.reasons import (
    PLANNED,
    REASON_LIMIT,
    RESOLVE_BUDGET,
    RESOLVE_FLOOR,
    RESOLVE_SECONDS,
    RESOLVE_SHARE,
    Analysis,
    explain_unscheduled,
    listed,
)
from planner.roadmap import Roadmap
from planner.rules import phase_span, start_blockers

#: Longest single re-solve in `explain`.
EXPLAIN_SECONDS = 3.0
_MOST_RUNS = 5


@dataclass(frozen=True)
class Explanation:
    headline: str
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The headline and one `- detail` line per detail."""
        return "\n".join([self.headline, *(f"- {d}" for d in self.details)])


def explain(
    problem: Problem,
    roadmap: Roadmap,
    key: str,
    *,
    config: SolverConfig | None = None,
) -> Explanation:
    """Why `key` starts where it does or is left out, and what changing that would cost.

    Re-solves use `config` with at most 3 seconds each, and all of them at most what is
    left before `config.deadline` (a re-solve with no time left is reported as not
    costed within the time limit). Raises ScenarioError when the key names no initiative.
    """
    key = key.strip().upper()
    config = config or SolverConfig(workers=1, seed=0)
    if key not in problem.keys:
        return _outside(problem, key)
    analysis = Analysis(
        problem,
        roadmap,
        config=config,
        time_budget=config.capped(EXPLAIN_SECONDS),
        resolve_seconds=config.capped(min(config.time_limit, EXPLAIN_SECONDS)),
    )
    if key in analysis.starts:
        return _explain_scheduled(analysis, problem.item(key))
    return _explain_unscheduled(analysis, problem.item(key))


def _outside(problem: Problem, key: str) -> Explanation:
    portfolio = problem.portfolio
    if portfolio is not None:
        try:
            spec = portfolio.initiative(key)
        except KeyError:
            spec = None
        if spec is not None:
            status = spec.status.replace("_", " ")
            return Explanation(
                f"{key} is not part of the plan: it is {status}",
                [
                    "Only approved, scheduled and in-progress initiatives are planned.",
                    f"To see what it would take: whatif with {key}",
                ],
            )
        known = [s.key for s in portfolio.initiatives]
    else:
        known = list(problem.keys)
    close = difflib.get_close_matches(key, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ScenarioError(f"explain {key}: there is no initiative {key}{hint}")


def _explain_scheduled(analysis: Analysis, item: Item) -> Explanation:
    problem = analysis.problem
    start = analysis.starts[item.key]
    live = start + item.duration - 1
    value = analysis.value_of(item.key)
    when = (
        f"starts and goes live in {analysis.label(start)}"
        if item.duration == 1
        else f"starts in {analysis.label(start)} and goes live in {analysis.label(live)}"
    )
    headline = f"{item.key} {when}, adding {_amount(problem, value)} of realized {analysis.noun}"
    details: list[str] = []
    if item.pin is not None:
        details.append(f"It is pinned to {analysis.label(item.pin)}.")
    elif problem.must_select(item):
        details.append("It must be scheduled (mandatory or required by the scenario).")
    if start == 0:
        details.append("It starts in the first phase of the plan.")
        return Explanation(headline, details)
    details.extend(_earlier_blockers(analysis, item, start))
    details.append(_earlier_cost(analysis, item, start))
    return Explanation(headline, details)


def _earlier_blockers(analysis: Analysis, item: Item, start: int) -> list[str]:
    """For each earlier start, nearest first, what rules it out; runs of one reason merged."""
    problem = analysis.problem
    others = {k: s for k, s in analysis.starts.items() if k != item.key}
    rest = Load.of(problem, others, items=analysis.items)
    runs: list[tuple[int, int, str]] = []
    for t in range(start - 1, -1, -1):
        why = _start_reason(analysis, rest, item, t)
        if runs and runs[-1][2] == why:
            runs[-1] = (t, runs[-1][1], why)
        else:
            runs.append((t, t, why))
    lines = []
    for first, last, why in runs[:_MOST_RUNS]:
        span = phase_span(problem, list(range(first, last + 1)))
        lines.append(f"Not {span}: {why}.")
    if len(runs) > _MOST_RUNS:
        first, last = runs[-1][0], runs[_MOST_RUNS][1]
        lines.append(f"Not {phase_span(problem, list(range(first, last + 1)))} either.")
    return lines


def _start_reason(analysis: Analysis, rest: Load, item: Item, t: int) -> str:
    own = start_blockers(analysis.problem, item, t)
    if own:
        return own[0]
    for dep in item.depends_on:
        end = analysis.starts[dep] + analysis.items[dep].duration - 1
        if t <= end:
            return f"it waits for {dep}, which goes live in {analysis.label(end)}"
    found = bindings(analysis.problem, rest, item, t)
    if found:
        return summarize(analysis.problem, {t: found}, limit=REASON_LIMIT)
    return _fits_earlier(analysis, item, t)


def _fits_earlier(analysis: Analysis, item: Item, t: int) -> str:
    """Why an earlier start it would fit in next to the rest of the plan is not taken."""
    published = analysis.stability.baseline if analysis.stability is not None else {}
    if item.key in published:
        was, now = published[item.key], analysis.starts[item.key]
        if abs(t - was) > abs(now - was):
            return (
                f"it would fit there, but further from its published start ({analysis.label(was)})"
            )
    if analysis.roadmap.status != "optimal":
        return "it would fit there; the search stopped before moving it"
    if item.per_phase <= 0:
        return f"it would fit there; starting earlier adds no {analysis.noun}"
    return "it would fit there; the plan is worth more with it where it is"


def _earlier_cost(analysis: Analysis, item: Item, start: int) -> str:
    problem = analysis.problem
    floor = analysis.ready_floor(item) or 0
    allowed = [t for t in problem.allowed_starts(replace(item, pin=None)) if floor <= t < start]
    if not allowed:
        return "No earlier start is possible: its own rules and its dependencies rule them out."
    target = max(allowed)
    earlier = "one phase earlier" if target == start - 1 else "earlier"
    items = [replace(it, pin=target) if it.key == item.key else it for it in problem.items]
    pinned = replace(problem.replace_items(items), force_out=problem.force_out - {item.key})
    result = _resolve_for_explain(analysis, pinned)
    where = f"Starting {earlier}, in {analysis.label(target)},"
    if result is None:
        return f"{where} could not be costed within the time limit."
    if result.status == "infeasible":
        why = f": {result.conflicts[0]}" if result.conflicts else ""
        return f"{where} is impossible with what must be scheduled{why}."
    return f"{where} {_consequences(analysis, result, item.key)}." + _stability_note(
        analysis, result, item.key
    )


def _explain_unscheduled(analysis: Analysis, item: Item) -> Explanation:
    problem = analysis.problem
    reason = analysis.reason(item.key)
    headline = f"{item.key} is not scheduled: {reason}"
    details: list[str] = []
    if item.blocked or not problem.allowed_starts(item):
        details.append("It cannot be scheduled while that holds, whatever the budget.")
        return Explanation(headline, details)
    if item.key in problem.force_out:
        details.append(f"Drop 'without {item.key}' from the what-if to plan it again.")
        return Explanation(headline, details)
    if not analysis.planned:
        return Explanation(headline, details)
    result: Roadmap | None = analysis.forced_in(item) if _time_left(analysis) else None
    if result is not None and result.status not in (*PLANNED, "infeasible"):
        result = None
    if result is None:
        details.append("Forcing it in could not be costed within the time limit.")
    elif result.status == "infeasible":
        why = f": {result.conflicts[0]}" if result.conflicts else ""
        details.append(f"Forcing it in is impossible with what must be scheduled{why}.")
    else:
        placed = result.scheduled_item(item.key)
        at = f" (starting {analysis.label(placed.start_phase)})" if placed else ""
        details.append(
            f"Forcing it in{at} {_consequences(analysis, result, item.key)}."
            + _stability_note(analysis, result, item.key)
        )
    details.extend(_room(analysis, item))
    return Explanation(headline, details)


def _time_left(analysis: Analysis) -> bool:
    """Whether the deadline (if any) leaves time for one more re-solve."""
    return analysis.config.capped(LEAST_SOLVE_SECONDS) >= LEAST_SOLVE_SECONDS


def _resolve_for_explain(analysis: Analysis, problem: Problem) -> Roadmap | None:
    seconds = analysis.config.capped(min(analysis.config.time_limit, EXPLAIN_SECONDS))
    if seconds < LEAST_SOLVE_SECONDS:
        return None
    result = analysis.resolve(problem, seconds=seconds)
    if result.status in ("optimal", "feasible", "infeasible"):
        return result
    return None


def _amount(problem: Problem, units: int) -> str:
    """A figure of the objective: money for value (`45k`), else as the goal shows it."""
    if problem.goal.kind == "value":
        return format_money(units)
    return f"{problem.goal.display(units):,}"


def _stability_note(analysis: Analysis, after: Roadmap, key: str) -> str:
    """` Against the published roadmap it would move SSO by 6 quarters, a stability cost
    of 67.5k.` (empty without a published baseline, or when it changes nothing there)."""
    effects = analysis.stability_effects(after, skip=key)
    cost = analysis.stability_cost(after)
    if not effects or cost is None or cost <= 0:
        return ""
    net = ""
    if analysis.stability_relieved(after):
        net = " net of what it brings closer to where it was published"
    return (
        f" Against the published roadmap it would {listed(effects, most=4)}, a stability "
        f"cost of {_amount(analysis.problem, cost)}{net}."
    )


def _consequences(analysis: Analysis, after: Roadmap, key: str) -> str:
    """`would cost 45k of realized value (−1.5%): drops X; moves Y from … to …`."""
    before, noun = analysis.roadmap, analysis.noun
    change: RoadmapDiff = diff_roadmaps(before, after)
    delta = change.value_change or 0
    if delta < 0:
        pct = change.value_change_percent
        rel = f" ({pct:+.1f}%)".replace("-", "−") if pct is not None else ""
        head = f"would cost {_amount(analysis.problem, -delta)} of realized {noun}{rel}"
    elif delta > 0:
        head = f"would add {_amount(analysis.problem, delta)} of realized {noun}"
    else:
        head = f"would leave realized {noun} unchanged"
    if after.status != "optimal":
        head += " (best plan found in time)"
    effects = []
    dropped = [d.key for d in change.dropped]
    if dropped:
        effects.append(f"drops {names(dropped, most=5)}")
    moved = [m for m in change.moved if m.key != key]
    if moved:
        effects.append(
            "moves "
            + ", ".join(f"{m.key} to {m.to_label}" for m in moved[:5])
            + (f" and {len(moved) - 5} more" if len(moved) > 5 else "")
        )
    added = [a.key for a in change.added if a.key != key]
    if added:
        effects.append(f"brings in {names(added, most=5)}")
    return head + (": " + "; ".join(effects) if effects else "")


def _room(analysis: Analysis, item: Item) -> list[str]:
    """How much more budget (or capacity) would make room next to the current plan."""
    problem = analysis.problem
    missing = analysis.missing_dependency(item)
    if missing:
        return [f"It needs {missing[0]} scheduled first; see explain {missing[0]}."]
    candidates = analysis.candidates(item)
    if not candidates:
        return []
    options = []
    for s in candidates:
        found = bindings(problem, analysis.full, item, s)
        other = [b for b in found if not b.money]
        money = sum((b.shortfall for b in found if b.kind == "budget"), Fraction(0))
        total = sum((b.shortfall for b in found if b.kind == "total"), Fraction(0))
        options.append((len(other), money + total, s, found))
    n_other, _, start, found = min(options, key=lambda o: (o[0], o[1], o[2]))
    if not found:
        return [f"It fits from {analysis.label(start)} next to the current plan as it is."]
    where = f"starting {analysis.label(start)}"
    budget = [b for b in found if b.kind == "budget"]
    total = [b for b in found if b.kind == "total"]
    parts = []
    if budget:
        extra = sum((b.shortfall for b in budget), Fraction(0))
        phases = [b.phase for b in budget if b.phase is not None]
        per = {round(b.shortfall) for b in budget}
        each = f", {format_money(per.pop())} a phase" if len(per) == 1 and len(budget) > 1 else ""
        parts.append(f"{format_money(extra)} more budget in {phase_span(problem, phases)}{each}")
    if total:
        parts.append(f"{format_money(total[0].shortfall)} more total budget")
    if n_other:
        others = [b for b in found if not b.money]
        parts.extend(_capacity_extra(problem, others))
    lines = [f"Room for it {where}, without dropping anything: " + "; ".join(parts) + "."]
    if n_other and (budget or total):
        lines.append("More budget alone would not make room: capacity binds as well.")
    elif n_other:
        lines.append("More budget alone would not make room: capacity binds.")
    return lines


def _capacity_extra(problem: Problem, found: list[Binding]) -> list[str]:
    out = []
    for family in sorted({b.family for b in found}, key=lambda f: f[1] or ""):
        same = [b for b in found if b.family == family]
        extra = max(int(b.shortfall) for b in same)
        phases = [b.phase for b in same if b.phase is not None]
        span = phase_span(problem, phases)
        if family[1] == SECURITY_REVIEWS:
            out.append(f"{extra} more security review slot in {span}")
        else:
            name = (family[1] or "").replace("_", " ")
            out.append(f"{name} capacity +{extra} in {span}")
    return out


__all__ = [
    "EXPLAIN_SECONDS",
    "REASON_LIMIT",
    "RESOLVE_BUDGET",
    "RESOLVE_FLOOR",
    "RESOLVE_SECONDS",
    "RESOLVE_SHARE",
    "Explanation",
    "explain",
    "explain_unscheduled",
]
