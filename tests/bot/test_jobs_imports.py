"""The jobs package imports neither the Slack app nor, from the queue, the runner: the app
imports the jobs, and RQ finds the job function by its dotted path (README "Layout")."""

from __future__ import annotations

import importlib
import subprocess
import sys

from bot.jobs import runner
from bot.jobs.queue import PERFORM


def test_rq_is_given_the_runners_job_function_by_path():
    module, _, name = PERFORM.rpartition(".")
    assert getattr(importlib.import_module(module), name) is runner.perform


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(m for m in sys.modules if m.startswith('bot')))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_the_queue_does_not_import_the_runner():
    assert "bot.jobs.runner" not in _loaded_after("bot.jobs.queue")


def test_the_runtime_does_not_import_the_app():
    loaded = _loaded_after("bot.jobs.runtime")
    assert "bot.app" not in loaded
    assert "bot.slack_client" in loaded


def test_a_web_process_loads_neither_the_solver_nor_the_plotting_library():
    """Listeners only check and queue slow commands: OR-Tools and matplotlib load where
    jobs run, so each web process stays small."""
    code = (
        "import sys, bot.app, bot.server; "
        "print(' '.join(m for m in ('ortools', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == []
