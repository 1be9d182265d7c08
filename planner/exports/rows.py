"""One record per initiative, shared by the tabular exports (CSV and Excel).

A row joins what the roadmap decided (scheduled with its phases and dates, or
unscheduled with a reason) with the initiative's catalog fields from the portfolio.
Rows come in roadmap order: scheduled (by start phase, go-live phase, key), then
unscheduled, then initiatives of the portfolio the plan did not consider (their
status is not plannable, e.g. proposed or done).

Figures are those of the objective the roadmap planned (`Roadmap.goal`): a realized
value in money, or a strategic or blended score; `strategic_score` is an initiative's
Σ weight × score with the weights the roadmap planned with (None without drivers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.drivers import strategic_score
from planner.exports.source import ExportSource
from planner.goal import Goal
from planner.portfolio import InitiativeSpec
from planner.roadmap import Scheduled

SCHEDULED = "scheduled"
UNSCHEDULED = "unscheduled"
NOT_PLANNED = "not planned"
PLANS = (SCHEDULED, UNSCHEDULED, NOT_PLANNED)


@dataclass(frozen=True)
class InitiativeRow:
    key: str
    title: str
    plan: str  # one of PLANS
    reason: str  # why it is not scheduled; "" when scheduled
    spec: InitiativeSpec | None  # None when the portfolio no longer holds the key
    scheduled: Scheduled | None
    start_label: str = ""
    go_live_label: str = ""
    goal: Goal = field(default_factory=Goal)

    @property
    def start_phase(self) -> int | None:
        return None if self.scheduled is None else self.scheduled.start_phase

    @property
    def go_live_phase(self) -> int | None:
        return None if self.scheduled is None else self.scheduled.end_phase

    @property
    def start_date(self) -> dt.date | None:
        return None if self.scheduled is None else self.scheduled.start

    @property
    def go_live_date(self) -> dt.date | None:
        """The last day of the go-live phase, the last build phase (docs/PLANNING_MODEL.md,
        Start, duration and go-live)."""
        return None if self.scheduled is None else self.scheduled.end

    @property
    def realized_value(self) -> int | float | None:
        """What it contributes to the objective planned, as shown (`Goal.display`)."""
        return None if self.scheduled is None else self.goal.display(self.scheduled.value)

    @property
    def strategic_score(self) -> float | None:
        """Σ weight × score with the roadmap's weights; None without drivers."""
        if not self.goal.weights or self.spec is None:
            return None
        return round(strategic_score(self.spec.scores, self.goal.weights), 4)


def initiative_rows(source: ExportSource) -> list[InitiativeRow]:
    """Every initiative of the roadmap and of its portfolio, in roadmap order."""
    labels = {p.index: p.label for p in source.roadmap.phases}
    goal = source.roadmap.goal
    rows: list[InitiativeRow] = []
    for s in source.roadmap.scheduled:
        rows.append(
            InitiativeRow(
                key=s.key,
                title=s.title,
                plan=SCHEDULED,
                reason="",
                spec=source.spec(s.key),
                scheduled=s,
                start_label=labels.get(s.start_phase, ""),
                go_live_label=labels.get(s.end_phase, ""),
                goal=goal,
            )
        )
    for u in source.roadmap.unscheduled:
        rows.append(
            InitiativeRow(
                key=u.key,
                title=u.title,
                plan=UNSCHEDULED,
                reason=u.reason,
                spec=source.spec(u.key),
                scheduled=None,
                goal=goal,
            )
        )
    seen = {r.key for r in rows}
    for spec in source.portfolio.initiatives:
        if spec.key not in seen:
            rows.append(
                InitiativeRow(
                    key=spec.key,
                    title=spec.title,
                    plan=NOT_PLANNED,
                    reason=f"not in the plan: its status is {spec.status.replace('_', ' ')}",
                    spec=spec,
                    scheduled=None,
                    goal=goal,
                )
            )
    return rows


def uses_text(uses: dict[str, int] | None) -> str:
    """`integration=3;data_engineering=1` (resources in name order); "" for none."""
    if not uses:
        return ""
    return ";".join(f"{name}={amount}" for name, amount in sorted(uses.items()))


def keys_text(keys: tuple[str, ...] | None) -> str:
    """Keys joined by `;` (keys never hold one); "" for none."""
    return ";".join(keys or ())
