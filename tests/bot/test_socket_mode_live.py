"""Socket Mode end to end over a real WebSocket (tests/bot/fake_socket_mode.py).

In this process (`SocketModeProcess` around the real app): commands, modals, buttons,
the Home tab, duplicates, Slack's refresh, a close frame, a reset connection, a silently
dead one, an outage, the request log line and metrics, and the probes.

As real `townhall socket` processes: a refused token (one line, exit 1), a start while
Slack is unreachable, two processes with one killed while envelopes flow (none lost),
and SIGTERM (a clean close; the running plan handed back and run by the other process).

Timings use short ping intervals (`--ping-interval`) so the file stays quick; every wait
polls for its condition with a generous bound (a loaded two-core machine).
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.logs import make_handler
from bot.socket_mode import SocketModeProcess, SocketOptions
from catalog import services
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from tests.bot.blocks_support import submitted, typed
from tests.bot.conftest import OPERATOR
from tests.bot.fake_socket_mode import Envelope, SocketModeSlack
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text
from tests.bot.signed import SlackRequests, get
from tests.cluster import CLEARED_ENV, free_port, wait_until

TOWNHALL = Path(sys.executable).with_name("townhall")
#: Fast keepalive for the tests: a silently dead connection is noticed within ~2 s.
PING, PONG_TIMEOUT = 0.5, 1.5
QUIET = 0.5


def _texts(blocks: Any) -> str:
    return "\n".join(iter_blocks_text(blocks or []))


# --------------------------------------------------------------------------- in-process


@dataclass
class Live:
    fake: SocketModeSlack
    process: SocketModeProcess
    slack: SlackRequests  # alice in #general of T0ACME
    uow: Any
    log: io.StringIO

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(x) for x in self.log.getvalue().splitlines() if x.startswith("{")]

    def url(self, path: str) -> str:
        assert self.process.probes is not None
        return f"http://127.0.0.1:{self.process.probes.port}{path}"


@pytest.fixture
def live(database_url: str, session_factory: sessionmaker[Session]) -> Iterator[Live]:
    """The real app (`bot.app:build_app`) in a SocketModeProcess connected to the fake,
    the demo portfolio in T0ACME, bob (U0BOB) its approver, probes on a free port."""
    with UnitOfWork(session_factory) as uow:
        services.load_demo(uow, actor=OPERATOR, team_id="T0ACME")
    with UnitOfWork(session_factory) as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id="U0BOB", role="approver")
    with SocketModeSlack() as fake:
        settings = Settings(
            database_url=database_url,
            slack_bot_token=fake.workspace.bot_token,
            slack_app_token=fake.app_token,
            slack_api_url=fake.url,
        )
        options = SocketOptions(
            port=0, ping_interval=PING, ping_timeout=PONG_TIMEOUT, backoff_cap=1.0
        )
        stream = io.StringIO()
        handler = make_handler(Settings(log_format="json"), stream=stream)
        root = logging.getLogger()
        root.addHandler(handler)
        level = root.level
        root.setLevel(logging.INFO)
        process = SocketModeProcess(settings=settings, options=options)
        try:
            assert process.probes is not None
            process.probes.start()
            assert process.connect()
            fake.wait_links(1)
            wait_until(process.client.is_ready, timeout=10, what="hello")
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret="unused", response_urls=fake.response_url
            )
            yield Live(fake, process, slack, lambda: UnitOfWork(session_factory), stream)
        finally:
            process.request_stop()
            process.stop()
            root.removeHandler(handler)
            root.setLevel(level)


def test_commands_modals_buttons_and_home_are_answered_over_socket_mode(live: Live) -> None:
    fake, carol = live.fake, live.slack.as_user("U0CAROL")
    # a command: acknowledged, then answered on its response URL
    listed = fake.deliver(carol.command("list"))
    assert fake.wait_ack(listed).seconds < 3.0
    [answer] = fake.wait_for(RESPONSE_URL)
    assert "FACEBOOK" in _texts(answer.body.get("blocks"))

    # a modal: opened by the command, its submission acknowledged and saved
    fake.deliver(carol.command("propose"))
    [opened] = fake.wait_for("views.open")
    modal = fake.view(opened.response["view"]["id"])
    bad = {ids.INITIATIVE_BLOCKS["title"]: typed("Podcast")}
    bad[ids.INITIATIVE_BLOCKS["value"]] = typed("lots")
    refused = fake.deliver(carol.view_submission(view=modal, values=submitted(modal, **bad)))
    errors = fake.wait_ack(refused).payload  # answered inline, in the acknowledgement
    assert errors and errors["response_action"] == "errors"
    assert ids.INITIATIVE_BLOCKS["value"] in errors["errors"]
    values = {ids.INITIATIVE_BLOCKS["title"]: typed("Employee podcast")}
    values[ids.INITIATIVE_BLOCKS["value"]] = typed("30k")
    submission = fake.deliver(carol.view_submission(view=modal, values=submitted(modal, **values)))
    assert fake.wait_ack(submission).payload in (None, {})  # the modal closes
    [ask] = fake.wait_for("chat.postMessage")  # bob is asked in a DM
    with live.uow() as uow:
        titles = [v.title for v in services.list_initiatives(uow, team_id="T0ACME")]
    assert "Employee podcast" in titles

    # a button: bob approves from that DM
    [approve] = [
        e
        for b in ask.body["blocks"]
        for e in b.get("elements", ())
        if e.get("action_id") == ids.APPROVE
    ]
    click = live.slack.as_user("U0BOB").in_channel(ask.response["channel"])
    clicked = fake.deliver(
        click.block_actions(
            action_id=ids.APPROVE, value=approve["value"], message={"ts": ask.response["ts"]}
        )
    )
    fake.wait_ack(clicked)
    wait_until(
        lambda: _status(live, "Employee podcast") == "approved", timeout=10, what="the approval"
    )

    # the Home tab: an Events API envelope, published with views.publish
    home = fake.deliver(carol.app_home_opened())
    fake.wait_ack(home)
    fake.wait_for("views.publish")
    assert fake.home_view("U0CAROL") is not None

    # one request log line per envelope, each with its own request id, as over HTTP
    requests = [x for x in live.lines() if x["logger"] == "townhall.requests"]
    by_path = {x["path"] for x in requests}
    assert {"/slash_commands", "/interactive", "/events_api"} <= by_path
    for line in requests:
        assert line["method"] == "WS" and line["status"] == 200 and line["acked"] is True
        assert line["request_id"] and len(line["request_id"]) == 32
        assert line["team_id"] == "T0ACME" and line["duration_ms"] >= 0
        assert line["kind"] in ("command", "action", "view", "event")
    assert len({x["request_id"] for x in requests}) == len(requests)
    assert {x["envelope_id"] for x in requests} >= {listed.envelope_id, home.envelope_id}
    [list_line] = [x for x in requests if x["envelope_id"] == listed.envelope_id]
    assert (list_line["kind"], list_line["command"]) == ("command", "list")


def _status(live: Live, title: str) -> str | None:
    with live.uow() as uow:
        for view in services.list_initiatives(uow, team_id="T0ACME"):
            if view.title == title:
                return view.status
    return None


def _approvals(live: Live, key: str) -> int:
    with live.uow() as uow:
        trail = services.audit_trail(uow, actor=OPERATOR, team_id="T0ACME", key=key)
    return [e.action for e in trail].count("initiative.approve")


def test_duplicates_take_effect_once(live: Live) -> None:
    fake, bob = live.fake, live.slack.as_user("U0BOB")
    command = bob.command("approve FACEBOOK")
    first, second = fake.deliver(command), fake.deliver(command)  # the same trigger twice
    fake.wait_ack(first), fake.wait_ack(second)
    fake.wait_for(RESPONSE_URL)
    time.sleep(QUIET)
    assert len(fake.calls(RESPONSE_URL)) == 1
    assert _approvals(live, "FACEBOOK") == 1

    home = bob.app_home_opened()
    fake.wait_ack(fake.deliver(home))
    fake.wait_ack(fake.deliver(home.retried(num=1, reason="timeout")))
    fake.wait_for("views.publish")
    assert fake.acks()  # both acknowledged


@pytest.mark.parametrize(
    "fault", ["refresh_requested", "warning", "link_disabled", "close", "abort", "blackhole"]
)
def test_the_connection_comes_back_after_every_kind_of_loss(live: Live, fault: str) -> None:
    fake = live.fake
    before = fake.links()[-1]
    started = time.monotonic()
    if fault in ("refresh_requested", "warning", "link_disabled"):
        fake.disconnect(fault)
    else:
        getattr(fake, fault)()
    [fresh] = fake.wait_links(1, newer_than=before.id, timeout=20)
    took = time.monotonic() - started
    # generous bounds for a loaded machine; slack-sdk's own client took ~56 s for a reset
    limit = {"blackhole": PING + PONG_TIMEOUT + 5.0}.get(fault, 5.0)
    assert took < limit, f"{fault}: reconnected after {took:.2f} s"
    envelope = fake.deliver(live.slack.command("help"))
    assert fake.wait_ack(envelope).connection == fresh.id
    if fault in ("refresh_requested", "warning", "link_disabled"):
        fake.wait_closed(before)  # the client drops the old connection itself


def test_an_envelope_already_on_its_way_on_a_replaced_connection_is_acknowledged(
    live: Live,
) -> None:
    fake = live.fake
    old = fake.links()[-1]
    fake.disconnect("refresh_requested")
    late = fake.deliver(live.slack.command("help"), to=old.id)  # sent as Slack retired it
    assert fake.wait_ack(late).connection == old.id
    fake.wait_links(1, newer_than=old.id)
    fake.wait_closed(old)  # the client closes it once it has lingered, with a close frame
    assert old.close_code == 1000


def test_an_app_token_refused_while_running_stops_the_process_with_status_1(
    live: Live,
) -> None:
    fake = live.fake
    fake.app_token = "xapp-1-A0TOWNHALL-1-revoked"  # revoked in the app's settings
    fake.close(1001)
    wait_until(lambda: live.process.client.fatal is not None, timeout=10, what="the refusal")
    assert live.process.client.fatal == "invalid_auth"
    assert live.process._stop.is_set() and live.process.exit_code == 1
    assert live.process.client.failures == 0  # not retried
    errors = [x for x in live.lines() if x["level"] == "ERROR"]
    assert any("Slack refused SLACK_APP_TOKEN (invalid_auth)" in x["message"] for x in errors)


def test_an_outage_is_waited_out_and_readyz_says_so(live: Live) -> None:
    fake = live.fake
    assert get(live.url("/readyz")).status == 200
    before = fake.links()[-1]
    fake.outage(2.0)
    wait_until(lambda: get(live.url("/readyz")).status == 503, timeout=10, what="readyz 503")
    unready = get(live.url("/readyz")).json()
    assert unready["checks"]["slack"].startswith("ConnectionError")
    assert unready["checks"]["database"] == "ok"
    assert get(live.url("/healthz")).status == 200  # alive all along
    [fresh] = fake.wait_links(1, newer_than=before.id, timeout=20)
    assert fresh.opened_at - before.closed_at < 2.0 + 1.0 + 3.0  # outage + backoff cap + slack
    wait_until(lambda: get(live.url("/readyz")).status == 200, timeout=10, what="readyz 200")
    envelope = fake.deliver(live.slack.command("help"))
    fake.wait_ack(envelope)


def test_metrics_count_envelopes_and_acknowledgements_as_over_http(live: Live) -> None:
    fake = live.fake
    for text in ("help", "list", "plan"):
        fake.wait_ack(fake.deliver(live.slack.command(text)))
    page = get(live.url("/metrics")).text
    assert 'townhall_requests_total{command="list",kind="command",outcome="ok"}' in page
    assert 'townhall_ack_seconds_count{kind="command"}' in page
    assert "townhall_socket_connected 1.0" in page
    assert 'townhall_socket_connects_total{outcome="ok"}' in page
    assert "townhall_jobs{" in page
    assert get(live.url("/nothing")).status == 404
    assert get(live.url("/healthz")).text == "ok"


# --------------------------------------------------------------------------- processes


def _env(fake: SocketModeSlack, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=fake.workspace.bot_token,
        SLACK_APP_TOKEN=fake.app_token,
        SLACK_API_URL=fake.url,
        TOWNHALL_JOB_LEASE="3",
        TOWNHALL_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


@dataclass
class Proc:
    popen: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ready(self) -> bool:
        try:
            return get(self.url("/readyz"), timeout=2).status == 200
        except OSError:
            return False

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        if proc.popen.poll() is None:
            proc.popen.kill()
        proc.popen.wait(timeout=10)


def _start(procs: list[Proc], tmp_path: Path, env: dict[str, str], *, grace: float = 25.0) -> Proc:
    port = free_port()
    log = tmp_path / f"socket-{len(procs)}.log"
    argv = [
        str(TOWNHALL),
        "socket",
        "--port",
        str(port),
        "--ping-interval",
        str(PING),
        "--ping-timeout",
        str(PONG_TIMEOUT),
        "--grace",
        str(grace),
    ]
    with log.open("wb") as out:
        popen = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    proc = Proc(popen, port, log)
    procs.append(proc)
    return proc


def _wait_ready(proc: Proc, timeout: float = 60) -> None:
    def ready() -> bool:
        if proc.popen.poll() is not None:
            raise AssertionError(
                f"townhall socket exited {proc.popen.returncode}:\n{proc.stderr()}"
            )
        return proc.ready()

    wait_until(ready, timeout=timeout, what="townhall socket ready")


def test_a_refused_app_token_is_one_line_and_exit_1(tmp_path: Path, database_url: str) -> None:
    with SocketModeSlack() as fake:
        env = _env(fake, database_url, SLACK_APP_TOKEN="xapp-1-A0TOWNHALL-1-wrong")
        done = subprocess.run(
            [str(TOWNHALL), "socket"], env=env, capture_output=True, text=True, timeout=60
        )
        api_url = fake.url
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: Slack refused SLACK_APP_TOKEN (invalid_auth) at {api_url} (SLACK_API_URL): "
        "use an app-level token (xapp-…) with the connections:write scope, from the app's "
        "Basic Information page"
    ]
    assert "Traceback" not in done.stderr


def test_a_start_while_slack_is_unreachable_waits_and_connects(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session], procs: list[Proc]
) -> None:
    with SocketModeSlack() as fake:
        fake.outage(120)
        proc = _start(procs, tmp_path, _env(fake, database_url))
        wait_until(lambda: _listening(proc), timeout=60, what="healthz")
        assert get(proc.url("/readyz")).status == 503  # alive, not connected yet

        def retries() -> list[dict[str, Any]]:
            lines = [json.loads(x) for x in proc.stderr().splitlines() if x.startswith("{")]
            return [x for x in lines if "cannot connect to Slack" in x["message"]]

        wait_until(lambda: len(retries()) >= 2, timeout=30, what="two attempts")
        assert proc.popen.poll() is None  # still trying
        fake.end_outage()
        _wait_ready(proc)
        assert "Traceback" not in proc.stderr()
        assert [x["level"] for x in retries()] == ["WARNING"] * len(retries())
        fake.wait_ack(fake.deliver(_requests(fake).command("help")))
        proc.popen.send_signal(signal.SIGTERM)
        assert proc.popen.wait(timeout=30) == 0


def _listening(proc: Proc) -> bool:
    try:
        get(proc.url("/healthz"), timeout=1)
        return True
    except OSError:
        return False


def _requests(fake: SocketModeSlack) -> SlackRequests:
    return SlackRequests.for_workspace(
        fake.workspace, signing_secret="unused", response_urls=fake.response_url
    )


def test_two_processes_share_the_envelopes_and_one_killed_loses_none(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session], procs: list[Proc]
) -> None:
    with UnitOfWork(session_factory) as uow:
        services.load_demo(uow, actor=OPERATOR, team_id="T0ACME")
    with SocketModeSlack() as fake:
        env = _env(fake, database_url)
        first, second = _start(procs, tmp_path, env), _start(procs, tmp_path, env)
        _wait_ready(first), _wait_ready(second)
        links = fake.wait_links(2)
        slack = _requests(fake)
        sent: list[Envelope] = []
        killed_at: list[float] = []

        failures: list[BaseException] = []

        def flow() -> None:
            try:
                for i in range(60):
                    user = slack.as_user(f"U0USER{i:02d}")
                    request = user.app_home_opened() if i % 2 else user.command("help")
                    sent.append(fake.deliver(request))
                    time.sleep(0.05)
            except BaseException as exc:  # shown by the assertion below
                failures.append(exc)

        flowing = threading.Thread(target=flow)
        flowing.start()
        time.sleep(1.0)
        first.popen.kill()  # a crash, mid-flow
        killed_at.append(time.monotonic())
        flowing.join(timeout=60)
        assert not failures and len(sent) == 60, failures
        wait_until(lambda: len(fake.open_links()) == 1, timeout=10, what="the dead link closed")
        dead = {x.id for x in links if x.closed_at is not None}
        assert len(dead) == 1
        for envelope in sent:
            if envelope.type != "events_api":
                continue
            # acknowledged: by the survivor, or Slack retried it there; the Home tab is
            # published by the process that acknowledged it (work a process was killed
            # in the middle of, after its acknowledgement, is lost as over HTTP)
            ack = fake.wait_ack(envelope, timeout=20)
            if ack.connection not in dead:
                user = envelope.payload["event"]["user"]
                wait_until(
                    lambda user=user: fake.home_view(user) is not None,
                    timeout=20,
                    what=f"{user}'s Home tab",
                )
        lost = [e for e in sent if not fake.acks(e)]
        # a command in flight to the killed process at the moment it died is the only loss
        # Slack has too (the user sees an error); everything else was answered
        assert all(e.type == "slash_commands" and e.connection in dead for e in lost), lost
        assert len(lost) <= 2, lost
        after = [e for e in sent if e.sent_at > killed_at[0] + 0.5]
        assert after and [e for e in after if not fake.acks(e)] == []
        assert second.popen.poll() is None


def test_sigterm_closes_cleanly_and_hands_the_running_plan_back(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session], procs: list[Proc]
) -> None:
    from bench.generate import generate_portfolio

    with UnitOfWork(session_factory) as uow:
        services.ensure_workspace(uow, team_id="T0ACME")
    with UnitOfWork(session_factory) as uow:
        big = generate_portfolio(200, 12, seed=1)  # its solve takes all the time it gets
        services.import_portfolio(uow, actor=OPERATOR, team_id="T0ACME", portfolio=big)
    with SocketModeSlack() as fake:
        env = _env(fake, database_url)
        stopping = _start(procs, tmp_path, env, grace=1.0)
        taker = _start(procs, tmp_path, env)
        _wait_ready(stopping), _wait_ready(taker)
        fake.wait_links(2)
        [link] = [x for x in fake.open_links() if x.peer_port in _ports(stopping)]
        slack = _requests(fake)
        fake.wait_ack(fake.deliver(slack.command("plan time=20s"), to=link.id))
        wait_until(lambda: _jobs(session_factory, "running"), timeout=30, what="the plan running")
        [job] = _jobs(session_factory, "running")
        assert job.worker and job.worker.endswith(f":{stopping.popen.pid}")
        stopping.popen.send_signal(signal.SIGTERM)
        assert stopping.popen.wait(timeout=30) == 0, stopping.stderr()
        closed = fake.wait_closed(link)
        assert closed.close_code == 1000  # a close frame, not a dropped socket
        text = stopping.stderr()
        assert "handed back 1 job(s)" in text and job.id in text
        # the other process runs it again at once (its sweep: a third of the 3 s lease)
        wait_until(
            lambda: any(
                j.id == job.id and j.attempts == 2 for j in _jobs(session_factory, "running")
            ),
            timeout=15,
            what="the plan running again in the other process",
        )
        [again] = [j for j in _jobs(session_factory, "running") if j.id == job.id]
        assert again.worker and again.worker.endswith(f":{taker.popen.pid}")
        assert again.max_attempts == job.max_attempts + 1  # the stop used no attempt


def _ports(proc: Proc) -> set[int]:
    """The local ports of the TCP connections of `proc` (its WebSocket among them)."""
    connections = psutil.Process(proc.popen.pid).net_connections(kind="tcp")
    return {c.laddr.port for c in connections if c.laddr}


def _jobs(session_factory: sessionmaker[Session], status: str) -> list[Any]:
    with UnitOfWork(session_factory) as uow:
        views = services.recent_jobs(uow, actor=OPERATOR, team_id="T0ACME")
    return [v for v in views if v.status == status]
