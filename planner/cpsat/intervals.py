"""A redundant scheduling view: start variables, optional intervals and cumulatives.

The time-indexed literals already state everything; this view restates dependencies
and capacities over one start variable and one optional interval per initiative, so
that CP-SAT's scheduling propagators (precedences, timetabling and energetic reasoning
on cumulatives) work alongside the LP. It pays off when dependencies and capacities
decide the plan — on resource-constrained project scheduling it is what proves optimal
makespans — and costs little elsewhere. A capacity that varies by phase becomes its
highest value, with fixed blocks filling the difference in the other phases.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.cpsat.variables import StartVars
from planner.problem import SECURITY_REVIEWS, Problem


@dataclass
class Scheduled:
    """An initiative's selection literal, start variable and optional interval."""

    present: cp_model.IntVar
    start: cp_model.IntVar
    interval: cp_model.IntervalVar


def add_schedule_view(
    model: cp_model.CpModel, problem: Problem, starts: StartVars
) -> dict[str, Scheduled]:
    """Add the view; returns it by key (for hints)."""
    view: dict[str, Scheduled] = {}
    for key, y in starts.y.items():
        if not y:
            continue
        it = starts.items[key]
        present = model.new_bool_var(f"{key} scheduled")
        model.add(present == cp_model.LinearExpr.sum(list(y.values())))
        start = model.new_int_var_from_domain(
            cp_model.Domain.from_values(sorted(y)), f"{key} start"
        )
        model.add(
            start == cp_model.LinearExpr.weighted_sum(list(y.values()), list(y))
        ).only_enforce_if(present)
        model.add(start == min(y)).only_enforce_if(~present)
        interval = model.new_optional_fixed_size_interval_var(
            start, it.duration, present, f"{key} build"
        )
        view[key] = Scheduled(present=present, start=start, interval=interval)
    for key, s in view.items():
        for dep in starts.items[key].depends_on:
            if dep in view:
                model.add(s.start >= view[dep].start + starts.items[dep].duration).only_enforce_if(
                    s.present
                )
    for resource in problem.resources():
        if resource == SECURITY_REVIEWS:
            continue
        caps = problem.capacity[resource]
        users = [(k, starts.items[k].use(resource)) for k in view if starts.items[k].use(resource)]
        if len(users) < 2 or any(c is None for c in caps):
            continue
        top = max(c for c in caps if c is not None)
        intervals = [view[k].interval for k, _ in users]
        demands = [use for _, use in users]
        for p, cap in enumerate(caps):
            if cap is not None and cap < top:
                intervals.append(model.new_fixed_size_interval_var(p, 1, f"{resource} block {p}"))
                demands.append(top - cap)
        model.add_cumulative(intervals, demands, top)
    return view
