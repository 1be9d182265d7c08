"""The efficient frontier as a picture (PNG): the objective planned (value, strategic
score or blended score: `planner.goal.Goal`) against the total budget.

Drawn with matplotlib's Agg canvas on a private Figure: no pyplot, no global state.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from planner.exports.gantt import plain
from planner.frontier import FrontierPoint
from planner.goal import Goal
from planner.money import format_money

WIDTH_INCHES = 12.0
HEIGHT_INCHES = 6.0
DEFAULT_DPI = 100
VALUE_COLOUR = "#1f5f9e"
BOUND_COLOUR = "#9aa5b1"
CURRENT_COLOUR = "#b03a2e"


def frontier_png(
    points: Sequence[FrontierPoint],
    *,
    title: str | None = None,
    current_budget: int | None = None,
    dpi: int = DEFAULT_DPI,
    goal: Goal | None = None,
) -> bytes:
    """PNG of the objective per total budget; `current_budget` is marked when given.

    `goal` is the objective the points were planned for (`Problem.goal`; value when
    None): it names the axis and the default title ("Strategic score against total
    budget") and turns solver units into the figures shown.

    Points without a plan are left out of the line; where a proven bound exceeds the
    value found, the bound is drawn dashed.
    """
    goal = goal or Goal()
    noun = goal.noun.capitalize()
    title = title if title is not None else f"{noun} against total budget"
    fig = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.12, 0.86, 0.76))
    planned = sorted((p for p in points if p.objective is not None), key=lambda p: p.total_budget)
    money = FuncFormatter(lambda v, _pos: format_money(round(v)))
    ax.xaxis.set_major_formatter(money)
    shown = FuncFormatter(lambda v, _pos: _score(v / goal.scale))
    ax.yaxis.set_major_formatter(money if goal.kind == "value" else shown)
    ax.set_xlabel("Total budget", fontsize=11)
    ax.set_ylabel(f"Realized {goal.noun}", fontsize=11)
    ax.grid(color="#e3e3e3", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    if planned:
        xs = [p.total_budget for p in planned]
        ys = [p.objective for p in planned]
        ax.step(
            xs, ys, where="post", color=VALUE_COLOUR, linewidth=2, label=f"Best {goal.noun} found"
        )
        ax.plot(xs, ys, "o", color=VALUE_COLOUR, markersize=6)
        for p in planned:
            ax.annotate(
                f"{p.scheduled_count}",
                (p.total_budget, p.objective),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=8,
                color="#333333",
            )
        bounded = [p for p in planned if p.bound is not None and p.bound > (p.objective or 0)]
        if bounded:
            ax.plot(
                [p.total_budget for p in bounded],
                [p.bound for p in bounded],
                linestyle="--",
                marker="_",
                color=BOUND_COLOUR,
                label="Proven bound",
            )
    else:
        ax.text(0.5, 0.5, "No plan at any budget level.", ha="center", transform=ax.transAxes)
    if current_budget is not None:
        ax.axvline(
            current_budget,
            color=CURRENT_COLOUR,
            linestyle=":",
            linewidth=1.8,
            label=f"Current budget {format_money(current_budget)}",
        )
    ax.set_ylim(bottom=0)
    if planned or current_budget is not None:
        ax.legend(loc="lower right", fontsize=9, frameon=False)
    fig.suptitle(plain(title), fontsize=13, x=0.02, ha="left")
    fig.text(
        0.98,
        0.93,
        "labels: initiatives scheduled",
        ha="right",
        fontsize=8,
        color="#555555",
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _score(figure: float) -> str:
    """A strategic or blended figure on an axis: whole above 100, else two decimals."""
    return f"{figure:,.0f}" if abs(figure) >= 100 else f"{figure:.2f}"
