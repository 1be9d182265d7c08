"""An initiative's own start rules in words: why a start phase is not allowed, or why none is.

These are the rules `Problem.allowed_starts` applies (horizon, earliest start, deadline,
pin, tollgates, freeze); the sentences are what explanations, the short reasons of
`planner.optimize` and what-if errors show, with phase labels (`2027Q3`).
"""

from __future__ import annotations

from planner.problem import Item, Problem


def phase_label(problem: Problem, index: int) -> str:
    """The label of a phase (`2027Q3`), or `phase N` outside the horizon."""
    if 0 <= index < problem.horizon:
        return problem.phases[index].label
    return f"phase {index}"


def phase_span(
    problem: Problem, indexes: list[int] | tuple[int, ...] | set[int], *, most: int = 3
) -> str:
    """Phases in words, runs collapsed: `2027Q1–2027Q3, 2028Q2`; past `most` runs,
    `and N more`."""
    runs: list[tuple[int, int]] = []
    for p in sorted(set(indexes)):
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    parts = []
    for a, b in runs:
        if a == b:
            parts.append(phase_label(problem, a))
        else:
            parts.append(f"{phase_label(problem, a)}–{phase_label(problem, b)}")
    if len(parts) > most:
        return ", ".join(parts[:most]) + f" and {len(parts) - most} more"
    return ", ".join(parts)


def start_blockers(problem: Problem, item: Item, start: int) -> list[str]:
    """Every own rule that forbids starting `item` in phase `start`, in words (empty: allowed)."""
    out = []
    P = problem.horizon
    live = start + item.duration - 1
    if start < 0 or live >= P:
        out.append(f"it would not finish inside the {P}-phase horizon")
    if start < item.earliest:
        out.append(f"its earliest start is {phase_label(problem, item.earliest)}")
    if item.deadline is not None and live > item.deadline:
        out.append(
            f"it would go live in {phase_label(problem, live)}, "
            f"after its deadline {phase_label(problem, item.deadline)}"
        )
    if item.pin is not None and start != item.pin:
        out.append(f"it is pinned to {phase_label(problem, item.pin)}")
    if item.cadence == "waterfall" and start not in problem.tollgates:
        out.append(
            f"{phase_label(problem, start)} is not a tollgate (waterfall work starts at tollgates)"
        )
    if 0 <= live < P and live in problem.freeze:
        out.append(f"it would go live in {phase_label(problem, live)}, inside a freeze")
    return out


def no_start_reason(problem: Problem, item: Item) -> str | None:
    """Why no start phase is allowed by the item's own rules; None when some start is."""
    if problem.allowed_starts(item):
        return None
    P, d = problem.horizon, item.duration
    if d > P:
        return f"takes {d} phases, longer than the {P}-phase horizon"
    window = problem.start_window(item)
    if not window:
        if item.pin is not None and (item.pin < item.earliest or item.pin + d > P):
            return f"its pin to {phase_label(problem, item.pin)} is outside the phases it may use"
        if item.pin is not None and item.deadline is not None:
            return (
                f"its pin to {phase_label(problem, item.pin)} cannot meet its deadline "
                f"{phase_label(problem, item.deadline)}"
            )
        if item.earliest + d > P:
            return (
                f"starting {phase_label(problem, item.earliest)} at the earliest, its {d} "
                f"phases do not finish inside the {P}-phase horizon"
            )
        return (
            f"its deadline {phase_label(problem, item.deadline or 0)} cannot be met: it takes "
            f"{d} phases and starts {phase_label(problem, item.earliest)} at the earliest"
        )
    first, last = window[0], window[-1]
    span = phase_label(problem, first)
    if last != first:
        span = f"{span}–{phase_label(problem, last)}"
    gated = [s for s in window if item.cadence != "waterfall" or s in problem.tollgates]
    if not gated:
        return f"no tollgate in {span}, and waterfall work starts only at tollgates"
    lives = phase_span(problem, [s + d - 1 for s in gated])
    if item.cadence == "waterfall":
        return f"every tollgate start in {span} would go live in a freeze ({lives})"
    return f"every start in {span} would go live in a freeze ({lives})"
