"""The words after a subcommand, and how to complain about them: what every
subcommand's parser reads."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import UsageError
from bot.parsing.tokens import Token, rest_of
from planner.errors import PeriodError
from planner.periods import PeriodRef, parse_period
from planner.portfolio import KEY_RE


@dataclass(frozen=True)
class Args:
    """The words after a subcommand, and how to complain about them."""

    name: str
    text: str
    tokens: list[Token]
    usage: str
    escaped: bool

    def count(self) -> int:
        return len(self.tokens) - 1

    def word(self, i: int) -> str | None:
        """The i-th argument (1-based), or None."""
        return self.tokens[i].text if i < len(self.tokens) else None

    def rest(self, i: int) -> str:
        """Free text from the i-th argument on (one quoted argument loses its quotes)."""
        return rest_of(self.text, self.tokens, i, escaped=self.escaped)

    def fail(self, message: str, *, suggestion: str | None = None) -> UsageError:
        return UsageError(message, usage=self.usage, suggestion=suggestion)

    def key(self, i: int) -> str:
        """The i-th argument as an initiative key, upper case."""
        raw = self.word(i)
        if raw is None or not raw.strip():
            raise self.fail(f"`{self.name}` needs an initiative key, e.g. SOC-7.")
        key = raw.strip().rstrip(",.;:").upper()
        if self.tokens[i].quoted or not KEY_RE.match(key):
            raise self.fail(
                f"'{raw}' is not an initiative key: letters, digits and dashes, e.g. SOC-7."
            )
        return key

    def at_most(self, n: int) -> None:
        """Refuse more than n arguments."""
        if self.count() > n:
            extra = self.rest(n + 1)
            if n == 0:
                raise self.fail(f"`{self.name}` takes no arguments; got `{extra}`.")
            raise self.fail(f"Too many arguments for `{self.name}`: `{extra}`.")

    def period(self, i: int) -> PeriodRef:
        """The arguments from the i-th on as one period."""
        raw = " ".join(t.text for t in self.tokens[i:])
        if not raw:
            raise self.fail(f"`{self.name}` needs a period, e.g. 2027Q3 or next quarter.")
        try:
            return parse_period(raw)
        except PeriodError as exc:
            raise self.fail(str(exc)) from None


def nearest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None
