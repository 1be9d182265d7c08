"""The Socket Mode connection to Slack: slack-sdk's built-in client, made to notice a dead
connection within seconds, to back off while Slack cannot be reached, and to close cleanly.

slack-sdk's built-in `SocketModeClient` (no dependency beyond slack-sdk) carries the
protocol: `apps.connections.open` for a WebSocket URL, `hello`, envelopes, acks, Slack's
`disconnect` messages (a new connection is opened before the old one is dropped). What it
leaves out for a production process, `SocketClient` adds:

- A connection cut without a close frame is noticed at once when the peer's end is gone
  (a read returns end-of-file: the built-in loop spun on it until the ping check caught
  it, ~40 s later) and within `ping_interval + ping_timeout` when it is silently dead (a
  ping every `ping_interval`; no pong for `ping_timeout` seconds ends the connection).
- Reconnecting: one path for every cause (a close frame, a dead connection, a failed
  refresh), attempts spaced by capped exponential backoff with jitter while Slack cannot
  be reached, one warning line per failed attempt instead of a traceback.
- A refused app token (`invalid_auth`, `not_authed`, `account_inactive`, …) is not retried:
  `fatal` says why and `on_fatal` is called, so the process can stop with one line.
- Each connection is read by a thread of its own (the built-in client reads one at a
  time, and could sit up to 3 s in a read of the connection being replaced). When Slack
  asks for a new connection (`disconnect`), the old one is still read for
  `RETIRE_LINGER` seconds and what arrives on it is acknowledged on it, then it is closed
  with a close frame: nothing on its way is lost.
- `close_gracefully`: a close frame (1000) on every connection, the peer's answer awaited
  briefly, then the sockets closed; no reconnection afterwards.
- `received_at` (the envelope's arrival, for the acknowledgement metric) and `in_flight`
  (envelopes read but not yet handled, for a graceful stop).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import random
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from queue import Empty
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientNotConnectedError
from slack_sdk.socket_mode.builtin.client import SocketModeClient
from slack_sdk.socket_mode.builtin.connection import Connection, ConnectionState
from slack_sdk.socket_mode.builtin.frame_header import FrameHeader
from slack_sdk.socket_mode.builtin.internals import _build_data_frame_for_sending
from slack_sdk.socket_mode.interval_runner import IntervalRunner

log = logging.getLogger("townhall.socket")

#: Seconds between two pings on the connection.
PING_INTERVAL = 5.0
#: Seconds without a pong before the connection counts as dead: with the interval, a
#: silently dead connection is noticed within ~10-15 s.
PING_TIMEOUT = 8.0
#: Reconnection backoff: first wait, longest wait (seconds); each wait is drawn in
#: [half, all] of min(cap, first × 2^(failures-1)).
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 10.0
#: Seconds between two looks at the connection (reconnect when due, ping when due).
MONITOR_TICK = 0.1
#: Seconds a clean close waits for Slack's close frame before dropping the socket.
CLOSE_WAIT = 1.0
#: Seconds a replaced connection is still read (for envelopes already on their way).
RETIRE_LINGER = 2.0
#: Errors of `apps.connections.open` that no retry will cure: the app token is wrong,
#: revoked, or of the wrong kind.
REFUSED_TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "no_permission",
        "missing_scope",
        "invalid_token",
        "team_access_not_granted",
    }
)

#: The connection the envelope being handled in this thread came on.
_session: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "townhall_socket_session", default=None
)
#: When the envelope being handled in this thread was read off the socket (perf_counter).
received_at: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "townhall_socket_received_at", default=None
)


#: Put on the message queue to wake its reader up when the client closes.
_WAKE_UP = "\x00wake up"


class RefusedToken(Exception):
    """Slack refused the app-level token; retrying will not help."""


def backoff(failures: int, *, first: float = BACKOFF_FIRST, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after `failures` failed attempts in a row (≥ 1)."""
    ceiling = min(cap, first * 2 ** max(0, failures - 1))
    return random.uniform(ceiling / 2, ceiling)


class _Received(str):
    """A raw message with the moment it was read (the client queues plain strings)."""

    at: float
    session: Any


class _EndAware:
    """The connection's socket, with end-of-file turned into ConnectionResetError: the
    built-in receive loop reads b"" from a socket the peer closed (no close frame) as
    "nothing yet" and spins; an error ends the loop and the connection at once. An end
    this process caused (`closing`) stays a quiet b""."""

    def __init__(self, sock: Any, connection: _Connection) -> None:
        self._sock = sock
        self._connection = connection

    def recv(self, size: int, *args: Any) -> bytes:
        data = self._sock.recv(size, *args)
        if size and not data and not self._connection.closing:
            raise ConnectionResetError("Slack closed the connection without a close frame")
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Connection(Connection):
    """One WebSocket connection: end-of-file is an error, pings every `ping_interval`,
    dead after `ping_timeout` seconds without a pong, and a clean close."""

    def __init__(self, *args: Any, ping_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ping_timeout = ping_timeout
        self.opened_at: float | None = None
        self.closing = False
        self._last_ping: float = 0.0
        self.state = ConnectionState()
        self._reader: threading.Thread | None = None

    def start_reading(self) -> None:
        """Read this connection in a thread of its own until it ends: a connection being
        replaced is still read (and its envelopes acknowledged) while the new one is."""
        self._reader = threading.Thread(
            target=self._read, name=f"socket-mode-{self.session_id[:8]}", daemon=True
        )
        self._reader.start()

    def _read(self) -> None:
        try:
            self.run_until_completion(self.state)
        except Exception as exc:  # the loop catches its own; a last resort
            log.warning("reading the Socket Mode connection failed: %s", _reason(exc))
        finally:
            self.disconnect()

    def connect(self) -> None:
        super().connect()
        if self.sock is not None:
            self.sock = _EndAware(self.sock, self)  # type: ignore[assignment]
            self.opened_at = time.time()
            self._last_ping = time.monotonic()  # the handshake sent the first ping

    def check_state(self) -> None:
        """Ping when one is due; drop the connection when no pong came for too long."""
        if self.sock is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.ping_interval:
            self._last_ping = now
            try:
                self.ping(f"{self.session_id}:{time.time()}")
            except (OSError, ssl.SSLError) as exc:
                log.info("the Socket Mode connection is gone (%s); reconnecting", exc)
                self.disconnect()
                return
        since = self.last_ping_pong_time or self.opened_at
        if since is not None and time.time() - since > self.ping_timeout:
            log.warning(
                "no pong from Slack for %.0f s: the Socket Mode connection is dead; reconnecting",
                time.time() - since,
            )
            self.disconnect()

    def disconnect(self) -> None:
        """Drop the socket. Shut down first: a thread blocked reading it wakes up now,
        not at its 3-second read timeout, and releases the lock `disconnect` needs."""
        self.state.terminated = True
        sock = self.sock
        if sock is not None:
            self.closing = True
            with contextlib.suppress(OSError):  # already gone
                sock.shutdown(socket.SHUT_RDWR)
            super().disconnect()

    def close_gracefully(self, *, wait: float = CLOSE_WAIT) -> None:
        """A close frame, Slack's answer awaited up to `wait` seconds, the socket dropped."""
        if self.is_active():
            try:
                self.send_close(1000, "shutting down")
            except OSError as exc:
                log.info("the close frame could not be sent: %s", _reason(exc))
            deadline = time.monotonic() + wait
            while self.is_active() and time.monotonic() < deadline:
                time.sleep(0.01)
        self.disconnect()

    def send_close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame (the receive loop then reads Slack's and drops the socket)."""
        frame = _build_data_frame_for_sending(
            struct.pack("!H", code) + reason.encode("utf-8"), FrameHeader.OPCODE_CLOSE
        )
        with self.sock_send_lock:
            if self.sock is not None:
                self.sock.send(frame)


class SocketClient(SocketModeClient):
    """slack-sdk's built-in Socket Mode client with the behaviour described above."""

    def __init__(
        self,
        *,
        app_token: str,
        web_client: WebClient,
        ping_interval: float = PING_INTERVAL,
        ping_timeout: float = PING_TIMEOUT,
        concurrency: int = 32,
        backoff_first: float = BACKOFF_FIRST,
        backoff_cap: float = BACKOFF_CAP,
        on_fatal: Callable[[str], None] | None = None,
        on_connection: Callable[[bool], None] | None = None,
        on_attempt: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(
            app_token=app_token,
            logger=log,
            web_client=web_client,
            auto_reconnect_enabled=True,
            ping_interval=ping_interval,
            concurrency=concurrency,
            proxy=web_client.proxy,
        )
        self.ping_timeout = ping_timeout
        self.backoff_first = backoff_first
        self.backoff_cap = backoff_cap
        self.on_fatal = on_fatal
        self.on_connection = on_connection
        self.on_attempt = on_attempt
        self.fatal: str | None = None
        self.failures = 0
        self.hello = threading.Event()  # set once the current connection said hello
        self.connected_at: float | None = None  # monotonic, of the current connection
        self._retry_at = 0.0
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        # the built-in monitor pings (and reconnects) only every ping_interval; this one
        # looks often and leaves the pacing of pings to the connection
        self.current_app_monitor = IntervalRunner(self._monitor_current_session, MONITOR_TICK)
        # each connection is read by a thread of its own (`_Connection.start_reading`), not
        # by the built-in single reader, which reads one connection at a time
        self.current_session_runner.shutdown()
        self._retiring: set[_Connection] = set()
        self._retiring_lock = threading.Lock()
        self.message_listeners.append(_note_hello)

    # ---- connecting ---------------------------------------------------------------------

    def connect(self) -> None:
        """Open a connection to a fresh URL; keep the old one until the new one works.

        Raises RefusedToken when Slack refuses the app token, ConnectionError (or the Web
        API client's error) when Slack cannot be reached."""
        try:
            url = self.issue_new_wss_url()
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if error in REFUSED_TOKEN_ERRORS:
                raise RefusedToken(str(error)) from None
            raise ConnectionError(f"apps.connections.open answered {error or exc}") from None
        session = _Connection(
            url=url,
            logger=self.logger,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            receive_buffer_size=self.receive_buffer_size,
            proxy=self.proxy,
            proxy_headers=self.proxy_headers,
            on_error_listener=self._on_error,
            ssl_context=self.web_client.ssl,
        )
        session.on_message_listener = functools.partial(self._on_message_from, session)
        session.on_close_listener = functools.partial(self._on_close_from, session)
        session.connect()
        if not session.is_active():
            raise ConnectionError("the WebSocket handshake with Slack failed")
        self.wss_uri = url
        old = self.current_session
        self.current_session = session
        self.current_session_state = session.state
        self.connected_at = time.monotonic()
        session.start_reading()
        if old is not None and old.is_active():
            self._retire(old)  # type: ignore[arg-type]
        if not self.current_app_monitor_started:
            self.current_app_monitor_started = True
            self.current_app_monitor.start()
        log.info("connected to Slack over Socket Mode (session %s)", session.session_id)

    def _retire(self, old: _Connection) -> None:
        """The connection a new one replaces: still read for `RETIRE_LINGER` seconds
        (envelopes Slack sent before it stopped using it are acknowledged on it), then
        closed with a close frame, unless Slack closed it first."""

        def linger() -> None:
            deadline = time.monotonic() + RETIRE_LINGER
            while old.is_active() and time.monotonic() < deadline and not self.closed:
                time.sleep(0.05)
            old.close_gracefully()
            with self._retiring_lock:
                self._retiring.discard(old)

        with self._retiring_lock:
            self._retiring.add(old)
        threading.Thread(target=linger, name="socket-mode-retire", daemon=True).start()

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        """Connect unless connected (or always, with `force`: Slack asked for a new
        connection); never raises: a failure is logged in one line and retried with
        backoff by the monitor, a refused token is fatal."""
        if self.closed or self.fatal:
            return
        if not self.connect_operation_lock.acquire(timeout=5):
            return
        try:
            if self.closed or (not force and self.is_connected()):
                return
            try:
                self.connect()
            except RefusedToken as exc:
                self._give_up(str(exc))
                return
            except Exception as exc:
                self.failures += 1
                wait = backoff(self.failures, first=self.backoff_first, cap=self.backoff_cap)
                self._retry_at = time.monotonic() + wait
                log.warning(
                    "cannot connect to Slack over Socket Mode (%s); attempt %d failed, "
                    "next in %.1f s",
                    _reason(exc),
                    self.failures,
                    wait,
                )
                self._attempted(False)
                self._changed(False)
                return
            self._attempted(True)
            self.failures = 0
            self._retry_at = 0.0
        finally:
            self.connect_operation_lock.release()

    def _give_up(self, error: str) -> None:
        self.fatal = error
        self.auto_reconnect_enabled = False
        log.error("Slack refused SLACK_APP_TOKEN (%s)", error)
        if self.on_fatal is not None:
            self.on_fatal(error)

    def _monitor_current_session(self) -> None:
        if not self.current_app_monitor_started or self.closed:
            return
        session = self.current_session
        if session is not None:
            try:
                session.check_state()
            except Exception as exc:  # the monitor must go on whatever happened
                log.warning("checking the Socket Mode connection failed: %s", _reason(exc))
        connected = self.is_connected()
        self._changed(connected)
        if connected or not self.auto_reconnect_enabled or self.fatal:
            return
        if time.monotonic() >= self._retry_at:
            self.connect_to_new_endpoint()

    def _on_close_from(self, session: _Connection, code: int, reason: str | None = None) -> None:
        """Slack's close frame: for the current connection, the monitor reconnects within
        a tick (not this thread, which still reads the closing connection)."""
        if session is self.current_session and self.auto_reconnect_enabled:
            log.info("Slack closed the Socket Mode connection (%s %s)", code, reason or "")
            self._retry_at = 0.0

    def _on_error(self, error: Exception) -> None:
        log.info("Socket Mode connection error: %s", _reason(error))
        for listener in self.on_error_listeners:
            listener(error)

    _last_state: bool | None = None

    def _attempted(self, ok: bool) -> None:
        if self.on_attempt is not None:
            self.on_attempt(ok)

    def _changed(self, connected: bool) -> None:
        if connected is self._last_state:
            return
        self._last_state = connected
        if not connected:
            self.hello.clear()
        if self.on_connection is not None:
            self.on_connection(connected)

    # ---- envelopes ----------------------------------------------------------------------

    def _on_message_from(self, session: _Connection, message: str) -> None:
        received = _Received(message)
        received.at = time.perf_counter()
        received.session = session
        with self._in_flight_lock:
            self._in_flight += 1
        self.message_queue.put(received)

    def run_message_listeners(self, message: dict, raw_message: str) -> None:  # type: ignore[override]
        at = received_at.set(getattr(raw_message, "at", None))
        via = _session.set(getattr(raw_message, "session", None))
        try:
            super().run_message_listeners(message, raw_message)
        finally:
            received_at.reset(at)
            _session.reset(via)
            self._done()

    def send_message(self, message: str) -> None:
        """Send on the connection the envelope being handled came on, while it is open
        (a connection being replaced still takes its acknowledgements), else on the
        current one."""
        session = _session.get()
        if session is not None and session is not self.current_session:
            try:
                session.send(message)
                return
            except SlackClientNotConnectedError:
                pass  # closed meanwhile: the current connection, as Slack may take it there
        super().send_message(message)

    def process_message(self) -> None:
        """One message off the queue: Slack's `disconnect` handled here (a new connection
        opened before the old one is dropped), anything else handed to the listeners."""
        try:
            raw = self.message_queue.get(timeout=1)
        except Empty:
            return
        if raw is _WAKE_UP:
            return
        try:
            message = json.loads(raw) if raw.startswith("{") else {}
        except ValueError:
            message = {}
        if not isinstance(message, dict) or not message:
            log.warning("Slack sent a message that is not a JSON object; it is dropped")
            self._done()
            return
        if message.get("type") == "disconnect":
            self._done()
            log.info("Slack asked for a new connection (%s)", message.get("reason", "?"))
            # in a thread of its own: envelopes keep flowing (on the old connection, too)
            # while the new one opens
            threading.Thread(
                target=self.connect_to_new_endpoint,
                kwargs={"force": True},
                name="socket-mode-refresh",
                daemon=True,
            ).start()
            return
        try:
            self.message_workers.submit(self.run_message_listeners, message, raw)
        except RuntimeError:  # closed meanwhile: the envelope goes unacknowledged
            self._done()

    def _done(self) -> None:
        with self._in_flight_lock:
            self._in_flight = max(0, self._in_flight - 1)

    @property
    def in_flight(self) -> int:
        """Messages read from Slack and not yet handled (acknowledged or dropped)."""
        with self._in_flight_lock:
            return self._in_flight

    # ---- state --------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """Connected, and Slack said hello on this connection."""
        return self.is_connected() and self.hello.is_set() and not self.closed

    def close_gracefully(self, *, wait: float = CLOSE_WAIT) -> None:
        """Stop reconnecting, send a close frame on every connection, wait up to `wait`
        seconds for Slack's answers, then release everything (threads, sockets)."""
        self.auto_reconnect_enabled = False
        self.default_auto_reconnect_enabled = False
        with self._retiring_lock:
            sessions = [self.current_session, *self._retiring]
        for session in sessions:
            if isinstance(session, _Connection):
                session.close_gracefully(wait=wait)
        self._changed(False)
        self.close()

    def close(self) -> None:
        self.closed = True
        self.message_queue.put(_WAKE_UP)  # the message loop stops now, not after 1 s
        super().close()


def _note_hello(client: Any, message: dict, raw: str | None) -> None:
    if message.get("type") == "hello":
        client.hello.set()
        log.info("Slack said hello (%s connections)", message.get("num_connections", "?"))


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


__all__ = [
    "PING_INTERVAL",
    "PING_TIMEOUT",
    "RefusedToken",
    "SocketClient",
    "backoff",
    "received_at",
]
