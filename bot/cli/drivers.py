"""`townhall weights`: the business drivers' weights and each person's consistency, from
a portfolio file (the planner alone) or from the workspace (`catalog.services`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    DEFAULT_TEAM,
    Format,
    FormatOption,
    Team,
    out,
    run,
    unit_of_work,
    write_json,
)
from bot.text_render import weights_json, weights_view
from planner import load_portfolio
from planner.drivers import DriverWeights, group_weights


def weights(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A portfolio file with drivers and judgments; omit for the workspace's."
        ),
    ] = None,
    team: Team = DEFAULT_TEAM,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the business drivers' weights (principal eigenvector of the leaders' pairwise
    judgments, aggregated by geometric mean) and each person's consistency ratio."""

    def go() -> None:
        found = _from_file(file) if file is not None else _from_workspace(team)
        if fmt is Format.json:
            write_json(weights_json(found))
            return
        out.print(weights_view(found), highlight=False)

    run(go)


def _from_file(file: Path) -> DriverWeights:
    portfolio = load_portfolio(file)
    return group_weights(portfolio.drivers, portfolio.judgments)


def _from_workspace(team: str) -> DriverWeights:
    from catalog import services

    with unit_of_work() as uow:
        return services.drivers_overview(uow, team_id=team).weights
