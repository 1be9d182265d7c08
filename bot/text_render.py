"""Plain-terminal renderings (rich) of roadmaps and catalog views, for the CLI and console.

Pure functions: data in, rich renderables out. Nothing here reads a database or solves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from planner.roadmap import Roadmap


def money(amount: float | int | None) -> str:
    """250000 → '250k', 1200000 → '1.2M'; None → 'unlimited'."""
    if amount is None:
        return "unlimited"
    value = float(amount)
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.2f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:,.0f}"


def status_line(roadmap: Roadmap) -> str:
    head = f"{roadmap.name or 'Roadmap'} — {roadmap.status}"
    if roadmap.status == "optimal":
        head += f", value {roadmap.objective:,} (proven optimal)"
    elif roadmap.status == "feasible":
        gap = "" if roadmap.gap is None else f", gap {roadmap.gap:.2%}"
        bound = "" if roadmap.bound is None else f", bound {roadmap.bound:,}"
        head += f", value {roadmap.objective:,}{bound}{gap}"
    if roadmap.stability_penalty:
        head += f", stability penalty {roadmap.stability_penalty:,}"
    return head + f" · {roadmap.solver} in {roadmap.solve_seconds:.2f}s"


def roadmap_view(roadmap: Roadmap) -> Group:
    """Phases with their initiatives, budget and capacity use, then what did not fit."""
    parts: list[Any] = [Text(status_line(roadmap), style="bold")]
    if roadmap.conflicts:
        parts.append(Text("These constraints cannot all hold:", style="bold red"))
        parts.extend(Text(f"  • {c}") for c in roadmap.conflicts)
    if roadmap.scheduled:
        phases = Table(title="Phases", title_justify="left")
        for col in ("phase", "dates", "starts building", "goes live", "spend / budget"):
            phases.add_column(col)
        resources = sorted({r for p in roadmap.phases for r, c in p.capacity.items()
                            if c is not None})
        for r in resources:
            phases.add_column(r, justify="right")
        for ph in roadmap.phases:
            starts = [s.key for s in roadmap.scheduled if s.start_phase == ph.index]
            lives = [s.key for s in roadmap.scheduled if s.end_phase == ph.index]
            row = [ph.label, f"{ph.start:%Y-%m-%d}–{ph.end:%m-%d}", ", ".join(starts),
                   ", ".join(lives), f"{money(ph.spend)} / {money(ph.budget)}"]
            row += [f"{ph.use.get(r, 0)}/{ph.capacity.get(r)}" for r in resources]
            phases.add_row(*row)
        parts.append(phases)
        items = Table(title="Scheduled", title_justify="left")
        for col in ("key", "title", "cadence", "build", "live from", "value"):
            items.add_column(col, justify="right" if col == "value" else "left")
        labels = {p.index: p.label for p in roadmap.phases}
        for s in roadmap.scheduled:
            build = labels[s.start_phase] + (
                f"–{labels[s.end_phase]}" if s.end_phase != s.start_phase else "")
            items.add_row(s.key, s.title, s.cadence, build, labels[s.end_phase], f"{s.value:,}")
        parts.append(items)
    if roadmap.unscheduled:
        left = Table(title="Not scheduled", title_justify="left")
        left.add_column("key")
        left.add_column("why")
        for u in roadmap.unscheduled:
            left.add_row(u.key, u.reason)
        parts.append(left)
    return Group(*parts)


def initiatives_table(rows: Iterable[Any], *, title: str = "Initiatives") -> Table:
    """Rows are catalog views with key, title, status, cadence, duration, capex, value."""
    table = Table(title=title, title_justify="left")
    for col in ("key", "title", "status", "cadence", "phases", "capex", "value/phase"):
        table.add_column(col, justify="right" if col in ("capex", "value/phase") else "left")
    for r in rows:
        table.add_row(r.key, r.title, r.status, r.cadence, str(r.duration), money(r.capex),
                      money(r.value))
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
