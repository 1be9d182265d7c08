"""Business drivers in portfolio files and forms: import and export carry drivers,
judgments, scores, the objective and the blend; the demo has them; initiative scores go
through the propose / edit rules; the planning settings hold objective, blend and
stability."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog import services
from catalog.domain import Actor
from catalog.errors import ImportFailed, PermissionDenied, ValidationFailed
from catalog.models import AuditEntry, Initiative, JudgmentRecord
from planner.portfolio import dump_portfolio, parse_portfolio, portfolio_to_dict
from tests.catalog.conftest import count_rows, small

OPERATOR = Actor.operator()
DRIVERS = [
    {"key": "engage", "name": "Customer engagement"},
    {"key": "secure", "name": "Security and compliance", "description": "Audits pass"},
]
JUDGMENTS = [
    {"by": "U0CIO", "a": "engage", "b": "secure", "ratio": "1/3"},
    {"by": "U0CMO", "a": "engage", "b": "secure", "ratio": 5},
]


def strategic(**changes):
    """The small portfolio with drivers, judgments and scores."""
    data = small(drivers=DRIVERS, judgments=JUDGMENTS, objective="strategic", blend=0.5)
    data["initiatives"][0]["scores"] = {"secure": 5}
    data["initiatives"][1]["scores"] = {"engage": 4, "secure": 1}
    data.update(changes)
    return data


def import_(uow, team_id, portfolio, *, actor=OPERATOR, mode="replace"):
    with uow() as u:
        return services.import_portfolio(
            u, actor=actor, team_id=team_id, portfolio=portfolio, mode=mode
        )


def export(uow, team_id):
    with uow() as u:
        return services.export_portfolio(u, team_id=team_id)


def overview(uow, team_id):
    with uow() as u:
        return services.drivers_overview(u, team_id=team_id)


def last_audit(uow, action):
    """The key, before and after of the newest audit entry of an action."""
    with uow() as u:
        entry = u.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
        ).first()
        return entry.entity_key, entry.before, entry.after


def edit(uow, team, actor, key, changes):
    with uow() as u:
        version = services.get_initiative(u, team_id=team.id, key=key).version
        return services.edit(
            u, actor=actor, team_id=team.id, key=key, version=version, changes=changes
        )


# --------------------------------------------------------------------------- import / export


def test_file_import_export_file_loses_nothing(uow, team):
    summary = import_(uow, team.id, strategic())
    assert summary.drivers_changed == ("engage", "secure")
    assert summary.judgments_changed == ("U0CIO", "U0CMO")
    exported = export(uow, team.id)
    assert exported == parse_portfolio(strategic())
    assert [d.key for d in exported.drivers] == ["engage", "secure"]
    assert exported.drivers[1].description == "Audits pass"
    assert exported.objective == "strategic" and exported.blend == 0.5
    assert exported.initiative("BLOG").scores == {"engage": 4, "secure": 1}
    text = dump_portfolio(exported)
    assert parse_portfolio(portfolio_to_dict(exported)) == exported
    assert "ratio: 1/3" in text or "ratio: '1/3'" in text
    again = import_(uow, team.id, parse_portfolio(portfolio_to_dict(exported)))
    assert not again.changed  # the same file again changes nothing


def test_the_judgments_are_stored_as_each_persons_answers(uow, team):
    import_(uow, team.id, strategic())
    with uow() as u:
        rows = u.session.scalars(select(JudgmentRecord).order_by(JudgmentRecord.user_id))
        stored = [(r.user_id, r.a, r.b, r.ratio) for r in rows]
    # stored once per pair in key order: engage < secure
    assert stored == [
        ("U0CIO", "engage", "secure", "1/3"),
        ("U0CMO", "engage", "secure", "5"),
    ]
    people = overview(uow, team.id).weights.people
    assert people["U0CIO"].weights == pytest.approx({"engage": 0.25, "secure": 0.75})
    assert people["U0CMO"].weights == pytest.approx({"engage": 5 / 6, "secure": 1 / 6})


def test_replace_retires_drivers_the_file_leaves_out_and_keeps_their_judgments(uow, team):
    import_(uow, team.id, strategic())
    data = strategic(
        drivers=DRIVERS[:1],
        judgments=[],
        objective="value",
    )
    for item in data["initiatives"]:
        item.pop("scores", None)
    summary = import_(uow, team.id, data)
    assert summary.drivers_changed == ("secure",)
    view = overview(uow, team.id)
    assert [d.key for d in view.drivers] == ["engage"]
    assert [d.key for d in view.retired] == ["secure"]
    assert count_rows(uow, JudgmentRecord) == 2  # they name a retired driver: kept
    # restoring the driver (a file naming it again) brings the answers back
    import_(uow, team.id, strategic(judgments=[]), mode="merge")
    assert overview(uow, team.id).weights.source == "judgments"


def test_a_merge_restoring_a_driver_brings_back_the_scores_kept_for_it(uow, team):
    import_(uow, team.id, strategic(objective="value"))
    with uow() as u:
        services.save_drivers(
            u, actor=team.admin, team_id=team.id, changes=[{"key": "engage", "retired": True}]
        )
    assert export(uow, team.id).initiative("BLOG").scores == {"secure": 1}
    restore = {"version": 1, "drivers": [{"key": "engage", "name": "Customer engagement"}]}
    summary = import_(uow, team.id, restore, mode="merge")
    assert summary.drivers_changed == ("engage",) and summary.updated == ()
    assert export(uow, team.id).initiative("BLOG").scores == {"engage": 4, "secure": 1}


def test_replace_makes_the_judgments_between_the_files_drivers_the_files(uow, team):
    import_(uow, team.id, strategic())
    summary = import_(uow, team.id, strategic(judgments=JUDGMENTS[1:]))
    assert summary.judgments_changed == ("U0CIO",)
    assert count_rows(uow, JudgmentRecord) == 1
    assert last_audit(uow, "judgments.import") == (
        "U0CIO",
        {"engage:secure": "1/3"},
        {"engage:secure": None},
    )


def test_merge_adds_drivers_and_revises_judgments_and_keeps_the_rest(uow, team):
    import_(uow, team.id, strategic())
    merge = {
        "version": 1,
        "drivers": [{"key": "cost", "name": "Cost efficiency"}],
        "judgments": [
            {"by": "U0CIO", "a": "secure", "b": "engage", "ratio": 4},  # revised, turned
            {"by": "U0CFO", "a": "cost", "b": "engage", "ratio": 9},
        ],
    }
    summary = import_(uow, team.id, merge, mode="merge")
    assert summary.drivers_changed == ("cost",)
    assert summary.judgments_changed == ("U0CFO", "U0CIO")
    exported = export(uow, team.id)
    assert [d.key for d in exported.drivers] == ["engage", "secure", "cost"]
    answers = {(j.by, j.a, j.b): str(j.ratio) for j in exported.judgments}
    assert answers == {
        ("U0CFO", "engage", "cost"): "1/9",
        ("U0CIO", "engage", "secure"): "1/4",
        ("U0CMO", "engage", "secure"): "5",
    }
    assert exported.initiative("SSO").scores == {"secure": 5}  # untouched


def test_a_pmo_imports_initiatives_but_not_drivers(uow, team):
    with pytest.raises(PermissionDenied, match="business drivers or judgments"):
        import_(uow, team.id, strategic(), actor=team.pmo)
    assert overview(uow, team.id).drivers == ()
    import_(uow, team.id, strategic(), actor=team.admin)
    data = strategic()
    data["initiatives"][0]["value"] = 12345  # drivers and judgments as they are
    summary = import_(uow, team.id, data, actor=team.pmo)
    assert summary.updated == ("SSO",) and not summary.drivers_changed


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"judgments": [{"by": "U1", "a": "engage", "b": "ghost", "ratio": 3}]}, "ghost"),
        ({"judgments": [{"by": "U1", "a": "engage", "b": "secure", "ratio": 11}]}, "1 to 9"),
        ({"drivers": [{"key": "Engage!", "name": "E"}]}, "driver key"),
        ({"objective": "profit"}, "objective"),
        ({"blend": 0}, "blend"),
    ],
)
def test_a_bad_strategy_section_fails_the_import_and_writes_nothing(uow, team, change, problem):
    before = export(uow, team.id)
    with pytest.raises(ImportFailed, match=problem):
        import_(uow, team.id, strategic(**change))
    assert export(uow, team.id) == before


def test_scores_of_unknown_drivers_fail_the_import(uow, team):
    data = strategic()
    data["initiatives"][2]["scores"] = {"profit": 3}
    with pytest.raises(ImportFailed, match="'profit' is not a driver"):
        import_(uow, team.id, data)


def test_the_demo_brings_its_drivers_judgments_and_scores(uow):
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="T-DEMO")
    view = overview(uow, "T-DEMO")
    assert [d.key for d in view.drivers] == ["engage", "collaborate", "secure", "cost"]
    assert set(view.weights.people) == {"U0CIO", "U0CMO"}
    assert all(p.complete for p in view.weights.people.values())
    cio, cmo = view.weights.people["U0CIO"], view.weights.people["U0CMO"]
    assert max(cio.weights, key=cio.weights.get) == "secure"  # they disagree
    assert max(cmo.weights, key=cmo.weights.get) == "engage"
    assert view.weights.source == "judgments"
    portfolio = export(uow, "T-DEMO")
    assert len(portfolio.initiatives) == 16
    assert all(spec.scores for spec in portfolio.initiatives)
    with uow() as u:
        again = services.load_demo(u, actor=OPERATOR, team_id="T-DEMO")
    assert not again.changed


# --------------------------------------------------------------------------- scores in forms


def test_a_proposal_carries_scores_and_bad_ones_name_the_field(uow, team):
    import_(uow, team.id, strategic())
    fields = {"title": "Community", "duration": 1, "value": 100, "scores": {"engage": 5}}
    with uow() as u:
        view = services.propose(u, actor=team.member, team_id=team.id, fields=fields)
    assert view.spec.scores == {"engage": 5}
    for scores, text in (
        ({"engage": 6}, "expected a score 0 to 5"),
        ({"profit": 1}, "'profit' is not a driver"),
        ({"engage": "huge"}, "expected a score 0 to 5"),
    ):
        with pytest.raises(ValidationFailed) as info, uow() as u:
            services.propose(
                u, actor=team.member, team_id=team.id, fields={**fields, "scores": scores}
            )
        assert text in info.value.fields["scores"]


def test_the_proposer_sets_scores_and_the_approver_adjusts_them(uow, team):
    import_(uow, team.id, strategic())
    view = edit(uow, team, team.member, "WIKI", {"scores": {"engage": 2, "secure": "high"}})
    assert view.spec.scores == {"engage": 2, "secure": 4}
    with pytest.raises(PermissionDenied):
        edit(uow, team, team.member, "SSO", {"scores": {"engage": 5}})  # not theirs
    view = edit(uow, team, team.approver, "SSO", {"scores": {"engage": 1, "secure": 5}})
    assert view.spec.scores == {"engage": 1, "secure": 5}
    assert last_audit(uow, "initiative.edit") == (
        "SSO",
        {"scores": {"secure": 5}},
        {"scores": {"engage": 1, "secure": 5}},
    )


def test_a_retired_drivers_scores_are_hidden_kept_and_restored(uow, team):
    import_(uow, team.id, strategic(objective="value"))
    with uow() as u:
        services.save_drivers(
            u, actor=team.admin, team_id=team.id, changes=[{"key": "engage", "retired": True}]
        )
        blog = services.get_initiative(u, team_id=team.id, key="BLOG")
    assert blog.spec.scores == {"secure": 1}
    edit(uow, team, team.admin, "BLOG", {"scores": {"secure": 3}})
    with uow() as u:
        row = u.session.scalar(select(Initiative).where(Initiative.key == "BLOG"))
        assert row.scores == {"engage": 4, "secure": 3}
        services.save_drivers(
            u, actor=team.admin, team_id=team.id, changes=[{"key": "engage", "retired": False}]
        )
        blog = services.get_initiative(u, team_id=team.id, key="BLOG")
    assert blog.spec.scores == {"engage": 4, "secure": 3}


def test_the_last_driver_cannot_go_while_the_plan_is_strategic(uow, team):
    import_(uow, team.id, strategic())
    retire_all = [{"key": "engage", "retired": True}, {"key": "secure", "retired": True}]
    with pytest.raises(ValidationFailed, match="plans for the business drivers"), uow() as u:
        services.save_drivers(u, actor=team.admin, team_id=team.id, changes=retire_all)
    assert len(overview(uow, team.id).drivers) == 2


# --------------------------------------------------------------------------- settings


def settings_update(uow, team, actor, changes):
    with uow() as u:
        return services.update_settings(u, actor=actor, team_id=team.id, changes=changes)


def test_objective_blend_and_stability_are_settings_of_the_pmo(uow, team):
    import_(uow, team.id, strategic(objective="value", blend=1.0), actor=team.admin)
    saved = settings_update(
        uow, team, team.pmo, {"objective": "blend", "blend": 2.5, "stability": "high"}
    )
    assert (saved.objective, saved.blend, saved.stability) == ("blend", 2.5, "high")
    with uow() as u:
        read = services.get_settings(u, team_id=team.id)
    assert (read.objective, read.blend, read.stability) == ("blend", 2.5, "high")
    assert last_audit(uow, "settings.update") == (
        None,
        {"objective": "value", "blend": 1.0, "stability": "normal"},
        {"objective": "blend", "blend": 2.5, "stability": "high"},
    )
    assert export(uow, team.id).objective == "blend"
    defaults = {"objective": None, "blend": None, "stability": None}
    back = settings_update(uow, team, team.admin, defaults)
    assert (back.objective, back.blend, back.stability) == ("value", 1.0, "normal")


@pytest.mark.parametrize("who", ["member", "security", "approver"])
def test_others_may_not_change_the_objective(uow, team, who):
    with pytest.raises(PermissionDenied, match="objective"):
        settings_update(uow, team, getattr(team, who), {"objective": "value"})


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"objective": "profit"}, "objective", "value, strategic, blend"),
        ({"objective": "strategic"}, "objective", "has none"),  # the workspace has no drivers
        ({"blend": 0}, "blend", "above 0"),
        ({"blend": 101}, "blend", "at most 100"),
        ({"blend": "lots"}, "blend", "a number"),
        ({"stability": "rigid"}, "stability", "low, normal, high, off"),
    ],
)
def test_bad_objective_settings_name_the_field(uow, team, changes, field, text):
    with pytest.raises(ValidationFailed) as info:
        settings_update(uow, team, team.admin, changes)
    assert text in info.value.fields[field]
