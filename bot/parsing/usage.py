"""Every subcommand with its usage and a one-line description; `help` is made from this."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.errors import UsageError
from bot.parsing.periods import PERIOD_EXAMPLES
from planner.money import MONEY_EXAMPLES
from planner.scenario import WHATIF_HELP

DEFAULT_COMMAND = "/roadmap"


@dataclass(frozen=True)
class Subcommand:
    """One subcommand: its name, arguments, what it does, examples and other names."""

    name: str
    args: str
    summary: str
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def usage(self, command: str = DEFAULT_COMMAND) -> str:
        """The usage line, e.g. `/roadmap approve KEY [reason]`."""
        return f"{command} {self.name} {self.args}".rstrip()


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", "[topic]", "Show every command, or the details of one.", ("help plan",)),
    Subcommand(
        "propose",
        "[title]",
        "Propose an initiative: opens the form, with the title filled in when given.",
        ("propose Customer community on the website",),
    ),
    Subcommand(
        "list",
        "[status]",
        "List the initiatives, or only those with one status.",
        ("list", "list proposed", "list changes requested"),
    ),
    Subcommand("show", "KEY", "Show an initiative with every field.", ("show SOC-7",)),
    Subcommand(
        "approve",
        "KEY [reason]",
        "Approve a proposal, with a reason if you like.",
        ("approve SOC-7", 'approve SOC-7 "fits the Q3 budget"'),
    ),
    Subcommand(
        "reject",
        "KEY reason",
        "Reject a proposal, saying why.",
        ('reject SOC-7 "duplicates SOC-3"',),
    ),
    Subcommand(
        "changes",
        "KEY reason",
        "Send a proposal back to its proposer, saying what should change.",
        ("changes SOC-7 add the integration effort",),
        aliases=("request-changes", "request_changes"),
    ),
    Subcommand("withdraw", "KEY", "Withdraw an initiative.", ("withdraw SOC-7",)),
    Subcommand(
        "plan",
        "[budget=AMOUNT] [phases=N] [from=PERIOD] [time=SECONDS]",
        "Solve and post a roadmap; the options override the planning settings for this plan.",
        ("plan", "plan budget=300k phases=6", "plan from=2027Q2 time=30s"),
    ),
    Subcommand(
        "whatif",
        "CHANGES",
        "Re-plan with changes and show what moves and what it costs.",
        (
            "whatif budget-20%",
            "whatif capacity integration=+2",
            "whatif without SOC-7 and with SSO",
        ),
        aliases=("what-if",),
    ),
    Subcommand(
        "explain",
        "KEY",
        "Say why an initiative starts where it does, or why it is left out.",
        ("explain SOC-7",),
    ),
    Subcommand(
        "pin",
        "KEY PERIOD",
        "Fix the phase an initiative starts in.",
        ("pin SOC-7 2027Q3", "pin SOC-7 next quarter", "pin SOC-7 3"),
    ),
    Subcommand(
        "unpin", "KEY", "Let the optimizer choose an initiative's start again.", ("unpin SOC-7",)
    ),
    Subcommand("publish", "", "Publish the latest roadmap as the baseline.", ("publish",)),
    Subcommand(
        "diff", "", "Show what changed between the latest and the published roadmap.", ("diff",)
    ),
    Subcommand(
        "export",
        "FORMAT",
        "Export the published roadmap as mspdi (MS Project), xlsx, csv, ics, json or png.",
        ("export xlsx", "export mspdi"),
    ),
    Subcommand(
        "review",
        'KEY passed|conditions|failed ["note"]',
        "Record a security review; conditions and failed need a note.",
        ("review SOC-7 passed", 'review SOC-7 conditions "EU data residency only"'),
    ),
    Subcommand("settings", "", "Open the planning settings.", ("settings",)),
    Subcommand(
        "role",
        "[revoke] @user ROLE",
        "Give someone a role (admin, approver, security, pmo) or take it back; "
        "alone, list who holds which role.",
        ("role @alice approver", "role revoke @alice approver", "role"),
    ),
    Subcommand(
        "audit",
        "[KEY]",
        "Read the audit trail, of everything or of one initiative.",
        ("audit", "audit SOC-7"),
    ),
    Subcommand(
        "jobs",
        "",
        "See the recent plans, what-ifs, explanations and exports: queued, running, done "
        "or failed, and on which attempt.",
        ("jobs",),
    ),
)

#: Help topics that are not subcommands.
TOPICS: dict[str, str] = {
    "money": f"Amounts of money are whole currency units: {MONEY_EXAMPLES}.",
    "periods": (
        f"Periods are quarters, months, days or phases: {PERIOD_EXAMPLES}. `Q3` alone is "
        "the first Q3 of the plan; `this quarter` and `next month` count from today."
    ),
}

_BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}
_NAMES = {**{a: s.name for s in SUBCOMMANDS for a in s.aliases}, **{n: n for n in _BY_NAME}}


def subcommand(name: str) -> Subcommand | None:
    """The subcommand with this name or alias (any case), or None."""
    canonical = _NAMES.get(name.strip().lower())
    return None if canonical is None else _BY_NAME[canonical]


def usage(name: str, *, command: str = DEFAULT_COMMAND) -> str:
    """The usage line of a subcommand, e.g. `/roadmap reject KEY reason`."""
    sub = subcommand(name)
    if sub is None:
        raise KeyError(name)
    return sub.usage(command)


def nearest_subcommand(word: str) -> str | None:
    """The known subcommand closest to a mistyped one, or None."""
    close = difflib.get_close_matches(word.strip().lower(), list(_NAMES), n=1, cutoff=0.6)
    return _NAMES[close[0]] if close else None


def help_text(topic: str | None, *, command: str = DEFAULT_COMMAND) -> str:
    """Help as plain mrkdwn-safe text: every subcommand, or the details of one (or of
    `money`, `periods`). Raises UsageError for an unknown topic."""
    if topic is None or not topic.strip():
        return _overview(command)
    word = topic.strip().lower()
    if word in TOPICS:
        return TOPICS[word]
    sub = subcommand(word)
    if sub is None:
        close = nearest_subcommand(word)
        if close is None:
            topics = difflib.get_close_matches(word, list(TOPICS), n=1, cutoff=0.6)
            close = topics[0] if topics else None
        raise UsageError(
            f"There is no help on `{topic.strip()}`.",
            suggestion=close,
            usage=usage("help", command=command),
        )
    return _details(sub, command)


def _overview(command: str) -> str:
    lines = [f"*{command}* plans the initiative portfolio. Commands:"]
    lines += [f"• `{sub.usage(command)}` — {sub.summary}" for sub in SUBCOMMANDS]
    lines.append("")
    lines += [TOPICS["money"], TOPICS["periods"]]
    lines.append(f"`{command} help COMMAND` tells more about one command.")
    return "\n".join(lines)


def _details(sub: Subcommand, command: str) -> str:
    lines = [f"`{sub.usage(command)}`", sub.summary]
    if sub.name == "plan":
        lines.append(
            f"AMOUNT is money ({MONEY_EXAMPLES}); PERIOD is where the plan starts "
            f"({PERIOD_EXAMPLES}); SECONDS is the solver's time, e.g. 30s."
        )
    elif sub.name == "whatif":
        lines.append(f"CHANGES, separated by commas or `and`: {WHATIF_HELP}.")
    elif sub.name == "pin":
        lines.append(TOPICS["periods"])
    if sub.aliases:
        lines.append("Also written: " + ", ".join(f"`{command} {a}`" for a in sub.aliases))
    if sub.examples:
        lines.append("Examples:")
        lines += [f"• `{command} {example}`" for example in sub.examples]
    return "\n".join(lines)
