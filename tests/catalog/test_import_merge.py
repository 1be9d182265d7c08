"""`import --merge` changes only what the file states; the security policy changes only
explicitly, by those who own it, under an audit action of its own; the summary names
the settings sections an import changed (issue 11, items 1 and 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog import services
from catalog.domain import Actor
from catalog.errors import ImportFailed, PermissionDenied
from catalog.uow import UnitOfWork
from tests.catalog.conftest import Team, audit_count, small

UowFactory = Callable[[], UnitOfWork]
OPERATOR = Actor.operator()
TOWNHALL = str(Path(sys.executable).with_name("townhall"))

#: One new initiative and a minimal calendar: what the issue's merge file held.
MINIMAL = {
    "version": 1,
    "calendar": {"start": "2027-01-01", "phases": 4},
    "initiatives": [{"key": "CRM", "title": "CRM", "duration": 1, "value": 100}],
}


def import_(
    uow: UowFactory, team: Team, data: Any, *, actor: Actor = OPERATOR, mode: str = "merge"
) -> Any:
    with uow() as u:
        return services.import_portfolio(u, actor=actor, team_id=team.id, portfolio=data, mode=mode)


def settings(uow: UowFactory, team: Team) -> Any:
    with uow() as u:
        view = services.get_settings(u, team_id=team.id)
    return (view.name, view.calendar, view.budget, dict(view.capacity), view.policy)


def trail(uow: UowFactory, team: Team) -> list[Any]:
    with uow() as u:
        return services.audit_trail(u, actor=OPERATOR, team_id=team.id, limit=100)


def latest(uow: UowFactory, team: Team) -> dict[str, Any]:
    """The newest audit entry of each action."""
    return {e.action: e for e in reversed(trail(uow, team))}


def keys(uow: UowFactory, team: Team) -> list[str]:
    with uow() as u:
        return [v.key for v in services.list_initiatives(u, team_id=team.id)]


# --------------------------------------------------------------------------- item 1


def test_a_merge_keeps_every_settings_section_the_file_does_not_state(uow, team):
    before = settings(uow, team)
    summary = import_(uow, team, MINIMAL)
    assert summary.created == ("CRM",)
    assert summary.settings_changed == ()
    assert settings(uow, team) == before  # name, tollgates, freeze, budgets, capacity, policy
    assert "settings.import" not in {e.action for e in trail(uow, team)[:3]}


def test_a_merge_without_settings_at_all_changes_only_initiatives(uow, team):
    before = settings(uow, team)
    summary = import_(uow, team, {"version": 1, "initiatives": MINIMAL["initiatives"]})
    assert (summary.created, summary.settings_changed) == (("CRM",), ())
    assert settings(uow, team) == before


def test_a_merge_changes_only_the_fields_it_names_inside_a_section(uow, team):
    name, calendar, budget, capacity, policy = settings(uow, team)
    data = {
        "version": 1,
        "calendar": {"start": "2027-04-01"},
        "budget": {"total": 400000},
        "capacity": {"design": 2},
        "initiatives": [],
    }
    summary = import_(uow, team, data)
    assert summary.settings_changed == ("calendar", "budget", "capacity")
    assert not summary.policy_changed
    after = settings(uow, team)
    assert after[0] == name
    assert str(after[1].start) == "2027-04-01"
    assert (after[1].phases, after[1].tollgates, after[1].freeze) == (
        calendar.phases,
        calendar.tollgates,
        calendar.freeze,
    )
    assert (after[2].per_phase, after[2].total) == (budget.per_phase, 400000)
    assert after[3] == {**capacity, "design": 2}
    assert after[4] == policy


def test_a_merge_removes_a_field_it_sets_to_null(uow, team):
    summary = import_(uow, team, {"version": 1, "budget": {"total": None}})
    assert summary.settings_changed == ("budget",)
    assert settings(uow, team)[2].total is None
    assert settings(uow, team)[2].per_phase == 100000


def test_a_merge_section_that_is_not_a_mapping_is_refused_naming_it(uow, team):
    before = (settings(uow, team), audit_count(uow))
    with pytest.raises(ImportFailed, match="budget: expected a mapping of budget fields"):
        import_(uow, team, {"version": 1, "budget": 5})
    assert (settings(uow, team), audit_count(uow)) == before


@pytest.mark.parametrize("mode", ["merge", "replace"])
@pytest.mark.parametrize(
    ("stated", "message"),
    [(None, "expected a mapping, got nothing"), ([1], "expected a mapping, got a list")],
)
def test_a_file_that_is_no_mapping_is_refused_plainly(uow, team, mode, stated, message):
    before = (settings(uow, team), audit_count(uow))
    with pytest.raises(ImportFailed, match=f"portfolio: {message}"):
        import_(uow, team, stated, mode=mode)
    assert (settings(uow, team), audit_count(uow)) == before


def test_the_summary_names_the_settings_sections_that_changed(uow, team):
    summary = import_(uow, team, small(name="Renamed", budget={"total": 1}), mode="replace")
    assert summary.settings_changed == ("name", "budget")
    entry = next(e for e in trail(uow, team) if e.action == "portfolio.import")
    assert entry.after["settings_changed"] == ["name", "budget"]


@pytest.mark.parametrize("mode", ["merge", "replace"])
def test_the_pmo_may_not_change_the_policy_by_import(uow, team, mode):
    before = (settings(uow, team), audit_count(uow), keys(uow, team))
    data = (
        small(policy={"review": [], "forbid": []})
        if mode == "replace"
        else {
            "version": 1,
            "policy": {"forbid": []},
            "initiatives": MINIMAL["initiatives"],
        }
    )
    with pytest.raises(PermissionDenied, match=r"change the security policy.*security or admin"):
        import_(uow, team, data, actor=team.pmo, mode=mode)
    assert (settings(uow, team), audit_count(uow), keys(uow, team)) == before


def test_the_pmo_imports_a_file_that_keeps_the_policy(uow, team):
    summary = import_(uow, team, small(name="By the PMO"), actor=team.pmo, mode="replace")
    assert summary.settings_changed == ("name",)


def test_a_replace_without_a_policy_section_keeps_the_policy(uow, team):
    """Replace resets the sections a file leaves out, but never the policy implicitly."""
    data = small()
    del data["policy"]
    summary = import_(uow, team, data, actor=team.pmo, mode="replace")
    assert not summary.policy_changed
    assert settings(uow, team)[4].forbid == ("saas_restricted",)


@pytest.mark.parametrize("who", ["admin", "operator"])
def test_a_policy_change_by_import_is_audited_as_such(uow, team, who):
    actor = getattr(team, who)
    data = {"version": 1, "policy": {"forbid": ["restricted"]}, "budget": {"total": 1}}
    summary = import_(uow, team, data, actor=actor)
    assert summary.settings_changed == ("budget", "policy") and summary.policy_changed
    entries = latest(uow, team)
    policy = entries["policy.import"]
    assert policy.actor == actor.user_id
    assert policy.before == {"review": ["saas_personal_data"], "forbid": ["saas_restricted"]}
    assert policy.after == {"review": ["saas_personal_data"], "forbid": ["restricted"]}
    assert "policy" not in entries["settings.import"].after
    assert settings(uow, team)[4].forbid == ("restricted",)


def test_a_policy_change_by_settings_is_audited_as_such(uow, team):
    with uow() as u:
        services.update_settings(
            u,
            actor=team.admin,
            team_id=team.id,
            changes={"policy": {"review": []}, "budget": {"total": 1}},
        )
    entries = latest(uow, team)
    assert entries["policy.update"].after == {"review": [], "forbid": ["saas_restricted"]}
    assert entries["policy.update"].actor == "U-ADMIN"
    assert "policy" not in entries["settings.update"].after


# --------------------------------------------------------------------------- item 2


def test_a_merge_may_depend_on_an_initiative_only_the_workspace_holds(uow, team):
    data = {
        "version": 1,
        "initiatives": [
            {"key": "CRM", "title": "CRM", "duration": 1, "value": 1, "depends_on": ["SSO"]}
        ],
    }
    summary = import_(uow, team, data)
    assert summary.created == ("CRM",)
    with uow() as u:
        assert services.get_initiative(u, team_id=team.id, key="CRM").spec.depends_on == ("SSO",)


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """`townhall …` against a fresh SQLite file, or DATABASE_URL's PostgreSQL database."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    team = f"T{uuid.uuid4().hex[:10].upper()}"

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        argv = [TOWNHALL, *args] + ([] if args[0] == "db" else ["--team", team])
        proc = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    run("db", "upgrade")
    return run


def test_the_cli_merge_changes_only_what_the_file_states_and_says_what(cli, tmp_path):
    full = tmp_path / "small.yaml"
    full.write_text(yaml.safe_dump(small()))
    cli("import", str(full))
    exported = tmp_path / "before.yaml"
    cli("export-portfolio", "--out", str(exported))
    before = yaml.safe_load(exported.read_text())

    part = tmp_path / "part.yaml"
    part.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "calendar": {"start": "2027-01-01", "phases": 4},
                "budget": {"total": 400000},
                "initiatives": [
                    {"key": "CRM", "title": "CRM", "duration": 1, "value": 1, "depends_on": ["SSO"]}
                ],
            }
        )
    )
    proc = cli("import", str(part), "--merge")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "1 created" in proc.stdout
    assert "settings changed: budget" in proc.stdout, proc.stdout
    cli("export-portfolio", "--out", str(exported))
    after = yaml.safe_load(exported.read_text())
    assert [i["key"] for i in after["initiatives"]] == ["SSO", "BLOG", "WIKI", "CRM"]
    assert after["budget"] == {**before["budget"], "total": 400000}
    for section in ("name", "calendar", "capacity", "policy"):
        assert after[section] == before[section], section


def test_the_cli_says_when_the_security_policy_changed(cli, tmp_path):
    full = tmp_path / "small.yaml"
    full.write_text(yaml.safe_dump(small()))
    cli("import", str(full))
    part = tmp_path / "policy.yaml"
    part.write_text(yaml.safe_dump({"version": 1, "policy": {"forbid": []}}))
    proc = cli("import", str(part), "--merge")
    assert "security policy changed" in proc.stdout, proc.stdout
