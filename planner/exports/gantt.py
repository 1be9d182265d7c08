"""The roadmap as a Gantt picture (PNG) sized for Slack's preview (about 1200 px wide).

Phases run along the top with their labels and start dates; each scheduled initiative is
a bar coloured by cadence with its go-live marked; tollgates are dashed vertical lines,
freeze phases are shaded, and dependencies are arrows from a prerequisite's go-live to
its dependent's start. Large roadmaps are split into pages of `per_page` initiatives.
Drawn with matplotlib's Agg canvas on a private Figure: no pyplot, no global state.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planner.exports.source import ExportSource
from planner.roadmap import Scheduled

#: Bar colour of each cadence; anything else is drawn in OTHER_COLOUR.
CADENCE_COLOURS = {"waterfall": "#1f5f9e", "agile": "#2e9e57"}
OTHER_COLOUR = "#7f7f7f"
TOLLGATE_COLOUR = "#b03a2e"
FREEZE_COLOUR = "#9aa5b1"
GO_LIVE_COLOUR = "#f2a900"

WIDTH_INCHES = 12.5
DEFAULT_DPI = 100
DEFAULT_PER_PAGE = 40
_ROW_INCHES = 0.32
_TOP_INCHES = 1.05  # title and the phase header
_BOTTOM_INCHES = 0.6  # the legend
_LABEL_CHARS = 36


def page_count(source: ExportSource, per_page: int = DEFAULT_PER_PAGE) -> int:
    """How many pages of `per_page` initiatives the Gantt picture has (at least 1)."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}")
    return max(1, math.ceil(len(source.roadmap.scheduled) / per_page))


def render(source: ExportSource) -> bytes:
    """The first page of the Gantt picture (noting "page 1 of N" when there are more)."""
    return gantt_png(source)


def gantt_png(
    source: ExportSource,
    *,
    page: int = 0,
    per_page: int = DEFAULT_PER_PAGE,
    dpi: int = DEFAULT_DPI,
) -> bytes:
    """One page (0-based) of the Gantt picture as PNG bytes."""
    pages = page_count(source, per_page)
    if not 0 <= page < pages:
        raise ValueError(f"page {page} does not exist: the picture has {pages} page(s)")
    roadmap = source.roadmap
    rows = list(roadmap.scheduled[page * per_page : (page + 1) * per_page])
    horizon = max(len(roadmap.phases), 1)

    height = _TOP_INCHES + _BOTTOM_INCHES + _ROW_INCHES * max(len(rows), 3)
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=dpi)
    FigureCanvasAgg(fig)
    plot_height = 1 - (_TOP_INCHES + _BOTTOM_INCHES) / height
    ax = fig.add_axes((0.255, _BOTTOM_INCHES / height, 0.725, plot_height))
    ax.set_xlim(0, horizon)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)

    _draw_calendar(ax, source, horizon=horizon, rows=len(rows))
    row_of = {s.key: i for i, s in enumerate(rows)}
    for i, item in enumerate(rows):
        _draw_bar(ax, item, row=i)
    _draw_dependencies(ax, source, rows, row_of)

    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_row_label(s) for s in rows], fontsize=9)
    ax.tick_params(axis="y", length=0)
    if not rows:
        ax.text(horizon / 2, 0, "No initiative is scheduled.", ha="center", va="center")

    fig.suptitle(_title(source, page=page, pages=pages), fontsize=13, x=0.02, ha="left")
    fig.legend(
        handles=_legend(rows),
        loc="lower center",
        ncol=6,
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _draw_calendar(ax, source: ExportSource, *, horizon: int, rows: int) -> None:
    roadmap = source.roadmap
    ax.xaxis.tick_top()
    ax.set_xticks([p + 0.5 for p in range(horizon)])
    day = "%b %Y" if horizon > 8 else "%d %b %Y"
    labels = [f"{p.label}\n{p.start.strftime(day)}" for p in roadmap.phases] or [""]
    ax.set_xticklabels(labels, fontsize=8 if horizon > 12 else 9)
    ax.tick_params(axis="x", length=0)
    for p in range(1, horizon):
        ax.axvline(p, color="#e3e3e3", linewidth=0.8, zorder=0)
    problem = _problem(source)
    freeze = problem.freeze if problem else frozenset()
    gates = problem.tollgates if problem else frozenset()
    for p in sorted(freeze):
        if p < horizon:
            ax.axvspan(p, p + 1, color=FREEZE_COLOUR, alpha=0.25, hatch="//", zorder=0, lw=0)
    if gates and len(gates) < horizon:  # every phase a tollgate says nothing
        for p in sorted(gates):
            if p < horizon:
                ax.axvline(p, color=TOLLGATE_COLOUR, linestyle="--", linewidth=1.2, zorder=1)
    for side in ("right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#f2f2f2", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)


def _problem(source: ExportSource):
    try:
        return source.problem
    except Exception:  # a portfolio that no longer builds still has a roadmap to draw
        return None


def _draw_bar(ax, item: Scheduled, *, row: int) -> None:
    colour = CADENCE_COLOURS.get(item.cadence, OTHER_COLOUR)
    width = item.end_phase - item.start_phase + 1
    ax.barh(row, width, left=item.start_phase, height=0.6, color=colour, zorder=2)
    ax.text(
        item.start_phase + 0.08,
        row,
        plain(item.key),
        va="center",
        ha="left",
        fontsize=8,
        color="white",
        fontweight="bold",
        zorder=3,
        clip_on=True,
    )
    ax.plot(
        item.end_phase + 1,
        row,
        marker="D",
        markersize=7,
        color=GO_LIVE_COLOUR,
        markeredgecolor="black",
        markeredgewidth=0.6,
        zorder=4,
        clip_on=False,
    )


def _draw_dependencies(
    ax, source: ExportSource, rows: Sequence[Scheduled], row_of: dict[str, int]
) -> None:
    for item in rows:
        spec = source.spec(item.key)
        if spec is None:
            continue
        for dep in spec.depends_on:
            if dep not in row_of:
                continue
            before = rows[row_of[dep]]
            ax.annotate(
                "",
                xy=(item.start_phase, row_of[item.key]),
                xytext=(before.end_phase + 1, row_of[dep]),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#444444",
                    "linewidth": 1.0,
                    "connectionstyle": "arc3,rad=0.2",
                    "shrinkA": 4,
                    "shrinkB": 2,
                },
                zorder=5,
            )


def _row_label(item: Scheduled) -> str:
    label = " ".join(f"{item.key} — {item.title}".split())
    label = label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"
    return plain(label)


def plain(text: str) -> str:
    """Text drawn as written: a `$` would otherwise start matplotlib's math mode."""
    return text.replace("$", r"\$")


def _title(source: ExportSource, *, page: int, pages: int) -> str:
    roadmap = source.roadmap
    name = roadmap.name or source.portfolio.name or "Roadmap"
    goal = roadmap.goal
    value = "" if roadmap.objective is None else f", {goal.noun} {goal.shown(roadmap.objective)}"
    counts = f"{len(roadmap.scheduled)} scheduled, {len(roadmap.unscheduled)} left out"
    paging = f" — page {page + 1} of {pages}" if pages > 1 else ""
    return plain(" ".join(f"{name} ({roadmap.status}{value}; {counts}){paging}".split()))


def _legend(rows: Sequence[Scheduled]) -> list:
    cadences = sorted({s.cadence for s in rows} | set(CADENCE_COLOURS))
    handles: list = [
        Patch(color=CADENCE_COLOURS.get(c, OTHER_COLOUR), label=c.capitalize()) for c in cadences
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            color=GO_LIVE_COLOUR,
            markeredgecolor="black",
            label="Go-live",
        ),
        Line2D([], [], color=TOLLGATE_COLOUR, linestyle="--", label="Tollgate"),
        Patch(facecolor=FREEZE_COLOUR, alpha=0.35, hatch="//", label="Freeze (no go-live)"),
        Line2D([], [], color="#444444", marker=">", label="Depends on"),
    ]
    return handles
