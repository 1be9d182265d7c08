"""A file the bot cannot share (the Gantt picture of a plan, an export) is not only
logged: the user who asked is told which file, why, and how to get it, by the response
URL of the request, or by DM when there is none or Slack no longer takes it there."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.jobs.runner import run
from bot.posting import upload_files
from bot.reply import Upload
from tests.bot.fakeslack import RESPONSE_URL, RESPONSE_URL_USES, FakeSlack, iter_blocks_text
from tests.bot.test_jobs import TEAM, Unreachable, stack, texts, wait_until

GANTT = Upload(filename="roadmap-12-gantt.png", content=b"\x89PNG", title="Gantt chart")


def _text(call: Any) -> str:
    return "\n".join(iter_blocks_text(call.body.get("blocks") or [])) + call.body.get("text", "")


def _dms_to(fake: FakeSlack, user_id: str) -> list:
    channel = fake.dm_channel(user_id)
    return fake.calls("chat.postMessage", where=lambda c: c.body.get("channel") == channel)


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token=fake.workspace.bot_token)


def test_a_failed_upload_is_told_through_the_response_url(fake, client) -> None:
    fake.fail_next("files.completeUploadExternal", status=200, error="not_in_channel")
    said: list[dict[str, Any]] = []
    upload_files(client, (GANTT,), channel="C0GENERAL", respond=lambda **m: said.append(m))
    [message] = said
    assert message["response_type"] == "ephemeral"
    text = message["text"] + "\n".join(iter_blocks_text(message["blocks"]))
    assert "roadmap-12-gantt.png" in text and "could not be shared" in text
    assert "/invite" in text  # what to do about it
    assert "Traceback" not in text and "SlackApiError" not in text


@pytest.mark.parametrize("respond", ["refused", "none"])
def test_without_a_usable_response_url_the_user_gets_a_dm(fake, client, respond: str) -> None:
    def refused(**message: Any) -> None:
        raise RuntimeError("the response URL answered 404")

    fake.fail_next("files.completeUploadExternal", status=200, error="not_in_channel")
    upload_files(
        client,
        (GANTT,),
        channel="C0GENERAL",
        respond=refused if respond == "refused" else None,
        user_id="U0ALICE",
    )
    [dm] = _dms_to(fake, "U0ALICE")
    assert "roadmap-12-gantt.png" in _text(dm) and "could not be shared" in _text(dm)


def test_the_other_files_still_go_out(fake, client) -> None:
    fake.fail_next("files.completeUploadExternal", status=200, error="not_in_channel")
    said: list[dict[str, Any]] = []
    second = Upload(filename="frontier.png", content=b"\x89PNG", title="Frontier")
    upload_files(client, (GANTT, second), channel="C0GENERAL", respond=lambda **m: said.append(m))
    assert [f.filename for f in fake.uploaded_files()] == ["frontier.png"]
    assert len(said) == 1


def _use_up(url: str) -> None:
    for _ in range(RESPONSE_URL_USES + 1):
        if WebhookClient(url).send(text="filler").status_code != 200:
            return


def test_a_plan_whose_gantt_cannot_be_shared_tells_the_requester(fake, session_factory) -> None:
    """The job runner's path: the plan's message is in the channel, and by the time the
    job delivers, its command's response URL no longer takes answers."""
    with stack(fake, session_factory, queue=Unreachable()) as s:
        s.slack.command("plan").send(s.events_url)
        fake.wait_for("chat.postMessage")
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()
        assert view.delivery["ts"] and view.delivery["response_url"]
        _use_up(view.delivery["response_url"])
        fake.fail_next("files.completeUploadExternal", status=200, error="not_in_channel")
        assert run(s.runtime, TEAM, view.id) == "done"
        [job] = s.jobs()
        assert job.delivered_at is not None
        told = [c for c in _dms_to(fake, "U0ALICE") if "gantt" in _text(c).lower()]
        assert told, "the requester is not told that the Gantt picture was not shared"
        assert "could not be shared" in _text(told[0])
        answered = [c for c in fake.calls(RESPONSE_URL) if c.status == 200]
        assert not [c for c in answered if "gantt" in texts(c.body.get("blocks")).lower()]
