"""The text typed after the slash command, read into a command through the registry."""

from __future__ import annotations

from bot.commands.registry import nearest_subcommand, subcommand, usage
from bot.errors import UsageError
from bot.parsing.args import Args
from bot.parsing.tokens import tokenize
from bot.reply import DEFAULT_COMMAND
from catalog.usecases import commands as c


def parse_command(text: str, *, command: str = DEFAULT_COMMAND, escaped: bool = True) -> c.Command:
    """The command in the text typed after the slash command (`approve SOC-7 "ok"`).

    `command` is the slash command's name, used in usage lines; a leading `/roadmap` (as
    every help line writes it) is dropped. `escaped` says the text comes from Slack,
    which sends `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`; free text (titles,
    reasons, notes, what-ifs) is unescaped then. Empty text asks for help. Raises
    UsageError with the usage line of the subcommand concerned.
    """
    text = text or ""
    stripped = text.lstrip()
    if stripped.split(maxsplit=1)[:1] == [command]:
        text = stripped[len(command) :]
    try:
        tokens = tokenize(text)
    except UsageError as exc:
        typed = subcommand((text.split() or [""])[0])
        raise UsageError(exc.message, usage=typed and typed.usage(command)) from None
    if not tokens:
        return c.Help()
    head = tokens[0]
    entry = None if head.quoted else subcommand(head.text)
    if entry is None:
        close = nearest_subcommand(head.text)
        if close is None:
            raise UsageError(
                f"Unknown command `{head.text}`. See `{command} help` for every command."
            )
        raise UsageError(
            f"Unknown command `{head.text}`.", suggestion=close, usage=usage(close, command=command)
        )
    args = Args(
        name=entry.name, text=text, tokens=tokens, usage=entry.usage(command), escaped=escaped
    )
    return entry.parse(args)
