"""Socket Mode: reconnection times and acknowledgement latency: `python -m bench.socket_mode`.

Runs the real app (`bot.app.build_app`) in a `bot.socket_mode.SocketModeProcess` — what
`townhall socket` runs, in this process, with its production keepalive (ping every 5 s,
dead after 8 s without a pong) unless told otherwise — in front of a fresh SQLite catalog
and the test suite's fake Socket Mode Slack (`tests/bot/fake_socket_mode.py`: a real
WebSocket server on 127.0.0.1). Workspace T0ACME holds the demo portfolio, T0BIG a
generated one (200 initiatives × 12 phases by default), as in `bench/slack_ack.py`.

1. Reconnection: each fault in turn, then the seconds until a new connection is open
   (Slack said hello on it) and until an envelope sent on it is acknowledged:
   `refresh_requested` (Slack's disconnect message), a close frame, a TCP reset (no close
   frame), a silent connection (nothing answered, not even pings: only the ping timeout
   tells) and an outage (`--outage` seconds: connections reset, new ones refused, then
   Slack back; timed from its end).
2. Acknowledgements during a plan: a `plan time=10s` in T0BIG starts the large solve; once
   its placeholder is posted, `--envelopes` slash command envelopes from T0ACME are sent at
   the same moment (`plan`, then `list`, `show SSO`, `help` in turn). Times run from the
   fake's sending an envelope to its receiving the acknowledgement; p50 / p99 / max per
   command and for all.

Everything stays on loopback and stops by itself; exit status 1 when an envelope went
unacknowledged or a reconnection did not happen within `--timeout`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.slack_ack import (
    ACK_LIMIT,
    BIG_CHANNEL,
    BIG_TEAM,
    DEMO_CHANNEL,
    OTHERS,
    P99_TARGET,
    load_workspaces,
    percentile,
    roadmap_done,
)

#: The target of the issue: a dead connection noticed (and replaced) within ~15 s.
DEAD_TARGET = 15.0
FAULTS = ("refresh_requested", "close frame", "TCP reset", "silent connection", "outage")


@dataclass
class Reconnect:
    fault: str
    connected: float | None = None  # seconds to a new open connection
    acked: float | None = None  # seconds to the acknowledgement of an envelope on it


@dataclass
class Result:
    reconnects: list[Reconnect] = field(default_factory=list)
    acks: list[tuple[str, float | None]] = field(default_factory=list)  # (command, seconds)
    demo_seconds: float | None = None
    big_seconds: float | None = None
    initiatives: int = 0


def run(
    *,
    envelopes: int = 30,
    initiatives: int = 200,
    phases: int = 12,
    seed: int = 1,
    solve_seconds: float = 10.0,
    outage: float = 10.0,
    ping_interval: float = 5.0,
    ping_timeout: float = 8.0,
    timeout: float = 60.0,
) -> Result:
    from bot.socket_mode import SocketModeProcess, SocketOptions
    from catalog.settings import Settings
    from tests.bot.fake_socket_mode import SocketModeSlack
    from tests.bot.signed import SlackRequests

    result = Result(initiatives=initiatives)
    with tempfile.TemporaryDirectory(prefix="socket-mode-") as tmp, SocketModeSlack() as fake:
        url = f"sqlite:///{Path(tmp) / 'townhall.sqlite3'}"
        engine = load_workspaces(url, initiatives=initiatives, phases=phases, seed=seed)
        settings = replace(
            Settings(),
            database_url=url,
            slack_bot_token=fake.workspace.bot_token,
            slack_app_token=fake.app_token,
            slack_api_url=fake.url,
        )
        options = SocketOptions(ping_interval=ping_interval, ping_timeout=ping_timeout)
        process = SocketModeProcess(settings=settings, options=options)
        try:
            if not process.connect():
                raise RuntimeError("could not connect to the fake Slack")
            fake.wait_links(1, timeout=timeout)
            demo = SlackRequests.for_workspace(
                fake.workspace, signing_secret="unused", response_urls=fake.response_url
            )
            fake.wait_ack(fake.deliver(demo.command("help")), timeout=timeout)  # warm
            result.reconnects = [
                _reconnect(fake, demo, fault, outage=outage, timeout=timeout) for fault in FAULTS
            ]
            big_ws = fake.add_workspace(team_id=BIG_TEAM, name="Big")
            big_req = SlackRequests.for_workspace(
                big_ws, signing_secret="unused", response_urls=fake.response_url
            ).in_channel(BIG_CHANNEL, channel_name="big")
            big_sent = time.perf_counter()
            fake.deliver(big_req.command(f"plan time={solve_seconds:g}s"))
            fake.wait_for(
                "chat.postMessage",
                where=lambda c: c.body.get("channel") == BIG_CHANNEL,
                timeout=timeout,
            )
            result.acks, result.demo_seconds = _burst(fake, demo, envelopes, timeout=timeout)
            try:
                fake.wait_for(
                    "chat.update",
                    where=roadmap_done(BIG_CHANNEL),
                    timeout=solve_seconds + timeout,
                )
                result.big_seconds = time.perf_counter() - big_sent
            except AssertionError:
                result.big_seconds = None
        finally:
            process.request_stop()
            process.stop()
            engine.dispose()
    return result


def _reconnect(fake: Any, demo: Any, fault: str, *, outage: float, timeout: float) -> Reconnect:
    before = fake.links()[-1].id
    measured = Reconnect(fault)
    if fault == "refresh_requested":
        fake.disconnect("refresh_requested")
    elif fault == "close frame":
        fake.close(1001)
    elif fault == "TCP reset":
        fake.abort()
    elif fault == "silent connection":
        fake.blackhole()
    else:
        fake.outage(outage)
        time.sleep(outage)  # timed from Slack's return
    started = time.perf_counter()
    try:
        fake.wait_links(1, newer_than=before, timeout=timeout)
    except AssertionError:
        return measured
    measured.connected = time.perf_counter() - started
    try:
        fake.wait_ack(fake.deliver(demo.command("help")), timeout=timeout)
        measured.acked = time.perf_counter() - started
    except AssertionError:
        pass
    return measured


def _burst(
    fake: Any, demo: Any, count: int, *, timeout: float
) -> tuple[list[tuple[str, float | None]], float | None]:
    texts = ["plan"] + [OTHERS[i % len(OTHERS)] for i in range(count - 1)]
    requests = [demo.command(t) for t in texts]
    start = threading.Barrier(count + 1)
    sent: list[Any] = [None] * count

    def send(i: int) -> None:
        start.wait(timeout=timeout)
        sent[i] = fake.deliver(requests[i])

    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="bench-envelope") as pool:
        futures = [pool.submit(send, i) for i in range(count)]
        start.wait(timeout=timeout)
        plan_sent = time.perf_counter()
        for future in futures:
            future.result(timeout=timeout)
    acks: list[tuple[str, float | None]] = []
    for text, envelope in zip(texts, sent, strict=True):
        try:
            acks.append((text, fake.wait_ack(envelope, timeout=timeout).seconds))
        except AssertionError:
            acks.append((text, None))
    try:
        fake.wait_for("chat.update", where=roadmap_done(DEMO_CHANNEL), timeout=2 * timeout)
        demo_seconds: float | None = time.perf_counter() - plan_sent
    except AssertionError:
        demo_seconds = None
    return acks, demo_seconds


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def report(result: Result, *, envelopes: int, solve_seconds: float, outage: float) -> str:
    reconnects = [("fault", "connected s", "acked s")]
    for r in result.reconnects:
        name = f"outage {outage:g} s (from its end)" if r.fault == "outage" else r.fault
        reconnects.append((name, _s(r.connected), _s(r.acked)))
    acks = [("command", "count", "p50 ms", "p99 ms", "max ms", "unacked")]
    kinds = sorted({t.split()[0] for t, _ in result.acks})
    for name, group in [
        *((k, [a for a in result.acks if a[0].split()[0] == k]) for k in kinds),
        ("all", result.acks),
    ]:
        timed = [s for _, s in group if s is not None]
        cells = (
            [f"{1000 * percentile(timed, p):.0f}" for p in (0.5, 0.99)]
            + [f"{1000 * max(timed):.0f}"]
            if timed
            else ["-", "-", "-"]
        )
        acks.append((name, str(len(group)), *cells, str(len(group) - len(timed))))
    timed = [s for _, s in result.acks if s is not None]
    silent = next((r for r in result.reconnects if r.fault == "silent connection"), None)
    checks = [
        (f"a dead connection replaced within {DEAD_TARGET:g} s",
         silent is not None and silent.connected is not None and silent.connected <= DEAD_TARGET),
        (f"every acknowledgement within {ACK_LIMIT:g} s",
         len(timed) == len(result.acks) and bool(timed) and max(timed) <= ACK_LIMIT),
        (f"p99 acknowledgement ≤ {1000 * P99_TARGET:.0f} ms",
         bool(timed) and percentile(timed, 0.99) <= P99_TARGET),
    ]  # fmt: skip
    return "\n".join(
        [
            "Socket Mode (in-process SocketModeProcess, fake Socket Mode Slack on loopback)",
            "",
            "Reconnection after each fault",
            _table(reconnects),
            "",
            f"{envelopes} slash command envelopes at once while a {result.initiatives}-initiative "
            f"solve runs (time={solve_seconds:g}s); envelope sent → acknowledgement received",
            _table(acks),
            "",
            f"demo roadmap message complete after its plan: {_s(result.demo_seconds)} s",
            f"{result.initiatives}-initiative roadmap complete after its plan: "
            f"{_s(result.big_seconds)} s",
            "",
            *(f"target: {what}: {'MET' if ok else 'MISSED'}" for what, ok in checks),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.socket_mode",
        description="Socket Mode reconnection times and acknowledgements during a plan.",
    )
    parser.add_argument("--envelopes", type=int, default=30, help="envelopes sent at once")
    parser.add_argument("--initiatives", type=int, default=200, help="size of the large solve")
    parser.add_argument("--phases", type=int, default=12, help="phases of the large portfolio")
    parser.add_argument("--seed", type=int, default=1, help="seed of the large portfolio")
    parser.add_argument("--solve-seconds", type=float, default=10.0, help="the large solve's limit")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds Slack is unreachable")
    parser.add_argument("--ping-interval", type=float, default=5.0, help="as townhall socket's")
    parser.add_argument("--ping-timeout", type=float, default=8.0, help="as townhall socket's")
    parser.add_argument("--timeout", type=float, default=60.0, help="longest wait for anything")
    args = parser.parse_args(argv)
    if args.envelopes < 1:
        parser.error("--envelopes must be at least 1")
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)  # its retries in the outage
    result = run(
        envelopes=args.envelopes,
        initiatives=args.initiatives,
        phases=args.phases,
        seed=args.seed,
        solve_seconds=args.solve_seconds,
        outage=args.outage,
        ping_interval=args.ping_interval,
        ping_timeout=args.ping_timeout,
        timeout=args.timeout,
    )
    print(
        report(
            result, envelopes=args.envelopes, solve_seconds=args.solve_seconds, outage=args.outage
        )
    )
    failed = any(r.connected is None or r.acked is None for r in result.reconnects) or any(
        s is None for _, s in result.acks
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
