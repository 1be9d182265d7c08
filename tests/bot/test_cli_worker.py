"""`townhall worker --nice N`: every thread of the worker runs at the lower priority
(needs a Redis to listen on: skipped when REDIS_URL does not point at one)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOWNHALL = str(Path(sys.executable).with_name("townhall"))


def thread_nice_values(pid: int) -> set[int]:
    """The nice value of every thread of process `pid` (/proc/PID/task/TID/stat, field 19)."""
    values = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        values.add(int(fields[16]))
    return values


def test_an_out_of_range_nice_is_refused_by_name(tmp_path) -> None:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    run = subprocess.run(
        [TOWNHALL, "worker", "--nice", "20"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "Invalid value for '--nice'" in run.stderr and "19" in run.stderr


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_every_thread_of_a_niced_worker_runs_at_that_priority(tmp_path) -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://"):
        pytest.skip("REDIS_URL does not point to a Redis server")
    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": "xoxb-not-used",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "TOWNHALL_LOG_FORMAT": "text",
    }
    subprocess.run([TOWNHALL, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [TOWNHALL, "worker", "--nice", "7", "--solver-threads", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not _listening(log):
            assert worker.poll() is None, f"the worker exited {worker.returncode}"
            assert time.monotonic() < deadline, "the worker did not start its threads"
            time.sleep(0.2)
        assert thread_nice_values(worker.pid) == {7}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _listening(log: Path) -> bool:
    """The worker says it listens on its queue once its threads (the sweep's; numpy's
    BLAS pool, started at import before `--nice` applies) are running."""
    return "Listening on" in log.read_text(errors="replace")
