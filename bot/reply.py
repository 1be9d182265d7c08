"""What the bot answers: a Reply (text, blocks, a modal, DMs, files, or a job to start),
and the one mapping from an error to the answer a user sees.

Use cases return plain results; `bot.render` turns them into Replies. Errors a user can
fix become friendly ephemeral replies; unexpected ones are logged and reported, never
swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot import blocks as b
from bot.errors import BotError, ModalErrors, UsageError
from catalog.errors import CatalogError, NotFound, NothingToExport, PermissionDenied
from planner.errors import PlannerError

log = logging.getLogger(__name__)

Block = dict[str, Any]
DEFAULT_COMMAND = "/roadmap"


@dataclass(frozen=True)
class Notice:
    """A direct message to send to a user as a consequence of a command."""

    user_id: str
    text: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file to share in the channel (files_upload_v2) along with a reply."""

    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class Job:
    """A slow command to run in the background: the command itself as JSON (`payload`,
    see `catalog.usecases.commands.to_payload`), what it does (`title`, plain text) and
    whether its result is for the channel."""

    kind: str
    title: str
    payload: Mapping[str, Any]
    in_channel: bool = True


@dataclass(frozen=True)
class Reply:
    """What to answer: text (the notification fallback) and blocks, ephemeral unless
    `in_channel`; or a modal to open, or a job to start; DMs to send and files to share."""

    text: str
    blocks: tuple[Block, ...] = ()
    in_channel: bool = False
    modal: dict[str, Any] | None = None
    job: Job | None = None
    notices: tuple[Notice, ...] = ()
    error: bool = False
    uploads: tuple[Upload, ...] = ()
    roadmap_id: int | None = None  # the stored roadmap the reply shows, if any


def error_reply(exc: BaseException, *, slash: str = DEFAULT_COMMAND) -> Reply:
    """A friendly ephemeral reply for an error; unexpected errors are logged with traces."""
    hint: str | None = None
    if isinstance(exc, UsageError):
        message = exc.message.rstrip()
        if exc.suggestion:
            message += f" Did you mean `{exc.suggestion}`?"
        hint = f"Usage: {exc.usage}" if exc.usage else f"Try `{slash} help`."
    elif isinstance(exc, ModalErrors):
        message = str(exc)
    elif isinstance(exc, PermissionDenied):
        message = sentence(str(exc))
    elif isinstance(exc, NotFound):
        where = "" if exc.what == "workspace" else " in this workspace"
        message = sentence(f"{exc}{where}")
        hint = f"`{slash} list` shows what there is."
    elif isinstance(exc, NothingToExport):
        message = str(exc)
        hint = f"Run `{slash} plan` first, then export it."
    elif isinstance(exc, CatalogError | PlannerError | BotError):
        # StaleVersion, InvalidTransition, ValidationFailed… say what to do themselves
        message = sentence(str(exc))
    elif isinstance(exc, SlackApiError):  # Slack refused a call: its code, not its URL
        code = _slack_error_code(exc)
        log.warning("Slack refused a call: %s", code)
        if code in ("expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"):
            message = "Slack did not let the form open in time, so nothing was opened."
            hint = "Click or type the command again."
        else:
            message = f"Slack refused this ({code}), so it did not go through."
            hint = "Try again in a moment; if it keeps happening, tell your Townhall admin."
    elif isinstance(exc, SQLAlchemyError):  # its text holds SQL: logged, not shown
        log.exception("command failed on the database", exc_info=exc)
        message = "The catalog's database could not be reached, so this did not go through."
        hint = "Try again in a moment; if it keeps happening, tell your Townhall admin."
    else:
        log.exception("command failed", exc_info=exc)
        message = f"Something went wrong: {type(exc).__name__}: {exc}"
        hint = "The error was logged; try again, or tell your Townhall admin."
    # `text` is the notification and fallback: escaped as the blocks are, so a user's
    # `<!channel>` or `<@U…>` quoted back in an error pings no one (README "Slack")
    text = b.escape(message)
    return Reply(text=text, blocks=tuple(b.error_blocks(message, hint=hint)), error=True)


def _slack_error_code(exc: SlackApiError) -> str:
    response = exc.response
    code = response.get("error") if response is not None else None
    return code if isinstance(code, str) and code else "no error code"


def sentence(text: str) -> str:
    """The text as a sentence: capital first, a full stop last."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
