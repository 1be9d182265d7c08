"""The load benchmark through its entry point, `python -m bench.load --quick`, on a tiny
scale against the real PostgreSQL and Redis (skipped without them), and its pure parts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.load import (
    ACK_COLUMNS,
    CHEAP,
    MEMORY_COLUMNS,
    PHASE_B_COLUMNS,
    PLAN,
    Options,
    command_mix,
    parse,
)
from bench.loadgen import Sample, percentile, summarize
from bench.paths import PROJECT_ROOT


def test_the_mix_is_the_cheap_commands_in_turn_with_every_nth_a_plan() -> None:
    mix = command_mix(10, 5)
    assert mix[4] == PLAN and mix[9] == PLAN and mix.count(PLAN) == 2
    assert [t for t in mix if t != PLAN] == [
        CHEAP[i % len(CHEAP)] for i in (0, 1, 2, 3, 5, 6, 7, 8)
    ]
    assert PLAN not in command_mix(10, 0)


def test_summaries_count_errors_and_use_nearest_rank_percentiles() -> None:
    samples = [Sample("list", due=0.0, seconds=s / 1000) for s in (10, 20, 30, 40)]
    samples.append(Sample("list", due=0.0, error="timeout"))
    summary = summarize(samples, seconds=1.0)
    assert (summary.count, summary.ok, summary.errors) == (5, 4, 1)
    assert (summary.p50, summary.p99, summary.max) == (20, 40, 40)
    assert summary.rate == 4.0
    assert percentile([3.0, 1.0, 2.0], 0.9) == 3.0


def test_bad_options_are_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--rate", "0", "--workers", "0"])
    err = capsys.readouterr().err
    assert "--rate must be positive" in err and "--workers must be at least 1" in err
    assert parse(["--quick", "--solves", "3"]) == Options.quick_run(solves=3)


def _services() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("DATABASE_URL does not point to PostgreSQL (the load benchmark needs it)")
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        pytest.skip("REDIS_URL does not point to a Redis server (the load benchmark needs it)")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("  ") if c.strip()]


def test_a_quick_run_prints_both_phases_and_loses_no_job() -> None:
    _services()
    run = subprocess.run(
        [sys.executable, "-m", "bench.load", "--quick", "--rate", "10", "--duration", "3",
         "--solves", "4", "--submit-rate", "4", "--kill-every", "8", "--timeout", "90"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )  # fmt: skip
    # 1 would say a job was lost or duplicated; the figures below tell which
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Load benchmark") and "QUICK" in lines[0]
    assert lines[1].startswith("machine: ") and "CPUs" in lines[1]

    start = next(i for i, line in enumerate(lines) if line.startswith("command "))
    assert _cells(lines[start]) == list(ACK_COLUMNS)
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip() or line.startswith(" ") or ":" in line:
            break
        rows[line.split()[0]] = line.split()
    assert set(rows) == {"all", "help", "jobs", "list", "show", "plan"}
    assert rows["all"][1] == "30" and rows["all"][6] == "0"  # 10/s for 3 s, no errors
    assert all(float(cell) >= 0 for cell in rows["all"][2:6])

    head = next(i for i, line in enumerate(lines) if "done+delivered" in line)
    assert _cells(lines[head]) == list(PHASE_B_COLUMNS)
    figures = dict(zip(PHASE_B_COLUMNS, lines[head + 2].split(), strict=True))
    assert figures["jobs"] == "4" and figures["done+delivered"] == "4"
    assert figures["lost"] == "0" and figures["results twice"] == "0", run.stdout
    assert int(figures["kills"]) >= 1

    table = next(i for i, line in enumerate(lines) if line.startswith("process "))
    assert _cells(lines[table]) == list(MEMORY_COLUMNS)
    processes = {line.split("  ")[0] for line in lines[table + 2 :] if line.strip()}
    assert {"web master", "web 1", "web 2", "worker 1", "worker 2"} <= processes
    targets = [line for line in lines if line.startswith("target: ")]
    assert len(targets) == 3 and all("MET" in t or "MISSED" in t for t in targets)
