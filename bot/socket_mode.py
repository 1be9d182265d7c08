"""Socket Mode: the same Bolt app over an outbound WebSocket, for workspaces whose
firewall allows no inbound traffic (needs an app-level token, `SLACK_APP_TOKEN`).

`townhall socket` runs `SocketModeProcess`:

- The connection (`bot.socket_client.SocketClient`): a dead one is noticed within
  `ping_interval + ping_timeout` seconds (5 + 8 by default), Slack's `disconnect`
  messages open a new connection before the old one goes, and every reconnection waits
  out a capped, jittered exponential backoff while Slack cannot be reached.
- Several processes at once: Slack hands each envelope to one of the app's connections,
  so two or more `townhall socket` processes share the work and a deploy or a crash of one
  leaves the others answering. Duplicates (Slack's retries) take effect once, as over HTTP.
- Start-up: Slack unreachable → retried with backoff until it answers or the process is
  stopped; the app token refused (`invalid_auth`, …) → `StartupError`, one line, exit 1.
- Every envelope: a request id bound to every log line its handling writes, one request log
  line and the request and acknowledgement metrics, through the same function as HTTP
  mode (`bot.server.log_request`); the acknowledgement is timed from the envelope's arrival.
- With `port`, `/healthz` (alive), `/readyz` (connected to Slack, database answering) and
  `/metrics` on a small HTTP server, through the same functions as `townhall serve`.
- SIGTERM (or SIGINT): no more reconnecting; envelopes already read are acknowledged
  (≤ 3 s), the WebSocket closed with a close frame; jobs running in this process (no
  Redis) get up to `grace` seconds to finish, and whatever is still running or waiting in
  the pool then is handed back (`catalog.services.job_handback`) so another process's sweep
  runs it at once. Exit status 0 (1 when Slack refused the token while running).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.errors import SlackClientError
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import metrics
from bot.jobs.runtime import worker_name
from bot.logs import Redactor, bound, secrets_of
from bot.readiness import ReadinessProbe, token_key_check
from bot.request_labels import OTHER, Labels, labels
from bot.server import (
    DEFAULT_BUILDER,
    StartupError,
    bolt_app,
    check_settings,
    load_builder,
    log_request,
    prepare_database,
)
from bot.socket_client import PING_INTERVAL, PING_TIMEOUT, SocketClient, received_at
from bot.socket_probes import ProbeServer
from catalog.db import session_factory_for
from catalog.services.job_handback import hand_back
from catalog.settings import Settings
from catalog.uow import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("townhall.socket")

#: Seconds a stopping process gives its running jobs before handing them back: under the
#: 30 s most platforms wait between SIGTERM and SIGKILL.
DEFAULT_GRACE = 25.0
#: Seconds a stop waits for the envelopes already read to be acknowledged.
ACK_DRAIN = 3.0
#: Jobs run at once in this process when there is no Redis (as `bot.app.JOB_WORKERS`).
JOB_WORKERS = 3
#: Threads handling envelopes (each until its acknowledgement; as Bolt's listener pool).
ENVELOPE_WORKERS = 32
#: How the request log line names an envelope: method `WS`, path `/<envelope type>`.
METHOD = "WS"
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class SocketOptions:
    """How `townhall socket` runs (its command-line options)."""

    port: int | None = None  # /healthz, /readyz, /metrics; None: no HTTP server
    host: str = "127.0.0.1"
    ping_interval: float = PING_INTERVAL
    ping_timeout: float = PING_TIMEOUT
    grace: float = DEFAULT_GRACE
    backoff_cap: float = 10.0


class JobPool(ThreadPoolExecutor):
    """The in-process job pool (no Redis), knowing which job each of its tasks runs, so a
    stopping process can wait for them and hand back those that do not finish."""

    def __init__(self, max_workers: int = JOB_WORKERS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="townhall-job")
        self._jobs: dict[Future[Any], str] = {}
        self._jobs_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        if len(args) >= 2 and isinstance(args[-1], str):  # InProcessQueue: (team_id, job_id)
            with self._jobs_lock:
                self._jobs[future] = args[-1]
            future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._jobs_lock:
            self._jobs.pop(future, None)

    def stop_taking(self) -> tuple[set[str], dict[Future[Any], str]]:
        """Refuse new jobs and cancel those not started: (their ids, the running ones)."""
        with self._jobs_lock:
            waiting = {job for f, job in self._jobs.items() if not f.running() and not f.done()}
        self.shutdown(wait=False, cancel_futures=True)
        with self._jobs_lock:
            running = {f: job for f, job in self._jobs.items() if not f.done()}
        return waiting - set(running.values()), running


def envelope_labels(request: SocketModeRequest) -> Labels:
    """The request labels (kind, subcommand, team) of an envelope, by the same function as
    an HTTP request's (`bot.request_labels.labels`), from the body Slack would have POSTed."""
    payload = request.payload
    if not isinstance(payload, dict):
        return OTHER
    if request.type == "slash_commands":
        form = {k: v for k, v in payload.items() if isinstance(v, str)}
        return labels(urlencode(form).encode(), _FORM)
    if request.type == "interactive":
        return labels(urlencode({"payload": json.dumps(payload)}).encode(), _FORM)
    if request.type == "events_api":
        return labels(json.dumps(payload).encode(), "application/json")
    return OTHER


class SocketModeProcess:
    """One `townhall socket` process: Bolt app, Socket Mode connection, probes, stop."""

    def __init__(
        self,
        *,
        settings: Settings,
        builder_spec: str = DEFAULT_BUILDER,
        options: SocketOptions | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or SocketOptions()
        check_settings(settings, socket_mode=True)
        builder = load_builder(builder_spec)
        prepare_database(settings)
        self.session_factory: sessionmaker[Session] = session_factory_for(settings.database_url)
        self.jobs = JobPool()
        #: Set when the process stops: it takes no more envelopes, and its sweep ends.
        self.stopping = threading.Event()
        accepts = inspect.signature(builder).parameters
        if "executor" in accepts:
            builder = functools.partial(builder, executor=self.jobs)
        if "stopping" in accepts:
            builder = functools.partial(builder, stopping=self.stopping)
        self.app: App = bolt_app(
            settings=settings,
            builder=builder,
            session_factory=self.session_factory,
            socket_mode=True,
            recover_jobs=True,
        )
        self._stop = threading.Event()
        self.exit_code = 0
        assert settings.slack_app_token is not None  # check_settings
        self.client = SocketClient(
            app_token=settings.slack_app_token,
            web_client=self.app.client,
            ping_interval=self.options.ping_interval,
            ping_timeout=self.options.ping_timeout,
            backoff_cap=self.options.backoff_cap,
            concurrency=ENVELOPE_WORKERS,
            on_fatal=self._refused,
            on_connection=metrics.observe_socket_state,
            on_attempt=metrics.observe_socket_attempt,
        )
        self.client.socket_mode_request_listeners.append(self.handle)
        self.readiness = ReadinessProbe(
            session_factory=self.session_factory,
            redis_url=settings.redis_url,
            redact=Redactor(secrets_of(settings)),
            token_keys=token_key_check(settings, self.session_factory),
            extra={"slack": self._slack_ready},
        )
        self.probes: ProbeServer | None = None
        if self.options.port is not None:
            self.probes = ProbeServer(
                self.options.host,
                self.options.port,
                readiness=self.readiness,
                session_factory=self.session_factory,
                redis=metrics.redis_for_metrics(settings.redis_url),
            )

    # ---- envelopes ----------------------------------------------------------------------

    def handle(self, client: SocketClient, request: SocketModeRequest) -> None:
        """One envelope: Bolt's answer, the acknowledgement, the request log line and
        metrics, all under a request id of its own."""
        received = received_at.get() or time.perf_counter()
        slack = envelope_labels(request)
        status = 500
        acked = False
        with bound(request_id=uuid.uuid4().hex, team_id=slack.team_id):
            try:
                answer = run_bolt_app(self.app, request)
                status = answer.status
                if status == 200:
                    try:
                        send_response(client, request, answer, time.time())
                        acked = True
                    except (SlackClientError, OSError) as exc:
                        log.warning("the acknowledgement could not be sent: %s", exc)
            finally:
                extra: dict[str, Any] = {"envelope_id": request.envelope_id, "acked": acked}
                if request.retry_attempt:
                    extra.update(
                        retry_attempt=request.retry_attempt, retry_reason=request.retry_reason
                    )
                log_request(
                    method=METHOD,
                    path=f"/{request.type}",
                    status=status,
                    seconds=time.perf_counter() - received,
                    slack=slack,
                    extra=extra,
                )

    # ---- readiness ----------------------------------------------------------------------

    def _slack_ready(self) -> None:
        if self.stopping.is_set():
            raise RuntimeError("stopping")
        if not self.client.is_ready():
            raise ConnectionError("not connected to Slack")

    # ---- running ------------------------------------------------------------------------

    def run(self) -> int:
        """Connect (retrying while Slack cannot be reached) and serve until SIGTERM or
        SIGINT; then stop gracefully. Returns the exit status.

        Raises StartupError when Slack refuses the app token at start."""
        previous = {s: signal.signal(s, self._signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            if self.probes is not None:
                self.probes.start()
            if not self.connect():
                return self.exit_code
            self._stop.wait()
            return self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def connect(self) -> bool:
        """Connect to Slack, retrying with backoff; False when stopped meanwhile."""
        client = self.client
        while not self._stop.is_set():
            client.connect_to_new_endpoint()
            if client.fatal:
                self.close()
                raise StartupError(refused_message(client.fatal, self.settings))
            if client.is_connected():
                log.info(
                    "Townhall is connected to Slack over Socket Mode%s",
                    f"; probes on port {self.probes.port}" if self.probes else "",
                )
                return True
            self._stop.wait(max(0.05, client._retry_at - time.monotonic()))
        self.stop()
        return False

    def request_stop(self) -> None:
        """Stop gracefully (what SIGTERM does)."""
        self._stop.set()

    def _signal(self, signum: int, frame: object) -> None:
        log.info("received %s: stopping gracefully", signal.Signals(signum).name)
        self._stop.set()

    def _refused(self, error: str) -> None:
        if self.client.is_connected() or self.client.current_app_monitor_started:
            log.error("%s", refused_message(error, self.settings))
            self.exit_code = 1
            self._stop.set()

    def stop(self) -> int:
        """The graceful stop (see the module docstring); returns the exit status."""
        started = time.monotonic()
        self.stopping.set()
        self.client.auto_reconnect_enabled = False
        self.client.default_auto_reconnect_enabled = False
        deadline = started + ACK_DRAIN
        while self.client.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.client.in_flight:
            log.warning("%d envelope(s) still being handled at the stop", self.client.in_flight)
        self.client.close_gracefully()
        log.info("the Socket Mode connection is closed")
        still_running = self._finish_jobs(started + self.options.grace)
        self.close()
        log.info("stopped in %.1f s", time.monotonic() - started)
        if still_running:  # their threads would keep the interpreter from exiting
            logging.shutdown()
            sys.stderr.flush()
            os._exit(self.exit_code)
        return self.exit_code

    def _finish_jobs(self, deadline: float) -> bool:
        """Let running jobs finish until `deadline`; hand back the rest. True when some
        job threads are still running."""
        waiting, running = self.jobs.stop_taking()
        if running:
            left = max(0.0, deadline - time.monotonic())
            log.info("waiting up to %.0f s for %d running job(s) to finish", left, len(running))
            wait_for_futures(list(running), timeout=left)
        unfinished = {job for future, job in running.items() if not future.done()}
        give_back = waiting | unfinished
        if give_back:
            try:
                with UnitOfWork(self.session_factory) as uow:
                    count = hand_back(uow, worker=worker_name(), job_ids=give_back)
                log.warning(
                    "handed back %d job(s) for another process to run at once: %s",
                    count,
                    ", ".join(sorted(give_back)),
                )
            except Exception as exc:  # the sweep retries them once their lease runs out
                log.error("the jobs could not be handed back (%s): %s", type(exc).__name__, exc)
        return bool(unfinished)

    def close(self) -> None:
        """Release the connection and the probe server, and end the sweep (idempotent)."""
        self.stopping.set()
        if not self.client.closed:
            self.client.close()
        if self.probes is not None:
            self.probes.stop()


def refused_message(error: str, settings: Settings) -> str:
    return (
        f"Slack refused SLACK_APP_TOKEN ({error}) at {settings.slack_api_url} (SLACK_API_URL): "
        "use an app-level token (xapp-…) with the connections:write scope, from the app's "
        "Basic Information page"
    )


# ---- the probe server -------------------------------------------------------------------


def run_socket_mode(
    *,
    settings: Settings,
    builder_spec: str = DEFAULT_BUILDER,
    options: SocketOptions | None = None,
) -> int:
    """Serve Slack over Socket Mode until stopped; returns the exit status. Raises
    StartupError for a configuration that cannot work (missing or refused token, …)."""
    process = SocketModeProcess(settings=settings, builder_spec=builder_spec, options=options)
    return process.run()
