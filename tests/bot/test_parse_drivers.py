"""Parsing the business-driver commands and `plan objective=… blend=…`, with the errors
a person gets for what cannot be read."""

from __future__ import annotations

import pytest

from bot.commands import parse_command
from bot.commands.dispatch import decode
from bot.errors import UsageError
from catalog.usecases import commands as c


def error(text: str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        parse_command(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "objective", "blend"),
    [
        ("plan objective=strategic", "strategic", None),
        ("plan objective=Value", "value", None),
        ("plan goal=strategy", "strategic", None),
        ("plan objective=money budget=300k", "value", None),
        ("plan objective=blend", "blend", None),
        ("plan objective=blend blend=0.5", "blend", 0.5),
        ("plan blend=2", "blend", 2.0),
        ("plan blend = .25", "blend", 0.25),
        ("plan blend=100", "blend", 100.0),
    ],
)
def test_plan_objective_and_blend(text: str, objective: str, blend: float | None) -> None:
    command = parse_command(text)
    assert isinstance(command, c.Plan)
    assert (command.objective, command.blend) == (objective, blend)
    assert decode(c.to_payload(command)) == command  # it travels to the worker as itself


def test_plan_without_them_keeps_the_settings() -> None:
    assert parse_command("plan budget=300k") == c.Plan(budget=300_000)


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        (
            "plan objective=strategc",
            "objective=strategc: expected value, strategic or blend (money value, strategic "
            "score, or a blend of both).",
            "objective=strategic",
        ),
        (
            "plan objective=happiness",
            "objective=happiness: expected value, strategic or blend (money value, strategic "
            "score, or a blend of both).",
            None,
        ),
        (
            "plan blend=0",
            "blend=0: expected the strategic score's weight in the blend, a number more than 0 "
            "and at most 100, e.g. blend=0.5.",
            None,
        ),
        (
            "plan blend=101",
            "blend=101: expected the strategic score's weight in the blend, a number more than "
            "0 and at most 100, e.g. blend=0.5.",
            None,
        ),
        (
            "plan blend=1e3",
            "blend=1e3: expected the strategic score's weight in the blend, a number more than "
            "0 and at most 100, e.g. blend=0.5.",
            None,
        ),
        (
            "plan objective=strategic blend=0.5",
            "blend= weighs the strategic score in objective=blend, not in objective=strategic: "
            "drop blend=, or write objective=blend.",
            None,
        ),
        ("plan objective=", "`objective=` needs a value.", None),
        ("plan objective=value objective=blend", "`objective=` is given twice.", None),
    ],
)
def test_plan_objective_errors(text: str, message: str, suggestion: str | None) -> None:
    err = error(text)
    assert err.message == message
    assert err.suggestion == suggestion
    assert err.usage is not None and "[objective=value|strategic|blend] [blend=W]" in err.usage


def test_weigh_every_pair_or_one() -> None:
    assert parse_command("weigh") == c.Weigh()
    assert parse_command("weigh Engage secure") == c.Weigh(pair=("engage", "secure"))
    command = parse_command("weigh cost engage")
    assert decode(c.to_payload(command)) == command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "weigh engage",
            "`weigh` alone asks every pair of drivers; `weigh A B` revises one pair: give two "
            "driver keys, e.g. weigh engage secure.",
        ),
        (
            "weigh a b c",
            "`weigh` alone asks every pair of drivers; `weigh A B` revises one pair: give two "
            "driver keys, e.g. weigh engage secure.",
        ),
        (
            "weigh engage 3x",
            "'3x' is not a driver key: lower-case letters, digits, - and _, e.g. engage. "
            "`drivers` lists them.",
        ),
        (
            'weigh "engage" secure',
            "'engage' is not a driver key: lower-case letters, digits, - and _, e.g. engage. "
            "`drivers` lists them.",
        ),
        ("weigh cost cost", "`weigh` compares two different drivers; cost is given twice."),
    ],
)
def test_weigh_errors(text: str, message: str) -> None:
    err = error(text)
    assert err.message == message
    assert err.usage == "/roadmap weigh [DRIVER DRIVER]"


def test_drivers_and_its_form() -> None:
    assert parse_command("drivers") == c.Drivers()
    assert parse_command("drivers edit") == c.EditDrivers()
    assert parse_command("drivers MANAGE") == c.EditDrivers()
    assert parse_command("edit-drivers") == c.EditDrivers()
    assert parse_command("manage-drivers") == c.EditDrivers()
    assert parse_command("priorities") == c.Priorities()
    err = error("drivers edt")
    assert err.suggestion == "drivers edit"
    assert error("drivers edit now").message == "Too many arguments for `drivers`: `now`."
    assert error("priorities all").message == "`priorities` takes no arguments; got `all`."
