"""Commands for every surface: text → command (`parse_command`), command → Reply
(`execute`), and a queued command's job → Reply (`run_job`), all from one registry
(`bot.commands.registry`)."""

from bot.commands.dispatch import execute, handle_text, run_job
from bot.commands.registry import (
    COMMAND_TYPES,
    ENTRIES,
    TOPICS,
    Entry,
    entry_for,
    help_text,
    nearest_subcommand,
    subcommand,
    usage,
)
from bot.commands.text import parse_command

__all__ = [
    "COMMAND_TYPES",
    "ENTRIES",
    "TOPICS",
    "Entry",
    "entry_for",
    "execute",
    "handle_text",
    "help_text",
    "nearest_subcommand",
    "parse_command",
    "run_job",
    "subcommand",
    "usage",
]
