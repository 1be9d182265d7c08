"""Plain-terminal renderings (rich) of roadmaps and catalog views, for the CLI and console.

Pure functions: data in, rich renderables out. Nothing here reads a database or solves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from bot.blocks.drivers import bar
from bot.blocks.roadmap import stability_line
from planner.drivers import CR_LIMIT, DriverWeights
from planner.money import format_money
from planner.roadmap import Roadmap


def money(amount: float | int | None) -> str:
    """`planner.money.format_money` (250000 → '250k', 1200000 → '1.2M'); None → 'unlimited'."""
    return "unlimited" if amount is None else format_money(amount)


def figure(roadmap: Roadmap, units: int | None) -> str:
    """A figure of the objective planned: money for value, else the score (`12.35`)."""
    goal = roadmap.goal
    if goal.kind == "value" or units is None:
        return money(units)
    return f"{goal.display(units):,.2f}"


def status_line(roadmap: Roadmap) -> str:
    head = f"{roadmap.name or 'Roadmap'} — {roadmap.status}"
    noun = roadmap.goal.noun
    if roadmap.status == "optimal":
        head += f", {noun} {figure(roadmap, roadmap.objective)} (proven optimal)"
    elif roadmap.status == "feasible":
        gap = "" if roadmap.gap is None else f", gap {roadmap.gap:.2%}"
        bound = "" if roadmap.bound is None else f", bound {figure(roadmap, roadmap.bound)}"
        head += f", {noun} {figure(roadmap, roadmap.objective)}{bound}{gap}"
    return head + f" · {roadmap.solver} in {roadmap.solve_seconds:.2f}s"


SHORT_NAMES = {
    "agile_teams": "agile",
    "waterfall_programs": "waterfall",
    "security_reviews": "reviews",
}


def roadmap_view(roadmap: Roadmap) -> Group:
    """A text Gantt (█ building, ▶ go-live, · live) with value, then budget and capacity
    use per phase, then what did not fit and why."""
    parts: list[Any] = [Text(status_line(roadmap), style="bold")]
    if roadmap.goal.kind != "value":
        parts.append(Text(roadmap.goal.describe()))
    if stability_line(roadmap):
        parts.append(Text(stability_line(roadmap)))
    if roadmap.conflicts:
        parts.append(Text("These constraints cannot all hold:", style="bold red"))
        parts.extend(Text(f"  • {c}") for c in roadmap.conflicts)
    if roadmap.scheduled:
        grid = Table(
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
            title="Roadmap  (██ building, ▶ goes live, · live)",
            title_justify="left",
        )
        grid.add_column("key", no_wrap=True, min_width=max(len(s.key) for s in roadmap.scheduled))
        for ph in roadmap.phases:
            grid.add_column(_stacked(ph.label), justify="center", no_wrap=True)
        short = {"strategic": "score", "blend": "blended"}.get(roadmap.goal.kind, "value")
        grid.add_column(short, justify="right", no_wrap=True)
        for s in roadmap.scheduled:
            cells = []
            for ph in roadmap.phases:
                if ph.index == s.end_phase:
                    cells.append("█▶")
                elif s.start_phase <= ph.index < s.end_phase:
                    cells.append("██")
                elif ph.index > s.end_phase:
                    cells.append("·")
                else:
                    cells.append("")
            grid.add_row(s.key, *cells, figure(roadmap, s.value))
        parts.append(grid)
        use = Table(
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
            title="Budget and capacity use",
            title_justify="left",
        )
        use.add_column("phase", no_wrap=True)
        use.add_column("spend / budget", justify="right", no_wrap=True)
        resources = sorted(
            {r for p in roadmap.phases for r, c in p.capacity.items() if c is not None}
        )
        for r in resources:
            use.add_column(SHORT_NAMES.get(r, r), justify="right", no_wrap=True)
        for ph in roadmap.phases:
            row = [ph.label, f"{money(ph.spend)} / {money(ph.budget)}"]
            row += [f"{ph.use.get(r, 0)}/{ph.capacity.get(r)}" for r in resources]
            use.add_row(*row)
        parts.append(use)
    if roadmap.unscheduled:
        left = Table(
            box=box.SIMPLE_HEAD, padding=(0, 1), title="Not scheduled", title_justify="left"
        )
        left.add_column("key", no_wrap=True)
        left.add_column("why")
        for u in roadmap.unscheduled:
            left.add_row(u.key, u.reason)
        parts.append(left)
    return Group(*parts)


def _stacked(label: str) -> str:
    """A phase label on two short lines for narrow columns: 2027Q1 → 2027 / Q1."""
    for sep in ("Q", "-", " "):
        head, found, tail = label.rpartition(sep)
        if found and head:
            return f"{head}\n{sep.strip()}{tail}"
    return label


def initiatives_table(rows: Iterable[Any], *, title: str = "Initiatives") -> Table:
    """Rows carry an InitiativeSpec as `spec` (catalog views) or are specs themselves."""
    table = Table(title=title, title_justify="left")
    for col in ("key", "title", "status", "cadence", "phases", "capex", "value/phase"):
        table.add_column(col, justify="right" if col in ("capex", "value/phase") else "left")
    for row in rows:
        r = getattr(row, "spec", row)
        table.add_row(
            r.key, r.title, r.status, r.cadence, str(r.duration), money(r.capex), money(r.value)
        )
    return table


def fields_table(pairs: Sequence[tuple[str, Any]], *, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in pairs:
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value)) or "—"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        elif value is None or value == "":
            value = "—"
        table.add_row(name, str(value))
    return table


def weights_view(weights: DriverWeights) -> Group:
    """The business drivers' group weights with bars, where they come from (and the
    group's CR), then each person's consistency ratio and completeness."""
    if not weights.drivers:
        return Group(Text("No business drivers yet."))
    table = Table(box=box.SIMPLE_HEAD, title="Business driver weights", title_justify="left")
    table.add_column("key", no_wrap=True)
    table.add_column("driver")
    table.add_column("weight", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    largest = max(weights.weights.values(), default=0.0)
    for d in sorted(weights.drivers, key=lambda d: (-weights.weights.get(d.key, 0.0), d.key)):
        w = weights.weights.get(d.key, 0.0)
        table.add_row(d.key, d.name, f"{w:.1%}", bar(w, largest))
    if weights.source == "judgments":
        count = len(weights.complete_people)
        cr = "" if weights.cr is None else f"; group CR {weights.cr:.3f}{_verdict(weights.cr)}"
        source = f"From the complete judgments of {count} {'person' if count == 1 else 'people'}"
        source += f" (geometric mean){cr}."
    else:
        source = "Nobody has answered every pair yet: every driver weighs the same."
    parts: list[Any] = [table, Text(source)]
    if weights.people:
        names = {d.key: d.name for d in weights.drivers}
        people = Table(box=box.SIMPLE_HEAD, title="Each person", title_justify="left")
        for col in ("user", "answered", "CR", "most at odds"):
            people.add_column(col, no_wrap=col != "most at odds")
        for p in weights.people.values():
            worst = "" if p.worst is None else f"{names.get(p.worst.a)} vs {names.get(p.worst.b)}"
            cr = "incomplete" if p.cr is None else f"{p.cr:.3f}{_verdict(p.cr)}"
            people.add_row(p.by, f"{p.answered}/{p.needed}", cr, worst)
        parts.append(people)
    return Group(*parts)


def _verdict(cr: float) -> str:
    return " (above 0.10: inconsistent)" if cr > CR_LIMIT else ""


def weights_json(weights: DriverWeights) -> dict[str, Any]:
    """`{"drivers": [{"key", "name", "weight"}], "cr": …, "by": {user: {"weights",
    "cr", "complete"}}}`: what `townhall weights --format json` prints."""
    return {
        "drivers": [
            {"key": d.key, "name": d.name, "weight": round(weights.weights.get(d.key, 0.0), 6)}
            for d in weights.drivers
        ],
        "cr": None if weights.cr is None else round(weights.cr, 6),
        "by": {
            p.by: {
                "weights": {k: round(w, 6) for k, w in p.weights.items()},
                "cr": None if p.cr is None else round(p.cr, 6),
                "complete": p.complete,
            }
            for p in weights.people.values()
        },
    }
