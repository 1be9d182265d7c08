"""bot.commands.parse_command: every subcommand's good and bad forms, with their messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest

from bot.commands import parse_command
from bot.errors import BotError, UsageError
from catalog.usecases.commands import (
    Approve,
    Audit,
    Diff,
    Explain,
    Export,
    Help,
    ListInitiatives,
    Pin,
    Plan,
    Propose,
    Publish,
    Reject,
    RequestChanges,
    Review,
    Role,
    Settings,
    Show,
    Unpin,
    WhatIf,
    Withdraw,
)
from planner.periods import PeriodRef
from planner.scenario import BudgetChange, CapacityChange, Change, With, Without


def error(text: str, **kwargs: object) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse_command(text, **kwargs)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- dispatch


def test_empty_text_asks_for_help():
    assert parse_command("") == Help()
    assert parse_command("   ") == Help()


def test_subcommands_are_case_insensitive():
    assert parse_command("APPROVE soc-7") == Approve("SOC-7")
    assert parse_command("Publish") == Publish()


def test_unknown_subcommand_suggests_the_nearest_with_its_usage():
    err = error("aprove SOC-7")
    assert err.suggestion == "approve"
    assert err.usage == "/roadmap approve KEY [reason]"
    assert str(err) == (
        "Unknown command `aprove`. Did you mean `approve`? Usage: /roadmap approve KEY [reason]"
    )
    assert isinstance(err, BotError)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pln", "plan"),
        ("whatiff", "whatif"),
        ("exprot", "export"),
        ("reveiw", "review"),
        ("setings", "settings"),
        ("request-chnages", "changes"),
        ("wat-if", "whatif"),
    ],
)
def test_typos_map_to_the_canonical_subcommand(typed, meant):
    assert error(typed).suggestion == meant


def test_unknown_subcommand_without_a_near_one_points_to_help():
    err = error("xyzzy")
    assert err.suggestion is None
    assert err.usage is None
    assert str(err) == "Unknown command `xyzzy`. See `/roadmap help` for every command."


def test_the_command_name_is_configurable_in_messages():
    err = error("aprove X", command="/townhall")
    assert err.usage == "/townhall approve KEY [reason]"
    assert "/roadmap" not in str(error("zzzzzz", command="/townhall"))
    assert str(error("zzzzzz", command="/townhall")).endswith(
        "See `/townhall help` for every command."
    )


def test_a_quoted_first_word_is_not_a_subcommand():
    assert error('"approve" X').message == "Unknown command `approve`."


def test_commands_are_frozen():
    cmd = parse_command("approve SOC-7")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cmd.key = "X"  # type: ignore[misc]
    assert hash(parse_command("whatif budget-20%")) == hash(parse_command("whatif budget-20%"))


# --------------------------------------------------------------------------- help


def test_help():
    assert parse_command("help") == Help()
    assert parse_command("help plan") == Help("plan")
    assert parse_command("help Request-Changes") == Help("changes")
    assert parse_command("help money") == Help("money")
    assert parse_command("help periods") == Help("periods")


def test_help_unknown_topic_suggests():
    err = error("help aprove")
    assert err.message == "There is no help on `aprove`."
    assert err.suggestion == "approve"
    assert err.usage == "/roadmap help [topic]"
    assert error("help mony").suggestion == "money"


def test_help_takes_one_topic():
    assert error("help plan now").message == "Too many arguments for `help`: `now`."


# --------------------------------------------------------------------------- propose, list, show


def test_propose():
    assert parse_command("propose") == Propose()
    assert parse_command("propose Customer community on the website") == Propose(
        "Customer community on the website"
    )
    assert parse_command("propose “Social listening”") == Propose("Social listening")
    assert parse_command('propose "Big thing" now') == Propose('"Big thing" now')


def test_list():
    assert parse_command("list") == ListInitiatives()
    assert parse_command("list all") == ListInitiatives()
    assert parse_command("list Proposed") == ListInitiatives("proposed")
    assert parse_command("list changes requested") == ListInitiatives("changes_requested")
    assert parse_command("list in-progress") == ListInitiatives("in_progress")


def test_list_unknown_status():
    err = error("list aproved")
    assert err.message.startswith("Unknown status `aproved`: expected one of proposed, ")
    assert err.message.endswith("or all.")
    assert err.suggestion == "approved"
    assert err.usage == "/roadmap list [status]"


@pytest.mark.parametrize(
    ("name", "cls"),
    [("show", Show), ("explain", Explain), ("withdraw", Withdraw), ("unpin", Unpin)],
)
def test_key_only_commands(name, cls):
    assert parse_command(f"{name} soc-7") == cls("SOC-7")
    assert parse_command(f"{name} SSO") == cls("SSO")
    missing = error(name)
    assert missing.message == f"`{name}` needs an initiative key, e.g. SOC-7."
    assert missing.usage == f"/roadmap {name} KEY"
    assert error(f"{name} SOC-7 extra").message == f"Too many arguments for `{name}`: `extra`."


@pytest.mark.parametrize("bad", ["-X", "SOC_7", "SOC/7", "ñ", '"SOC 7"', "<@U123>"])
def test_bad_keys(bad):
    err = error(f"show {bad}")
    assert "is not an initiative key: letters, digits and dashes, e.g. SOC-7." in err.message
    assert err.usage == "/roadmap show KEY"


# --------------------------------------------------------------------------- decisions


def test_approve():
    assert parse_command("approve soc-7") == Approve("SOC-7", "")
    assert parse_command("approve SOC-7 fits the Q3 budget") == Approve(
        "SOC-7", "fits the Q3 budget"
    )
    assert parse_command("approve SOC-7, looks good") == Approve("SOC-7", "looks good")
    assert parse_command('approve SOC-7 "fits the budget"') == Approve("SOC-7", "fits the budget")
    assert error("approve").usage == "/roadmap approve KEY [reason]"


def test_reject_needs_a_reason():
    assert parse_command('reject SOC-7 "duplicates SOC-3"') == Reject("SOC-7", "duplicates SOC-3")
    assert parse_command("reject SOC-7 “too costly”") == Reject("SOC-7", "too costly")
    assert parse_command("reject soc-7 too costly, for now") == Reject(
        "SOC-7", "too costly, for now"
    )
    err = error("reject SOC-7")
    assert err.message == "`reject` needs a reason: say why, after the key."
    assert err.usage == "/roadmap reject KEY reason"
    assert error('reject SOC-7 ""').message == "`reject` needs a reason: say why, after the key."


@pytest.mark.parametrize("name", ["changes", "request-changes", "request_changes", "CHANGES"])
def test_request_changes(name):
    assert parse_command(f"{name} soc-7 add the integration effort") == RequestChanges(
        "SOC-7", "add the integration effort"
    )
    err = error(f"{name} SOC-7")
    assert err.message == "`changes` needs a reason: say why, after the key."
    assert err.usage == "/roadmap changes KEY reason"


def test_reasons_keep_inner_quotes_and_apostrophes():
    assert parse_command('reject X don\'t "double" it').reason == 'don\'t "double" it'
    assert parse_command("reject X it’s late").reason == "it’s late"


def test_unclosed_quote():
    err = error('reject SOC-7 "too costly')
    assert err.message == 'A quote is not closed: `"too costly`.'
    assert err.usage == "/roadmap reject KEY reason"


def test_slack_escaping_is_undone_in_free_text():
    assert parse_command("reject X R&amp;D &lt;3 &gt; ops").reason == "R&D <3 > ops"
    assert parse_command("propose R&amp;D blog").title == "R&D blog"
    assert parse_command('review X failed "a &amp; b"').note == "a & b"
    assert parse_command("propose R&amp;D blog", escaped=False).title == "R&amp;D blog"


# --------------------------------------------------------------------------- plan


def test_plan_without_options_keeps_the_settings():
    assert parse_command("plan") == Plan()


def test_plan_options():
    cmd = parse_command("plan budget=250k phases=6 from=2027Q2 time=30s")
    assert cmd == Plan(
        budget=250_000, phases=6, start=PeriodRef("quarter", (2027, 2)), time_limit=30.0
    )


@pytest.mark.parametrize(
    ("text", "budget"),
    [("budget=250k", 250_000), ("budget=1.2M", 1_200_000), ("budget=$40,000", 40_000)],
)
def test_plan_budget_money(text, budget):
    assert parse_command(f"plan {text}").budget == budget


def test_plan_options_allow_spaces_and_multi_word_periods():
    cmd = parse_command("plan from = next quarter budget = 300k")
    assert cmd.start == PeriodRef("relative", ("quarter", 1))
    assert cmd.budget == 300_000
    assert parse_command('plan from="this month"').start == PeriodRef("relative", ("month", 0))
    assert parse_command("plan start=2027-03-01").start == PeriodRef("date", dt.date(2027, 3, 1))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("time=30s", 30.0),
        ("time=30", 30.0),
        ("time=2.5s", 2.5),
        ("time=2m", 120.0),
        ("limit=10 seconds", 10.0),
    ],
)
def test_plan_time(text, seconds):
    assert parse_command(f"plan {text}").time_limit == seconds


USAGE_PLAN = (
    "/roadmap plan [budget=AMOUNT] [phases=N] [from=PERIOD] [time=SECONDS] "
    "[objective=value|strategic|blend] [blend=W] [stability=low|normal|high|off]"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "plan budget=lots",
            "budget=lots: not an amount of money; expected e.g. 250k, 1.2M or $40,000.",
        ),
        (
            "plan budget=$10.50",
            "budget=$10.50: not an amount of money; expected e.g. 250k, 1.2M or $40,000.",
        ),
        ("plan phases=0", "phases=0: expected a whole number of phases from 1 to 400."),
        ("plan phases=six", "phases=six: expected a whole number of phases from 1 to 400."),
        ("plan phases=401", "phases=401: expected a whole number of phases from 1 to 400."),
        (
            "plan from=soon",
            "from=soon: 'soon' is not a period: expected 2027Q1, Q3, 2027-03, "
            "2027-03-01, next quarter or a phase number such as 3.",
        ),
        ("plan time=fast", "time=fast: expected seconds, e.g. time=30s or time=2m."),
        ("plan time=0s", "time=0s: the solver may take more than 0 and at most 300 seconds."),
        ("plan time=10m", "time=10m: the solver may take more than 0 and at most 300 seconds."),
        ("plan 250k", "`250k`: options of `plan` are written name=value, e.g. budget=250k."),
        ("plan budget=1M budget=2M", "`budget=` is given twice."),
        ("plan budget=", "`budget=` needs a value."),
        (
            "plan stability=firm",
            "stability=firm: expected low, normal, high or off (how firmly the plan keeps "
            "to the published roadmap; off plans as if nothing was published).",
        ),
    ],
)
def test_plan_bad_options(text, message):
    err = error(text)
    assert err.message == message
    assert err.usage == USAGE_PLAN


@pytest.mark.parametrize(
    ("text", "level"),
    [("stability=off", "off"), ("stability = High", "high"), ("budget=200k stability=low", "low")],
)
def test_plan_stability(text, level):
    assert parse_command(f"plan {text}").stability == level


def test_plan_stability_suggests_the_nearest_level():
    assert error("plan stability=hgh").suggestion == "stability=high"
    assert parse_command("plan").stability is None  # the settings' level


def test_plan_unknown_option_suggests_the_nearest():
    err = error("plan bduget=300k")
    assert err.message == (
        "Unknown option `bduget`: expected budget=, phases=, from=, time=, objective=, "
        "blend= or stability=."
    )
    assert err.suggestion == "budget="
    assert error("plan colour=red").suggestion is None


# --------------------------------------------------------------------------- whatif


def test_whatif_is_read_at_parse_time_and_keeps_the_text():
    cmd = parse_command("whatif budget-20% and without soc-7")
    assert isinstance(cmd, WhatIf)
    assert cmd.text == "budget-20% and without soc-7"
    assert cmd.transforms == (
        BudgetChange(Change("scale", Fraction(4, 5))),
        Without("SOC-7"),
    )


def test_whatif_forms():
    cmd = parse_command("what-if capacity integration=+2, with SSO")
    assert cmd.transforms[0] == CapacityChange("integration", Change("add", Fraction(2)))
    assert cmd.transforms[1] == With("SSO")


def test_whatif_errors():
    err = error("whatif")
    assert err.message.startswith("`whatif` needs at least one change, e.g. budget-20%")
    assert err.usage == "/roadmap whatif CHANGES"
    err = error("whatif budget-lots")
    assert err.message.startswith("'budget-lots': 'lots' is neither a percentage nor")
    assert err.usage == "/roadmap whatif CHANGES"
    assert "is not a what-if I know" in error("whatif teleport SOC-7").message


# --------------------------------------------------------------------------- pin


def test_pin():
    assert parse_command("pin soc-7 2027Q3") == Pin("SOC-7", PeriodRef("quarter", (2027, 3)))
    assert parse_command("pin SOC-7 Q3") == Pin("SOC-7", PeriodRef("quarter", (None, 3)))
    assert parse_command("pin SOC-7 3") == Pin("SOC-7", PeriodRef("index", 3))
    assert parse_command("pin SOC-7 next quarter") == Pin(
        "SOC-7", PeriodRef("relative", ("quarter", 1))
    )


def test_pin_errors():
    err = error("pin SOC-7")
    assert err.message == "`pin` needs a period, e.g. 2027Q3 or next quarter."
    assert err.usage == "/roadmap pin KEY PERIOD"
    assert error("pin SOC-7 soon").message.startswith("'soon' is not a period")
    assert error("pin").message == "`pin` needs an initiative key, e.g. SOC-7."


# --------------------------------------------------------------------------- no-argument commands


@pytest.mark.parametrize(
    ("name", "cmd"), [("publish", Publish()), ("diff", Diff()), ("settings", Settings())]
)
def test_commands_without_arguments(name, cmd):
    assert parse_command(name) == cmd
    err = error(f"{name} now please")
    assert err.message == f"`{name}` takes no arguments; got `now please`."
    assert err.usage == f"/roadmap {name}"


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("fmt", ["mspdi", "xlsx", "csv", "ics", "json", "png"])
def test_export_formats(fmt):
    assert parse_command(f"export {fmt.upper()}") == Export(fmt)


@pytest.mark.parametrize(
    ("alias", "fmt"),
    [
        ("excel", "xlsx"),
        ("msproject", "mspdi"),
        ("xml", "mspdi"),
        ("ical", "ics"),
        ("gantt", "png"),
        (".csv", "csv"),
    ],
)
def test_export_aliases(alias, fmt):
    assert parse_command(f"export {alias}") == Export(fmt)


def test_export_errors():
    err = error("export")
    assert err.message == "`export` needs a format: mspdi, xlsx, csv, ics, json, png."
    err = error("export xlx")
    assert err.message == "Unknown format `xlx`: expected mspdi, xlsx, csv, ics, json, png."
    assert err.suggestion == "xlsx"
    assert err.usage == "/roadmap export FORMAT"
    assert error("export pdf").suggestion is None
    assert error("export csv json").message == "Too many arguments for `export`: `json`."


# --------------------------------------------------------------------------- review


def test_review():
    assert parse_command("review soc-7 passed") == Review("SOC-7", "passed", "")
    assert parse_command("review SOC-7 PASS looks fine") == Review("SOC-7", "passed", "looks fine")
    assert parse_command('review SOC-7 conditions "EU data residency only"') == Review(
        "SOC-7", "conditions", "EU data residency only"
    )
    assert parse_command("review SOC-7 failed “no DPA signed”") == Review(
        "SOC-7", "failed", "no DPA signed"
    )
    assert parse_command("review SOC-7 fail no DPA, no deal") == Review(
        "SOC-7", "failed", "no DPA, no deal"
    )


@pytest.mark.parametrize("outcome", ["conditions", "failed"])
def test_review_outcomes_that_need_a_note(outcome):
    err = error(f"review SOC-7 {outcome}")
    assert err.message == f"A review with outcome {outcome} needs a note saying why."
    assert err.usage == '/roadmap review KEY passed|conditions|failed ["note"]'


def test_review_errors():
    assert error("review SOC-7").message == (
        "`review` needs an outcome: passed, conditions or failed."
    )
    err = error("review SOC-7 pased")
    assert err.message == "Unknown outcome `pased`: expected passed, conditions or failed."
    assert err.suggestion == "passed"
    assert error("review").message == "`review` needs an initiative key, e.g. SOC-7."


# --------------------------------------------------------------------------- role


@pytest.mark.parametrize(
    ("mention", "user_id", "name"),
    [
        ("<@U123ABC|alice>", "U123ABC", "alice"),
        ("<@U123ABC>", "U123ABC", None),
        ("<@W0ENTERPRISE|Ann Lee>", "W0ENTERPRISE", "Ann Lee"),
        ("U123ABC", "U123ABC", None),
    ],
)
def test_role_grant_with_a_mention(mention, user_id, name):
    assert parse_command(f"role {mention} Approver") == Role("grant", user_id, name, "approver")
    assert parse_command(f"role grant {mention} pmo") == Role("grant", user_id, name, "pmo")


def test_role_revoke_and_list():
    assert parse_command("role revoke <@U1AB|bo> security") == Role(
        "revoke", "U1AB", "bo", "security"
    )
    assert parse_command("role remove <@U1AB> admin") == Role("revoke", "U1AB", None, "admin")
    assert parse_command("role") == Role("list")
    assert parse_command("role <@U1AB|bo>") == Role("list", "U1AB", "bo")


USAGE_ROLE = "/roadmap role [revoke] @user ROLE"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "role @alice approver",
            "`@alice` is not a mention Slack resolved: pick the person from the @ list as "
            "you type, or give their user id (e.g. U0123ABCD).",
        ),
        ("role alice approver", "`alice` is not a user: mention them with @, e.g. @alice."),
        ("role revoke", "`role revoke` needs a user and a role, e.g. @alice approver."),
        ("role grant", "`role grant` needs a user and a role, e.g. @alice approver."),
        (
            "role revoke <@U1AB>",
            "`role revoke` needs a role: admin, approver, security, pmo, leader.",
        ),
        ("role <@U1AB> pmo extra", "Too many arguments for `role`: `extra`."),
        (
            "role <@U1AB> member",
            "Everyone is a member already; roles are admin, approver, security, pmo, leader",
        ),
        (
            "role <@U1AB> boss",
            "Unknown role `boss`: expected admin, approver, security, pmo, leader.",
        ),
    ],
)
def test_role_errors(text, message):
    err = error(text)
    assert err.message == message
    assert err.usage == USAGE_ROLE


def test_role_typo_suggests_the_role():
    assert error("role <@U1AB> aprover").suggestion == "approver"


# --------------------------------------------------------------------------- audit


def test_audit():
    assert parse_command("audit") == Audit()
    assert parse_command("audit soc-7") == Audit("SOC-7")
    assert error("audit a b").message == "Too many arguments for `audit`: `b`."
    assert error("audit a_b").usage == "/roadmap audit [KEY]"
