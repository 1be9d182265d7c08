"""Slash-command text → typed commands, for Slack and the local console alike.

`parse_command("approve SOC-7 fits the budget")` gives `Approve("SOC-7", "fits the
budget")`; unreadable text raises `bot.errors.UsageError` with the usage line and, for a
mistyped subcommand, the nearest one. `help_text` renders help from the same table of
subcommands. Periods are kept as `PeriodRef` until a plan's calendar is known:
`resolve_period` gives the phase, `period_start` the day it starts.
"""

from bot.parsing.commands import (
    EXPORT_FORMATS,
    Approve,
    Audit,
    Command,
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
from bot.parsing.parser import GRANTABLE_ROLES, MAX_PHASES, MAX_TIME_LIMIT, parse_command
from bot.parsing.periods import (
    PERIOD_KINDS,
    PeriodRef,
    parse_period,
    period_span,
    period_start,
    resolve_period,
)
from bot.parsing.tokens import Token, UserRef, parse_user, tokenize, unescape
from bot.parsing.usage import (
    DEFAULT_COMMAND,
    SUBCOMMANDS,
    TOPICS,
    Subcommand,
    help_text,
    nearest_subcommand,
    subcommand,
    usage,
)

__all__ = [
    "DEFAULT_COMMAND",
    "EXPORT_FORMATS",
    "GRANTABLE_ROLES",
    "MAX_PHASES",
    "MAX_TIME_LIMIT",
    "PERIOD_KINDS",
    "SUBCOMMANDS",
    "TOPICS",
    "Approve",
    "Audit",
    "Command",
    "Diff",
    "Explain",
    "Export",
    "Help",
    "ListInitiatives",
    "PeriodRef",
    "Pin",
    "Plan",
    "Propose",
    "Publish",
    "Reject",
    "RequestChanges",
    "Review",
    "Role",
    "Settings",
    "Show",
    "Subcommand",
    "Token",
    "Unpin",
    "UserRef",
    "WhatIf",
    "Withdraw",
    "help_text",
    "nearest_subcommand",
    "parse_command",
    "parse_period",
    "parse_user",
    "period_span",
    "period_start",
    "resolve_period",
    "subcommand",
    "tokenize",
    "unescape",
    "usage",
]
