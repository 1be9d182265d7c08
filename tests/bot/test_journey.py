"""The whole journey in Slack, end to end: a stakeholder proposes, the approver decides
from the DM, plans, publishes the roadmap from its message and the PMO exports it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl

from bot.blocks import ids
from catalog import services
from tests.bot.blocks_support import submitted, typed
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

IB = ids.INITIATIVE_BLOCKS


def _elements(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        yield from block.get("elements", ())
        if "accessory" in block:
            yield block["accessory"]


def _texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def test_propose_approve_plan_publish_export(demo: Served) -> None:
    fake, events = demo.fake, demo.events_url
    with demo.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id="U0PAT", role="pmo")
    carol, bob, pat = (demo.slack.as_user(u) for u in ("U0CAROL", "U0BOB", "U0PAT"))

    # 1. carol proposes from the modal; bob, the approver, is asked in a DM
    carol.command("propose").send(events)
    [opened] = fake.wait_for("views.open")
    modal = fake.view(opened.response["view"]["id"])
    answers = {IB["title"]: typed("Employee podcast"), IB["value"]: typed("30k")}
    reply = carol.view_submission(view=modal, values=submitted(modal, **answers)).send(events)
    assert (reply.status, reply.body) == (200, b"")
    [ask] = fake.wait_for("chat.postMessage")
    assert ask.body["channel"] == fake.dm_channel("U0BOB")
    with demo.uow() as uow:
        [podcast] = [
            v
            for v in services.list_initiatives(uow, team_id="T0ACME")
            if v.title == "Employee podcast"
        ]
    assert podcast.status == "proposed" and podcast.proposer == "U0CAROL"

    # 2. bob approves from the DM; carol is told
    [approve] = [e for e in _elements(ask.body["blocks"]) if e.get("action_id") == ids.APPROVE]
    dm = bob.in_channel(ask.response["channel"])
    dm.block_actions(
        action_id=ids.APPROVE, value=approve["value"], message={"ts": ask.response["ts"]}
    ).send(events)
    fake.wait_for(RESPONSE_URL)
    fake.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == fake.dm_channel("U0CAROL")
    )
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key=podcast.key).status == "approved"

    # 3. bob plans in #general: a placeholder, then the roadmap in place, then its Gantt
    assert bob.command("plan").send(events).status == 200
    [final] = fake.wait_for(
        "chat.update", where=lambda c: podcast.key in _texts(c.body.get("blocks") or []), timeout=30
    )
    assert "Optimal" in _texts(final.body["blocks"])
    fake.wait_for("files.completeUploadExternal", timeout=30)
    assert fake.uploaded_files()[0].data.startswith(b"\x89PNG")

    # 4. bob publishes it with the message's Publish button
    [publish] = [
        e for e in _elements(final.body["blocks"]) if e.get("action_id") == ids.PUBLISH_ROADMAP
    ]
    bob.block_actions(
        action_id=ids.PUBLISH_ROADMAP, value=publish["value"], message={"ts": final.body["ts"]}
    ).send(events)
    fake.wait_for(RESPONSE_URL, count=2)
    with demo.uow() as uow:
        published = services.published_roadmap(uow, team_id="T0ACME")
    assert published is not None and published.published
    planned = {s.key for s in published.roadmap.scheduled} | {
        u.key for u in published.roadmap.unscheduled
    }
    assert podcast.key in planned

    # 5. pat, the PMO, exports the published roadmap to Excel in the channel
    pat.command("export xlsx").send(events)
    fake.wait_for("files.completeUploadExternal", count=2, timeout=30)
    workbook_file = fake.uploaded_files()[1]
    assert workbook_file.filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_file.data))
    keys = {row[0] for row in workbook["Initiatives"].iter_rows(min_row=2, values_only=True)}
    assert podcast.key in keys and "SSO" in keys
