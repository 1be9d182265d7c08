"""The Socket Mode benchmark through its entry point, `python -m bench.socket_mode`, with
tiny numbers: every fault gives a reconnection time, every envelope an acknowledgement."""

from __future__ import annotations

import subprocess
import sys

from bench.paths import PROJECT_ROOT
from bench.socket_mode import FAULTS


def test_a_tiny_run_reconnects_after_every_fault_and_acks_every_envelope() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.socket_mode",
         "--envelopes", "4", "--initiatives", "12", "--phases", "4", "--solve-seconds", "1",
         "--outage", "1", "--ping-interval", "1", "--ping-timeout", "2"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for fault in FAULTS:
        [row] = [line for line in lines if line.startswith(fault)]
        connected, acked = (float(cell) for cell in row.split()[-2:])
        assert 0 < connected <= acked < 15, row
    rows = {line.split()[0]: line.split() for line in lines if line.split()}
    assert rows["all"][1] == "4" and rows["all"][-1] == "0"  # four envelopes, none unacked
    assert sum(line.startswith("target: ") for line in lines) == 3
