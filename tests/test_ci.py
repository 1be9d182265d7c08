"""CI runs what the README tells a developer to run: .ci/run's first step is exactly the
README's test command, and its later steps build the wheel and run it outside the
checkout (README "Production")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Set up and run the tests:\s*```sh\n(.+?)\n```", readme, re.S)
    assert block, "README has no test command after 'Set up and run the tests:'"
    return block.group(1).strip()


def test_ci_runs_exactly_the_readmes_test_command_first():
    command = _readme_test_command()
    assert "pip install -e '.[test" in command and command.endswith(".venv/bin/pytest -q")
    steps = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    first = next(i for i, line in enumerate(steps) if "pytest" in line)
    assert steps[first] == command


def test_ci_builds_the_wheel_and_runs_it_outside_the_checkout():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-m build" in text and "mktemp -d" in text
    assert "--require-hashes -r requirements.txt" in text and "--no-deps" in text
    assert re.search(r"townhall\" demo .*\n?.*townhall\" plan", text)
    assert re.search(r"townhall\" db upgrade", text) and "pgdb.py create" in text
