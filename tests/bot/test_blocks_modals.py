"""Initiative, settings and reason modals: valid views, submissions read into catalog
fields, bad values reported per block, catalog errors mapped to blocks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.blocks import ids
from bot.blocks.initiative_modal import (
    initiative_errors_for,
    initiative_modal,
    parse_uses,
    read_initiative_submission,
)
from bot.blocks.reason_modal import read_reason_submission, reason_modal
from bot.blocks.settings_modal import (
    SECTIONS,
    parse_amounts,
    read_settings_submission,
    settings_errors_for,
    settings_modal,
)
from bot.errors import ModalErrors
from catalog.views import SettingsView
from planner.calendar import phases_of
from planner.errors import ScenarioError
from tests.bot.blocks_support import (
    NOW,
    big_portfolio,
    check_view,
    chosen,
    chosen_many,
    demo_portfolio,
    nasty_spec,
    submitted,
    typed,
    view_of,
)

IB = ids.INITIATIVE_BLOCKS
SB = ids.SETTINGS_BLOCKS


def _keys():
    return {s.key: s.title for s in demo_portfolio().initiatives}


def _phases():
    return phases_of(demo_portfolio().calendar)


# --------------------------------------------------------------------------- initiative


def test_propose_modal_is_valid_and_has_every_field():
    view = initiative_modal(private_metadata='{"channel": "C1"}', keys=_keys(), phases=_phases())
    check_view(view)
    assert view["callback_id"] == ids.INITIATIVE_MODAL
    assert view["private_metadata"] == '{"channel": "C1"}'
    shown = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert shown == set(IB.values())


def test_propose_modal_defaults_then_a_filled_in_submission():
    view = initiative_modal(private_metadata="", keys=_keys(), phases=_phases())
    state = submitted(
        view,
        **{
            IB["title"]: typed("Social listening & analytics"),
            IB["summary"]: typed("Hear customers"),
            IB["category"]: typed("social"),
            IB["cadence"]: chosen("agile"),
            IB["duration"]: typed("2"),
            IB["capex"]: typed("250k"),
            IB["opex"]: typed("$12,000"),
            IB["value"]: typed("1.2M"),
            IB["hosting"]: chosen("saas"),
            IB["data"]: chosen("confidential"),
            IB["personal_data"]: chosen_many("yes"),
            IB["security_review"]: chosen("yes"),
            IB["uses"]: typed("integration: 3, Data Engineering = 1"),
            IB["teams"]: typed("2"),
            IB["depends_on"]: chosen_many("SSO", "DLP"),
            IB["excludes"]: chosen_many("COMMUNITY"),
            IB["mandatory"]: chosen_many("yes"),
            IB["earliest"]: chosen("1"),
            IB["deadline"]: chosen("6"),
        },
    )
    fields = read_initiative_submission(state)
    assert fields == {
        "title": "Social listening & analytics",
        "summary": "Hear customers",
        "category": "social",
        "owner": None,
        "cadence": "agile",
        "duration": 2,
        "capex": 250_000,
        "opex": 12_000,
        "value": 1_200_000,
        "hosting": "saas",
        "data": "confidential",
        "personal_data": True,
        "mandatory": True,
        "security_review": True,
        "uses": {"integration": 3, "data_engineering": 1},
        "teams": 2,
        "depends_on": ["SSO", "DLP"],
        "excludes": ["COMMUNITY"],
        "earliest": 1,
        "deadline": 6,
    }


def test_propose_modal_minimal_submission_uses_defaults():
    view = initiative_modal(private_metadata="")
    state = submitted(view, **{IB["title"]: typed("Blog"), IB["value"]: typed("40k")})
    fields = read_initiative_submission(state)
    assert fields["capex"] == 0 and fields["opex"] == 0
    assert fields["duration"] == 1
    assert fields["cadence"] == "waterfall"
    assert fields["hosting"] == "on_prem"
    assert fields["security_review"] is None
    assert fields["teams"] == 1
    assert fields["depends_on"] == [] and fields["excludes"] == []
    assert fields["earliest"] == 0 and fields["deadline"] is None
    assert "key" not in fields


def test_key_typed_on_proposal():
    view = initiative_modal(private_metadata="")
    state = submitted(
        view, **{IB["key"]: typed("soc-9"), IB["title"]: typed("X"), IB["value"]: typed("1")}
    )
    assert read_initiative_submission(state)["key"] == "SOC-9"


def test_edit_modal_round_trips_every_field():
    spec = nasty_spec(security_review=False)
    view = initiative_modal(
        view=view_of(spec), private_metadata="SOC-7|3", keys=_keys(), phases=_phases()
    )
    check_view(view)
    assert view["title"]["text"] == "Edit SOC-7"
    assert IB["key"] not in {b.get("block_id") for b in view["blocks"]}
    fields = read_initiative_submission(submitted(view))
    for name, value in fields.items():
        expected = getattr(spec, name)
        if isinstance(expected, tuple):
            expected, value = sorted(expected), sorted(value)
        assert value == expected, name


def test_edit_modal_without_phase_names_uses_numbers():
    view = initiative_modal(view=view_of(nasty_spec()), private_metadata="")
    check_view(view)
    earliest = next(b for b in view["blocks"] if b.get("block_id") == IB["earliest"])
    assert earliest["element"]["type"] == "number_input"
    fields = read_initiative_submission(submitted(view, **{IB["deadline"]: typed("5")}))
    assert (fields["earliest"], fields["deadline"]) == (1, 5)


def test_more_phases_than_a_select_holds_are_numbers():
    calendar = dataclasses.replace(demo_portfolio().calendar, phase="sprint", phases=130)
    spec = nasty_spec(earliest=120, deadline=125)
    view = initiative_modal(view=view_of(spec), private_metadata="", phases=phases_of(calendar))
    check_view(view)
    fields = read_initiative_submission(submitted(view))
    assert (fields["earliest"], fields["deadline"]) == (120, 125)


def test_edit_modal_offers_no_self_dependency_and_keeps_unknown_chosen_keys():
    spec = nasty_spec(key="SSO", depends_on=("GONE",), excludes=())
    view = initiative_modal(view=view_of(spec), private_metadata="", keys=_keys())
    check_view(view)
    block = next(b for b in view["blocks"] if b.get("block_id") == IB["depends_on"])
    offered = [o["value"] for o in block["element"]["options"]]
    assert "SSO" not in offered and "GONE" in offered
    assert [o["value"] for o in block["element"]["initial_options"]] == ["GONE"]


def test_prefill_from_a_message():
    view = initiative_modal(
        private_metadata="", prefill={"title": "Idea <!channel>", "summary": "x" * 5000}
    )
    check_view(view)
    title = next(b for b in view["blocks"] if b.get("block_id") == IB["title"])
    assert title["element"]["initial_value"] == "Idea <!channel>"


def test_two_hundred_keys_are_grouped():
    keys = {s.key: s.title for s in big_portfolio().initiatives}
    view = initiative_modal(
        view=view_of(nasty_spec(depends_on=("SSO",))), private_metadata="", keys=keys
    )
    check_view(view)
    block = next(b for b in view["blocks"] if b.get("block_id") == IB["depends_on"])
    groups = block["element"]["option_groups"]
    assert sum(len(g["options"]) for g in groups) == len(keys) + ("SOC-7" not in keys)
    assert all(len(g["options"]) <= 100 for g in groups)


def test_bad_values_are_reported_per_block_all_at_once():
    view = initiative_modal(private_metadata="", keys=_keys(), phases=_phases())
    state = submitted(
        view,
        **{
            IB["key"]: typed("bad key!"),
            IB["title"]: typed("   "),
            IB["duration"]: typed("0"),
            IB["capex"]: typed("lots"),
            IB["opex"]: typed("$10.50"),
            IB["value"]: typed(None),
            IB["uses"]: typed("integration three"),
            IB["teams"]: typed("-1"),
            IB["depends_on"]: chosen_many("SSO"),
            IB["excludes"]: chosen_many("SSO"),
        },
    )
    with pytest.raises(ModalErrors) as caught:
        read_initiative_submission(state)
    errors = caught.value.errors
    assert set(errors) == {
        IB[n]
        for n in (
            "key",
            "title",
            "duration",
            "capex",
            "opex",
            "value",
            "uses",
            "teams",
            "excludes",
        )
    }
    assert "'lots' is not an amount of money" in errors[IB["capex"]]
    assert "whole" in errors[IB["opex"]]
    assert "SSO" in errors[IB["excludes"]]
    assert caught.value.response() == {"response_action": "errors", "errors": errors}


def test_deadline_before_the_earliest_go_live_is_refused():
    view = initiative_modal(private_metadata="", phases=_phases())
    state = submitted(
        view,
        **{
            IB["title"]: typed("X"),
            IB["value"]: typed("1k"),
            IB["duration"]: typed("3"),
            IB["earliest"]: chosen("2"),
            IB["deadline"]: chosen("3"),
        },
    )
    with pytest.raises(ModalErrors) as caught:
        read_initiative_submission(state)
    assert list(caught.value.errors) == [IB["deadline"]]
    assert "phase 4" in caught.value.errors[IB["deadline"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("integration: 3", {"integration": 3}),
        (
            "integration=3; data_engineering 1\nsecurity:0",
            {"integration": 3, "data_engineering": 1, "security": 0},
        ),
    ],
)
def test_parse_uses(text, expected):
    assert parse_uses(text) == expected


@pytest.mark.parametrize("text", ["integration", "3: integration", "a: 1, a: 2", "integ-ration: 2"])
def test_parse_uses_refuses(text):
    with pytest.raises(ValueError):
        parse_uses(text)


def test_catalog_errors_map_to_blocks():
    errors = initiative_errors_for(
        {
            "duration": "5 phases is beyond the horizon of 4 phases",
            "depends_on": "names unknown key 'NOPE'",
            "pin": "expected a phase index below 8",
            "__all__": "dependency cycle: A → B → A",
            "key": "SOC-7 is already taken by another initiative",
        }
    )
    assert errors[IB["duration"]] == "5 phases is beyond the horizon of 4 phases."
    assert errors[IB["depends_on"]] == "Names unknown key 'NOPE'."
    assert errors[IB["key"]].startswith("SOC-7 is already taken")
    assert (
        errors[IB["title"]] == "Pin: expected a phase index below 8. Dependency cycle: A → B → A."
    )
    edited = initiative_errors_for({"key": "cannot change"}, editing=True)
    assert edited == {IB["title"]: "Key: cannot change."}


# --------------------------------------------------------------------------- settings


def _settings() -> SettingsView:
    p = demo_portfolio()
    return SettingsView(
        name=p.name,
        calendar=p.calendar,
        budget=p.budget,
        capacity=p.capacity,
        policy=p.policy,
        version=4,
        updated_at=NOW,
        updated_by="U0PMO",
    )


def test_settings_modal_is_valid_and_filled_in():
    view = settings_modal(settings=_settings(), private_metadata="4")
    check_view(view)
    assert view["callback_id"] == ids.SETTINGS_MODAL
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id[SB["calendar.start"]]["element"]["initial_date"] == "2027-01-01"
    assert by_id[SB["calendar.tollgates"]]["element"]["initial_value"] == (
        "2027Q1, 2027Q3, 2028Q1, 2028Q3"
    )
    assert by_id[SB["calendar.freeze"]]["element"]["initial_value"] == "2027Q4"
    assert by_id[SB["budget.per_phase"]]["element"]["initial_value"] == "250k"
    assert "integration: 4" in by_id[SB["capacity"]]["element"]["initial_value"]


def test_unchanged_settings_submit_no_changes():
    view = settings_modal(settings=_settings(), private_metadata="")
    assert read_settings_submission(submitted(view), current=_settings()) == {}


def test_settings_submission_without_current_has_every_section():
    view = settings_modal(settings=_settings(), private_metadata="")
    changes = read_settings_submission(submitted(view))
    assert set(changes) == {*SECTIONS, "blend"}  # the objective section holds two settings
    assert (changes["objective"], changes["blend"]) == ("value", 1.0)
    assert changes["calendar"] == {
        "start": "2027-01-01",
        "phase": "quarter",
        "phases": 8,
        "fiscal_year_start": 1,
        "tollgates": [0, 2, 4, 6],
        "freeze": [3],
    }
    assert changes["budget"] == {"per_phase": 250_000, "total": 1_300_000}
    assert changes["capacity"] == dict(demo_portfolio().capacity)
    assert sorted(changes["policy"]["forbid"]) == ["saas_restricted"]


def test_settings_changes_only_what_was_touched():
    view = settings_modal(settings=_settings(), private_metadata="")
    state = submitted(
        view,
        **{
            SB["budget.per_phase"]: typed("200k, 250,000; 300k 300k 1.2M, 1M, 1M, 1M"),
            SB["budget.total"]: typed(""),
            SB["capacity"]: typed("integration: 4, 4, 6, 6, 6, 6, 8, 8\nagile_teams = 3"),
        },
    )
    changes = read_settings_submission(state, current=_settings())
    assert changes == {
        "budget": {
            "per_phase": [
                200_000,
                250_000,
                300_000,
                300_000,
                1_200_000,
                1_000_000,
                1_000_000,
                1_000_000,
            ],
            "total": None,
        },
        "capacity": {
            "integration": [4, 4, 6, 6, 6, 6, 8, 8],
            "agile_teams": 3,
            "security_reviews": None,
            "waterfall_programs": None,
        },
    }


def test_settings_calendar_accepts_labels_numbers_and_rrules():
    view = settings_modal(settings=_settings(), private_metadata="")
    state = submitted(
        view,
        **{
            SB["calendar.phases"]: typed("12"),
            SB["calendar.tollgates"]: typed("FREQ=MONTHLY;INTERVAL=6"),
            SB["calendar.freeze"]: typed("2027q4 7, 11"),
            SB["calendar.fiscal_year_start"]: chosen("7"),
        },
    )
    changes = read_settings_submission(state, current=_settings())
    calendar = changes["calendar"]
    assert calendar["tollgates"] == "FREQ=MONTHLY;INTERVAL=6"
    assert calendar["freeze"] == [3, 7, 11]
    assert calendar["phases"] == 12
    assert calendar["fiscal_year_start"] == 7


def test_settings_modal_shows_only_the_sections_asked_for():
    view = settings_modal(settings=_settings(), private_metadata="", sections=("policy",))
    check_view(view)
    inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs == {SB["policy.review"], SB["policy.forbid"]}
    state = submitted(
        view, **{SB["policy.forbid"]: chosen_many("saas_restricted", "saas_personal_data")}
    )
    changes = read_settings_submission(state, current=_settings())
    assert list(changes) == ["policy"]
    assert sorted(changes["policy"]["review"]) == sorted(_settings().policy.review)
    assert sorted(changes["policy"]["forbid"]) == ["saas_personal_data", "saas_restricted"]
    with pytest.raises(ValueError):
        settings_modal(private_metadata="", sections=("budget", "weather"))


def test_new_workspace_settings_modal():
    view = settings_modal(private_metadata="")
    check_view(view)
    state = submitted(
        view,
        **{SB["name"]: typed("Plan"), SB["calendar.start"]: {"selected_date": "2027-04-01"}},
    )
    changes = read_settings_submission(state)
    assert changes["calendar"]["start"] == "2027-04-01"
    assert changes["calendar"]["phases"] == 8
    assert changes["budget"] == {"per_phase": None, "total": None}
    assert changes["capacity"] == {}


def test_bad_settings_are_reported_per_block():
    view = settings_modal(settings=_settings(), private_metadata="")
    state = submitted(
        view,
        **{
            SB["name"]: typed(""),
            SB["calendar.tollgates"]: typed("2031Q1"),
            SB["calendar.freeze"]: typed("FREQ=WEEKLY"),
            SB["budget.per_phase"]: typed("100k, 200k"),
            SB["budget.total"]: typed("a lot"),
            SB["capacity"]: typed("integration: 4\nIntegration: x"),
        },
    )
    with pytest.raises(ModalErrors) as caught:
        read_settings_submission(state, current=_settings())
    errors = caught.value.errors
    assert set(errors) == {
        SB["name"],
        SB["calendar.tollgates"],
        SB["calendar.freeze"],
        SB["budget.per_phase"],
        SB["budget.total"],
        SB["capacity"],
    }
    assert "2027Q1 … 2028Q4" in errors[SB["calendar.tollgates"]]
    assert "8 phases (got 2)" in errors[SB["budget.per_phase"]]
    assert errors[SB["capacity"]].startswith("Line 2:")


def test_bad_rrule_is_reported():
    view = settings_modal(settings=_settings(), private_metadata="")
    state = submitted(view, **{SB["calendar.tollgates"]: typed("FREQ=SOMETIMES")})
    with pytest.raises(ModalErrors) as caught:
        read_settings_submission(state)
    assert list(caught.value.errors) == [SB["calendar.tollgates"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250k", [250_000]),
        ("$40,000", [40_000]),
        ("250,000, 300,000", [250_000, 300_000]),
        ("1k 2k 3k", [1000, 2000, 3000]),
        ("1k,2k;3k", [1000, 2000, 3000]),
    ],
)
def test_parse_amounts(text, expected):
    assert parse_amounts(text) == expected


def test_parse_amounts_refuses():
    with pytest.raises(ScenarioError):
        parse_amounts("many")


def test_catalog_settings_errors_map_to_blocks():
    errors = settings_errors_for(
        {
            "calendar.phases": "expected a number of phases ≥ 1",
            "capacity.integration": "expected a whole number",
            "budget": "expected a mapping",
            "__all__": "initiative SSO: field 'duration': beyond the horizon",
        }
    )
    assert errors[SB["calendar.phases"]] == (
        "expected a number of phases ≥ 1; initiative SSO: field 'duration': beyond the horizon"
    )
    assert errors[SB["capacity"]] == "capacity.integration: expected a whole number"
    assert errors[SB["budget.per_phase"]] == "budget: expected a mapping"
    only_policy = settings_errors_for({"__all__": "x", "calendar.start": "y"}, sections=("policy",))
    assert only_policy == {SB["policy.review"]: "x; calendar.start: y"}


# --------------------------------------------------------------------------- reasons


@pytest.mark.parametrize("decision", ["reject", "request_changes", "conditions", "failed"])
def test_reason_is_required_for_negative_decisions(decision):
    view = reason_modal(view=view_of(nasty_spec()), decision=decision, private_metadata="SOC-7|3")
    check_view(view)
    with pytest.raises(ModalErrors) as caught:
        read_reason_submission(
            submitted(view, **{ids.REASON_BLOCK: typed("  ")}), decision=decision
        )
    assert list(caught.value.errors) == [ids.REASON_BLOCK]
    reason = read_reason_submission(
        submitted(view, **{ids.REASON_BLOCK: typed(" Too costly \n")}), decision=decision
    )
    assert reason == "Too costly"


def test_reason_is_optional_for_approval():
    view = reason_modal(view=view_of(nasty_spec()), decision="approve", private_metadata="")
    check_view(view)
    assert read_reason_submission(submitted(view), decision="approve") == ""
    with pytest.raises(ValueError):
        reason_modal(view=view_of(nasty_spec()), decision="shrug", private_metadata="")


def test_long_key_fits_the_modal_title():
    spec = dataclasses.replace(nasty_spec(), key="A-VERY-LONG-INITIATIVE-KEY-42")
    check_view(reason_modal(view=view_of(spec), decision="reject", private_metadata=""))
    check_view(initiative_modal(view=view_of(spec), private_metadata=""))


def test_private_metadata_is_never_cut():
    with pytest.raises(ValueError):
        initiative_modal(private_metadata="x" * 3001)


def test_date_is_read_from_a_datepicker():
    view = settings_modal(settings=_settings(), private_metadata="")
    state = submitted(
        view, **{SB["calendar.start"]: {"selected_date": dt.date(2028, 1, 1).isoformat()}}
    )
    assert read_settings_submission(state, current=_settings())["calendar"]["start"] == "2028-01-01"
