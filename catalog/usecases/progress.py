"""The solver's progress as people read it: the figures of the objective being planned.

The solver reports each better plan it finds in its own units (`planner.config.
Progress`): money for a value plan, but 1/10,000ths of a score for a strategic or
blended one (`planner.goal`). The slow use cases hand the surfaces `PlanProgress`
instead, so Slack's "planning…" message, the console and the CLI spinner show a
strategic plan's best as `12.35` of strategic score, never as `123.5k` of money.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.config import Progress
from planner.goal import Goal
from planner.money import format_money


@dataclass(frozen=True)
class PlanProgress:
    """One better plan found while a solve runs, in the objective's shown units."""

    best: int | float  # what the best plan so far is worth (`Goal.display`)
    bound: int | float  # the most any plan can be worth, as far as the solver knows
    gap: float
    seconds: float
    noun: str = "value"  # what the plan maximizes: "value", "strategic score", …
    money: bool = True  # the figures are money (a value plan)

    @classmethod
    def of(cls, progress: Progress, goal: Goal) -> PlanProgress:
        return cls(
            best=goal.display(progress.objective),
            bound=goal.display(progress.bound),
            gap=progress.gap,
            seconds=progress.seconds,
            noun=goal.noun,
            money=goal.kind == "value",
        )

    @property
    def share(self) -> float:
        """The best so far as a share of the bound (1.0 when the bound is not above 0)."""
        return self.best / self.bound if self.bound > 0 else 1.0

    def figure(self, amount: int | float) -> str:
        """`1.2M` for money, `12.35` for a score."""
        return format_money(amount) if self.money else f"{amount:,.2f}"


#: Receives a slow use case's progress (`Context.progress`).
ProgressSink = Callable[[PlanProgress], None]


def shown_progress(sink: ProgressSink | None, goal: Goal) -> Callable[[Progress], None] | None:
    """The solver's progress callback that hands `sink` each report in `goal`'s shown
    units; None without a sink."""
    if sink is None:
        return None

    def report(progress: Progress) -> None:
        sink(PlanProgress.of(progress, goal))

    return report
