"""`townhall chat` fills the Slack modals at the terminal: the real initiative and settings
modals, answered by script, submitted as Slack would and read by the real readers."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

from bot.blocks import (
    ids,
    initiative_modal,
    read_initiative_submission,
    read_reason_submission,
    read_settings_submission,
    reason_modal,
    settings_modal,
)
from bot.blocks.elements import context, header, section
from bot.blocks.inputs import input_block, modal, multi_select, select, text_input
from bot.console.forms import REQUIRED, Values, fill_form, mrkdwn_to_plain
from bot.errors import ModalErrors
from catalog.views import SettingsView
from planner.calendar import phases_of
from tests.bot.blocks_support import (
    NOW,
    chosen,
    demo_portfolio,
    nasty_spec,
    submitted,
    typed,
    view_of,
)

IB = ids.INITIATIVE_BLOCKS
SB = ids.SETTINGS_BLOCKS
KEYS = {"SSO": "Single sign-on", "DLP": "Data-loss prevention", "COMMUNITY": "Community"}


class Form:
    """A scripted console: `answers` in order (the end of them is the end of input),
    everything written kept, and a `submit` that reads the values with `reader`."""

    def __init__(self, answers: Iterable[str], reader: Any) -> None:
        self.answers = list(answers)
        self.reader = reader
        self.lines: list[str] = []
        self.prompts: list[str] = []
        self.submitted: list[Values] = []
        self.read_back: Any = None

    def read(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def submit(self, values: Values) -> Mapping[str, str] | None:
        self.submitted.append(values)
        try:
            self.read_back = self.reader(values)
        except ModalErrors as exc:
            return exc.errors
        return None

    def fill(self, view: Mapping[str, Any]) -> bool:
        return fill_form(view, read=self.read, write=self.lines.append, submit=self.submit)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def script(view: Mapping[str, Any], answers: Mapping[str, Sequence[str]]) -> list[str]:
    """One Enter per input block of `view`, except the answers given by block_id."""
    out: list[str] = []
    for block in view["blocks"]:
        if block["type"] == "input":
            out += answers.get(block["block_id"], [""])
    return out


def propose_modal() -> dict[str, Any]:
    """The propose modal as `bot.service.propose_modal` builds it for the demo workspace."""
    phases = phases_of(demo_portfolio().calendar)
    return initiative_modal(prefill=None, private_metadata="", keys=KEYS, phases=phases)


def demo_settings() -> SettingsView:
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


def read_settings(values: Values) -> dict[str, Any]:
    return read_settings_submission(values, current=demo_settings())


# --------------------------------------------------------------------------- initiative


def test_a_bad_capex_is_asked_again_under_the_modal_message_then_proposed() -> None:
    view = propose_modal()
    first = {
        IB["title"]: ["Intranet blog"],
        IB["summary"]: ["What it is.", "Why it matters.", ""],
        IB["cadence"]: ["agile"],
        IB["duration"]: ["2"],
        IB["capex"]: ["lots"],
        IB["value"]: ["40k"],
        IB["hosting"]: ["SaaS"],
        IB["data"]: ["3"],
        IB["personal_data"]: ["yes"],
        IB["uses"]: ["integration: 2"],
        IB["depends_on"]: ["sso, 1"],
        IB["earliest"]: ["2027q2"],
        IB["deadline"]: ["8"],
    }
    form = Form([*script(view, first), "250k"], read_initiative_submission)
    assert form.fill(view) is True

    # What the modal would show under the field for the same state.
    with pytest.raises(ModalErrors) as caught:
        read_initiative_submission(form.submitted[0])
    assert set(caught.value.errors) == {IB["capex"]}
    message = caught.value.errors[IB["capex"]]
    assert "lots" in message
    after = form.lines[form.lines.index("Please fix this:") + 1 :]
    assert after[:3] == ["", "Build cost (capex) (optional)", f"  ! {message}"]
    assert "  Now: lots" in after
    assert [line for line in after if line and not line.startswith(" ")] == [
        "Build cost (capex) (optional)"  # only that field is asked again
    ]
    assert len(form.submitted) == 2
    assert form.answers == []

    fields = read_initiative_submission(form.submitted[1])
    assert fields == form.read_back
    assert fields == {
        "title": "Intranet blog",
        "summary": "What it is.\nWhy it matters.",
        "category": "",
        "owner": None,
        "cadence": "agile",
        "hosting": "saas",
        "data": "confidential",
        "duration": 2,
        "capex": 250_000,
        "opex": 0,
        "value": 40_000,
        "personal_data": True,
        "mandatory": False,
        "security_review": None,
        "uses": {"integration": 2},
        "teams": 1,
        "depends_on": ["SSO", "COMMUNITY"],
        "excludes": [],
        "earliest": 1,
        "deadline": 7,
    }


def test_the_values_are_shaped_as_slack_sends_them() -> None:
    view = propose_modal()
    answers = {IB["title"]: ["T"], IB["value"]: ["1k"], IB["data"]: ["internal"]}
    form = Form(script(view, answers), read_initiative_submission)
    assert form.fill(view)
    expected = submitted(
        view,
        **{IB["title"]: typed("T"), IB["value"]: typed("1k"), IB["data"]: chosen("internal")},
    )
    # Slack sends the option chosen as the view declared it (its text and all).
    data = next(b for b in view["blocks"] if b["block_id"] == IB["data"])["element"]
    internal = next(o for o in data["options"] if o["value"] == "internal")
    expected[IB["data"]][ids.INPUT]["selected_option"] = internal
    values = form.submitted[0]
    assert values == expected
    assert values[IB["summary"]] == {ids.INPUT: {"type": "plain_text_input", "value": None}}
    assert values[IB["duration"]] == {ids.INPUT: {"type": "number_input", "value": "1"}}
    assert values[IB["depends_on"]] == {
        ids.INPUT: {"type": "multi_static_select", "selected_options": []}
    }
    assert values[IB["personal_data"]] == {
        ids.INPUT: {"type": "checkboxes", "selected_options": []}
    }


def test_slack_s_own_checks_are_made_at_the_prompt() -> None:
    view = propose_modal()
    answers = {
        IB["title"]: ["", "-", "T"],
        IB["duration"]: ["two", "0", "1.5", "3"],
        IB["value"]: ["", "9k"],
        IB["data"]: ["", "secret", "5", "public"],
        IB["teams"]: ["-"],
        IB["depends_on"]: ["SSO, nothing", "dlp"],
    }
    form = Form(script(view, answers), read_initiative_submission)
    assert form.fill(view)
    assert len(form.submitted) == 1
    out = form.output
    assert out.count(f"  ! {REQUIRED}") == 4  # title twice, value, data
    assert "  ! Enter a whole number." in out
    assert "  ! Enter 1 or more." in out
    assert "  ! 'secret' is not a choice: answer a number from 1 to 4." in out
    assert "  ! '5' is not a choice" in out
    assert "  ! 'nothing' is not a choice" in out
    fields = form.read_back
    assert (fields["title"], fields["duration"], fields["value"]) == ("T", 3, 9000)
    assert (fields["data"], fields["teams"], fields["depends_on"]) == ("public", 1, ["DLP"])


def test_enter_keeps_every_prefilled_value() -> None:
    spec = nasty_spec()
    view = initiative_modal(view=view_of(spec), private_metadata="SOC-7|3", keys=KEYS)
    form = Form(script(view, {}), read_initiative_submission)
    assert form.fill(view)
    assert form.submitted == [submitted(view)]
    fields = form.read_back
    for name in ("title", "summary", "owner", "cadence", "duration", "capex", "opex", "value"):
        assert fields[name] == getattr(spec, name), name
    assert fields["uses"] == dict(spec.uses)
    assert sorted(fields["depends_on"]) == sorted(spec.depends_on)
    assert fields["excludes"] == list(spec.excludes)
    assert fields["personal_data"] is True
    assert (fields["earliest"], fields["deadline"]) == (spec.earliest, spec.deadline)
    assert "  Now: 250k" in form.output  # the current value is shown (planner.money.format_money)


def test_optional_fields_are_cleared_with_a_dash() -> None:
    view = initiative_modal(view=view_of(nasty_spec()), private_metadata="", keys=KEYS)
    cleared = {IB[n]: ["-"] for n in ("owner", "capex", "depends_on", "excludes", "personal_data")}
    form = Form(script(view, cleared), read_initiative_submission)
    assert form.fill(view)
    fields = form.read_back
    assert fields["owner"] is None
    assert fields["capex"] == 0
    assert (fields["depends_on"], fields["excludes"]) == ([], [])
    assert fields["personal_data"] is False


@pytest.mark.parametrize("where", [0, 5, 12])
def test_cancel_abandons_the_form_without_submitting(where: int) -> None:
    view = propose_modal()
    answers = script(view, {IB["title"]: ["T"], IB["value"]: ["1k"], IB["data"]: ["1"]})
    form = Form([*answers[:where], " Cancel "], read_initiative_submission)
    assert form.fill(view) is False
    assert form.submitted == []
    assert form.lines[-1] == "Form abandoned: nothing was saved."


def test_cancel_in_a_multiline_text_abandons_too() -> None:
    view = propose_modal()
    answers = script(view, {IB["title"]: ["T"]})
    form = Form([*answers[:2], "first line of the summary", "cancel"], read_initiative_submission)
    assert form.fill(view) is False
    assert form.submitted == []


def test_the_end_of_input_while_fixing_an_error_abandons_the_form() -> None:
    view = propose_modal()
    form = Form(
        script(view, {IB["title"]: ["T"], IB["value"]: ["a lot"], IB["data"]: ["1"]}),
        read_initiative_submission,
    )
    assert form.fill(view) is False
    assert len(form.submitted) == 1
    assert "Value per live phase\n  ! " in form.output
    assert form.lines[-1] == "Form abandoned: nothing was saved."


def test_end_of_input_abandons_the_form() -> None:
    form = Form(["SOC-9", "A title"], read_initiative_submission)
    assert form.fill(propose_modal()) is False
    assert form.submitted == []


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "sections",
    [
        ("name", "calendar", "budget", "capacity", "policy"),
        ("policy",),
        ("name", "calendar", "budget", "capacity"),
    ],
)
def test_settings_round_trip_unchanged_when_every_answer_is_enter(
    sections: tuple[str, ...],
) -> None:
    settings = demo_settings()
    view = settings_modal(settings=settings, private_metadata="T1", sections=sections)
    form = Form(script(view, {}), read_settings)
    assert form.fill(view)
    assert form.submitted == [submitted(view)]
    assert form.read_back == {}
    assert read_settings_submission(form.submitted[0], current=settings) == {}


def test_settings_are_changed_field_by_field() -> None:
    settings = demo_settings()
    view = settings_modal(settings=settings, private_metadata="T1")
    answers = {
        SB["calendar.start"]: ["next spring", "2027-04-01"],
        SB["calendar.phase"]: ["Months"],
        SB["calendar.phases"]: ["600", "12"],
        SB["calendar.fiscal_year_start"]: ["jul"],
        SB["calendar.tollgates"]: ["-"],
        SB["budget.per_phase"]: ["100k"],
        SB["capacity"]: ["integration: 4", "agile_teams = 3", ""],
        SB["policy.review"]: ["-"],
        SB["policy.forbid"]: ["saas restricted, SAAS_PERSONAL_DATA"],
    }
    form = Form(script(view, answers), read_settings)
    assert form.fill(view)
    assert "  ! Enter a date as YYYY-MM-DD, e.g. 2027-04-01." in form.output
    assert "  ! Enter 520 or less." in form.output
    changes = form.read_back
    assert changes["calendar"] == {
        "start": "2027-04-01",
        "phase": "month",
        "phases": 12,
        "fiscal_year_start": 7,
        "tollgates": None,
        "freeze": [3],
    }
    assert changes["budget"] == {"per_phase": 100_000, "total": 1_300_000}
    assert changes["capacity"] == {
        "integration": 4,
        "agile_teams": 3,
        "security_reviews": None,
        "waterfall_programs": None,
    }
    assert changes["policy"]["review"] == []
    assert sorted(changes["policy"]["forbid"]) == ["saas_personal_data", "saas_restricted"]


def test_a_settings_error_is_asked_again_until_it_is_fixed() -> None:
    view = settings_modal(settings=demo_settings(), private_metadata="T1")
    answers = {SB["calendar.tollgates"]: ["2031Q1"], SB["budget.total"]: ["a lot"]}
    form = Form([*script(view, answers), "", "2M", "2027Q3"], read_settings)
    assert form.fill(view)
    assert len(form.submitted) == 3
    assert form.answers == []
    with pytest.raises(ModalErrors) as caught:
        read_settings(form.submitted[0])
    errors = caught.value.errors
    assert set(errors) == {SB["calendar.tollgates"], SB["budget.total"]}
    out = form.output
    assert out.count(f"  ! {errors[SB['calendar.tollgates']]}") == 2  # Enter kept 2031Q1
    assert out.count(f"  ! {errors[SB['budget.total']]}") == 1
    assert "  Now: 2031Q1" in out
    assert form.read_back == {
        "calendar": {**read_settings_submission(submitted(view))["calendar"], "tollgates": [2]},
        "budget": {"per_phase": 250_000, "total": 2_000_000},
    }


def test_an_error_on_no_field_shown_asks_every_field_again() -> None:
    view = settings_modal(settings=demo_settings(), private_metadata="", sections=("policy",))
    calls: list[Values] = []

    def submit(values: Values) -> Mapping[str, str] | None:
        calls.append(values)
        return {"settings_elsewhere": "The *horizon* is too short."} if len(calls) == 1 else None

    form = Form(["", "", "1", ""], None)
    assert fill_form(view, read=form.read, write=form.lines.append, submit=submit)
    assert "! The horizon is too short." in form.lines
    assert form.output.count("Needs a security review (optional)") == 2
    assert calls[1][SB["policy.review"]][ids.INPUT]["selected_options"][0]["value"] == "saas"


# --------------------------------------------------------------------------- text


def test_the_form_shows_plain_text_and_no_buttons() -> None:
    view = reason_modal(view=view_of(nasty_spec()), decision="reject", private_metadata="")
    read = functools.partial(read_reason_submission, decision="reject")
    form = Form(["Too costly", ""], read)
    assert form.fill(view)
    assert form.lines[0] == "Reject SOC-7"
    assert "SOC-7 — <!channel> Tom & Jerry <@U1> <https://evil.example|click>" in form.lines
    out = form.output
    assert "*SOC-7*" not in out and "&lt;" not in out and "&amp;" not in out
    assert "[Reject]" not in out and "[Cancel]" not in out
    assert form.read_back == "Too costly"


def test_sections_headers_and_context_are_plain() -> None:
    view = modal(
        title="Form",
        callback_id="test_form",
        private_metadata="",
        blocks=[
            header("Part one"),
            section("*Bold* by <@U0ALICE|alice> in <#C1|general>, `saas_restricted` _now_"),
            context("See <https://x.example|the docs> &amp; <!here>"),
            input_block("Colour", select([("r", "Red"), ("rb", "Red-brown")]), block_id="colour"),
            input_block("Note", text_input(), block_id="note", optional=True),
        ],
    )
    form = Form(["re", "2", ""], None)
    got: list[Values] = []
    assert fill_form(view, read=form.read, write=form.lines.append, submit=got.append)
    assert "Bold by @alice in #general, saas_restricted now" in form.lines
    assert "  See the docs (https://x.example) & @here" in form.lines
    assert "  ! 're' could be Red, Red-brown…; type more of it, or its number." in form.lines
    assert got[0]["colour"][ids.INPUT]["selected_option"]["value"] == "rb"
    assert got[0]["note"][ids.INPUT] == {"type": "plain_text_input", "value": None}

    form = Form(["RED", "a note"], None)  # the whole text wins over the start of another
    assert fill_form(view, read=form.read, write=form.lines.append, submit=got.append)
    assert got[1]["colour"][ids.INPUT]["selected_option"]["value"] == "r"
    assert got[1]["note"][ids.INPUT] == {"type": "plain_text_input", "value": "a note"}


@pytest.mark.parametrize(
    ("mrkdwn", "plain"),
    [
        ("*SSO* — Single sign-on", "SSO — Single sign-on"),
        ("_saas_personal_data_ and data_engineering", "saas_personal_data and data_engineering"),
        ("a * b * c and 2*3*4", "a * b * c and 2*3*4"),
        ("~gone~ `*kept*` ```block *kept*```", "gone *kept* block *kept*"),
        (
            "<@U1> <!channel> <!subteam^S1|@pmo> <mailto:a@b.example|a@b.example>",
            "@U1 @channel @pmo a@b.example",
        ),
        ("&lt;@U1&gt; Tom &amp; Jerry", "<@U1> Tom & Jerry"),
    ],
)
def test_mrkdwn_to_plain(mrkdwn: str, plain: str) -> None:
    assert mrkdwn_to_plain(mrkdwn) == plain


def test_a_field_the_console_cannot_fill_is_refused_before_asking() -> None:
    view = modal(
        title="Form",
        callback_id="test_form",
        private_metadata="",
        blocks=[
            input_block("Who", {"type": "users_select"}, block_id="who"),
            input_block("Tags", multi_select([("a", "A")]), block_id="tags"),
        ],
    )
    form = Form([], None)
    with pytest.raises(ValueError, match="users_select"):
        form.fill(view)
    assert form.prompts == []
