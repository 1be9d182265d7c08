"""What every exporter reads: the roadmap and the portfolio it was planned from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from planner.portfolio import InitiativeSpec, Portfolio
from planner.problem import Problem, build_problem
from planner.roadmap import Roadmap


@dataclass(frozen=True)
class ExportSource:
    """A roadmap with the details of its initiatives and its calendar.

    `portfolio` gives every catalog field (owner, category, hosting, …), the tollgates
    and the freeze windows; `problem` is the Problem built from it.
    """

    roadmap: Roadmap
    portfolio: Portfolio
    generated_by: str = field(default="Townhall")

    @cached_property
    def problem(self) -> Problem:
        return build_problem(self.portfolio)

    def spec(self, key: str) -> InitiativeSpec | None:
        """The initiative's catalog fields, or None when the portfolio no longer has it."""
        return self._specs.get(key)

    @cached_property
    def _specs(self) -> dict[str, InitiativeSpec]:
        return {s.key: s for s in self.portfolio.initiatives}
