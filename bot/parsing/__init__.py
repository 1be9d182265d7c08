"""Reading what people type: tokens, mentions, and each subcommand's parser.

`bot.commands` puts them together with the registry of subcommands:
`parse_command("approve SOC-7 fits the budget")` gives `Approve("SOC-7", "fits the
budget")`. Periods are read by `planner.periods`.
"""

from bot.parsing.args import Args, nearest
from bot.parsing.parser import GRANTABLE_ROLES, MAX_PHASES, MAX_TIME_LIMIT
from bot.parsing.tokens import Token, UserRef, parse_user, tokenize, unescape

__all__ = [
    "GRANTABLE_ROLES",
    "MAX_PHASES",
    "MAX_TIME_LIMIT",
    "Args",
    "Token",
    "UserRef",
    "nearest",
    "parse_user",
    "tokenize",
    "unescape",
]
