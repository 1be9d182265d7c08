"""`export` and `plan` in the console: the file that Slack would receive is named."""

from __future__ import annotations

from collections.abc import Callable

from bot.console import run_command
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork

OPERATOR = Actor.operator()


def _run(text: str, uow: Callable[[], UnitOfWork]) -> str:
    lines: list[str] = []
    run_command(text, actor=OPERATOR, team_id="local", uow_factory=uow, write=lines.append)
    return "\n".join(lines)


def test_export_before_and_after_a_plan(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    assert "no roadmap to export yet" in _run("export png", uow)
    planned = _run("plan time=5s", uow)
    assert "gantt.png" in planned and "shared in the channel" in planned
    exported = _run("export ics", uow)
    assert "iCalendar of the latest roadmap" in exported
    assert ".ics (" in exported and "townhall export" in exported
