"""The Procfile's processes are real commands with real options."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"
TOWNHALL = Path(sys.executable).with_name("townhall")


def processes() -> dict[str, str]:
    lines = (line for line in PROCFILE.read_text().splitlines() if line.strip())
    return dict(line.split(": ", 1) for line in lines)


def test_release_migrates_web_serves_with_several_processes_and_a_worker_runs_jobs():
    procs = processes()
    assert set(procs) == {"release", "web", "worker"}
    assert procs["release"] == "townhall db upgrade"
    assert "townhall serve" in procs["web"] and "--workers ${WEB_CONCURRENCY:-2}" in procs["web"]
    assert procs["worker"].startswith("townhall worker")


def test_every_process_line_parses_with_the_cli_as_installed():
    env = {**os.environ, "PORT": "5000"}
    for name, line in processes().items():
        expanded = subprocess.run(
            ["sh", "-c", f"printf '%s\\n' {line}"], env=env, capture_output=True, text=True
        ).stdout.split()
        assert expanded[0] == "townhall", name
        # --help after the options: typer checks every option given, then prints usage
        done = subprocess.run(
            [str(TOWNHALL), *expanded[1:], "--help"], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, f"{name}: {shlex.join(expanded)}\n{done.stderr}"
