"""The command line's conventions (README "Command line"): `--version`, shell completion,
`--format json` on standard output alone in documented shapes, `--team` from
TOWNHALL_TEAM, exit statuses 0/1/2/3 (3: an infeasible plan, naming the conflicting
constraints), and a README table naming every command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from bot.cli import EPILOG, app

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "catalog" / "data" / "demo.yaml"


@pytest.fixture
def cli(tmp_path):
    """`townhall …` in a scratch directory, on a fresh SQLite file (or the PostgreSQL
    database of DATABASE_URL) with a workspace of its own, TOWNHALL_TEAM unset."""
    env = {k: v for k, v in os.environ.items() if k not in ("TOWNHALL_TEAM", "LOG_LEVEL")}
    env.update(COLUMNS="200", NO_COLOR="1")
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    team = f"T{uuid.uuid4().hex[:10].upper()}"

    def run(*args: str, code: int = 0, extra: dict[str, str] | None = None, team_arg=True):
        argv = [TOWNHALL, *args]
        if team_arg:
            argv += ["--team", team]
        proc = subprocess.run(
            argv,
            cwd=tmp_path,
            env={**env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == code, f"exit {proc.returncode}:\n{proc.stderr}{proc.stdout}"
        return proc

    run("db", "upgrade", team_arg=False)
    run.tmp = tmp_path
    run.team = team
    return run


def test_version_is_the_installed_distributions():
    done = subprocess.run([TOWNHALL, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"townhall {version('townhall')}"


def test_help_states_the_exit_statuses_and_offers_shell_completion():
    done = subprocess.run(
        [TOWNHALL, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.replace("│", " ").split())
    assert " ".join(EPILOG.split()) in flat
    for status in ("0 success", "1 error", "2 usage", "3 infeasible plan"):
        assert status in flat
    assert "--install-completion" in flat and "--show-completion" in flat
    shown = subprocess.run(
        [TOWNHALL, "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and "_TOWNHALL_COMPLETE" in shown.stdout


@pytest.mark.parametrize("group", [(), ("db",), ("role",)], ids=["townhall", "db", "role"])
def test_each_command_is_summarized_on_one_line_of_the_list(group):
    """On a terminal wide enough, a command's summary is one row of the list: the
    first paragraph of its help, its docstring's line breaks gone."""
    done = subprocess.run(
        [TOWNHALL, *group, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400", "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    command = typer.main.get_command(app)
    for word in group:
        command = command.commands[word]
    rows = [line.strip("│ ") for line in done.stdout.splitlines() if line.startswith("│")]
    for name, sub in command.commands.items():
        summary = " ".join(sub.help.split("\n\n")[0].split())
        assert any(re.fullmatch(rf"{re.escape(name)}\s+{re.escape(summary)}", r) for r in rows), (
            name,
            rows,
        )


def test_list_and_show_as_json_carry_every_field_and_nothing_else_on_stdout(cli):
    cli("demo")
    listed = json.loads(cli("list", "--format", "json").stdout)
    assert listed["team"] == cli.team
    keys = [i["key"] for i in listed["initiatives"]]
    assert len(keys) == 16 and "SSO" in keys and "HR-SAAS" in keys
    shown = json.loads(cli("show", "sso", "--format", "json").stdout)
    assert shown == next(i for i in listed["initiatives"] if i["key"] == "SSO")
    assert shown["title"] == "Single sign-on for SaaS applications"
    assert shown["capex"] == 180_000 and shown["uses"] == {"integration": 2}
    assert shown["depends_on"] == [] and shown["version"] == 1
    assert {"created_at", "updated_at", "updated_by", "scores", "mandatory"} <= set(shown)
    assert shown["updated_at"].endswith("+00:00")
    proposed = json.loads(cli("list", "--status", "proposed", "--format", "json").stdout)
    assert {i["key"] for i in proposed["initiatives"]} == {"FACEBOOK", "OUTAGE"}


def test_role_list_jobs_and_audit_as_json_and_as_tables(cli):
    cli("demo")
    cli("role", "grant", "U0DANA", "pmo")
    roles = json.loads(cli("role", "list", "--format", "json").stdout)
    assert roles == {
        "team": cli.team,
        "roles": [
            {
                "user": "U0DANA",
                "role": "pmo",
                "granted_by": "operator",
                "granted_at": roles["roles"][0]["granted_at"],
            }
        ],
    }
    assert "U0DANA" in cli("role", "list").stdout
    assert json.loads(cli("role", "list", "U0NOBODY", "--format", "json").stdout)["roles"] == []
    nobody = " ".join(cli("role", "list", "U0NOBODY").stdout.split())
    assert f"In {cli.team}, U0NOBODY holds no role beyond member" in nobody

    assert json.loads(cli("jobs", "--format", "json").stdout) == {"team": cli.team, "jobs": []}
    cli("chat", "-c", "plan")  # the console's plan runs as a job, as in Slack
    jobs = json.loads(cli("jobs", "--format", "json").stdout)["jobs"]
    assert len(jobs) == 1
    assert set(jobs[0]) == {
        "id",
        "kind",
        "title",
        "status",
        "requested_by",
        "attempts",
        "max_attempts",
        "created_at",
        "started_at",
        "finished_at",
        "roadmap_id",
        "error",
    }
    assert jobs[0]["kind"] == "plan" and jobs[0]["status"] == "done"
    assert isinstance(jobs[0]["roadmap_id"], int)
    assert jobs[0]["id"][:8] in cli("jobs").stdout

    trail = json.loads(cli("audit", "--format", "json").stdout)
    assert trail["team"] == cli.team and trail["key"] is None
    assert trail["entries"][0]["action"] == "roadmap.save"  # newest first
    grant = next(e for e in trail["entries"] if e["action"] == "role.grant")
    assert grant["key"] == "U0DANA" and grant["actor"] == "operator"
    assert set(grant) == {"id", "at", "actor", "action", "entity", "key", "before", "after", "note"}
    sso = json.loads(cli("audit", "SSO", "--format", "json").stdout)
    assert sso["key"] == "SSO" and sso["entries"]
    assert {e["key"] for e in sso["entries"]} == {"SSO"}
    assert "role.grant" in cli("audit").stdout


def test_team_comes_from_townhall_team_when_the_command_runs_and_team_wins(cli):
    other = f"T{uuid.uuid4().hex[:10].upper()}"
    loaded = cli("demo", team_arg=False, extra={"TOWNHALL_TEAM": other})
    assert f"workspace {other}" in loaded.stdout
    spaced = {"TOWNHALL_TEAM": f"  {other} "}  # read as Settings reads it: stripped
    listed = cli("list", "--format", "json", team_arg=False, extra=spaced)
    assert json.loads(listed.stdout)["team"] == other and json.loads(listed.stdout)["initiatives"]
    # --team over the variable: the fixture's own workspace is still empty
    mine = cli("list", "--format", "json", extra={"TOWNHALL_TEAM": other})
    assert json.loads(mine.stdout) == {"team": cli.team, "initiatives": []}
    team = next(p for p in typer.main.get_command(app).commands["list"].params if p.name == "team")
    assert team.envvar == "TOWNHALL_TEAM"


def _infeasible(tmp: Path) -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for item in data["initiatives"]:
        if item["key"] == "SSO":
            item["mandatory"] = True
            item["capex"] = 9_000_000
    path = tmp / "infeasible.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_exit_statuses_usage_2_error_1_infeasible_3_naming_the_constraints(cli):
    usage = cli("list", "--format", "xml", code=2)
    assert "'xml' is not one of 'table', 'json'" in usage.stderr
    cli("no-such-command", code=2, team_arg=False)
    missing = cli("show", "NOPE", code=1)
    assert "no workspace" in missing.stderr and "Traceback" not in missing.stderr

    path = _infeasible(cli.tmp)
    table = cli("plan", str(path), "--time-limit", "5", code=3, team_arg=False)
    assert "infeasible" in table.stdout.lower()
    named = "SSO is mandatory; total budget is 1,300,000"
    assert named in " ".join(table.stderr.split())
    as_json = cli(
        "plan", str(path), "--time-limit", "5", "--format", "json", code=3, team_arg=False
    )
    roadmap = json.loads(as_json.stdout)  # the roadmap is still written, alone on stdout
    assert roadmap["status"] == "infeasible" and roadmap["conflicts"]
    assert named in " ".join(as_json.stderr.split())

    cli("import", str(path))  # the workspace: the same use case as /roadmap plan
    workspace = cli("plan", "--time-limit", "5", code=3)
    assert named in " ".join(workspace.stderr.split())
    cli("demo")
    assert "proven optimal" in cli("plan", "--time-limit", "10").stdout


def _commands(group: Any, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):  # a group (typer's own click)
            found += _commands(command, f"{path} ")
        else:
            found.append(path)
    return found


def test_the_readme_command_table_names_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Command line")
    table = readme[start : readme.index("\n## ", start + 1)]
    names = _commands(typer.main.get_command(app))
    assert {
        "jobs",
        "audit",
        "role list",
        "worker",
        "keygen",
        "db encrypt-tokens",
        "weights",
    } <= set(names)
    for name in names:  # `townhall role grant …` / `role revoke …`
        written = re.search(rf"`(townhall )?{re.escape(name)}[` ]", table)
        assert written, f"README's command table does not name `townhall {name}`"
    for row in ("--version", "--install-completion"):
        assert f"`townhall {row}`" in table


@pytest.mark.parametrize(("status", "code"), [("optimal", 0), ("feasible", 0), ("unknown", 1)])
def test_a_plan_not_found_in_time_is_an_error_not_a_success(status, code, capsys):
    """Status unknown (no plan, nothing proved) exits 1 with what to try; a plan exits 0."""
    from types import SimpleNamespace

    from bot.cli.planning import exit_for

    roadmap = SimpleNamespace(status=status, conflicts=())
    if code == 0:
        exit_for(roadmap)
        return
    with pytest.raises(typer.Exit) as ended:
        exit_for(roadmap)
    assert ended.value.exit_code == code
    assert "--time-limit" in capsys.readouterr().err
