"""The registry of subcommands: one entry per thing a person can type after `/roadmap`.

An entry names the subcommand, how to read its words (`parse`), its help, the use case
that does it (`run`, in `catalog.usecases`), how its result is shown (`render`, in
`bot.render`) and, for a slow command, the `check` that refuses a bad request before a
job is queued. Slack's help, the console's help, parsing, dispatch and the worker's
job payloads all derive from `ENTRIES`; docs/ARCHITECTURE.md shows how to add one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import blocks as b
from bot import render, render_feed
from bot.errors import UsageError
from bot.parsing import parser as p
from bot.parsing.args import Args, nearest
from bot.reply import DEFAULT_COMMAND, Reply
from catalog.usecases import commands as c
from catalog.usecases import drivers, exports, feed, initiatives, planning, workspace
from catalog.usecases.context import Context
from catalog.usecases.results import Started
from planner.drivers import INTENSITIES, MAX_DRIVERS, SCORE_LEVELS
from planner.exports import FORMATS
from planner.money import MONEY_EXAMPLES
from planner.periods import PERIOD_EXAMPLES
from planner.scenario import BUDGET_HELP, WHATIF_HELP

#: Help topics that are not subcommands.
TOPICS: dict[str, str] = {
    "money": f"Amounts of money are whole currency units: {MONEY_EXAMPLES}.",
    "periods": (
        f"Periods are quarters, months, days or phases: {PERIOD_EXAMPLES}. `Q3` alone is "
        "the first Q3 of the plan; `this quarter` and `next month` count from today."
    ),
}


@dataclass(frozen=True)
class Entry:
    """One subcommand. `run(command, context)` is its use case; `render(result,
    slash=…)` its Reply; `check` (slow commands only) runs where the command is given
    and returns what the queued job will do."""

    name: str
    args: str
    summary: str
    command: type[c.Command]
    parse: Callable[[Args], c.Command]
    run: Callable[[Any, Context], Any]
    render: Callable[..., Reply]
    check: Callable[[Any, Context], Started] | None = None
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    details: str = ""  # more help, shown by `help NAME`

    @property
    def slow(self) -> bool:
        """Whether it runs as a background job (it solves or renders files)."""
        return self.check is not None

    def usage(self, command: str = DEFAULT_COMMAND) -> str:
        """The usage line, e.g. `/roadmap approve KEY [reason]`."""
        return f"{command} {self.name} {self.args}".rstrip()


# --------------------------------------------------------------------------- help


def parse_help(a: Args) -> c.Help:
    a.at_most(1)
    topic = a.word(1)
    if topic is None:
        return c.Help()
    word = topic.strip().lower()
    if word in TOPICS:
        return c.Help(word)
    entry = subcommand(word)
    if entry is None:
        close = nearest_subcommand(word) or nearest(word, TOPICS)
        raise a.fail(f"There is no help on `{topic}`.", suggestion=close)
    return c.Help(entry.name)


@dataclass(frozen=True)
class HelpTopic:
    """Help asked for: everything (None), a subcommand's name, `money` or `periods`."""

    topic: str | None


def run_help(cmd: c.Help, ctx: Context) -> HelpTopic:
    return HelpTopic(cmd.topic)


def render_help(result: HelpTopic, *, slash: str) -> Reply:
    text = help_text(result.topic, command=slash)
    return Reply(text=text, blocks=tuple(b.help_blocks(text)))


def help_text(topic: str | None, *, command: str = DEFAULT_COMMAND) -> str:
    """Help as plain mrkdwn-safe text: every subcommand, or the details of one (or of
    `money`, `periods`). Raises UsageError for an unknown topic."""
    if topic is None or not topic.strip():
        lines = [f"*{command}* plans the initiative portfolio. Commands:"]
        lines += [f"• `{e.usage(command)}` — {e.summary}" for e in ENTRIES]
        lines += ["", TOPICS["money"], TOPICS["periods"]]
        lines.append(f"`{command} help COMMAND` tells more about one command.")
        return "\n".join(lines)
    word = topic.strip().lower()
    if word in TOPICS:
        return TOPICS[word]
    entry = subcommand(word)
    if entry is None:
        close = nearest_subcommand(word) or nearest(word, TOPICS)
        raise UsageError(
            f"There is no help on `{topic.strip()}`.",
            suggestion=close,
            usage=usage("help", command=command),
        )
    lines = [f"`{entry.usage(command)}`", entry.summary]
    if entry.details:
        lines.append(entry.details)
    if entry.aliases:
        lines.append("Also written: " + ", ".join(f"`{command} {a}`" for a in entry.aliases))
    if entry.examples:
        lines.append("Examples:")
        lines += [f"• `{command} {example}`" for example in entry.examples]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the registry

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "help",
        "[topic]",
        "Show every command, or the details of one.",
        c.Help,
        parse_help,
        run_help,
        render_help,
        examples=("help plan",),
    ),
    Entry(
        "propose",
        "[title]",
        "Propose an initiative: opens the form, with the title filled in when given.",
        c.Propose,
        p.propose,
        initiatives.propose,
        render.initiative_form,
        examples=("propose Customer community on the website",),
    ),
    Entry(
        "edit",
        "KEY",
        "Change an initiative's fields: opens the form with its values.",
        c.Edit,
        p.key_only(c.Edit),
        initiatives.edit,
        render.initiative_form,
        examples=("edit SOC-7",),
    ),
    Entry(
        "list",
        "[status]",
        "List the initiatives, or only those with one status.",
        c.ListInitiatives,
        p.list_,
        initiatives.list_initiatives,
        render.initiative_list,
        examples=("list", "list proposed", "list changes requested"),
    ),
    Entry(
        "show",
        "KEY",
        "Show an initiative with every field.",
        c.Show,
        p.key_only(c.Show),
        initiatives.show,
        render.initiative_detail,
        examples=("show SOC-7",),
    ),
    Entry(
        "approve",
        "KEY [reason]",
        "Approve a proposal, with a reason if you like.",
        c.Approve,
        p.approve,
        initiatives.approve,
        render.decision,
        examples=("approve SOC-7", 'approve SOC-7 "fits the Q3 budget"'),
    ),
    Entry(
        "reject",
        "KEY reason",
        "Reject a proposal, saying why.",
        c.Reject,
        p.with_reason(c.Reject),
        initiatives.reject,
        render.decision,
        examples=('reject SOC-7 "duplicates SOC-3"',),
    ),
    Entry(
        "changes",
        "KEY reason",
        "Send a proposal back to its proposer, saying what should change.",
        c.RequestChanges,
        p.with_reason(c.RequestChanges),
        initiatives.request_changes,
        render.decision,
        examples=("changes SOC-7 add the integration effort",),
        aliases=("request-changes", "request_changes"),
    ),
    Entry(
        "withdraw",
        "KEY",
        "Withdraw an initiative.",
        c.Withdraw,
        p.key_only(c.Withdraw),
        initiatives.withdraw,
        render.decision,
        examples=("withdraw SOC-7",),
    ),
    Entry(
        "plan",
        "[budget=AMOUNT] [phases=N] [from=PERIOD] [time=SECONDS] "
        "[objective=value|strategic|blend] [blend=W] [stability=low|normal|high|off]",
        "Solve and post a roadmap; the options override the planning settings for this plan.",
        c.Plan,
        p.plan,
        planning.plan,
        render.planned,
        check=planning.check_plan,
        examples=(
            "plan",
            "plan budget=300k phases=6",
            "plan from=2027Q2 time=30s",
            "plan objective=strategic",
            "plan objective=blend blend=0.5",
            "plan budget=200k stability=off",
        ),
        details=(
            f"AMOUNT is money ({MONEY_EXAMPLES}); PERIOD is where the plan starts "
            f"({PERIOD_EXAMPLES}); SECONDS is the solver's time, e.g. 30s. `objective` is "
            "what the plan maximizes: `value` (money value per live phase), `strategic` "
            "(each initiative's strategic score, Σ driver weight × impact score, per live "
            "phase) or `blend` (value ÷ the largest value, plus W × strategic score ÷ 5); "
            "`blend=W` (more than 0, at most 100) implies objective=blend. Every budget, "
            "capacity, dependency and policy rule holds whatever the objective. Once a "
            "roadmap is published, a plan keeps to it: each published initiative moved "
            "costs its phases moved, and dropping one costs the horizon + 1 phases, more "
            "than any move, so a re-plan moves what must move before it drops anything. "
            "`stability` says how firmly: `normal` (the default) weighs each phase moved "
            "at half the median initiative's value per phase, `low` at half that, `high` "
            "at 4 ×, and `off` plans as if nothing was published; the roadmap says what "
            "keeping to it kept and what it cost. "
            "The planning settings hold the level a plan uses without `stability=`."
        ),
    ),
    Entry(
        "whatif",
        "CHANGES",
        "Re-plan with changes and show what moves and what it costs.",
        c.WhatIf,
        p.whatif,
        planning.whatif,
        render.whatif_answer,
        check=planning.check_whatif,
        examples=(
            "whatif budget-20%",
            "whatif capacity integration=+2",
            "whatif without SOC-7 and with SSO",
        ),
        aliases=("what-if",),
        details=f"CHANGES, separated by commas or `and`: {WHATIF_HELP}. {BUDGET_HELP}.",
    ),
    Entry(
        "explain",
        "KEY",
        "Say why an initiative starts where it does, or why it is left out.",
        c.Explain,
        p.key_only(c.Explain),
        planning.explain,
        render.explained,
        check=planning.check_explain,
        examples=("explain SOC-7",),
    ),
    Entry(
        "pin",
        "KEY PERIOD",
        "Fix the phase an initiative starts in.",
        c.Pin,
        p.pin,
        initiatives.pin,
        render.pinned,
        examples=("pin SOC-7 2027Q3", "pin SOC-7 next quarter", "pin SOC-7 3"),
        details=TOPICS["periods"],
    ),
    Entry(
        "unpin",
        "KEY",
        "Let the optimizer choose an initiative's start again.",
        c.Unpin,
        p.key_only(c.Unpin),
        initiatives.unpin,
        render.pinned,
        examples=("unpin SOC-7",),
    ),
    Entry(
        "publish",
        "",
        "Publish the latest roadmap as the baseline.",
        c.Publish,
        p.no_args(c.Publish),
        planning.publish,
        render.published,
        examples=("publish",),
    ),
    Entry(
        "diff",
        "",
        "Show what changed between the latest and the published roadmap.",
        c.Diff,
        p.no_args(c.Diff),
        planning.diff,
        render.comparison,
        examples=("diff",),
    ),
    Entry(
        "export",
        "FORMAT",
        "Export the published roadmap (else the latest) as "
        + ", ".join(f"{f.name} ({f.title})" for f in FORMATS.values())
        + ".",
        c.Export,
        p.export,
        exports.export_roadmap,
        render.export_file,
        check=exports.check_export,
        examples=("export xlsx", "export mspdi"),
    ),
    Entry(
        "review",
        'KEY passed|conditions|failed ["note"]',
        "Record a security review; conditions and failed need a note.",
        c.Review,
        p.review,
        initiatives.review,
        render.decision,
        examples=("review SOC-7 passed", 'review SOC-7 conditions "EU data residency only"'),
    ),
    Entry(
        "drivers",
        "[edit]",
        "Show the business drivers: the weights the leaders' pairwise judgments give them, "
        "each person's consistency and who has not answered yet.",
        c.Drivers,
        p.drivers,
        drivers.drivers,
        render.driver_list,
        examples=("drivers",),
        details=(
            "Each leader's weights are the principal eigenvector of their judgments; a "
            "consistency ratio (CR) above 0.10 means their answers contradict each other, "
            "and the judgment that disagrees most is offered for revision. The group's "
            "weights combine everyone who answered every pair (geometric mean). "
            "`drivers edit` opens the form to manage them (admins)."
        ),
    ),
    Entry(
        "edit-drivers",
        "",
        f"Add, rename, describe, retire or restore business drivers (admins; at most "
        f"{MAX_DRIVERS} active): opens the form.",
        c.EditDrivers,
        p.no_args(c.EditDrivers),
        drivers.edit_drivers,
        render.drivers_form,
        examples=("edit-drivers", "drivers edit"),
        aliases=("manage-drivers",),
    ),
    Entry(
        "weigh",
        "[DRIVER DRIVER]",
        "Compare the business drivers two at a time: which matters more, and how much. "
        "With two driver keys, revise that one judgment.",
        c.Weigh,
        p.weigh,
        drivers.weigh,
        render.weigh_form,
        examples=("weigh", "weigh engage secure"),
        details=(
            "Saaty's scale: "
            + ", ".join(f"{k} {words}" for k, words in INTENSITIES.items())
            + " more important. Leaders, approvers and admins answer; answers are yours "
            "alone, can be revised at any time and are audited."
        ),
    ),
    Entry(
        "priorities",
        "",
        "Rank the approved and proposed initiatives by strategic score, with each "
        "business driver's contribution.",
        c.Priorities,
        p.no_args(c.Priorities),
        drivers.priorities,
        render.priority_list,
        examples=("priorities",),
        details=(
            "Strategic score = Σ driver weight × impact score, each impact 0–5 ("
            + ", ".join(SCORE_LEVELS)
            + "), set in the initiative's form."
        ),
    ),
    Entry(
        "settings",
        "",
        "Open the planning settings.",
        c.Settings,
        p.no_args(c.Settings),
        workspace.settings,
        render.settings_form,
        examples=("settings",),
    ),
    Entry(
        "role",
        "[revoke] @user ROLE",
        "Give someone a role (admin, approver, security, pmo, leader) or take it back; "
        "alone, list who holds which role.",
        c.Role,
        p.role,
        workspace.role,
        render.roles,
        examples=("role @alice approver", "role revoke @alice approver", "role"),
    ),
    Entry(
        "audit",
        "[KEY]",
        "Read the audit trail, of everything or of one initiative.",
        c.Audit,
        p.audit,
        workspace.audit,
        render.audit_trail,
        examples=("audit", "audit SOC-7"),
    ),
    Entry(
        "feed",
        "[revoke]",
        "Get the calendar feed of the published roadmap to subscribe to (PMO and admins); "
        "`revoke` replaces its address.",
        c.Feed,
        render_feed.parse,
        feed.feed,
        render_feed.feed_link,
        examples=("feed", "feed revoke"),
        details=(
            "The feed holds the go-lives, tollgates and change freezes of the published "
            "roadmap and follows each one published. Its address is secret and shown only "
            "to you, once, when it is made; `feed revoke` makes a new one and the old one "
            "stops working."
        ),
    ),
    Entry(
        "jobs",
        "",
        "See the recent plans, what-ifs, explanations and exports: queued, running, done "
        "or failed, and on which attempt.",
        c.Jobs,
        p.no_args(c.Jobs),
        workspace.jobs,
        render.job_list,
        examples=("jobs",),
    ),
)

_BY_NAME = {e.name: e for e in ENTRIES}
_NAMES = {**{a: e.name for e in ENTRIES for a in e.aliases}, **{n: n for n in _BY_NAME}}
_BY_COMMAND = {e.command: e for e in ENTRIES}
#: Command classes by name, for reading job payloads back.
COMMAND_TYPES: dict[str, type[c.Command]] = {e.name: e.command for e in ENTRIES}


def subcommand(name: str) -> Entry | None:
    """The entry with this name or alias (any case), or None."""
    canonical = _NAMES.get(name.strip().lower())
    return None if canonical is None else _BY_NAME[canonical]


def entry_for(command: c.Command) -> Entry:
    """The entry of a command object."""
    return _BY_COMMAND[type(command)]


def usage(name: str, *, command: str = DEFAULT_COMMAND) -> str:
    """The usage line of a subcommand, e.g. `/roadmap reject KEY reason`."""
    entry = subcommand(name)
    if entry is None:
        raise KeyError(name)
    return entry.usage(command)


def nearest_subcommand(word: str) -> str | None:
    """The known subcommand closest to a mistyped one, or None."""
    close = difflib.get_close_matches(word.strip().lower(), list(_NAMES), n=1, cutoff=0.6)
    return _NAMES[close[0]] if close else None
