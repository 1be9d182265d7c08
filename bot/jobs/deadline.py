"""A job's wall-clock limit: how long it may run, and what stops it when it runs past.

Every job gets `wall_seconds`: twice its solver time limit plus a minute, at most
`TOWNHALL_JOB_WALL_SECONDS` (README, Configuration). Three things hold a job to it, because
no one of them frees the CPU on its own:

1. The solver honours a deadline (`planner.config.SolverConfig.deadline`, set to
   `WallClock.solver_deadline`): each CP-SAT search gets at most what is left, the
   explanations' and the frontier's re-solves share it, and none starts once it is gone.
   CP-SAT runs in C++ and stops itself at its time limit; nothing else could interrupt it
   from Python.
2. `Watchdog` raises `JobTimedOut` in the job's own thread at the hard limit
   (`PyThreadState_SetAsyncExc`): Python code anywhere in the job — reading the catalog,
   building the problem and the model, the greedy plan, drawing the pictures — stops at
   its next bytecode, unwinds (units of work roll back), and the thread is free for the
   next job. The runner records the job as failed with `timed_out_reply`'s message.
3. A thread stuck in native code past the limit cannot be interrupted by anything in its
   process. `grace` seconds after the hard limit the watchdog calls `on_stuck`: the runner
   records the failure for the user and, in a `townhall worker` (one job per process),
   ends the process so that the platform starts a fresh one; in a web process it can only
   report. RQ's own job timeout (`bot.jobs.queue`) is set above all of this as a backstop.

Running the work in a helper thread and abandoning it at the limit would free nothing:
the abandoned thread would go on using the CPU and memory.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Seconds every job gets on top of twice its solver time limit (set-up, explanations,
#: pictures, saving).
WALL_MARGIN = 60.0
#: Part of the wall-clock limit kept back from the solver for what follows the solves (the
#: pictures, the save): this share of it, at most RESERVE_SECONDS.
RESERVE_SHARE = 0.25
RESERVE_SECONDS = 15.0
#: Seconds after the hard limit before a job still stuck (in native code) is given up on.
STUCK_GRACE = 30.0


class JobTimedOut(BaseException):
    """Raised in a job's thread when its wall-clock limit passes.

    A BaseException, as KeyboardInterrupt is: it interrupts the job from outside, and the
    `except Exception` clauses on its way (a use case that goes on without its picture,
    `bot.commands.run_job` turning errors into replies) must not swallow it."""


def rq_timeout(cap: float) -> int:
    """RQ's job timeout for jobs limited to `cap` seconds: past the stuck grace too."""
    return int(cap + STUCK_GRACE + WALL_MARGIN)


def wall_seconds(time_limit: float, cap: float) -> float:
    """The wall-clock limit of a job whose solves have `time_limit` seconds each."""
    return min(cap, 2 * time_limit + WALL_MARGIN)


@dataclass(frozen=True)
class WallClock:
    """A job's limit, `seconds` from `started` (`time.monotonic()`)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def hard(self) -> float:
        """When the job is stopped, whatever it is doing."""
        return self.started + self.seconds

    @property
    def solver_deadline(self) -> float:
        """When every solve must be over: the hard limit less what follows the solves."""
        return self.hard - min(RESERVE_SECONDS, RESERVE_SHARE * self.seconds)

    def passed(self) -> bool:
        return time.monotonic() >= self.hard

    def left(self) -> float:
        return self.hard - time.monotonic()


def timed_out_message(title: str, seconds: float, *, cap: float) -> str:
    """What the user is told when a job is stopped at its limit."""
    what = title.rstrip("…").strip() or "The job"
    return (
        f"{what} was stopped: it ran past its wall-clock limit of {seconds:g} seconds "
        f"(twice its solver time limit plus {WALL_MARGIN:g} s, at most "
        f"TOWNHALL_JOB_WALL_SECONDS = {cap:g} s). Ask for a shorter solve (e.g. `time=10s`) "
        "or fewer phases, or ask your Townhall admin to raise TOWNHALL_JOB_WALL_SECONDS."
    )


class Watchdog:
    """Interrupts the thread that entered it once `clock` passes its hard limit.

    Use it so that the one `JobTimedOut` it may raise is caught wherever it lands,
    `close()` included::

        watchdog = Watchdog(clock)
        try:
            try:
                with watchdog:
                    result = work()
            finally:
                watchdog.close()
        except JobTimedOut:
            watchdog.close()
            result = ...  # the job timed out

    `close()` is idempotent; once it returns, nothing more is raised in the thread.
    """

    def __init__(
        self,
        clock: WallClock,
        *,
        on_stuck: Callable[[], None] | None = None,
        grace: float = STUCK_GRACE,
        name: str = "job",
    ) -> None:
        self.clock = clock
        self.on_stuck = on_stuck
        self.grace = grace
        self.fired = False
        self._name = name
        self._lock = threading.Lock()
        self._closed = False
        self._stop = threading.Event()
        self._target: int | None = None
        self._watcher = threading.Thread(
            target=self._watch, name=f"watchdog-{name[:8]}", daemon=True
        )

    def __enter__(self) -> Watchdog:
        self._target = threading.get_ident()
        self._watcher.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop watching; clear an interruption raised but not yet delivered."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.fired and self._target is not None:
                _raise_in(self._target, None)  # delivered already, or now never
        self._stop.set()

    def _watch(self) -> None:
        if self._stop.wait(max(0.0, self.clock.left())):
            return
        with self._lock:
            if self._closed or self._target is None:
                return
            self.fired = True
            log.warning("%s ran past its wall-clock limit of %g s", self._name, self.clock.seconds)
            _raise_in(self._target, JobTimedOut)
        if self._stop.wait(self.grace):
            return
        log.error(
            "%s is still running %g s past its wall-clock limit (in native code, which "
            "cannot be interrupted)",
            self._name,
            self.grace,
        )
        if self.on_stuck is not None:
            try:
                self.on_stuck()
            except Exception:
                log.exception("giving up on %s failed", self._name)


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in the thread at its next bytecode; None clears a pending one."""
    arg = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), arg)
