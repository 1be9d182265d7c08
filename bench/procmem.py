"""Resident memory of the processes under test, sampled in the background.

Processes are named by role ("web master", "web 1", "worker 2", …) rather than by pid:
gunicorn's workers are the master's children, and a worker killed by the benchmark comes
back with a new pid under the same role. The sampler asks `roles()` for the current
pids at every tick and keeps, per role, the largest RSS seen and the last one.
"""

from __future__ import annotations

import threading
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
    """Per role: the largest and the last resident set size, in MB."""

    peak: dict[str, float] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)

    def record(self, role: str, rss_mb: float) -> None:
        self.peak[role] = max(self.peak.get(role, 0.0), rss_mb)
        self.last[role] = rss_mb


class MemorySampler:
    """Samples RSS of `roles()` every `interval` seconds while running (a context manager)."""

    def __init__(self, roles: Callable[[], Mapping[str, int]], *, interval: float = 0.5) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be positive seconds, not {interval}")
        self.roles = roles
        self.interval = interval
        self.memory = Memory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-rss", daemon=True)

    def sample(self) -> None:
        """Record every role's RSS now (a process that is gone is skipped)."""
        for role, pid in self.roles().items():
            try:
                rss = psutil.Process(pid).memory_info().rss
            except psutil.Error:
                continue
            self.memory.record(role, rss / MB)

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
