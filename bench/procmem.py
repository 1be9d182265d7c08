"""Resident memory and CPU time of the processes under test, sampled in the background.

Processes are named by role ("web master", "web 1", "worker 2", …) rather than by pid:
gunicorn's workers are the master's children, and a worker killed by the benchmark comes
back with a new pid under the same role. The sampler asks `roles()` for the current
pids at every tick and keeps, per role, the largest RSS seen and the last one, and the
CPU seconds each role used while sampled (summed over the pids it had). `groups()` names
more processes whose CPU time only is of interest (PostgreSQL's backends, the bench
itself); the machine's total CPU time is kept too, so "everything else" can be told.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import psutil

MB = 1024 * 1024


def gunicorn_roles(master_pid: int) -> dict[str, int]:
    """The gunicorn master and its worker processes (`web 1`, `web 2`, … by pid order)."""
    roles = {"web master": master_pid}
    try:
        children = sorted(c.pid for c in psutil.Process(master_pid).children())
    except psutil.Error:
        return roles
    roles.update({f"web {i}": pid for i, pid in enumerate(children, start=1)})
    return roles


@dataclass
class Memory:
    """Per role: the largest and the last resident set size (MB), and CPU seconds used
    while sampled; the machine's CPU seconds (all cores) and the wall seconds sampled."""

    peak: dict[str, float] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = 0.0
    seconds: float = 0.0
    _cpu_first: dict[tuple[str, int], float] = field(default_factory=dict, repr=False)
    _cpu_last: dict[tuple[str, int], float] = field(default_factory=dict, repr=False)

    def record(self, role: str, rss_mb: float) -> None:
        self.peak[role] = max(self.peak.get(role, 0.0), rss_mb)
        self.last[role] = rss_mb

    def record_cpu(self, role: str, pid: int, seconds: float) -> None:
        self._cpu_first.setdefault((role, pid), seconds)
        self._cpu_last[(role, pid)] = seconds
        used: dict[str, float] = {}
        for (r, p), last in self._cpu_last.items():
            used[r] = used.get(r, 0.0) + last - self._cpu_first[(r, p)]
        self.cpu = used

    def cores(self, role: str) -> float:
        """The average share of one core `role` used while sampled."""
        return self.cpu.get(role, 0.0) / self.seconds if self.seconds else 0.0


def _machine_cpu() -> float:
    """CPU seconds the machine spent busy (all cores; not idle or waiting for I/O)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


class MemorySampler:
    """Samples RSS of `roles()` every `interval` seconds while running (a context manager)."""

    def __init__(
        self,
        roles: Callable[[], Mapping[str, int]],
        *,
        groups: Callable[[], Mapping[str, list[int]]] | None = None,
        interval: float = 0.5,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be positive seconds, not {interval}")
        self.roles = roles
        self.groups = groups
        self._started = time.monotonic()
        self._machine_first = _machine_cpu()
        self.interval = interval
        self.memory = Memory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-rss", daemon=True)

    def sample(self) -> None:
        """Record every role's RSS now (a process that is gone is skipped)."""
        for role, pid in self.roles().items():
            try:
                process = psutil.Process(pid)
                with process.oneshot():
                    rss = process.memory_info().rss
                    times = process.cpu_times()
            except psutil.Error:
                continue
            self.memory.record(role, rss / MB)
            self.memory.record_cpu(role, pid, times.user + times.system)
        for role, pids in (self.groups() if self.groups else {}).items():
            for pid in pids:
                try:
                    times = psutil.Process(pid).cpu_times()
                except psutil.Error:
                    continue
                self.memory.record_cpu(role, pid, times.user + times.system)
        self.memory.machine_cpu = _machine_cpu() - self._machine_first
        self.memory.seconds = time.monotonic() - self._started

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
