"""Socket Mode: the process wraps the same Bolt app; configuration errors are clear; the
pieces a production process leans on (backoff, labels, the job pool, hand-back) hold.
The connection itself is tested over a real WebSocket in test_socket_mode_live.py."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.jobs.runtime import worker_name
from bot.server import StartupError
from bot.socket_client import BACKOFF_CAP, SocketClient, backoff
from bot.socket_mode import JobPool, SocketModeProcess, SocketOptions, envelope_labels
from catalog import services
from catalog.services.job_handback import hand_back
from catalog.settings import Settings
from tests.bot.conftest import OPERATOR
from tests.bot.fakeslack import FakeSlack
from tests.bot.signed import SlackRequests

BUILDER = "tests.bot.minimal_bolt:build_app"
TOWNHALL = Path(sys.executable).with_name("townhall")


def test_the_process_uses_the_app_token_and_the_apps_web_client(tmp_path):
    with FakeSlack() as fake:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'socket.sqlite3'}",
            slack_bot_token=fake.workspace.bot_token,
            slack_app_token="xapp-1-test",
            slack_api_url=fake.url,
        )
        process = SocketModeProcess(
            settings=settings, builder_spec=BUILDER, options=SocketOptions(ping_interval=2.0)
        )
        try:
            assert isinstance(process.client, SocketClient)
            assert process.client.app_token == "xapp-1-test"
            assert process.client.web_client is process.app.client
            assert process.app.client.base_url == fake.url  # SLACK_API_URL holds
            assert process.client.ping_interval == 2.0
            assert process.probes is None  # no --port, no HTTP server
        finally:
            process.close()


def test_a_stopped_process_sweeps_no_more(tmp_path):
    """Its sweep would otherwise take back the jobs it hands over at the stop, and submit
    them to its own closed pool: they would wait a lease for another process."""
    before = set(threading.enumerate())
    with FakeSlack() as fake:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'socket.sqlite3'}",
            slack_bot_token=fake.workspace.bot_token,
            slack_app_token="xapp-1-test",
            slack_api_url=fake.url,
        )
        process = SocketModeProcess(settings=settings)  # Townhall's own app: it sweeps
        [sweeper] = [t for t in set(threading.enumerate()) - before if t.name == "townhall-sweeper"]
        process.close()
        sweeper.join(timeout=5)
        assert not sweeper.is_alive()


def test_no_signing_secret_is_needed_but_an_app_token_is():
    with pytest.raises(StartupError) as caught:
        SocketModeProcess(settings=Settings(slack_bot_token="xoxb-1"), builder_spec=BUILDER)
    assert "SLACK_APP_TOKEN" in str(caught.value)
    assert "SLACK_SIGNING_SECRET" not in str(caught.value)


def test_a_token_or_oauth_pair_is_needed_too():
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN"):
        SocketModeProcess(settings=Settings(slack_app_token="xapp-1"), builder_spec=BUILDER)


def test_backoff_doubles_from_half_a_second_up_to_its_cap_with_jitter():
    for failures, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (6, BACKOFF_CAP), (40, 10)]:
        waits = [backoff(failures) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits), (failures, min(waits), max(waits))
        assert max(waits) - min(waits) > ceiling / 10  # jittered: processes do not march


def test_envelopes_get_the_same_labels_as_http_requests():
    slack = SlackRequests.for_workspace(FakeSlack().workspace, signing_secret="s")
    command = slack.command("plan time=5s")
    request = SocketModeRequest(type="slash_commands", envelope_id="e1", payload=command.form)
    assert envelope_labels(request) == ("command", "plan", "T0ACME")
    action = slack.block_actions(action_id="x", value="y", message={"ts": "1.2"})
    request = SocketModeRequest(type="interactive", envelope_id="e2", payload=action.payload)
    assert envelope_labels(request) == ("action", "none", "T0ACME")
    home = slack.app_home_opened()
    request = SocketModeRequest(type="events_api", envelope_id="e3", payload=home.payload)
    assert envelope_labels(request) == ("event", "none", "T0ACME")
    odd = SocketModeRequest(type="something_new", envelope_id="e4", payload={"x": 1})
    assert envelope_labels(odd).kind == "other"


def test_the_job_pool_cancels_waiting_jobs_and_tells_the_running_ones():
    pool = JobPool(max_workers=1)
    started, release = threading.Event(), threading.Event()

    def work(team_id: str, job_id: str) -> None:
        started.set()
        release.wait(10)

    pool.submit(work, "T0ACME", "job-running")
    assert started.wait(5)
    pool.submit(work, "T0ACME", "job-waiting")
    waiting, running = pool.stop_taking()
    assert waiting == {"job-waiting"}
    assert set(running.values()) == {"job-running"}
    with pytest.raises(RuntimeError):  # InProcessQueue reads this as "stays queued"
        pool.submit(work, "T0ACME", "job-late")
    release.set()
    pool.shutdown(wait=True)


def test_hand_back_requeues_the_running_job_without_using_up_an_attempt(uow):
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="T0ACME")
    with uow() as u:
        job = services.create_job(
            u,
            actor=OPERATOR,
            team_id="T0ACME",
            kind="plan",
            title="Plan",
            request={"command": "plan"},
            delivery={},
        )
    me = worker_name()
    with uow() as u:
        claim = services.claim(u, team_id="T0ACME", job_id=job.id, worker=me, lease_seconds=30)
    assert claim is not None and claim.job.status == "running"
    with uow() as u:
        assert hand_back(u, worker="someone-else:1", job_ids=[job.id]) == 0  # not theirs
    with uow() as u:
        assert hand_back(u, worker=me, job_ids=[job.id]) == 1
    with uow() as u:
        back = services.get_job(u, actor=OPERATOR, team_id="T0ACME", job_id=job.id)
        found = services.reclaim(u, resubmit_after_seconds=30)
    assert (back.status, back.worker, back.lease_until, back.enqueued_at) == (
        "queued",
        None,
        None,
        None,
    )
    assert (back.attempts, back.max_attempts) == (1, claim.job.max_attempts + 1)
    assert ("T0ACME", job.id) in found.resubmit  # the next sweep submits it at once
    with uow() as u:  # the stopped attempt can no longer write: its number is taken
        services.claim(u, team_id="T0ACME", job_id=job.id, worker="other:2", lease_seconds=30)
    with uow() as u:
        assert not services.renew(u, job_id=job.id, attempt=1, lease_seconds=30)


def test_a_ping_timeout_not_longer_than_the_interval_is_refused():
    done = subprocess.run(
        [str(TOWNHALL), "socket", "--ping-interval", "5", "--ping-timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "error: --ping-timeout (5) must exceed --ping-interval (5)"
