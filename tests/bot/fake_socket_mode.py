"""A fake Socket Mode Slack on loopback: the fake Web API plus a real WebSocket server.

`SocketModeSlack` is a `FakeSlack` (tests/bot/fakeslack.py) whose Web API also answers
`apps.connections.open` for its app-level token with a one-time `ws://127.0.0.1:PORT/link/
?ticket=…` URL, served by a `websockets` server in a thread of its own. As Slack does, it
greets each connection with `hello`, hands every envelope to one open connection (round
robin), records the acknowledgements (`{"envelope_id", "payload"}`), and redelivers an
Events API envelope that was not acknowledged in time or whose connection closed first
(`retry_attempt`, `retry_reason`, up to 3 retries); slash commands and interactivity are
never redelivered (a user sees an error instead).

Faults on purpose:
    disconnect(reason)   Slack's `disconnect` message (refresh_requested, warning,
                         link_disabled); no new envelopes go to that connection (those
                         already sent still count), which is left for the client to drop
    close(code)          a close frame
    abort()              the TCP connection reset, no close frame
    blackhole()          the connection kept open but silent: nothing read (no pongs),
                         nothing sent; only a ping timeout can tell
    outage(seconds)      every connection reset, new ones refused at TCP and
                         `apps.connections.open` dropped until the time is up

Envelopes are built from `tests.bot.signed.SlackRequests` requests (`deliver(request)`:
a slash command, block_actions, view_submission, an event such as app_home_opened), so a
test says what a user did the same way over HTTP and over Socket Mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response

from tests.bot.fakeslack import FakeSlack, Workspace, _fault_answer
from tests.bot.fakeslack_wire import Answer
from tests.bot.signed import FORM, JSON, SignedRequest

APP_TOKEN = "xapp-1-A0TOWNHALL-1-fakeapptoken"
APP_ID = "A0TOWNHALL"
CONNECTIONS_OPEN = "apps.connections.open"
#: Seconds Slack waits for an acknowledgement before it counts an envelope as failed.
ACK_TIMEOUT = 3.0
#: Retries of an unacknowledged Events API envelope (Slack's: 3, then it gives up).
EVENT_RETRIES = 3


@dataclass
class Envelope:
    """One delivery of a message to a connection."""

    envelope_id: str
    type: str  # slash_commands | interactive | events_api
    payload: dict[str, Any]
    accepts_response_payload: bool
    first: str  # envelope id of the first delivery of this message
    retry_attempt: int = 0
    retry_reason: str = ""
    connection: int | None = None
    sent_at: float = 0.0  # time.monotonic()

    def message(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            body["retry_attempt"] = self.retry_attempt
            body["retry_reason"] = self.retry_reason
        return body


@dataclass(frozen=True)
class Ack:
    """An acknowledgement received."""

    envelope_id: str
    first: str
    payload: dict[str, Any] | None
    connection: int
    seconds: float  # from sending the envelope to receiving its ack


@dataclass
class Link:
    """One WebSocket connection of the app."""

    id: int
    ws: ServerConnection
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None  # of the client's close frame
    close_reason: str = ""  # of the client's close frame (None, "": it sent none)
    silent: bool = False  # nothing more is sent on it (closing, reset, silenced)
    retiring: bool = False  # Slack asked the client to replace it: no new envelopes
    peer_port: int = 0
    pending: dict[str, Envelope] = field(default_factory=dict)  # sent, not acked

    @property
    def open(self) -> bool:
        """Open and taking new envelopes."""
        return self.closed_at is None and not self.silent and not self.retiring


class SocketModeSlack(FakeSlack):
    """The fake Web API and a fake Socket Mode WebSocket server; a context manager."""

    def __init__(
        self,
        *,
        workspaces: list[Workspace] | None = None,
        app_token: str = APP_TOKEN,
        ack_timeout: float = ACK_TIMEOUT,
    ) -> None:
        super().__init__(workspaces=workspaces)
        self.app_token = app_token
        self.ack_timeout = ack_timeout
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(
            target=self._loop.run_forever, name="fake-socket-mode", daemon=True
        )
        self._ws_server: Server | None = None
        self._ws_port = 0
        self._tickets: set[str] = set()
        self._links: dict[int, Link] = {}
        self._link_ids = itertools.count(1)
        self._turn = itertools.count()
        self._envelopes: dict[str, Envelope] = {}
        self._acks: list[Ack] = []
        self._unacked: list[Envelope] = []  # given up on (never acknowledged)
        self._outage_until = 0.0
        self._retrier: threading.Thread | None = None
        self._stopping = threading.Event()

    # ---- lifecycle ------------------------------------------------------------------

    def start(self) -> SocketModeSlack:
        super().start()
        self._loop_thread.start()
        self._call(self._listen(0))
        self._retrier = threading.Thread(target=self._retry_loop, name="fake-sm-retry", daemon=True)
        self._retrier.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._loop.is_running():
            self._call(self._shutdown())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop_thread.join(timeout=5)
        super().stop()

    def __enter__(self) -> SocketModeSlack:
        return self.start()

    @property
    def ws_port(self) -> int:
        return self._ws_port

    # ---- the Web API's apps.connections.open ----------------------------------------

    def _route(
        self, path: str, *, token: str | None, body: dict[str, Any], raw: bytes
    ) -> tuple[str, Answer | None, str | None]:
        if path.rstrip("/").endswith(f"/api/{CONNECTIONS_OPEN}"):
            if time.monotonic() < self._outage_until:
                return CONNECTIONS_OPEN, None, None  # unreachable: dropped without answer
            fault = self._take_fault(CONNECTIONS_OPEN)  # fail_next / drop_next
            if fault is not None:
                return CONNECTIONS_OPEN, _fault_answer(fault, json_body=True), None
            return CONNECTIONS_OPEN, self._connections_open(token), None
        return super()._route(path, token=token, body=body, raw=raw)

    def _connections_open(self, token: str | None) -> Answer:
        if not token:
            return Answer(200, {"ok": False, "error": "not_authed"})
        if token.startswith("xoxb-"):
            return Answer(200, {"ok": False, "error": "not_allowed_token_type"})
        if token != self.app_token:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        url = f"ws://127.0.0.1:{self._ws_port}/link/?ticket={ticket}&app_id={APP_ID}"
        return Answer(200, {"ok": True, "url": url})

    # ---- the WebSocket side (event loop thread) -------------------------------------

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _listen(self, port: int) -> None:
        if self._ws_server is not None:
            return  # listening already
        self._ws_server = await serve(
            self._serve_link,
            "127.0.0.1",
            port,
            process_request=self._check_ticket,
            ping_interval=None,  # the client pings; Slack's own pings are not needed here
            close_timeout=2,
            compression=None,
        )
        self._ws_port = next(iter(self._ws_server.sockets)).getsockname()[1]

    async def _shutdown(self) -> None:
        for link in list(self._links.values()):
            if link.closed_at is None:
                _reset(link.ws)
        if self._ws_server is not None:
            self._ws_server.close(close_connections=False)
            await self._ws_server.wait_closed()
            self._ws_server = None

    def _check_ticket(self, connection: ServerConnection, request: Any) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            if ticket not in self._tickets:
                return connection.respond(401, "invalid ticket\n")
            self._tickets.discard(ticket)  # a ticket opens one connection
        return None

    async def _serve_link(self, ws: ServerConnection) -> None:
        with self._changed:
            link = Link(id=next(self._link_ids), ws=ws, opened_at=time.monotonic())
            link.peer_port = ws.remote_address[1]
            self._links[link.id] = link
            count = sum(1 for x in self._links.values() if x.closed_at is None)
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }
        await ws.send(json.dumps(hello))
        with self._changed:
            self._changed.notify_all()
        try:
            async for raw in ws:
                self._received(link, raw)
        except ConnectionClosed:
            pass
        finally:
            self._closed(link)

    def _received(self, link: Link, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        with self._changed:
            envelope = link.pending.pop(message["envelope_id"], None)
            if envelope is None:
                envelope = self._envelopes.get(message["envelope_id"])
                if envelope is None:
                    return
            self._acks.append(
                Ack(
                    envelope_id=envelope.envelope_id,
                    first=envelope.first,
                    payload=message.get("payload"),
                    connection=link.id,
                    seconds=time.monotonic() - envelope.sent_at,
                )
            )
            self._changed.notify_all()

    def _closed(self, link: Link) -> None:
        with self._changed:
            if link.closed_at is None:
                link.closed_at = time.monotonic()
            received = link.ws.protocol.close_rcvd  # the client's close frame, if any
            link.close_code = received.code if received is not None else None
            link.close_reason = received.reason if received is not None else ""
            lost = list(link.pending.values())
            link.pending.clear()
            self._changed.notify_all()
        for envelope in lost:
            self._failed(envelope, reason="connection_closed")

    # ---- envelopes ------------------------------------------------------------------

    def deliver(
        self,
        request: SignedRequest,
        *,
        to: int | None = None,
        accepts_response_payload: bool = True,
    ) -> Envelope:
        """Send what `request` carries as an envelope of its type to one open connection
        (`to`, or the next in turn); return the envelope. Raises AssertionError when no
        connection is open."""
        kind, payload = envelope_of(request)
        envelope_id = str(uuid.uuid4())
        envelope = Envelope(
            envelope_id=envelope_id,
            type=kind,
            payload=payload,
            accepts_response_payload=accepts_response_payload and kind != "events_api",
            first=envelope_id,
        )
        self._send(envelope, to=to)
        return envelope

    def _send(self, envelope: Envelope, *, to: int | None = None) -> None:
        for _ in range(20):  # a connection closing meanwhile: the next one
            with self._changed:
                if to is None:
                    links = [x for x in self._links.values() if x.open]
                else:  # a retiring connection too: an envelope on its way as Slack retired it
                    links = [
                        x
                        for x in self._links.values()
                        if x.id == to and x.closed_at is None and not x.silent
                    ]
                if not links:
                    raise AssertionError("no Socket Mode connection is open to deliver to")
                link = links[next(self._turn) % len(links)]
                envelope.connection = link.id
                envelope.sent_at = time.monotonic()
                link.pending[envelope.envelope_id] = envelope
                self._envelopes[envelope.envelope_id] = envelope
            try:
                self._call(link.ws.send(json.dumps(envelope.message())), timeout=5)
                return
            except (ConnectionClosed, TimeoutError):
                with self._changed:
                    link.pending.pop(envelope.envelope_id, None)
                if to is not None:
                    raise
        raise AssertionError("every connection closed while delivering")

    def _failed(self, envelope: Envelope, *, reason: str) -> None:
        """Not acknowledged: Events API envelopes are retried (as Slack does), others lost."""
        if self._stopping.is_set():
            return
        if envelope.type != "events_api" or envelope.retry_attempt >= EVENT_RETRIES:
            with self._changed:
                self._unacked.append(envelope)
                self._changed.notify_all()
            return
        retry = Envelope(
            envelope_id=str(uuid.uuid4()),
            type=envelope.type,
            payload=envelope.payload,
            accepts_response_payload=False,
            first=envelope.first,
            retry_attempt=envelope.retry_attempt + 1,
            retry_reason=reason,
        )
        threading.Thread(target=self._retry_later, args=(retry,), daemon=True).start()

    def _retry_later(self, envelope: Envelope) -> None:
        deadline = time.monotonic() + 30
        while not self._stopping.is_set() and time.monotonic() < deadline:
            try:
                self._send(envelope)
                return
            except AssertionError:  # nothing open right now (an outage): wait for one
                time.sleep(0.1)
        with self._changed:
            self._unacked.append(envelope)

    def _retry_loop(self) -> None:
        """Envelopes unacknowledged past `ack_timeout` count as failed."""
        while not self._stopping.wait(0.1):
            now = time.monotonic()
            late: list[Envelope] = []
            with self._changed:
                for link in self._links.values():
                    for envelope_id, envelope in list(link.pending.items()):
                        if now - envelope.sent_at > self.ack_timeout:
                            late.append(link.pending.pop(envelope_id))
            for envelope in late:
                self._failed(envelope, reason="timeout")

    # ---- what happened --------------------------------------------------------------

    def acks(self, envelope: Envelope | None = None) -> list[Ack]:
        """Acknowledgements received (of `envelope` and its retries, when given)."""
        with self._lock:
            return [a for a in self._acks if envelope is None or a.first == envelope.first]

    def wait_ack(self, envelope: Envelope, *, timeout: float = 10.0) -> Ack:
        """The first acknowledgement of `envelope` (or of a retry of it)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.acks(envelope), timeout=timeout):
                raise AssertionError(
                    f"no acknowledgement of {envelope.type} envelope {envelope.envelope_id} "
                    f"within {timeout:g} s"
                )
            return self.acks(envelope)[0]

    def unacked(self) -> list[Envelope]:
        """Envelopes Slack would have given up on (never acknowledged)."""
        with self._lock:
            return list(self._unacked)

    def links(self) -> list[Link]:
        """Every connection so far, oldest first."""
        with self._lock:
            return list(self._links.values())

    def open_links(self) -> list[Link]:
        with self._lock:
            return [x for x in self._links.values() if x.open]

    def wait_links(self, count: int, *, timeout: float = 15.0, newer_than: int = 0) -> list[Link]:
        """Wait until `count` connections with an id above `newer_than` are open."""

        def ready() -> list[Link]:
            return [x for x in self._links.values() if x.open and x.id > newer_than]

        with self._changed:
            if not self._changed.wait_for(lambda: len(ready()) >= count, timeout=timeout):
                raise AssertionError(
                    f"expected {count} open connection(s) newer than #{newer_than}, "
                    f"got {len(ready())} within {timeout:g} s"
                )
            return ready()

    def wait_closed(self, link: Link, *, timeout: float = 15.0) -> Link:
        with self._changed:
            if not self._changed.wait_for(lambda: link.closed_at is not None, timeout=timeout):
                raise AssertionError(f"connection #{link.id} still open after {timeout:g} s")
            return link

    def connections_opened(self) -> int:
        """How many times `apps.connections.open` answered with a URL."""
        return sum(1 for c in self.calls(CONNECTIONS_OPEN) if c.status == 200)

    # ---- faults ---------------------------------------------------------------------

    def _link(self, link: Link | int | None) -> Link:
        with self._lock:
            if isinstance(link, Link):
                return link
            if link is not None:
                return self._links[link]
            opened = [x for x in self._links.values() if x.open]
        if not opened:
            raise AssertionError("no Socket Mode connection is open")
        return opened[-1]

    def disconnect(self, reason: str = "refresh_requested", link: Link | int | None = None) -> Link:
        """Slack's `disconnect` message on `link` (default: the newest open one)."""
        target = self._link(link)
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        with self._lock:
            target.retiring = True  # as Slack: new envelopes go to the other connections
        self._call(target.ws.send(json.dumps(message)))
        return target

    def close(self, code: int = 1001, reason: str = "", link: Link | int | None = None) -> Link:
        """A close frame on `link`; the server waits briefly for the client's."""
        target = self._link(link)
        with self._lock:
            target.silent = True  # nothing more is sent on a closing connection

        async def closing() -> None:
            await target.ws.close(code, reason)

        asyncio.run_coroutine_threadsafe(closing(), self._loop)
        return target

    def abort(self, link: Link | int | None = None) -> Link:
        """Reset the TCP connection of `link`: no close frame, the peer's reads fail."""
        target = self._link(link)
        with self._lock:
            target.silent = True
        self._loop.call_soon_threadsafe(_reset, target.ws)
        return target

    def blackhole(self, link: Link | int | None = None) -> Link:
        """Keep `link` open but silent: nothing more is read (no pongs) or sent."""
        target = self._link(link)
        with self._lock:
            target.silent = True
        self._loop.call_soon_threadsafe(target.ws.transport.pause_reading)
        return target

    def outage(self, seconds: float) -> None:
        """Slack unreachable for `seconds`: every connection reset, new ones refused at
        TCP, `apps.connections.open` dropped; then everything answers again."""
        with self._lock:
            self._outage_until = time.monotonic() + seconds
            for link in self._links.values():
                link.silent = True
        self._call(self._shutdown())

        def back() -> None:
            if not self._stopping.wait(seconds):
                self.end_outage()

        threading.Thread(target=back, name="fake-sm-outage", daemon=True).start()

    def end_outage(self) -> None:
        """Slack answers again (before the time `outage` was given, if need be)."""
        with self._lock:
            self._outage_until = 0.0
        self._call(self._listen(self._ws_port))


def _reset(ws: ServerConnection) -> None:
    """Close the TCP connection with a reset (SO_LINGER 0): no close frame, no FIN."""
    transport = ws.transport
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def envelope_of(request: SignedRequest) -> tuple[str, dict[str, Any]]:
    """The envelope type and payload Socket Mode carries for an HTTP request Slack would
    have sent: a command's form fields, an interaction's payload, an event's body."""
    if request.content_type == JSON:
        return "events_api", request.payload
    if request.content_type == FORM:
        form = request.form
        if "payload" in form:
            return "interactive", json.loads(form["payload"])
        if "command" in form:
            return "slash_commands", form
    raise ValueError(f"no Socket Mode envelope carries {request.content_type}: {request.body!r}")


Predicate = Callable[[Ack], bool]
