"""Slack acknowledgement latency while a large solve runs: `python -m bench.slack_ack`.

Serves the real app (`bot.server.SlackWsgi` around `bot.app.build_app`, in this process
on a threaded wsgiref server on loopback, not gunicorn) in front of a fresh SQLite
catalog and the test suite's fake Slack. Workspace T0ACME holds the demo portfolio,
T0BIG a generated one (200 initiatives by default). A `plan` in T0BIG starts the large
solve; once its placeholder is posted, N signed slash commands from T0ACME are sent at
the same moment (the first `plan`, the others `list`, `show SSO` and `help` in turn).

Printed: per command and overall, the count, p50 / p99 / max time until the HTTP
acknowledgement, errors (non-200 or no answer), and the seconds from the demo's `plan`
until its roadmap message is complete (the `chat.update` with the final roadmap).
Everything runs on 127.0.0.1 and stops by itself; exit status 1 when a request failed
or the demo roadmap did not arrive.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

#: The targets (bench/README.md, Slack acknowledgements while a solve runs).
ACK_LIMIT = 3.0  # seconds, every acknowledgement
P99_TARGET = 0.300  # seconds
DEMO_TARGET = 3.0  # seconds from the demo's plan command to its complete roadmap message

SECRET = "bench-signing-secret"
DEMO_TEAM = "T0ACME"
BIG_TEAM = "T0BIG"
DEMO_CHANNEL = "C0GENERAL"
BIG_CHANNEL = "C0BIG"
#: The commands sent after the first (`plan`), in turn.
OTHERS = ("list", "show SSO", "help")
COLUMNS = ("command", "count", "p50 ms", "p99 ms", "max ms", "errors")


#: Pending connections the server's socket holds (gunicorn's default backlog is 2048;
#: wsgiref's 5 would drop connections of a burst and time the client's SYN retries).
BACKLOG = 2048


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = BACKLOG


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a port chosen by the system), a thread per
    request, while the block runs; yield its root URL."""
    server = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bench-wsgi"
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Sample:
    """One slash command: what was sent, how long its acknowledgement took, or why not."""

    text: str
    seconds: float | None = None
    error: str = ""


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    demo_seconds: float | None = None  # plan → complete demo roadmap message
    big_seconds: float | None = None  # plan → complete large roadmap message
    initiatives: int = 0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def roadmap_done(channel: str) -> Callable[[Any], bool]:
    """A fake-Slack call filter: the final roadmap message in `channel`."""

    def done(call: Any) -> bool:
        body = call.body
        return body.get("channel") == channel and str(body.get("text", "")).startswith("Roadmap (")

    return done


def load_workspaces(url: str, *, initiatives: int, phases: int, seed: int) -> Any:
    """A fresh catalog at `url` with the demo in DEMO_TEAM and a generated portfolio of
    `initiatives` × `phases` in BIG_TEAM; returns its engine (the caller disposes of it)."""
    from bench.generate import generate_portfolio
    from catalog import services
    from catalog.db import make_engine, make_session_factory, upgrade
    from catalog.domain import Actor
    from catalog.uow import UnitOfWork

    operator = Actor.operator()
    upgrade(url)
    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    with UnitOfWork(session_factory) as u:
        services.load_demo(u, actor=operator, team_id=DEMO_TEAM)
    with UnitOfWork(session_factory) as u:
        services.ensure_workspace(u, team_id=BIG_TEAM)
    with UnitOfWork(session_factory) as u:
        big = generate_portfolio(initiatives, phases, seed=seed)
        services.import_portfolio(u, actor=operator, team_id=BIG_TEAM, portfolio=big)
    return engine


def run(
    *,
    commands: int = 20,
    initiatives: int = 200,
    phases: int = 12,
    seed: int = 1,
    solve_seconds: float = 10.0,
    timeout: float = 60.0,
) -> Result:
    """Run the benchmark once (see the module docstring); bounded by `timeout` seconds per wait."""
    from slack_sdk import WebClient

    from bot.app import build_app
    from bot.server import SlackWsgi
    from catalog.db import make_session_factory
    from catalog.settings import Settings
    from tests.bot.fakeslack import FakeSlack
    from tests.bot.signed import SlackRequests

    result = Result(initiatives=initiatives)
    with tempfile.TemporaryDirectory(prefix="slack-ack-") as tmp, FakeSlack() as fake:
        url = f"sqlite:///{Path(tmp) / 'townhall.sqlite3'}"
        engine = load_workspaces(url, initiatives=initiatives, phases=phases, seed=seed)
        session_factory = make_session_factory(engine)

        settings = replace(
            Settings(),
            slack_signing_secret=SECRET,
            slack_bot_token=fake.workspace.bot_token,
            slack_api_url=fake.url,
        )
        # one bot token (single-workspace mode): the fake records every call under
        # T0ACME; the two workspaces' messages are told apart by channel
        client = WebClient(base_url=fake.url, token=fake.workspace.bot_token)
        jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bench-jobs")
        app = build_app(
            settings=settings, session_factory=session_factory, client=client, executor=jobs
        )
        try:
            with serve(SlackWsgi(app, settings=settings)) as root:
                events = f"{root}/slack/events"
                demo = SlackRequests.for_workspace(
                    fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
                )
                big_ws = fake.add_workspace(team_id=BIG_TEAM, name="Big")
                big_req = SlackRequests.for_workspace(
                    big_ws, signing_secret=SECRET, response_urls=fake.response_url
                ).in_channel(BIG_CHANNEL, channel_name="big")

                big_sent = time.perf_counter()
                big_req.command(f"plan time={solve_seconds:g}s").send(events, timeout=timeout)
                fake.wait_for(
                    "chat.postMessage",
                    where=lambda c: c.body.get("channel") == BIG_CHANNEL,
                    timeout=timeout,
                )
                result.samples, result.demo_seconds = _fire(
                    fake, demo, events, commands=commands, timeout=timeout
                )
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
            jobs.shutdown(wait=True)
            engine.dispose()
    return result


def _fire(
    fake: object, demo: object, events: str, *, commands: int, timeout: float
) -> tuple[list[Sample], float | None]:
    """Send `commands` signed commands at once; return their samples and the seconds from
    the `plan` among them to its complete roadmap message."""
    texts = ["plan"] + [OTHERS[i % len(OTHERS)] for i in range(commands - 1)]
    requests = [demo.command(t) for t in texts]  # type: ignore[attr-defined]
    samples = [Sample(t) for t in texts]
    start = threading.Barrier(len(requests) + 1)
    plan_sent: list[float] = []
    demo_done: list[float] = []

    def watch() -> None:
        try:
            fake.wait_for(  # type: ignore[attr-defined]
                "chat.update", where=roadmap_done(DEMO_CHANNEL), timeout=2 * timeout
            )
            demo_done.append(time.perf_counter())
        except AssertionError:
            pass

    def send(i: int) -> None:
        start.wait(timeout=timeout)
        began = time.perf_counter()
        if i == 0:
            plan_sent.append(began)
        try:
            reply = requests[i].send(events, timeout=timeout)
        except OSError as exc:
            samples[i].error = f"{type(exc).__name__}: {exc}"
            return
        samples[i].seconds = time.perf_counter() - began
        if reply.status != 200:
            samples[i].error = f"HTTP {reply.status}"

    watcher = threading.Thread(target=watch, name="bench-demo-watch", daemon=True)
    watcher.start()
    with ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="bench-cmd") as pool:
        futures = [pool.submit(send, i) for i in range(len(requests))]
        start.wait(timeout=timeout)
        for future in futures:
            future.result(timeout=2 * timeout)
    watcher.join(timeout=3 * timeout)
    demo = demo_done[0] - plan_sent[0] if demo_done and plan_sent else None
    return samples, demo


def table(result: Result) -> str:
    """The result as a text table with a line per command kind and one for all."""
    rows = [COLUMNS]
    kinds = sorted({s.text.split()[0] for s in result.samples})
    groups = [(k, [s for s in result.samples if s.text.split()[0] == k]) for k in kinds]
    groups.append(("all", result.samples))
    for name, samples in groups:
        timed = [s.seconds for s in samples if s.seconds is not None and not s.error]
        cells = [f"{1000 * v:.0f}" for v in _stats(timed)] if timed else ["-", "-", "-"]
        rows.append((name, str(len(samples)), *cells, str(sum(1 for s in samples if s.error))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _stats(values: Sequence[float]) -> tuple[float, float, float]:
    return percentile(values, 0.5), percentile(values, 0.99), max(values)


def _seconds(value: float | None) -> str:
    return "did not arrive" if value is None else f"{value:.2f} s"


def report(result: Result, *, solve_seconds: float) -> str:
    """The table, the roadmap times and the targets (MET / MISSED)."""
    timed = [s.seconds for s in result.samples if s.seconds is not None and not s.error]
    errors = sum(1 for s in result.samples if s.error)
    lines = [
        f"{len(result.samples)} concurrent slash commands while a {result.initiatives}-initiative "
        f"solve runs (time={solve_seconds:g}s); in-process WSGI "
        f"(threaded wsgiref, backlog {BACKLOG}) on loopback",
        "",
        table(result),
        "",
        f"demo roadmap message complete after its plan: {_seconds(result.demo_seconds)}",
        f"{result.initiatives}-initiative roadmap message complete after its plan: "
        f"{_seconds(result.big_seconds)}",
    ]
    for failed in (s for s in result.samples if s.error):
        lines.append(f"error: {failed.text}: {failed.error}")
    checks = [
        (f"every acknowledgement within {ACK_LIMIT:g} s",
         not errors and bool(timed) and max(timed) <= ACK_LIMIT),
        (f"p99 acknowledgement ≤ {1000 * P99_TARGET:.0f} ms",
         not errors and bool(timed) and percentile(timed, 0.99) <= P99_TARGET),
        (f"demo roadmap within {DEMO_TARGET:g} s of its command",
         result.demo_seconds is not None and result.demo_seconds <= DEMO_TARGET),
    ]  # fmt: skip
    lines.append("")
    lines += [f"target: {what}: {'MET' if ok else 'MISSED'}" for what, ok in checks]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.slack_ack",
        description="Slack acknowledgement latency while a large solve runs.",
    )
    parser.add_argument("--commands", type=int, default=20, help="concurrent slash commands")
    parser.add_argument("--initiatives", type=int, default=200, help="size of the large solve")
    parser.add_argument("--phases", type=int, default=12, help="phases of the large portfolio")
    parser.add_argument("--seed", type=int, default=1, help="seed of the large portfolio")
    parser.add_argument(
        "--solve-seconds", type=float, default=10.0, help="time limit of the large solve"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="longest wait for anything")
    args = parser.parse_args(argv)
    if args.commands < 1 or args.initiatives < 1 or args.phases < 1:
        parser.error("--commands, --initiatives and --phases must be at least 1")
    logging.basicConfig(level=logging.ERROR)
    result = run(
        commands=args.commands,
        initiatives=args.initiatives,
        phases=args.phases,
        seed=args.seed,
        solve_seconds=args.solve_seconds,
        timeout=args.timeout,
    )
    print(report(result, solve_seconds=args.solve_seconds))
    failed = any(s.error for s in result.samples) or result.demo_seconds is None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
