"""Errors raised by the planner.

    PlannerError
     ├── PortfolioError   a portfolio file or mapping is invalid (lists every problem found)
     ├── ScenarioError    a what-if transform or solver option cannot be applied
     └── PeriodError      a period (`2027Q3`, `next quarter`) cannot be read, or is not in the plan

Infeasible plans are not errors: `solve` always returns a Roadmap whose status says so.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class PortfolioError(PlannerError):
    """Raised when a portfolio does not follow the version 1 format.

    `problems` holds one message per defect, each naming the initiative (or section),
    the field and what was expected, so a user can fix all of them in one go.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = f"{len(self.problems)} problems in the portfolio:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)


class ScenarioError(PlannerError):
    """Raised when a what-if scenario or a solver option is malformed or names nothing known."""


class PeriodError(PlannerError):
    """Raised when a period cannot be read, or names no phase of the plan; the message
    says what was expected (`planner.periods`)."""
