"""The command registry's usage lines and help text, and the UsageError they feed."""

from __future__ import annotations

import re

import pytest

from bot.commands import ENTRIES as SUBCOMMANDS
from bot.commands import help_text, nearest_subcommand, parse_command, subcommand, usage
from bot.errors import BotError, UsageError

#: Every subcommand of `/roadmap` (README.md, Slack).
EXPECTED = {
    "help",
    "propose",
    "edit",
    "list",
    "show",
    "approve",
    "reject",
    "changes",
    "withdraw",
    "plan",
    "whatif",
    "explain",
    "pin",
    "unpin",
    "publish",
    "diff",
    "export",
    "review",
    "settings",
    "role",
    "audit",
    "jobs",
    "drivers",
    "edit-drivers",
    "weigh",
    "priorities",
    "feed",
}


def test_the_table_has_every_subcommand_once():
    names = [sub.name for sub in SUBCOMMANDS]
    assert sorted(names) == sorted(EXPECTED)
    words = names + [a for sub in SUBCOMMANDS for a in sub.aliases]
    assert len(words) == len(set(words))


def test_overview_lists_every_subcommand_with_its_usage_and_summary():
    text = help_text(None)
    for sub in SUBCOMMANDS:
        assert f"• `{sub.usage()}` — {sub.summary}" in text
    assert "250k, 1.2M or $40,000" in text
    assert "next quarter" in text
    assert help_text("  ") == text


@pytest.mark.parametrize("sub", SUBCOMMANDS, ids=lambda s: s.name)
def test_details_of_each_subcommand(sub):
    text = help_text(sub.name)
    assert text.splitlines()[0] == f"`{sub.usage()}`"
    assert f"`{sub.usage()}`" in text
    assert sub.summary in text
    for example in sub.examples:
        assert f"`/roadmap {example}`" in text


@pytest.mark.parametrize("sub", SUBCOMMANDS, ids=lambda s: s.name)
def test_every_example_parses_to_its_subcommand(sub):
    for example in sub.examples:
        # Slack sends a picked @alice as a mention with her id
        sent = re.sub(r"@(\w+)", r"<@U0\1|\1>", example).replace("U0alice", "U0ALICE")
        assert parse_command(sent).name == sub.name


def test_help_for_aliases_and_topics():
    assert help_text("request-changes") == help_text("changes")
    assert "Also written: `/roadmap request-changes`" in help_text("changes")
    assert help_text("money").startswith("Amounts of money are whole currency units")
    assert "2027-03-01" in help_text("periods")
    assert "capacity integration=+2" in help_text("whatif")
    assert "30s" in help_text("plan")


def test_help_plan_states_the_stability_levels_and_what_a_drop_costs():
    text = " ".join(help_text("plan").split())
    assert "[stability=low|normal|high|off]" in text
    for level in ("`low`", "`normal`", "`high`", "`off`"):
        assert level in text
    assert "dropping one costs the horizon + 1 phases, more than any move" in text
    assert "plan budget=200k stability=off" in text


def test_help_text_uses_the_configured_command():
    assert "/roadmap" not in help_text(None, command="/townhall")
    assert help_text("approve", command="/townhall").startswith("`/townhall approve KEY [reason]`")


def test_help_text_is_mrkdwn_safe():
    for topic in [None, "money", "periods", *(s.name for s in SUBCOMMANDS)]:
        text = help_text(topic)
        assert not re.search(r"[<>&]", text), topic


def test_help_on_an_unknown_topic():
    with pytest.raises(UsageError) as info:
        help_text("aprove")
    assert str(info.value) == (
        "There is no help on `aprove`. Did you mean `approve`? Usage: /roadmap help [topic]"
    )
    with pytest.raises(UsageError) as info:
        help_text("zzz")
    assert info.value.suggestion is None


def test_usage_lines():
    assert usage("reject") == "/roadmap reject KEY reason"
    assert usage("publish") == "/roadmap publish"
    assert usage("request-changes", command="/t") == "/t changes KEY reason"
    with pytest.raises(KeyError):
        usage("nope")
    assert subcommand("What-If").name == "whatif"
    assert subcommand("nope") is None
    assert nearest_subcommand("publsh") == "publish"
    assert nearest_subcommand("qqqq") is None


def test_usage_error_text():
    assert str(UsageError("Bad")) == "Bad"
    assert str(UsageError("Bad", usage="/r x")) == "Bad. Usage: /r x"
    assert str(UsageError("Bad?", suggestion="x")) == "Bad? Did you mean `x`?"
    err = UsageError("Unknown command `aprove`.", suggestion="approve", usage="/r approve KEY")
    assert err.text == "Unknown command `aprove`. Did you mean `approve`? Usage: /r approve KEY"
    assert isinstance(err, BotError)


def test_help_whatif_says_what_each_budget_change_changes():
    """Item 21: `whatif budget-20%` also cuts the total budget, and help says so."""
    text = help_text("whatif")
    assert "`budget-20%` (a percentage) changes every phase's budget and the total budget" in text
    assert "`budget+250k` or `budget=1.2M` (an amount) changes every phase's budget" in text
    assert "and leaves the total" in text
    assert "`total-10%` or `total=1.8M` changes the total budget alone" in text
