"""Errors raised by the bot on purpose; each message is fit to show a user.

BotError
 ├── UsageError   a command cannot be read: bad subcommand, argument, amount or period
 ├── ModalErrors  a submitted modal has bad fields; `errors` maps block_id → message
 └── UnreadableForm  a submitted modal is not the form its callback id names

Errors from the core (`catalog.errors.CatalogError`, `planner.errors.PlannerError`) keep
their own trees; the handlers show their messages as they are.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error the bot raises on purpose."""


class UsageError(BotError):
    """Raised when the text of a command cannot be read.

    `message` says what is wrong, `usage` is the usage line of the subcommand concerned
    (None when no subcommand is concerned), and `suggestion` the nearest known word
    when the one typed is unknown (a subcommand, or a status, format, role, outcome…).
    `str(error)` is all of it in one text, e.g. "Unknown command `aprove`. Did you
    mean `approve`? Usage: /roadmap approve KEY [reason]".
    """

    def __init__(
        self, message: str, *, usage: str | None = None, suggestion: str | None = None
    ) -> None:
        self.message = message
        self.usage = usage
        self.suggestion = suggestion
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The message, the suggestion and the usage line as one text."""
        message = self.message.rstrip()
        if (self.suggestion or self.usage) and not message.endswith((".", "?", "!", ":")):
            message += "."
        parts = [message]
        if self.suggestion:
            parts.append(f"Did you mean `{self.suggestion}`?")
        if self.usage:
            parts.append(f"Usage: {self.usage}")
        return " ".join(parts)


class ModalErrors(BotError):
    """Raised when a submitted modal has bad fields; nothing was saved.

    `errors` maps each input block_id to its message, ready for Slack's
    `{"response_action": "errors", "errors": …}` answer.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))

    def response(self) -> dict[str, object]:
        """The answer to the view submission that shows each message under its field."""
        return {"response_action": "errors", "errors": dict(self.errors)}


class UnreadableForm(BotError):
    """Raised when a submitted modal lacks what its form always has (a judgment form
    without a pair, a drivers form without a field); nothing was saved."""


__all__ = ["BotError", "ModalErrors", "UnreadableForm", "UsageError"]
