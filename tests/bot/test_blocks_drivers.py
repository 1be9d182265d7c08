"""Business drivers in Block Kit: the judgment form (45 pairs for 10 drivers within a
modal's limits), the drivers view with its bars, CRs and the inconsistency hint, the
manage form, the priority list, impact scores in the initiative form and the objective
in the settings form."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from bot.blocks import ids
from bot.blocks.drivers import (
    bar,
    drivers_blocks,
    inconsistency_blocks,
    person_weights_blocks,
    priority_blocks,
    weight_picture,
)
from bot.blocks.drivers_modal import (
    DriverChange,
    driver_block,
    driver_errors_for,
    drivers_modal,
    new_block,
    read_drivers_submission,
)
from bot.blocks.initiative_modal import (
    initiative_errors_for,
    initiative_modal,
    read_initiative_submission,
)
from bot.blocks.roadmap import roadmap_blocks, status_text
from bot.blocks.settings_modal import read_settings_submission, settings_modal
from bot.blocks.weigh_modal import read_weigh_submission, scale, weigh_modal
from bot.errors import ModalErrors
from bot.text_render import status_line
from catalog.views import PriorityRow, PriorityView, SettingsView
from planner.config import SolverConfig
from planner.drivers import (
    MAX_DRIVERS,
    Driver,
    Judgment,
    group_weights,
    pairs,
    person_weights,
    strategic_score,
)
from planner.problem import build_problem
from planner.solve import solve
from tests.bot.blockkit_limits import block_problems, view_problems
from tests.bot.blocks_support import (
    NASTY,
    NOW,
    all_text,
    check_escaped,
    check_message,
    check_view,
    chosen,
    chosen_many,
    demo_portfolio,
    nasty_spec,
    submitted,
    typed,
    view_of,
)

DRIVERS = (
    Driver("engage", "Customer engagement", "Reach customers where they talk."),
    Driver("collaborate", "Employee collaboration"),
    Driver("secure", "Security and compliance", "Keep data safe and auditors happy."),
    Driver("cost", "Cost efficiency"),
)
SB = ids.SETTINGS_BLOCKS


def _ten(*, long: bool = False) -> tuple[Driver, ...]:
    """Ten drivers; with `long`, names and descriptions at their limits."""
    return tuple(
        Driver(
            f"d{i}",
            (f"Driver {i} " + "x" * 100)[:100] if long else f"Driver {i}",
            ("y" * 500) if long else "",
        )
        for i in range(MAX_DRIVERS)
    )


def _judgments(by: str, ratios: dict[tuple[str, str], Fraction | int]) -> list[Judgment]:
    return [Judgment(by, a, b, Fraction(r)) for (a, b), r in ratios.items()]


#: The CIO weighs security; consistent. The CMO weighs engagement and contradicts
#: herself (engage > secure > cost, yet cost > engage).
CIO = _judgments(
    "U0CIO",
    {
        ("engage", "collaborate"): 2,
        ("engage", "secure"): Fraction(1, 3),
        ("engage", "cost"): 1,
        ("collaborate", "secure"): Fraction(1, 5),
        ("collaborate", "cost"): Fraction(1, 2),
        ("secure", "cost"): 3,
    },
)
CMO = _judgments(
    "U0CMO",
    {
        ("engage", "collaborate"): 5,
        ("engage", "secure"): 7,
        ("engage", "cost"): Fraction(1, 9),
        ("collaborate", "secure"): 3,
        ("collaborate", "cost"): 3,
        ("secure", "cost"): 5,
    },
)
HALF = _judgments("U0CFO", {("engage", "cost"): 3})


# --------------------------------------------------------------------------- the judgment form


def test_ten_drivers_ask_45_pairs_within_block_kits_limits() -> None:
    drivers = _ten(long=True)
    view = weigh_modal(drivers=drivers, answers={})
    check_view(view)
    assert view_problems(view) == []
    selects = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(selects) == 45 and len(view["blocks"]) <= 100
    asked = [ids.read_pair_block(b["block_id"]) for b in selects]
    assert asked == list(pairs([d.key for d in drivers]))
    for block in selects:
        element = block["element"]
        assert element["type"] == "static_select" and len(element["options"]) == 17
        assert "initial_option" not in element and block["optional"] is True
        assert all(len(o["text"]["text"]) <= 75 for o in element["options"])


def test_the_scale_runs_from_a_extremely_through_equal_to_b_extremely() -> None:
    view = weigh_modal(drivers=DRIVERS[:2], answers={})
    [question] = [b for b in view["blocks"] if b["type"] == "input"]
    assert question["label"]["text"] == (
        "Customer engagement vs Employee collaboration — which matters more, and how much?"
    )
    options = question["element"]["options"]
    values = [o["value"] for o in options]
    assert values == [*map(str, range(9, 1, -1)), "1", *(f"1/{k}" for k in range(2, 10))]
    texts = [o["text"]["text"] for o in options]
    assert texts[0] == "Customer engagement extremely more important"
    assert texts[6] == "Customer engagement moderately more important"
    assert texts[8] == "Equally important"
    assert texts[-1] == "Employee collaboration extremely more important"
    assert [k for _, k in scale()] == [9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_the_form_holds_the_current_answers_either_way_round() -> None:
    answers = {("engage", "secure"): "1/3", ("cost", "engage"): "5"}
    view = weigh_modal(drivers=DRIVERS, answers=answers)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id[ids.pair_block("engage", "secure")]["element"]["initial_option"]["value"] == "1/3"
    # cost is 5 times engage: engage vs cost is 1/5
    assert by_id[ids.pair_block("engage", "cost")]["element"]["initial_option"]["value"] == "1/5"
    assert "initial_option" not in by_id[ids.pair_block("secure", "cost")]["element"]
    assert "You have answered 2 of 6" in all_text(view)
    assert "Keep data safe" in all_text(view)


def test_a_submission_reads_the_answers_given_and_leaves_the_others_out() -> None:
    view = weigh_modal(drivers=DRIVERS, answers={("engage", "secure"): "3"})
    state = submitted(
        view,
        **{ids.pair_block("collaborate", "cost"): chosen("1/7")},
    )
    assert read_weigh_submission(state) == (
        ("engage", "secure", "3"),
        ("collaborate", "cost", "1/7"),
    )


def test_a_submission_with_nothing_answered_or_off_the_scale_is_refused() -> None:
    view = weigh_modal(drivers=DRIVERS, answers={})
    with pytest.raises(ModalErrors) as nothing:
        read_weigh_submission(submitted(view))
    assert nothing.value.errors == {
        ids.pair_block("engage", "collaborate"): "Answer at least one pair before saving."
    }
    forged = submitted(view, **{ids.pair_block("engage", "cost"): chosen("10")})
    with pytest.raises(ModalErrors) as off:
        read_weigh_submission(forged)
    assert list(off.value.errors) == [ids.pair_block("engage", "cost")]
    assert "1 to 9" in off.value.errors[ids.pair_block("engage", "cost")]
    assert read_weigh_submission({"other": {}}) == ()


def test_revising_one_pair_asks_only_it_and_requires_an_answer() -> None:
    view = weigh_modal(
        drivers=DRIVERS, answers={("engage", "cost"): "1/9"}, pair=("engage", "cost")
    )
    check_view(view)
    [question] = [b for b in view["blocks"] if b["type"] == "input"]
    assert question["block_id"] == ids.pair_block("engage", "cost")
    assert question["optional"] is False
    assert question["element"]["initial_option"]["value"] == "1/9"
    assert view["title"]["text"] == "Revise a judgment"
    with pytest.raises(ValueError):
        weigh_modal(drivers=DRIVERS, answers={}, pair=("engage", "weather"))
    with pytest.raises(ValueError):
        weigh_modal(drivers=DRIVERS[:1], answers={})


# --------------------------------------------------------------------------- the drivers view


def test_bars_are_proportional_to_the_largest_weight() -> None:
    assert bar(0.5, 0.5) == "█" * 20
    assert bar(0.25, 0.5) == "█" * 10
    assert bar(0.1, 0.5) == "████"
    assert bar(0.01, 0.5) == "▍"
    assert bar(0, 0.5) == "" and bar(0.3, 0) == ""


def test_the_drivers_view_shows_bars_each_cr_the_warning_and_who_has_not_answered() -> None:
    weights = group_weights(DRIVERS, [*CIO, *CMO, *HALF])
    cmo = weights.people["U0CMO"]
    assert cmo.cr is not None and cmo.cr > 0.10 and cmo.worst is not None
    blocks = drivers_blocks(
        weights,
        pending=("U0CFO", "U0LEAD"),
        viewer="U0CMO",
        can_weigh=True,
        can_manage=True,
    )
    check_message(blocks)
    assert block_problems(blocks, max_blocks=50) == []
    text = all_text(blocks)
    picture = weight_picture(DRIVERS, weights.weights)
    assert picture in text and "█" in picture
    heaviest = max(weights.weights, key=weights.weights.get)
    first_line = picture.splitlines()[1]
    assert first_line.startswith(next(d.name for d in DRIVERS if d.key == heaviest))
    cio = weights.people["U0CIO"]
    assert f"<@U0CIO>: CR {cio.cr:.2f}, consistent" in text
    assert f"<@U0CMO>: :warning: CR {cmo.cr:.2f}, above 0.10" in text
    assert "<@U0CFO>: 1 of 6 pairs answered (incomplete: left out of the group)" in text
    assert "Not answered yet: <@U0LEAD>" in text and "<@U0CFO>, " not in text
    assert "complete answers of 2 people" in text
    revise = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.REVISE_JUDGMENT
    ]
    assert [e["value"] for e in revise] == [ids.pair_value(cmo.worst.a, cmo.worst.b)]
    actions = {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert {ids.OPEN_WEIGH, ids.MANAGE_DRIVERS} <= actions


def test_a_member_sees_no_buttons_and_nobody_else_gets_a_revise_button() -> None:
    weights = group_weights(DRIVERS, [*CIO, *CMO])
    blocks = drivers_blocks(weights, viewer="U0CIO")
    check_message(blocks)
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "Revise" not in all_text(blocks)


def test_without_drivers_or_judgments_the_view_says_so() -> None:
    empty = drivers_blocks(group_weights((), []), can_manage=True)
    check_message(empty)
    assert "No business drivers yet" in all_text(empty)
    assert {e["action_id"] for e in empty[-1]["elements"]} == {ids.MANAGE_DRIVERS}
    equal = drivers_blocks(group_weights(DRIVERS, HALF), can_weigh=True)
    check_message(equal)
    assert "every driver weighs the same" in all_text(equal)
    assert "25.0%" in all_text(equal)


def test_names_are_escaped_in_the_view_the_hint_and_the_list() -> None:
    drivers = (Driver("a", NASTY), Driver("b", "Tom & Jerry <b>"), Driver("c", "C"))
    bad = _judgments("U0X", {("a", "b"): 9, ("b", "c"): 9, ("a", "c"): Fraction(1, 9)})
    weights = group_weights(drivers, bad)
    blocks = drivers_blocks(weights, viewer="U0X", can_weigh=True)
    check_message(blocks)
    check_escaped(blocks)


def test_the_hint_names_the_judgment_that_disagrees_most() -> None:
    person = person_weights(DRIVERS, CMO)
    worst = person.worst
    assert worst is not None
    blocks = inconsistency_blocks(person, DRIVERS)
    check_message(blocks)
    text = all_text(blocks)
    assert f"CR {person.cr:.2f}, above 0.10" in text
    names = {d.key: d.name for d in DRIVERS}
    assert names[worst.a] in text and names[worst.b] in text
    assert "while the other answers imply" in text
    assert blocks[-1]["elements"][0]["value"] == ids.pair_value(worst.a, worst.b)
    assert inconsistency_blocks(person_weights(DRIVERS, CIO), DRIVERS) == []


def test_a_persons_own_weights_after_answering() -> None:
    done = person_weights_blocks(person_weights(DRIVERS, CIO), DRIVERS)
    check_message(done)
    assert "Your weights" in all_text(done) and "consistent" in all_text(done)
    partial = person_weights_blocks(person_weights(DRIVERS, HALF), DRIVERS)
    assert "answered 1 of 6 pairs" in all_text(partial)


# --------------------------------------------------------------------------- the manage form


def test_the_manage_form_fits_ten_drivers_and_restores_retired_ones() -> None:
    ten = _ten(long=True)
    retired = tuple(Driver(f"old{i}", f"Old {i}") for i in range(10))
    view = drivers_modal(drivers=ten, retired=retired)
    check_view(view)
    assert view_problems(view) == []
    assert not any(
        b.get("block_id", "").startswith(ids.NEW_DRIVER_BLOCK_PREFIX) for b in view["blocks"]
    )
    assert "retire one to add another" in all_text(view)


def test_rename_describe_retire_restore_and_add_in_one_submission() -> None:
    view = drivers_modal(drivers=DRIVERS, retired=(Driver("social", "Social reach"),))
    check_view(view)
    state = submitted(
        view,
        **{
            driver_block("engage", "name"): typed("Customer engagement online"),
            driver_block("collaborate", "description"): typed("Teams that talk"),
            driver_block("cost", "retire"): chosen_many("yes"),
            driver_block("social", "restore"): chosen_many("yes"),
            new_block(1, "key"): typed("brand"),
            new_block(1, "name"): typed("Brand reputation"),
        },
    )
    changes = {c.key: c for c in read_drivers_submission(state)}
    assert changes["engage"] == DriverChange(
        "engage", "Customer engagement online", "Reach customers where they talk."
    )
    assert changes["collaborate"].description == "Teams that talk"
    assert changes["cost"].retire and not changes["secure"].retire
    assert changes["social"].restore
    assert changes["brand"] == DriverChange("brand", "Brand reputation", new=True, row=1)
    assert len(changes) == 6  # the empty new rows are left out


def test_bad_new_drivers_and_empty_names_are_reported_per_field() -> None:
    view = drivers_modal(drivers=DRIVERS)
    state = submitted(
        view,
        **{
            driver_block("engage", "name"): typed(""),
            new_block(1, "key"): typed("Brand!"),
            new_block(1, "name"): typed("Brand"),
            new_block(2, "name"): typed("No key"),
            new_block(3, "key"): typed("secure"),
            new_block(3, "name"): typed("Again"),
        },
    )
    with pytest.raises(ModalErrors) as refused:
        read_drivers_submission(state)
    errors = refused.value.errors
    assert set(errors) == {
        driver_block("engage", "name"),
        new_block(1, "key"),
        new_block(2, "key"),
        new_block(3, "key"),
    }
    assert "not a driver key" in errors[new_block(1, "key")]
    assert "secure is a driver already" in errors[new_block(3, "key")]


def test_changes_go_to_the_catalog_and_its_errors_come_back_under_their_fields() -> None:
    view = drivers_modal(drivers=DRIVERS[:2], retired=(Driver("social", "Social reach"),))
    state = submitted(
        view,
        **{
            driver_block("collaborate", "retire"): chosen_many("yes"),
            driver_block("social", "restore"): chosen_many("yes"),
            new_block(2, "key"): typed("brand"),
            new_block(2, "name"): typed("Brand"),
        },
    )
    changes = read_drivers_submission(state)
    assert [c.to_change() for c in changes] == [
        {"key": "engage", "name": "Customer engagement", "description": DRIVERS[0].description},
        {"key": "collaborate", "retired": True},
        {"key": "social", "retired": False},
        {"key": "brand", "name": "Brand", "description": ""},
    ]
    first = driver_block("engage", "name")
    errors = driver_errors_for(
        {
            "drivers[0].description": "at most 500 characters",
            "drivers[1].retired": "expected true or false",
            "drivers[2].key": "social is retired",
            "drivers[3].name": "too long",
            "drivers[9].name": "no such change",
            "drivers": "at most 10 drivers may be active",
        },
        changes,
        first=first,
    )
    assert errors == {
        driver_block("engage", "description"): "At most 500 characters.",
        driver_block("collaborate", "retire"): "Expected true or false.",
        driver_block("social", "restore"): "Social is retired.",
        new_block(2, "name"): "Too long.",
        first: "No such change. At most 10 drivers may be active.",
    }


# --------------------------------------------------------------------------- priorities


def _priorities(weights) -> PriorityView:
    rows = []
    for spec in demo_portfolio().initiatives:
        scores = {"engage": len(spec.key) % 6, "secure": 3}
        contributions = {k: w * scores.get(k, 0) for k, w in weights.weights.items()}
        rows.append(
            PriorityRow(
                key=spec.key,
                title=spec.title,
                status=spec.status,
                score=strategic_score(scores, weights.weights),
                scores=scores,
                contributions=contributions,
            )
        )
    rows.sort(key=lambda r: -r.score)
    return PriorityView(weights=weights, rows=tuple(rows))


def test_the_priority_list_ranks_with_each_drivers_contribution() -> None:
    weights = group_weights(DRIVERS, [*CIO, *CMO])
    view = _priorities(weights)
    blocks = priority_blocks(view)
    check_message(blocks)
    text = all_text(blocks)
    top = view.rows[0]
    assert f"1. *{top.key}*" in text and f"*{top.score:.2f}*" in text
    secure = top.contributions["secure"]
    assert f"Security and compliance {secure:.2f}" in text
    assert "Weights: " in text and "group CR" in text


def test_two_thousand_initiatives_fit_one_message() -> None:
    weights = group_weights(DRIVERS, CIO)
    row = PriorityRow("K-1", "x" * 200, "approved", 2.5, {"engage": 5}, {"engage": 2.5})
    many = PriorityView(weights, tuple(dataclasses.replace(row, key=f"K-{i}") for i in range(2000)))
    blocks = priority_blocks(many)
    check_message(blocks)
    assert "more initiatives" in all_text(blocks)


def test_no_drivers_no_priorities() -> None:
    blocks = priority_blocks(PriorityView(group_weights((), []), ()))
    check_message(blocks)
    assert "No business drivers yet" in all_text(blocks)


# --------------------------------------------------------------------------- scores, objective


def test_the_initiative_form_asks_a_score_per_driver_and_reads_them_back() -> None:
    spec = dataclasses.replace(nasty_spec(), scores={"engage": 5, "secure": 1})
    view = initiative_modal(view=view_of(spec), private_metadata="SOC-7|3", drivers=DRIVERS)
    check_view(view)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    engage = by_id[ids.score_block("engage")]["element"]
    assert [o["text"]["text"] for o in engage["options"]] == [
        "0 — none",
        "1 — minimal",
        "2 — low",
        "3 — moderate",
        "4 — high",
        "5 — transformative",
    ]
    assert engage["initial_option"]["value"] == "5"
    assert by_id[ids.score_block("cost")]["element"]["initial_option"]["value"] == "0"
    fields = read_initiative_submission(submitted(view, **{ids.score_block("cost"): chosen("4")}))
    assert fields["scores"] == {"engage": 5, "collaborate": 0, "secure": 1, "cost": 4}
    forged = submitted(view, **{ids.score_block("cost"): chosen("6")})
    with pytest.raises(ModalErrors) as refused:
        read_initiative_submission(forged)
    assert list(refused.value.errors) == [ids.score_block("cost")]


def test_without_drivers_the_form_asks_no_scores_and_keeps_them() -> None:
    view = initiative_modal(view=view_of(nasty_spec()), private_metadata="SOC-7|3")
    assert not any(b.get("block_id", "").startswith(ids.SCORE_BLOCK_PREFIX) for b in view["blocks"])
    assert "scores" not in read_initiative_submission(submitted(view))


def test_a_score_error_goes_under_its_select() -> None:
    shown = [ids.score_block("engage")]
    errors = initiative_errors_for(
        {"scores.engage": "too high", "scores.gone": "no such driver"},
        editing=True,
        score_blocks_shown=shown,
    )
    assert errors == {
        ids.score_block("engage"): "Too high.",
        ids.INITIATIVE_BLOCKS["title"]: "Scores.gone: no such driver.",
    }


def _settings(**changes) -> SettingsView:
    p = demo_portfolio()
    base = SettingsView(
        name=p.name,
        calendar=p.calendar,
        budget=p.budget,
        capacity=p.capacity,
        policy=p.policy,
        version=4,
        updated_at=NOW,
        updated_by="U0PMO",
    )
    return dataclasses.replace(base, **changes)


def test_the_settings_form_asks_the_objective_and_the_blend() -> None:
    current = _settings(objective="blend", blend=0.5)
    view = settings_modal(settings=current, private_metadata="", sections=("objective",))
    check_view(view)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id[SB["objective"]]["element"]["initial_option"]["value"] == "blend"
    assert [o["value"] for o in by_id[SB["objective"]]["element"]["options"]] == [
        "value",
        "strategic",
        "blend",
    ]
    blend = by_id[SB["blend"]]["element"]
    assert blend["initial_value"] == "0.5" and blend["is_decimal_allowed"] is True
    assert read_settings_submission(submitted(view), current=current) == {}
    state = submitted(view, **{SB["objective"]: chosen("strategic"), SB["blend"]: typed("2")})
    assert read_settings_submission(state, current=current) == {
        "objective": "strategic",
        "blend": 2.0,
    }


@pytest.mark.parametrize("typed_blend", ["0", "-1", "101", "lots", "1e3"])
def test_a_blend_out_of_bounds_is_refused(typed_blend: str) -> None:
    view = settings_modal(settings=_settings(), private_metadata="", sections=("objective",))
    with pytest.raises(ModalErrors) as refused:
        read_settings_submission(submitted(view, **{SB["blend"]: typed(typed_blend)}))
    assert "more than 0 and at most 100" in refused.value.errors[SB["blend"]]


# --------------------------------------------------------------------------- strategic roadmaps


def test_a_strategic_roadmap_speaks_of_its_objective() -> None:
    portfolio = dataclasses.replace(demo_portfolio(), objective="strategic")
    roadmap = solve(build_problem(portfolio), SolverConfig(time_limit=10, explain=False))
    goal = roadmap.goal
    assert goal.kind == "strategic"
    blocks = roadmap_blocks(roadmap, roadmap_id=7)
    check_message(blocks)
    text = all_text(blocks)
    shown = f"{goal.display(roadmap.objective):,.2f}"
    assert f"strategic score *{shown}*" in status_text(roadmap)
    assert "realized value" not in text and "Value contributed" not in text
    assert f"Strategic score contributed* (total {shown})" in text
    assert goal.describe() in text
    assert f"strategic score {shown} (proven optimal)" in status_line(roadmap)
