"""Portfolio files in and out of a workspace: validation, atomicity, round trips, the demo."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.domain import Actor
from catalog.errors import ImportFailed, NotFound, PermissionDenied, ValidationFailed
from catalog.models import Initiative, Workspace
from catalog.services import portfolios as portfolio_service
from planner.portfolio import dump_portfolio, load_portfolio, parse_portfolio
from tests.catalog.conftest import SMALL, audit_count, count_rows, initiative_count, small

OPERATOR = Actor.operator()


def import_(uow, team_id, portfolio, *, actor=OPERATOR, mode="replace"):
    with uow() as u:
        return services.import_portfolio(
            u, actor=actor, team_id=team_id, portfolio=portfolio, mode=mode
        )


def export(uow, team_id):
    with uow() as u:
        return services.export_portfolio(u, team_id=team_id)


def with_initiatives(*changes):
    """The small portfolio with per-initiative field changes (by position) applied."""
    data = small()
    for index, fields in changes:
        data["initiatives"][index].update(fields)
    return data


BAD = [
    (with_initiatives((0, {"colour": "red"})), "initiative SSO: unknown field 'colour'"),
    (
        with_initiatives((0, {"duration": "two"})),
        "initiative SSO: field 'duration': expected a number of phases ≥ 1, got 'two'",
    ),
    (
        with_initiatives((1, {"capex": -5})),
        "initiative BLOG: field 'capex': expected whole currency units ≥ 0, got -5 (int)",
    ),
    (
        with_initiatives((0, {"duration": 5})),
        "initiative SSO: field 'duration': 5 phases is beyond the horizon of 4 phases",
    ),
    (
        with_initiatives((2, {"key": "sso"})),
        "initiative SSO: duplicate key (also initiative #1)",
    ),
    (
        with_initiatives((1, {"depends_on": ["SSO", "CRM"]})),
        "initiative BLOG: field 'depends_on' names unknown key 'CRM'",
    ),
    (
        with_initiatives((2, {"excludes": ["SHAREPOINT"]})),
        "initiative WIKI: field 'excludes' names unknown key 'SHAREPOINT'",
    ),
    (
        with_initiatives((0, {"depends_on": ["WIKI"]}), (2, {"depends_on": ["BLOG"]})),
        "dependency cycle: BLOG → WIKI → SSO → BLOG (depends_on must not loop)",
    ),
    (
        small(budget={"per_phase": [100000, 100000, 100000]}),
        "budget.per_phase: expected one number or a list of 4 numbers (one per phase), "
        "got a list of 3",
    ),
    (
        small(capacity={"integration": [1, 2, 3, 4, 5]}),
        "capacity.integration: expected one number or a list of 4 numbers (one per phase), "
        "got a list of 5",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_a_bad_file_is_refused_with_its_message_and_nothing_is_written(uow, team, data, message):
    before = (initiative_count(uow), audit_count(uow), export(uow, team.id))
    with pytest.raises(ImportFailed) as info:
        import_(uow, team.id, data)
    assert any(p.startswith(message) for p in info.value.problems), info.value.problems
    assert "nothing was written" in str(info.value)
    assert (initiative_count(uow), audit_count(uow), export(uow, team.id)) == before


def test_every_problem_is_reported_at_once(uow, team):
    data = with_initiatives((0, {"capex": -1, "colour": "red"}), (1, {"depends_on": ["NOPE"]}))
    with pytest.raises(ImportFailed) as info:
        import_(uow, team.id, data)
    assert len(info.value.problems) == 3


def test_one_bad_initiative_writes_nothing_not_even_the_workspace(uow):
    data = small()
    data["initiatives"].append({"key": "BAD", "title": "Bad", "duration": 1, "value": -1})
    with pytest.raises(ImportFailed, match="initiative BAD: field 'value'"):
        import_(uow, "T-FRESH", data)
    assert count_rows(uow, Workspace) == 0
    assert initiative_count(uow) == 0
    assert audit_count(uow) == 0


def test_a_failure_midway_through_writing_leaves_nothing(uow, team, monkeypatch):
    """Even a failure after some rows were written rolls the whole import back."""
    before = (initiative_count(uow), audit_count(uow), export(uow, team.id))
    real = portfolio_service.apply_spec
    calls = []

    def fail_on_second(row, spec, drivers):
        calls.append(spec.key)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(row, spec, drivers)

    monkeypatch.setattr(portfolio_service, "apply_spec", fail_on_second)
    data = small(name="Another")
    for item in data["initiatives"]:
        item["value"] += 1
    data["initiatives"].append({"key": "NEW", "title": "New", "duration": 1, "value": 1})
    with pytest.raises(RuntimeError, match="disk full"):
        import_(uow, team.id, data)
    monkeypatch.undo()
    assert calls == ["SSO", "BLOG"]
    assert (initiative_count(uow), audit_count(uow), export(uow, team.id)) == before


def test_a_mapping_is_validated_too(uow, team):
    with pytest.raises(ImportFailed, match="version: expected 1"):
        import_(uow, team.id, {**small(), "version": 2})


def test_unknown_mode_is_refused(uow, team):
    with pytest.raises(ValidationFailed, match="replace, merge"):
        import_(uow, team.id, small(), mode="upsert")


@pytest.mark.parametrize("who", ["member", "approver", "security"])
def test_only_pmo_admin_or_operator_import(uow, team, who):
    with pytest.raises(PermissionDenied, match="pmo or admin"):
        import_(uow, team.id, small(), actor=getattr(team, who))


def test_pmo_imports(uow, team):
    summary = import_(uow, team.id, small(name="By the PMO"), actor=team.pmo)
    assert summary.settings_changed
    assert export(uow, team.id).name == "By the PMO"


def test_users_cannot_import_into_a_workspace_that_does_not_exist(uow):
    with pytest.raises(NotFound):
        import_(uow, "T-NONE", small(), actor=Actor.user(team_id="T-NONE", user_id="U1"))


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_file_to_database_to_file_is_lossless(uow, tmp_path, fmt):
    source = tmp_path / f"in.{fmt}"
    source.write_text(dump_portfolio(parse_portfolio(SMALL), fmt=fmt), encoding="utf-8")
    original = load_portfolio(source)
    import_(uow, "T-TRIP", original)
    exported = export(uow, "T-TRIP")
    assert exported == original
    target = tmp_path / f"out.{fmt}"
    target.write_text(dump_portfolio(exported, fmt=fmt), encoding="utf-8")
    assert target.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert load_portfolio(target) == original


def test_the_demo_round_trips(uow):
    demo = load_portfolio(services.demo_path())
    import_(uow, "T-TRIP", demo)
    assert export(uow, "T-TRIP") == demo
    assert dump_portfolio(export(uow, "T-TRIP")) == dump_portfolio(demo)


def test_every_field_survives(uow):
    full = {
        "key": "FULL",
        "title": "Every field",
        "summary": "s",
        "category": "c",
        "status": "in_progress",
        "proposer": "U1",
        "owner": "Marketing",
        "cadence": "agile",
        "duration": 2,
        "capex": 1,
        "opex": 2,
        "value": 3,
        "hosting": "saas",
        "data": "confidential",
        "personal_data": True,
        "security_review": False,
        "review": "conditions",
        "review_note": "only EU data",
        "uses": {"integration": 1, "design": 2},
        "teams": 2,
        "depends_on": ["SSO"],
        "excludes": ["BLOG"],
        "mandatory": True,
        "earliest": 1,
        "deadline": 3,
        "pin": 1,
    }
    data = small()
    data["initiatives"].append(full)
    data["calendar"].update(phase="month", fiscal_year_start=4)
    original = parse_portfolio(data)
    import_(uow, "T-TRIP", original)
    assert export(uow, "T-TRIP") == original


# --------------------------------------------------------------------------- modes


def test_replace_makes_the_workspace_exactly_the_file(uow, team):
    with uow() as u:
        services.propose(
            u,
            actor=team.member,
            team_id=team.id,
            fields={"title": "Mine", "duration": 1, "value": 1, "category": "x"},
        )
    data = small()
    data["initiatives"] = [data["initiatives"][0], {**data["initiatives"][1], "value": 9}]
    summary = import_(uow, team.id, data)
    assert summary.deleted == ("WIKI", "X-1")
    assert summary.updated == ("BLOG",)
    assert summary.unchanged == ("SSO",)
    assert [s.key for s in export(uow, team.id).initiatives] == ["SSO", "BLOG"]
    with uow() as u:
        blog = services.get_initiative(u, team_id=team.id, key="BLOG")
        entries = services.audit_trail(u, actor=team.admin, team_id=team.id, key="BLOG")
    assert blog.version == 2  # updated in place: the row and its history stay
    assert entries[0].action == "initiative.import_update"
    assert (entries[0].before, entries[0].after) == ({"value": 3000}, {"value": 9})


def test_merge_adds_and_updates_and_keeps_the_rest(uow, team):
    data = small()
    data["initiatives"] = [
        {"key": "NEW", "title": "New one", "duration": 1, "value": 5, "depends_on": ["SSO"]},
        {**data["initiatives"][2], "value": 7},
    ]
    summary = import_(uow, team.id, data, mode="merge")
    assert (summary.created, summary.updated, summary.deleted) == (("NEW",), ("WIKI",), ())
    portfolio = export(uow, team.id)
    assert [s.key for s in portfolio.initiatives] == ["SSO", "BLOG", "WIKI", "NEW"]
    assert portfolio.initiative("WIKI").value == 7


def test_merge_checks_the_merged_result(uow, team):
    """A file valid on its own is refused when it clashes with what the workspace holds."""
    data = small(
        calendar={"start": "2027-01-01", "phases": 1, "tollgates": None, "freeze": None},
        capacity=None,
    )
    data["initiatives"] = [{"key": "ONE", "title": "One", "duration": 1, "value": 1}]
    before = export(uow, team.id)
    with pytest.raises(ImportFailed) as info:
        import_(uow, team.id, data, mode="merge")
    assert info.value.problems == [
        "initiative SSO: field 'duration': 2 phases is beyond the horizon of 1 phases"
    ]
    assert export(uow, team.id) == before


def test_an_unchanged_import_writes_nothing(uow, team):
    before = audit_count(uow)
    summary = import_(uow, team.id, small())
    assert not summary.changed
    assert summary.unchanged == ("SSO", "BLOG", "WIKI")
    assert audit_count(uow) == before


# --------------------------------------------------------------------------- the demo


def test_the_demo_loads_once_however_often(uow):
    with uow() as u:
        first = services.load_demo(u, actor=OPERATOR, team_id="T-DEMO")
    audits = audit_count(uow)
    with uow() as u:
        second = services.load_demo(u, actor=OPERATOR, team_id="T-DEMO")
    assert len(first.created) >= 16
    assert not second.changed
    assert second.unchanged == first.created
    assert count_rows(uow, Initiative) == len(first.created)
    assert audit_count(uow) == audits
    with uow() as u:
        views = services.list_initiatives(u, team_id="T-DEMO")
    statuses = [v.status for v in views]
    assert statuses.count("proposed") == 2
    assert statuses.count("approved") == len(statuses) - 2
    assert export(uow, "T-DEMO") == load_portfolio(services.demo_path())


def test_the_demo_keeps_what_the_workspace_added(uow, team):
    with uow() as u:
        services.load_demo(u, actor=team.admin, team_id=team.id)
    keys = [s.key for s in export(uow, team.id).initiatives]
    assert keys[:3] == ["SSO", "BLOG", "WIKI"]
    assert len(keys) == len(set(keys))


def test_members_cannot_load_the_demo(uow, team):
    with pytest.raises(PermissionDenied), uow() as u:
        services.load_demo(u, actor=team.member, team_id=team.id)
