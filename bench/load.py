"""The load benchmark: `python -m bench.load`.

Runs the production shape on loopback — `townhall serve` on gunicorn with `--web`
processes, `--workers` `townhall worker` processes, PostgreSQL, Redis and the test suite's
fake Slack, started by `tests.cluster` — and measures two things.

Phase A, acknowledgements under load: signed slash commands at a fixed rate (open loop,
`bench.loadgen`) for `--duration` seconds, cheap ones (`list`, `show SSO`, `help`,
`jobs`) in turn and every `--plan-every`-th a `plan`, so solves run on the workers all
along. Per command and overall: p50 / p90 / p99 / max acknowledgement latency, errors,
the rate achieved; solves finished per minute, the queue's depth, and the resident
memory of every process (sampled twice a second).

Phase B, a worker killed every `--kill-every` seconds: `--solves` plan commands are sent
(at `--submit-rate` per second), and meanwhile a worker — the one running a job, when
one is — gets SIGKILL and is started again. At the end: jobs lost (not done and
delivered within `--timeout` of the last command), duplicates — results posted twice
(more than one roadmap-carrying update of a job's placeholder message) and extra roadmaps
(more `roadmap.save` audit rows than done jobs) — the attempts histogram and the time.

Targets (bench/README.md, Load): p99 ≤ 300 ms at 50 commands/s with two web processes
while solves run; 0 lost and 0 duplicated jobs across 100 solves with a worker killed
every 10 s; web process memory ≤ 250 MB. Exit status 1 when a target is missed or the run failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.jobstats import JobRow, jobs, result_updates, roadmap_saves, status_counts
from bench.loadgen import IDLE_SECONDS, Sample, Summary, run_open_loop, summarize
from bench.procmem import Memory, MemorySampler

P99_TARGET_MS = 300.0
MEMORY_TARGET_MB = 250.0
TARGET_RATE = 50.0
TARGET_SOLVES = 100
TARGET_KILL_EVERY = 10.0
TARGET_WEB = 2

#: The cheap commands of phase A, in turn.
CHEAP = ("list", "show SSO", "help", "jobs")
PLAN = "plan"


@dataclass(frozen=True)
class Options:
    rate: float = TARGET_RATE
    duration: float = 60.0
    plan_every: int = 50
    kill_every: float = TARGET_KILL_EVERY
    solves: int = TARGET_SOLVES
    submit_rate: float = 1.0
    web: int = TARGET_WEB
    threads: int = 16
    workers: int = 2
    solver_threads: int = 1
    nice: int = 0
    lease: float = 3.0
    timeout: float = 120.0
    seed: int = 1
    quick: bool = False

    @classmethod
    def quick_run(cls, **overrides: Any) -> Options:
        """About 30 seconds in all: a short phase A and a handful of solves in phase B."""
        base = dict(
            rate=20.0,
            duration=6.0,
            plan_every=20,
            kill_every=8.0,
            solves=6,
            submit_rate=3.0,
            quick=True,
        )
        base.update(overrides)
        return cls(**base)

    def check(self) -> None:
        """Refuse impossible options, naming each."""
        problems = []
        if not self.rate > 0:
            problems.append(f"--rate must be positive commands per second, not {self.rate}")
        if not self.duration > 0:
            problems.append(f"--duration must be positive seconds, not {self.duration}")
        if self.plan_every < 0:
            problems.append(f"--plan-every must be 0 (no plans) or more, not {self.plan_every}")
        if not self.kill_every > 0:
            problems.append(f"--kill-every must be positive seconds, not {self.kill_every}")
        if self.solves < 0:
            problems.append(f"--solves must be 0 (skip phase B) or more, not {self.solves}")
        if not self.submit_rate > 0:
            problems.append(f"--submit-rate must be positive, not {self.submit_rate}")
        for name, value in (("--web", self.web), ("--workers", self.workers),
                            ("--threads", self.threads),
                            ("--solver-threads", self.solver_threads)):  # fmt: skip
            if value < 1:
                problems.append(f"{name} must be at least 1, not {value}")
        if not 0 <= self.nice <= 19:
            problems.append(f"--nice must be 0..19, not {self.nice}")
        if not self.timeout > 0:
            problems.append(f"--timeout must be positive seconds, not {self.timeout}")
        if problems:
            raise ValueError("\n".join(problems))


def command_mix(count: int, plan_every: int) -> list[str]:
    """`count` command texts: CHEAP in turn, every `plan_every`-th one a plan (0: none)."""
    texts = []
    for i in range(count):
        if plan_every and (i + 1) % plan_every == 0:
            texts.append(PLAN)
        else:
            texts.append(CHEAP[i % len(CHEAP)])
    return texts


# --------------------------------------------------------------------------- results


@dataclass
class QueueTrace:
    """Queue depth (messages in Redis, job rows queued / running) sampled over time."""

    redis: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    running: list[int] = field(default_factory=list)


@dataclass
class PhaseA:
    samples: list[Sample]
    seconds: float  # the span the commands were due in
    solves_done: int  # plan jobs finished (done) during the phase
    plans_sent: int
    queue: QueueTrace
    memory: Memory
    drain_seconds: float | None  # after the phase, until no plan job was left to do


@dataclass
class PhaseB:
    sent: int
    acked: int
    jobs: dict[str, JobRow]
    result_updates: Counter[str]
    roadmaps_saved: int
    kills: int
    seconds: float  # first command → last job finished (or the timeout)
    memory: Memory

    @property
    def lost(self) -> int:
        """Acknowledged plans without a job row, and job rows not done and delivered."""
        missing = max(0, self.acked - len(self.jobs))
        return missing + sum(1 for j in self.jobs.values() if not j.finished)

    @property
    def results_twice(self) -> int:
        """Jobs whose placeholder message got more than one roadmap (what a user would
        see twice)."""
        return sum(1 for j in self.jobs.values() if j.ts and self.result_updates[j.ts] > 1)

    @property
    def extra_roadmaps(self) -> int:
        """Roadmaps saved beyond one per done job (audit rows `roadmap.save`): the work of
        an attempt that was killed after saving and before finishing the job, or jobs
        sharing one roadmap."""
        done = sum(1 for j in self.jobs.values() if j.status == "done")
        ids = [j.roadmap_id for j in self.jobs.values() if j.roadmap_id is not None]
        return max(0, self.roadmaps_saved - done) + len(ids) - len(set(ids))

    @property
    def duplicated(self) -> int:
        """Duplicates of either kind: results posted twice, roadmaps saved twice."""
        return self.results_twice + self.extra_roadmaps

    @property
    def attempts(self) -> Counter[int]:
        return Counter(j.attempts for j in self.jobs.values())


@dataclass
class Report:
    options: Options
    a: PhaseA | None = None
    b: PhaseB | None = None


# --------------------------------------------------------------------------- phases


def _sampling(cluster: Any, trace: QueueTrace, stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(1.0):
            depth = cluster.queue_depth()
            if depth is not None:
                trace.redis.append(depth)
            counts = status_counts(cluster.engine)
            trace.queued.append(counts.get("queued", 0))
            trace.running.append(counts.get("running", 0))

    thread = threading.Thread(target=loop, name="bench-queue", daemon=True)
    thread.start()
    return thread


def _plans_done(cluster: Any) -> int:
    return sum(1 for j in jobs(cluster.engine).values() if j.status == "done")


def wait_until(condition: Callable[[], bool], *, timeout: float, every: float = 0.25) -> bool:
    """Poll `condition` until true (True) or `timeout` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def phase_a(cluster: Any, options: Options, *, log: Callable[[str], None]) -> PhaseA:
    """Commands at a fixed rate for a fixed time while plans keep the workers busy."""
    count = max(1, round(options.rate * options.duration))
    texts = command_mix(count, options.plan_every)
    log(f"phase A: {count} commands at {options.rate:g}/s, {texts.count(PLAN)} of them plans")
    trace = QueueTrace()
    stop = threading.Event()
    done_before = _plans_done(cluster)
    rows_before = len(jobs(cluster.engine))
    with MemorySampler(cluster.process_roles, groups=cluster.cpu_groups) as sampler:
        sampler_thread = _sampling(cluster, trace, stop)
        try:
            samples = run_open_loop(
                cluster.events_url, texts, cluster.sign, rate=options.rate, senders=32
            )
        finally:
            stop.set()
            sampler_thread.join(timeout=5)
        solves_done = _plans_done(cluster) - done_before
    plans_acked = sum(1 for s in samples if s.text == PLAN and s.ok)
    drain_started = time.monotonic()

    def drained_now() -> bool:
        rows = jobs(cluster.engine)
        settled = [j for j in rows.values() if j.finished or j.status == "failed"]
        return len(rows) - rows_before >= plans_acked and len(settled) == len(rows)

    drained = wait_until(drained_now, timeout=options.timeout)
    drain = time.monotonic() - drain_started if drained else None
    return PhaseA(
        samples=samples,
        seconds=count / options.rate,
        solves_done=solves_done,
        plans_sent=texts.count(PLAN),
        queue=trace,
        memory=sampler.memory,
        drain_seconds=drain,
    )


class Killer:
    """Every `every` seconds (the first time as soon as a job runs, or after half of it),
    SIGKILL one worker — one holding a running job when there is one, else the next in
    turn — and start a new one in its place at once."""

    def __init__(self, cluster: Any, every: float, *, log: Callable[[str], None]) -> None:
        self.cluster, self.every, self.log = cluster, every, log
        self.kills = 0
        self._stop = threading.Event()
        self._turn = 0
        self._thread = threading.Thread(target=self._loop, name="bench-killer", daemon=True)

    def _victim(self) -> int:
        busy = self.cluster.busy_workers()
        if busy:
            return random.choice(sorted(busy))
        self._turn = (self._turn + 1) % self.cluster.worker_count
        return self._turn

    def _first(self) -> bool:
        """Wait for the first kill: once a worker is running a job (at least 0.5 s in) or
        half a period in, whichever comes first, so that short runs get one too."""
        started = time.monotonic()
        while not self._stop.wait(0.1):
            elapsed = time.monotonic() - started
            if elapsed >= self.every / 2 or (elapsed >= 0.5 and self.cluster.busy_workers()):
                return True
        return False

    def _loop(self) -> None:
        if not self._first():
            return
        while True:
            index = self._victim()
            self.cluster.kill_worker(index, signal.SIGKILL)
            self.kills += 1
            self.log(f"phase B: killed worker {index + 1} (kill {self.kills})")
            self.cluster.start_worker(index)
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> Killer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def phase_b(cluster: Any, options: Options, *, log: Callable[[str], None]) -> PhaseB:
    """`solves` plans while a worker is killed every `kill_every` seconds."""
    before = set(jobs(cluster.engine))
    saves_before = roadmap_saves(cluster.engine)
    updates_before = len(cluster.fake.calls("chat.update"))
    log(
        f"phase B: {options.solves} plans at {options.submit_rate:g}/s, a worker killed "
        f"every {options.kill_every:g} s"
    )
    started = time.monotonic()
    with (
        MemorySampler(cluster.process_roles, groups=cluster.cpu_groups) as sampler,
        Killer(cluster, options.kill_every, log=log) as killer,
    ):
        samples = run_open_loop(
            cluster.events_url,
            [PLAN] * options.solves,
            cluster.sign,
            rate=options.submit_rate,
            senders=8,
        )
        acked = sum(1 for s in samples if s.ok)

        def new_jobs() -> dict[str, JobRow]:
            return {k: v for k, v in jobs(cluster.engine).items() if k not in before}

        def settled() -> bool:
            fresh = new_jobs()
            return len(fresh) >= acked and all(
                j.finished or j.status == "failed" for j in fresh.values()
            )

        wait_until(settled, timeout=options.timeout, every=0.5)
        seconds = time.monotonic() - started
    kills = killer.kills
    # a delivery repeated by the sweep would come within a lease or two of the end
    time.sleep(min(2 * options.lease, 10.0))
    fresh = new_jobs()
    calls = cluster.fake.calls("chat.update")[updates_before:]
    saved = len(roadmap_saves(cluster.engine) - saves_before)
    return PhaseB(
        sent=len(samples),
        acked=acked,
        jobs=fresh,
        result_updates=result_updates(calls),
        roadmaps_saved=saved,
        kills=kills,
        seconds=seconds,
        memory=sampler.memory,
    )


# --------------------------------------------------------------------------- report


def machine() -> str:
    """nproc and the CPU model, for the header."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs ({model}), load average {load:.1f} at the start"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


@dataclass(frozen=True)
class Check:
    """One target: what it says with the measured figure, whether it holds, and whether
    this run's settings are the target's (a quick run's figures are not the target's)."""

    what: str
    ok: bool
    at_target: bool

    @property
    def line(self) -> str:
        verdict = "MET" if self.ok else "MISSED"
        if not self.at_target:
            verdict += " (not at the target's settings)"
        return f"target: {self.what}: {verdict}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


ACK_COLUMNS = ("command", "count", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "per s")
PHASE_B_COLUMNS = (
    "jobs",
    "done+delivered",
    "failed",
    "lost",
    "results twice",
    "extra roadmaps",
    "kills",
    "seconds",
)
MEMORY_COLUMNS = (
    "process",
    "A max MB",
    "A end MB",
    "B max MB",
    "A CPU cores",
    "B CPU cores",
)


def _summary_row(name: str, summary: Summary) -> list[str]:
    return [
        name,
        str(summary.count),
        _ms(summary.p50),
        _ms(summary.p90),
        _ms(summary.p99),
        _ms(summary.max),
        str(summary.errors),
        f"{summary.rate:.1f}",
    ]


def web_peak(memory: Memory) -> float:
    """The largest RSS of any web process (master or gunicorn worker)."""
    return max((v for k, v in memory.peak.items() if k.startswith("web")), default=0.0)


def render(report: Report) -> str:
    """The tables and the targets, as text."""
    return "\n".join(_render(report)[0])


def checks(report: Report) -> list[Check]:
    """The targets with this run's figures."""
    return _render(report)[1]


def _render(report: Report) -> tuple[list[str], list[Check]]:
    o = report.options
    lines = [
        f"Load benchmark{' — QUICK mode' if o.quick else ''}",
        f"machine: {machine()}",
        f"cluster: {o.web} web processes × {o.threads} threads (gunicorn gthread), "
        f"{o.workers} workers (--solver-threads {o.solver_threads}"
        f"{f', nice {o.nice}' if o.nice else ''}), job lease {o.lease:g} s; PostgreSQL, "
        "Redis and the fake Slack on loopback; everything shares the machine",
    ]
    found: list[Check] = []
    a, b = report.a, report.b
    if a is not None:
        lines += [
            "",
            f"Phase A — acknowledgements under load: {len(a.samples)} signed commands, open "
            f"loop at {o.rate:g}/s for {a.seconds:g} s, every {o.plan_every}-th a plan",
        ]
        kinds = sorted({s.text.split()[0] for s in a.samples})
        rows = [
            _summary_row(k, summarize([s for s in a.samples if s.text.split()[0] == k],
                                      seconds=a.seconds))
            for k in kinds
        ]  # fmt: skip
        overall = summarize(a.samples, seconds=a.seconds)
        rows.append(_summary_row("all", overall))
        lines += _table(ACK_COLUMNS, rows)
        errors = Counter(s.error for s in a.samples if s.error)
        for error, n in errors.most_common(5):
            lines.append(f"  error ×{n}: {error}")
        reopened = sum(1 for s in a.samples if s.reopened)
        lines.append(
            f"connections: kept alive, closed after {IDLE_SECONDS:g} s idle; {reopened} "
            "requests sent again on a new one after the server had closed theirs"
        )
        lines.append(
            f"load generator lateness p99: {_ms(overall.lag_p99)} ms (how late requests left "
            "their schedule; large values mean the generator, not the server, lagged)"
        )
        per_minute = 60 * a.solves_done / a.seconds
        drain = "not within the timeout" if a.drain_seconds is None else f"{a.drain_seconds:.1f} s"
        lines.append(
            f"solves: {a.solves_done} plan jobs finished during the phase = {per_minute:.1f} "
            f"per minute ({a.plans_sent} plans sent); queue drained {drain} after the phase"
        )
        q = a.queue
        lines.append(
            "queue depth: Redis max "
            f"{max(q.redis, default=0)} / end {q.redis[-1] if q.redis else '—'}; job rows "
            f"queued max {max(q.queued, default=0)}, running max {max(q.running, default=0)}"
        )
        found.append(
            Check(
                f"ack p99 ≤ {P99_TARGET_MS:.0f} ms at {TARGET_RATE:g}/s, {TARGET_WEB} web "
                f"processes, solves running, no errors (measured p99 {_ms(overall.p99)} ms at "
                f"{o.rate:g}/s, {o.web} web, {overall.errors} errors)",
                overall.errors == 0 and overall.p99 is not None and overall.p99 <= P99_TARGET_MS,
                o.rate >= TARGET_RATE and o.web == TARGET_WEB and o.plan_every > 0,
            )
        )
    if b is not None:
        attempts = ", ".join(f"{n} attempt{'s' if n > 1 else ''}: {c}"
                             for n, c in sorted(b.attempts.items()))  # fmt: skip
        lines += [
            "",
            f"Phase B — a worker SIGKILLed every {o.kill_every:g} s: {b.sent} plan commands "
            f"sent at {o.submit_rate:g}/s ({b.acked} acknowledged)",
            *_table(
                PHASE_B_COLUMNS,
                [
                    [
                        str(len(b.jobs)),
                        str(sum(1 for j in b.jobs.values() if j.finished)),
                        str(sum(1 for j in b.jobs.values() if j.status == "failed")),
                        str(b.lost),
                        str(b.results_twice),
                        str(b.extra_roadmaps),
                        str(b.kills),
                        f"{b.seconds:.1f}",
                    ]
                ],
            ),
            f"attempts: {attempts or '—'}",
            f"roadmaps saved (roadmap.save audit rows): {b.roadmaps_saved} for "
            f"{sum(1 for j in b.jobs.values() if j.status == 'done')} done jobs; placeholders "
            "by the number of roadmap results they received: "
            f"{dict(sorted(Counter(b.result_updates.values()).items())) or '—'}",
        ]
        found.append(
            Check(
                f"0 lost and 0 duplicated across {TARGET_SOLVES} solves, a worker killed every "
                f"{TARGET_KILL_EVERY:g} s (measured {b.lost} lost, {b.duplicated} duplicated: "
                f"{b.results_twice} results posted twice, {b.extra_roadmaps} extra roadmaps "
                f"across {b.sent}, {b.kills} kills every {o.kill_every:g} s)",
                b.lost == 0 and b.duplicated == 0 and b.kills > 0,
                b.sent >= TARGET_SOLVES and o.kill_every <= TARGET_KILL_EVERY,
            )
        )
    memories = [m for m in (a.memory if a else None, b.memory if b else None) if m]
    if memories:
        roles = sorted({r for m in memories for r in m.peak}, key=_role_order)
        groups = sorted({r for m in memories for r in m.cpu} - set(roles))
        am, bm = (a.memory if a else None), (b.memory if b else None)
        rows = [
            [
                role,
                _mb(am.peak.get(role) if am else None),
                _mb(am.last.get(role) if am else None),
                _mb(bm.peak.get(role) if bm else None),
                _cores(am, role),
                _cores(bm, role),
            ]
            for role in [*roles, *groups]
        ]
        rows.append(["everything else on the machine", "", "", "", _rest(am), _rest(bm)])
        rows.append(["machine (all cores)", "", "", "", _cores(am, None), _cores(bm, None)])
        lines += [
            "",
            "Processes: resident memory (RSS) and CPU used, in cores (1.00 = one core busy "
            "all along), sampled every 0.5 s with psutil",
        ]
        lines += _table(MEMORY_COLUMNS, rows)
        peak = max(web_peak(m) for m in memories)
        found.append(
            Check(f"web process memory ≤ {MEMORY_TARGET_MB:.0f} MB (largest {peak:.0f} MB)",
                  0 < peak <= MEMORY_TARGET_MB, o.web == TARGET_WEB)
        )  # fmt: skip
    lines.append("")
    lines += [check.line for check in found]
    return lines, found


def _role_order(role: str) -> tuple[int, str]:
    return (0 if role.startswith("web") else 1, role)


def _cores(memory: Memory | None, role: str | None) -> str:
    if memory is None or not memory.seconds:
        return "—"
    if role is None:
        return f"{memory.machine_cpu / memory.seconds:.2f}"
    if role not in memory.cpu:
        return "—"
    return f"{memory.cores(role):.2f}"


def _rest(memory: Memory | None) -> str:
    if memory is None or not memory.seconds:
        return "—"
    rest = memory.machine_cpu - sum(memory.cpu.values())
    return f"{max(0.0, rest) / memory.seconds:.2f}"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def failed(report: Report) -> bool:
    """Whether the run failed: a request went unanswered, a job was lost or duplicated, or
    a target was missed at the target's own settings."""
    if report.a is not None and summarize(report.a.samples).errors:
        return True
    if report.b is not None and (report.b.lost or report.b.duplicated):
        return True
    return any(c.at_target and not c.ok for c in checks(report))


# --------------------------------------------------------------------------- entry point


def run(options: Options, *, log: Callable[[str], None]) -> Report:
    """Start the cluster, run both phases, stop it."""
    from bench.load_cluster import bench_cluster

    options.check()
    report = Report(options)
    with bench_cluster(options, log=log) as cluster:
        report.a = phase_a(cluster, options, log=log)
        if options.solves:
            report.b = phase_b(cluster, options, log=log)
    return report


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Acknowledgement latency at a fixed command rate while solves run, and "
        "lost / duplicated jobs while workers are killed.",
    )
    d = Options()
    parser.add_argument("--rate", type=float, help=f"commands per second (default {d.rate:g})")
    parser.add_argument(
        "--duration", type=float, help=f"seconds of phase A (default {d.duration:g})"
    )
    parser.add_argument(
        "--plan-every",
        type=int,
        help=f"every N-th command is a plan (0: none; default {d.plan_every})",
    )
    parser.add_argument(
        "--kill-every", type=float, help=f"seconds between worker kills (default {d.kill_every:g})"
    )
    parser.add_argument(
        "--solves", type=int, help=f"plans in phase B (0: skip it; default {d.solves})"
    )
    parser.add_argument(
        "--submit-rate", type=float, help=f"phase B plans per second (default {d.submit_rate:g})"
    )
    parser.add_argument("--web", type=int, help=f"gunicorn processes (default {d.web})")
    parser.add_argument(
        "--threads", type=int, help=f"threads per gunicorn process (default {d.threads})"
    )
    parser.add_argument("--workers", type=int, help=f"townhall workers (default {d.workers})")
    parser.add_argument(
        "--solver-threads", type=int, help=f"CP-SAT threads per worker (default {d.solver_threads})"
    )
    parser.add_argument(
        "--nice", type=int, help="run workers at this nice value, 0..19 (default 0: same priority)"
    )
    parser.add_argument(
        "--lease", type=float, help=f"job lease seconds, TOWNHALL_JOB_LEASE (default {d.lease:g})"
    )
    parser.add_argument(
        "--timeout", type=float, help=f"longest wait for jobs to finish (default {d.timeout:g})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="≈30 s: 20/s for 6 s, 6 solves at 3/s with a kill every 8 s",
    )
    parser.add_argument("--seed", type=int, help="seed of the victim choice")  # fmt: skip
    args = parser.parse_args(argv)
    given = {k: v for k, v in vars(args).items() if v is not None and k != "quick"}
    try:
        options = Options.quick_run(**given) if args.quick else Options(**given)
        options.check()
    except ValueError as exc:
        parser.error(str(exc))
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    random.seed(options.seed)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    report = run(options, log=log)
    print(render(report))
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
