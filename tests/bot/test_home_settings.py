"""The Home tab's "Planning settings" button end to end: a signed block_actions request
from the published Home view opens the settings modal for those who may change the
settings, and tells anyone else privately, in a DM, which roles may."""

from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import ids
from catalog import services
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, Call, iter_blocks_text

TEAM = "T0ACME"


def _texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _home_of(served: Served, user_id: str) -> dict[str, Any]:
    """The Home tab the app publishes for `user_id` when they open it."""
    published = len(served.fake.calls("views.publish"))
    served.slack.as_user(user_id).app_home_opened().send(served.events_url)
    served.fake.wait_for("views.publish", count=published + 1)
    home = served.fake.home_view(user_id)
    assert home is not None
    return home


def _settings_button(home: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The block id and element of the Home tab's "Planning settings" button."""
    for block in home["blocks"]:
        for element in block.get("elements", ()):
            if element.get("action_id") == ids.OPEN_SETTINGS:
                return block["block_id"], element
    raise AssertionError("the Home tab has no Planning settings button")


def _click_settings(served: Served, user_id: str) -> None:
    home = _home_of(served, user_id)
    block_id, button = _settings_button(home)
    assert button["text"]["text"] == "Planning settings"
    click = served.slack.as_user(user_id).block_actions(
        action_id=ids.OPEN_SETTINGS, block_id=block_id, action=button, view=home
    )
    assert click.payload["trigger_id"] and click.payload["container"]["type"] == "view"
    reply = click.send(served.events_url)
    assert (reply.status, reply.body) == (200, b"")


def _grant(served: Served, user_id: str, role: str) -> None:
    with served.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id=TEAM, user_id=user_id, role=role)


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        ("pmo", ("name", "budget.per_phase", "capacity")),
        ("admin", ("name", "budget.per_phase", "policy.forbid")),
        ("security", ("policy.review", "policy.forbid")),
    ],
)
def test_the_button_opens_the_settings_modal_for_who_may_change_them(
    demo: Served, role: str, sections: tuple[str, ...]
) -> None:
    _grant(demo, "U0PAT", role)
    _click_settings(demo, "U0PAT")
    [opened] = demo.fake.wait_for("views.open")
    assert opened.body["trigger_id"]
    modal = demo.fake.view(opened.response["view"]["id"])
    assert modal["callback_id"] == ids.SETTINGS_MODAL
    inputs = {b["block_id"] for b in modal["blocks"] if b["type"] == "input"}
    assert {ids.SETTINGS_BLOCKS[name] for name in sections} <= inputs
    assert demo.fake.calls("chat.postMessage") == []  # nothing else is said
    assert demo.fake.calls(RESPONSE_URL) == []


def test_a_pmo_sees_the_current_settings_in_the_modal(demo: Served) -> None:
    _grant(demo, "U0PAT", "pmo")
    _click_settings(demo, "U0PAT")
    [opened] = demo.fake.wait_for("views.open")
    modal = demo.fake.view(opened.response["view"]["id"])
    with demo.uow() as uow:
        current = services.get_settings(uow, team_id=TEAM)
    [name] = [b for b in modal["blocks"] if b.get("block_id") == ids.SETTINGS_BLOCKS["name"]]
    assert name["element"]["initial_value"] == current.name


def test_a_member_gets_no_modal_but_a_dm_naming_the_roles_that_may(demo: Served) -> None:
    _click_settings(demo, "U0CAROL")
    [dm] = demo.fake.wait_for("chat.postMessage")
    [opening] = demo.fake.calls("conversations.open")
    assert opening.body["users"] == "U0CAROL"
    assert _index(demo, opening) < _index(demo, dm)
    assert dm.body["channel"] == demo.fake.dm_channel("U0CAROL")
    said = dm.body["text"] + "\n" + _texts(dm.body.get("blocks") or [])
    assert "planning settings" in said
    assert "pmo, admin or security" in said, said
    assert demo.fake.calls("views.open") == []
    assert demo.fake.open_views() == []
    assert demo.fake.calls(RESPONSE_URL) == []  # a Home tab click has no response URL


def test_an_approver_alone_may_not_open_the_settings_either(demo: Served) -> None:
    # bob is the demo's approver: deciding proposals is not changing the settings
    _click_settings(demo, "U0BOB")
    [dm] = demo.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == demo.fake.dm_channel("U0BOB")
    assert "pmo" in dm.body["text"] and "security" in dm.body["text"]
    assert demo.fake.calls("views.open") == []


def _index(served: Served, call: Call) -> int:
    """Where `call` stands among every call the fake received."""
    return next(i for i, c in enumerate(served.fake.calls()) if c is call)
