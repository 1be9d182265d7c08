"""Delivering a job's result: resumed where it stopped, and by response URL when Slack no
longer takes it there.

A delivery records each part that reached Slack (the message, each DM, each file): one cut
short (its worker killed) is finished by the sweep without posting those parts again.

Slack accepts answers on a response URL for 30 minutes and 5 times; after that it answers
404. A job answered privately (an explanation, or a channel the bot is not in) has only
that URL: a 4xx from it is final, so the result goes to the requester as a DM and the job
is recorded as delivered. A 5xx or a dropped connection is passing: the job stays
undelivered and the sweep delivers it again.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from slack_sdk.webhook import WebhookClient
from sqlalchemy import update

import bot.jobs.runner as runner
from bot.jobs.queue import InProcessQueue
from bot.jobs.runner import run
from bot.jobs.sweeper import sweep
from catalog import services
from catalog.models import JobRecord
from tests.bot.fakeslack import RESPONSE_URL, RESPONSE_URL_USES, FakeSlack
from tests.bot.test_jobs import TEAM, Stack, Unreachable, stack, texts, wait_until


def queued_explanation(s: Stack, fake: FakeSlack):
    """`explain SSO` (answered privately, by response URL), recorded and not yet run."""
    s.slack.command("explain SSO").send(s.events_url)
    fake.wait_for(RESPONSE_URL, count=2)  # the placeholder, then "the queue is unavailable"
    [view] = s.jobs()
    assert view.delivery["ts"] is None and view.delivery["response_url"]
    return view


def dms_to_alice(fake: FakeSlack) -> list:
    channel = fake.dm_channel("U0ALICE")
    return fake.calls("chat.postMessage", where=lambda c: c.body.get("channel") == channel)


def lease_runs_out(s: Stack, job_id: str) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with s.uow() as uow:
        uow.session.execute(
            update(JobRecord).where(JobRecord.id == job_id).values(lease_until=past)
        )
        uow.commit()


def use_up(url: str) -> None:
    """Answer on the URL until Slack's five uses are gone."""
    while WebhookClient(url).send(text="filler").status_code == 200:
        pass


@pytest.mark.parametrize("how", ["expired", "used up"])
def test_a_result_whose_response_url_is_refused_goes_to_the_requester_as_a_dm(
    fake, session_factory, how
):
    with stack(fake, session_factory, queue=Unreachable()) as s:
        view = queued_explanation(s, fake)
        url = view.delivery["response_url"]
        if how == "expired":
            fake.expire_response_url(url)
        else:
            use_up(url)
        assert run(s.runtime, TEAM, view.id) == "done"
        [job] = s.jobs()
        assert job.status == "done" and job.delivered_at is not None
        fake.wait_for("conversations.open")
        [dm] = dms_to_alice(fake)
        assert "SSO" in texts(dm.body.get("blocks")) + dm.body.get("text", "")
        assert "expired" in texts(dm.body.get("blocks"))  # says why it came here
        refused = len(fake.responses(url))
        # nothing is left to deliver: no sweep posts to the dead URL again
        with ThreadPoolExecutor(max_workers=1) as pool:
            lease_runs_out(s, view.id)
            report = sweep(s.runtime, InProcessQueue(pool, partial(run, s.runtime)))
        assert report.resubmitted == 0
        assert run(s.runtime, TEAM, view.id) == "skipped"
        assert len(fake.responses(url)) == refused
        assert len(dms_to_alice(fake)) == 1


@pytest.mark.parametrize("fault", ["5xx", "dropped"])
def test_a_passing_failure_of_the_response_url_is_delivered_again_by_the_sweep(
    fake, session_factory, fault
):
    with stack(fake, session_factory, queue=Unreachable()) as s:
        view = queued_explanation(s, fake)
        url = view.delivery["response_url"]
        if fault == "5xx":
            fake.fail_next(RESPONSE_URL, status=503)
        else:
            fake.drop_next(RESPONSE_URL, times=3)  # slack-sdk retries a connection once
        run(s.runtime, TEAM, view.id)
        [job] = s.jobs()
        assert job.status == "done" and job.delivered_at is None  # still to deliver
        assert dms_to_alice(fake) == []
        lease_runs_out(s, view.id)
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert sweep(s.runtime, InProcessQueue(pool, partial(run, s.runtime))).resubmitted
        [job] = s.jobs()
        assert job.delivered_at is not None
        answered = [c for c in fake.responses(url) if c.status == 200]
        assert "SSO" in texts(answered[-1].body.get("blocks"))
        assert dms_to_alice(fake) == []


def test_a_response_url_older_than_slack_keeps_it_is_not_tried(fake, session_factory):
    """A result still undelivered half an hour after the request (Slack unreachable
    meanwhile) goes straight to a DM: the URL has expired by then."""
    with stack(fake, session_factory, queue=Unreachable()) as s:
        view = queued_explanation(s, fake)
        url = view.delivery["response_url"]
        fake.fail_next(RESPONSE_URL, status=503)
        run(s.runtime, TEAM, view.id)
        before = len(fake.responses(url))
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
        with s.uow() as uow:
            uow.session.execute(
                update(JobRecord).where(JobRecord.id == view.id).values(created_at=long_ago)
            )
            uow.commit()
        lease_runs_out(s, view.id)
        assert run(s.runtime, TEAM, view.id) == "delivered"
        assert len(fake.responses(url)) == before
        assert len(dms_to_alice(fake)) == 1
        assert s.jobs()[0].delivered_at is not None


def test_the_fake_refuses_a_response_url_after_five_uses_or_once_expired(fake):
    url = fake.response_url(channel="C1", user_id="U0ALICE")
    for _ in range(RESPONSE_URL_USES):
        assert WebhookClient(url).send(text="hi").status_code == 200
    assert WebhookClient(url).send(text="hi").body == "used_url"
    other = fake.response_url(channel="C1", user_id="U0ALICE")
    fake.expire_response_url(other)
    answer = WebhookClient(other).send(text="hi")
    assert (answer.status_code, answer.body) == (404, "expired_url")


class Killed(BaseException):
    """The worker is killed: nothing after this point of the delivery happens."""


def test_a_delivery_cut_short_after_the_message_is_finished_without_posting_it_again(
    fake, session_factory, monkeypatch
):
    with stack(fake, session_factory, queue=Unreachable()) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        ts = placeholder.response["ts"]
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()

        def killed(*args, **kwargs):
            raise Killed

        monkeypatch.setattr(runner, "upload_files", killed)
        with pytest.raises(Killed):
            run(s.runtime, TEAM, view.id)
        [job] = s.jobs()
        assert job.status == "done" and job.delivered_at is None
        assert job.delivery["sent"] == {"message": placeholder.body["channel"]}
        assert len(s.results(ts)) == 1
        assert fake.calls("files.completeUploadExternal") == []

        monkeypatch.undo()
        lease_runs_out(s, view.id)
        assert run(s.runtime, TEAM, view.id) == "delivered"
        [job] = s.jobs()
        assert job.delivered_at is not None
        assert set(job.delivery["sent"]) == {"message", "file 0"}
        assert len(s.results(ts)) == 1, "the roadmap message is not posted again"
        assert len(fake.calls("files.completeUploadExternal")) == 1, "the Gantt, once"


def test_a_delivery_slower_than_its_lease_keeps_it_so_no_other_worker_delivers_too(
    fake, session_factory, monkeypatch
):
    """Slack is slow (or asks to wait out a rate limit) while the Gantt is shared: the
    delivery renews its lease, and a sweep meanwhile finds nothing to hand out."""
    lease = 0.6
    with stack(fake, session_factory, queue=Unreachable(), job_lease_seconds=lease) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()
        found = []
        upload = runner.upload_files

        def slow_upload(*args, **kwargs):
            time.sleep(3 * lease)
            with s.uow() as uow:
                found.append(services.reclaim(uow, resubmit_after_seconds=lease).resubmit)
            upload(*args, **kwargs)

        monkeypatch.setattr(runner, "upload_files", slow_upload)
        assert run(s.runtime, TEAM, view.id) == "done"
        assert found == [()], "the sweep would hand out a delivery still under way"
        [job] = s.jobs()
        assert job.delivered_at is not None
        assert len(s.results(placeholder.response["ts"])) == 1
        assert len(fake.calls("files.completeUploadExternal")) == 1
