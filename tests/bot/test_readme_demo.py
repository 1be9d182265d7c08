"""README's "What the first command shows" says what `townhall demo && townhall plan`
shows: each initiative left out with the reason the tool gives, no other."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
README = Path(__file__).resolve().parents[2] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.index("\n## ", start + 1)
    return " ".join(text[start:end].split())


def _demo_plan(tmp_path: Path) -> dict:
    """The roadmap `townhall plan` prints after `townhall demo`, in a fresh directory."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOWNHALL_TEAM")}
    for args in (["demo"], ["plan", "--format", "json"]):
        proc = subprocess.run(
            [TOWNHALL, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)


def test_the_readme_gives_the_reasons_the_demo_plan_gives(tmp_path: Path) -> None:
    roadmap = _demo_plan(tmp_path)
    assert roadmap["status"] == "optimal"
    shown = _section("What the first command shows")
    assert f"{len(roadmap['scheduled']) + len(roadmap['unscheduled'])} approved" in shown
    reasons = {u["key"]: u["reason"] for u in roadmap["unscheduled"]}
    for key, reason in reasons.items():
        assert f"`{key}`" in shown, f"README does not name {key} ({reason})"
        if reason.startswith("forbidden by security policy"):
            assert "security policy forbids" in shown
        elif reason.startswith("excluded by"):
            assert "alternative" in shown
        elif m := re.match(r"lower value than what it would displace: (.*)$", reason):
            assert "what it would displace" in shown
            for other in m[1].split(", "):
                assert f"`{other}`" in shown, f"README does not name {other}, displaced by {key}"
        elif reason.startswith("depends on"):
            assert "depend" in shown
        else:  # a new kind of reason: say it in the README and here
            raise AssertionError(f"README does not say why {key} is left out: {reason}")
    if not any("budget" in reason for reason in reasons.values()):
        assert "budget cannot fit" not in shown  # the reason the tool did not give


def test_the_readme_says_what_the_budget_cut_says(tmp_path: Path) -> None:
    """The re-plan of "What the first command shows": publish, cut the budget; the
    stability line the README quotes is the one the console prints."""
    _demo_plan(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOWNHALL_TEAM")}
    env["COLUMNS"] = "250"
    outputs = []
    for command in ("publish", "plan budget=200k"):
        proc = subprocess.run(
            [TOWNHALL, "chat", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr + proc.stdout
        outputs.append(proc.stdout)
    [line] = [x.strip() for x in outputs[1].splitlines() if x.strip().startswith("Stability kept")]
    shown = _section("What the first command shows").replace("`", "")
    assert line.rstrip(".") in shown
