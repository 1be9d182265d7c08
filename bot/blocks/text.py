"""Text for Block Kit: mrkdwn escaping, Slack's size limits, truncation, money.

Every user-provided string that lands in a `mrkdwn` text goes through `escape`, so a
title like `<!channel>` pings no one and `<@U1>` mentions no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction

from planner.goal import Goal
from planner.money import format_money

# Slack's limits (https://api.slack.com/reference/block-kit).
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
ID_LENGTH = 255
LABEL_TEXT = 2000
HINT_TEXT = 2000
PLACEHOLDER_TEXT = 150
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
INPUT_MAX_LENGTH = 3000
#: Longest message Townhall shows under a modal field; many problems at once are cut.
ERROR_TEXT = 1000

ELLIPSIS = "…"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# An entity or an angle-bracket token that a cut must not split.
_OPEN_TOKEN = re.compile(r"(&[a-z]*|<[^>]*)$")


def escape(text: object) -> str:
    """Text safe inside mrkdwn: `&`, `<` and `>` become entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text ends with `…`."""
    if limit < 1:
        raise ValueError("a limit must be at least 1")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Like `truncate`, but never cuts inside an entity (`&amp;`) or a `<…>` token."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    head = _OPEN_TOKEN.sub("", head)
    return head.rstrip() + ELLIPSIS


def money(amount: int | Fraction | float | None, *, none: str = "unlimited") -> str:
    """`planner.money.format_money` (`1.2M`, `1,234,567`); `none` when there is no figure."""
    return none if amount is None else format_money(amount)


def figure(goal: Goal, units: int | float | None) -> str:
    """A figure of the objective planned: money for `value` (`1.2M`), else the score in
    the units people read (`Goal.display`), `12.35`."""
    if goal.kind == "value" or units is None:
        return money(units)
    return f"{goal.display(round(units)):,.2f}"


def percent(part: float, whole: float | None) -> str:
    """`98%` of a limit, or an empty string when there is no limit."""
    if not whole:
        return ""
    return f"{round(100 * part / whole)}%"


def mention(user: str | None) -> str:
    """A user mention for a Slack user id (`<@U123>`), else the name escaped."""
    if user is None:
        return "someone"
    if _USER_ID.match(user):
        return f"<@{user}>"
    return escape(user)


def names_within(
    names: Iterable[str], *, limit: int, more: str = "more", separator: str = ", "
) -> str:
    """Join names until `limit` characters, then end with `+N more`."""
    items = list(names)
    out: list[str] = []
    used = 0
    for index, name in enumerate(items):
        rest = len(items) - index - 1
        tail = f"{separator}+{rest} {more}" if rest else ""
        piece = (separator if out else "") + name
        if used + len(piece) + len(tail) > limit:
            left = len(items) - index
            suffix = f"+{left} {more}"
            if out and used + len(separator) + len(suffix) <= limit:
                return separator.join(out) + separator + suffix
            return truncate(separator.join([*out, suffix]), limit)
        out.append(name)
        used += len(piece)
    return separator.join(out)


def pack_lines(
    lines: Iterable[str],
    *,
    limit: int = SECTION_TEXT,
    max_chunks: int,
    more: str = "more",
) -> list[str]:
    """Group lines into at most `max_chunks` texts of at most `limit` characters each.

    Each line is cut to fit a chunk on its own; lines that do not fit in the chunks are
    summarized at the end of the last one as `+N more`.
    """
    if max_chunks < 1:
        return []
    items = [truncate_mrkdwn(line, limit - 40) for line in lines]
    chunks: list[list[str]] = [[]]
    sizes = [0]
    for index, line in enumerate(items):
        size = len(line) + (1 if chunks[-1] else 0)
        if sizes[-1] + size > limit:
            if len(chunks) == max_chunks:
                _close(chunks[-1], sizes[-1], left=len(items) - index, limit=limit, more=more)
                break
            chunks.append([])
            sizes.append(0)
            size = len(line)
        chunks[-1].append(line)
        sizes[-1] += size
    return ["\n".join(chunk) for chunk in chunks if chunk]


def _close(chunk: list[str], size: int, *, left: int, limit: int, more: str) -> None:
    """End a full chunk with `+N more`, dropping its last lines until that fits."""
    while True:
        note = f"+{left} {more}"
        if size + len(note) + 1 <= limit or not chunk:
            chunk.append(note)
            return
        dropped = chunk.pop()
        size -= len(dropped) + (1 if chunk else 0)
        left += 1
