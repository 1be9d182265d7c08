"""Words of a command as typed in Slack or the console: quotes, mentions, Slack escaping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UsageError

#: Quote characters that open or close a quoted argument: straight and Slack's smart quotes.
QUOTES = frozenset('"\u201c\u201d\u201e')

_MENTION_RE = re.compile(r"^<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$")
_USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class Token:
    """One word, or one quoted argument without its quotes; `start`/`end` locate it in
    the text it came from (quotes included)."""

    text: str
    start: int
    end: int
    quoted: bool = False


@dataclass(frozen=True)
class UserRef:
    """A workspace user named in a command: the id, and the name Slack sent with it."""

    user_id: str
    name: str | None = None


def tokenize(text: str) -> list[Token]:
    """Split `text` at whitespace; a quote at the start of a word runs to the next quote,
    and Slack's `<…>` (mentions, links) stays whole.

    Raises UsageError when a quote is never closed.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] in QUOTES:
            close = next((j for j in range(i + 1, n) if text[j] in QUOTES), None)
            if close is None:
                raise UsageError(f"A quote is not closed: `{text[i:].strip()}`.")
            tokens.append(Token(text[i + 1 : close].strip(), i, close + 1, quoted=True))
            i = close + 1
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] == "<" and (close := text.find(">", j)) != -1:
                j = close  # a Slack mention or link stays one word: <@U1|a b>
            j += 1
        tokens.append(Token(text[i:j], i, j))
        i = j
    return tokens


def rest_of(text: str, tokens: list[Token], index: int, *, escaped: bool) -> str:
    """The text from token `index` to the end, as typed; one quoted argument loses its
    quotes. Empty when there is no such token."""
    if index >= len(tokens):
        return ""
    if index == len(tokens) - 1 and tokens[index].quoted:
        rest = tokens[index].text
    else:
        rest = text[tokens[index].start :].strip()
    return unescape(rest) if escaped else rest


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in text it sends."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_user(word: str) -> UserRef:
    """A user named by a Slack mention (`<@U123|alice>`, `<@U123>`) or a user id (`U123`).

    Raises UsageError for anything else, such as `@alice` that Slack did not resolve.
    """
    word = word.strip()
    if m := _MENTION_RE.match(word):
        return UserRef(m["id"], m["name"] or None)
    if _USER_ID_RE.match(word):
        return UserRef(word)
    if word.startswith("@"):
        raise UsageError(
            f"`{word}` is not a mention Slack resolved: pick the person from the @ list "
            "as you type, or give their user id (e.g. U0123ABCD)."
        )
    raise UsageError(f"`{word}` is not a user: mention them with @, e.g. @alice.")
