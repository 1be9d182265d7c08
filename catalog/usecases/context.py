"""Who asks, in which workspace, with which database and solver options: what every use
case receives besides its command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from catalog.domain import Actor
from catalog.uow import UnitOfWork
from catalog.usecases.progress import ProgressSink
from planner.config import SolverConfig

UowFactory = Callable[[], UnitOfWork]

#: The solver's options when a surface gives none (`townhall plan` and `/roadmap plan`
#: share them, so both plan the same roadmap).
DEFAULT_SOLVER = SolverConfig()


@dataclass(frozen=True)
class Context:
    """`actor` acts in workspace `team_id`; `uow_factory` opens one transaction each time.

    `progress` receives the solver's improvements during a slow use case, in the shown
    units of the objective planned (`catalog.usecases.progress`);
    `resume_roadmap_id` is a roadmap that an earlier attempt of the same job saved before
    its worker stopped: plan and what-if deliver it instead of solving and saving again.
    """

    actor: Actor
    team_id: str
    uow_factory: UowFactory
    solver: SolverConfig = field(default_factory=lambda: DEFAULT_SOLVER)
    today: dt.date | None = None
    progress: ProgressSink | None = None
    resume_roadmap_id: int | None = None

    def uow(self) -> UnitOfWork:
        return self.uow_factory()

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()
