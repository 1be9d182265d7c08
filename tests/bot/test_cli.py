"""The `townhall` command line, run through its real console-script entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"


@pytest.fixture
def cli(tmp_path):
    """Run `townhall …` in a scratch directory against a fresh SQLite file, or against
    the PostgreSQL database of DATABASE_URL with a workspace of its own."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    url = os.environ.get("DATABASE_URL", "")
    team = f"T{uuid.uuid4().hex[:10].upper()}"
    if not url.startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        plans_a_file = args[0] == "plan" and len(args) > 1 and not args[1].startswith("-")
        argv = [TOWNHALL, *args]
        if args[0] != "db" and not plans_a_file:
            argv += ["--team", team]
        proc = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    run("db", "upgrade")
    run.tmp = tmp_path
    return run


def test_demo_is_idempotent_and_lists_its_initiatives(cli):
    cli("demo")
    cli("demo")
    listing = cli("list").stdout
    assert listing.count("SSO") == 1 and "HR-SAAS" in listing
    proposed = cli("list", "--status", "proposed").stdout
    assert "FACEBOOK" in proposed and "OUTAGE" in proposed and "SSO" not in proposed
    shown = cli("show", "sso").stdout
    assert "Single sign-on for SaaS applications" in shown and "waterfall" in shown


def test_bad_import_exits_non_zero_with_the_message_and_writes_nothing(cli):
    data = yaml.safe_load(DEMO.read_text())
    data["initiatives"][0]["capex"] = -5
    bad = cli.tmp / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    proc = cli("import", str(bad), ok=False)
    assert proc.returncode != 0
    assert "initiative SSO: field 'capex': expected whole currency units ≥ 0, got -5" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "No initiatives" in cli("list").stdout


def test_export_then_import_round_trips(cli):
    cli("demo")
    out = cli.tmp / "exported.yaml"
    cli("export-portfolio", "--out", str(out))
    exported = yaml.safe_load(out.read_text())
    original = yaml.safe_load(DEMO.read_text())
    assert [i["key"] for i in exported["initiatives"]] == [
        i["key"] for i in original["initiatives"]
    ]
    cli("import", str(out))
    again = cli.tmp / "again.json"
    cli("export-portfolio", "--out", str(again))
    assert json.loads(again.read_text()) == json.loads(json.dumps(exported, default=str))


def test_plan_a_file_without_a_database_as_json(cli):
    proc = cli("plan", str(DEMO), "--format", "json", "--time-limit", "5")
    roadmap = json.loads(proc.stdout)
    assert roadmap["schema"] == "townhall.roadmap/1"
    assert roadmap["status"] == "optimal" and roadmap["objective"] == roadmap["bound"]
    keys = {s["key"] for s in roadmap["scheduled"]}
    assert "SSO" in keys and "HR-SAAS" not in keys
    reasons = {u["key"]: u["reason"] for u in roadmap["unscheduled"]}
    assert "forbidden by security policy" in reasons["HR-SAAS"]


def test_plan_the_workspace_prints_a_table(cli):
    cli("demo")
    proc = cli("plan", "--time-limit", "5")
    assert "optimal" in proc.stdout and "2027Q1" in proc.stdout and "Not scheduled" in proc.stdout


def test_greedy_what_if_and_explain(cli):
    greedy = json.loads(cli("plan", str(DEMO), "--solver", "greedy", "--format", "json").stdout)
    assert greedy["solver"] == "greedy" and greedy["status"] == "feasible"
    proc = cli(
        "plan", str(DEMO), "--what-if", "budget-20%", "--explain", "SUPPORT", "--time-limit", "5"
    )
    assert "Compared with the plan without “budget-20%”" in proc.stdout
    assert "Realized value −" in proc.stdout
    assert re.search(r"\nSUPPORT (starts in \d{4}Q\d|is not scheduled)", proc.stdout)
    bad = cli("plan", str(DEMO), "--what-if", "budget-twenty", ok=False)
    assert bad.returncode != 0 and "budget-twenty" in bad.stderr


def test_errors_are_one_line_without_traceback(cli):
    for args in (("show", "NOPE-1"), ("role", "grant", "U1", "emperor")):
        proc = cli(*args, ok=False)
        assert proc.returncode != 0 and proc.stderr.startswith("error:"), proc.stderr
        assert "Traceback" not in proc.stderr
    missing = cli("plan", "missing.yaml", ok=False)
    assert missing.returncode != 0 and "cannot read" in missing.stderr


def test_role_grant(cli):
    cli("demo")
    assert "U0CIO is now approver" in cli("role", "grant", "U0CIO", "approver").stdout
