"""The Slack acknowledgement benchmark through its entry point, `python -m bench.slack_ack`,
with tiny numbers."""

from __future__ import annotations

import subprocess
import sys

from bench.paths import PROJECT_ROOT
from bench.slack_ack import COLUMNS, percentile


def test_percentiles_are_nearest_rank() -> None:
    values = [0.4, 0.1, 0.3, 0.2]
    assert percentile(values, 0.5) == 0.2
    assert percentile(values, 0.99) == 0.4
    assert percentile([7.0], 0.99) == 7.0


def test_a_tiny_run_prints_the_table_and_the_demo_roadmap_time() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.slack_ack",
         "--commands", "4", "--initiatives", "12", "--phases", "4", "--solve-seconds", "1"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    [header] = [line for line in lines if line.startswith("command")]
    assert [c.strip() for c in header.split("  ") if c.strip()] == list(COLUMNS)
    rows = {line.split()[0]: line.split() for line in lines if line.split()}
    assert rows["all"][1] == "4" and rows["all"][-1] == "0"  # four commands, no errors
    assert rows["plan"][1] == "1" and rows["list"][1] == "1"
    assert all(float(cell) >= 0 for cell in rows["all"][2:5])
    [demo] = [line for line in lines if line.startswith("demo roadmap message complete")]
    assert demo.endswith(" s") and float(demo.split(": ")[1].split()[0]) > 0
    assert sum(line.startswith("target: ") for line in lines) == 3
