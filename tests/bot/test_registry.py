"""The registry of subcommands is the one source of parsing, help, dispatch and job
payloads: every entry is complete, and every command a person can type has an entry."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from bot.commands import COMMAND_TYPES, ENTRIES, help_text, parse_command, subcommand
from bot.commands.dispatch import decode
from catalog.usecases import commands as c
from planner.exports import FORMATS


def as_slack_sends(text: str) -> str:
    """A typed example as Slack sends it: mentions escaped (the manifest's should_escape)."""
    return text.replace("@alice", "<@U0ALICE|alice>")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_has_a_parser_help_a_use_case_and_a_renderer(entry) -> None:
    assert entry.summary.strip() and entry.examples, f"{entry.name} has no help"
    assert callable(entry.parse) and callable(entry.run) and callable(entry.render)
    assert entry.command.name == entry.name
    assert subcommand(entry.name) is entry
    assert entry.usage() in help_text(entry.name)
    assert f"`/roadmap {entry.name}" in help_text(None)
    for example in entry.examples:
        command = parse_command(as_slack_sends(example))
        assert isinstance(command, entry.command), example


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.slow], ids=lambda e: e.name)
def test_a_slow_command_travels_as_itself(entry) -> None:
    for example in entry.examples:
        command = parse_command(example)
        assert decode(c.to_payload(command)) == command


def test_every_command_a_person_types_has_an_entry() -> None:
    typed = {
        cls
        for _, cls in inspect.getmembers(c, inspect.isclass)
        if issubclass(cls, c.Command) and cls is not c.Command and not cls.name.startswith("submit")
    }
    assert typed == {e.command for e in ENTRIES}
    assert set(COMMAND_TYPES) == {e.name for e in ENTRIES}


def test_names_and_aliases_are_unique() -> None:
    words = [w for e in ENTRIES for w in (e.name, *e.aliases)]
    assert len(words) == len(set(words))


@pytest.mark.parametrize("spec", FORMATS.values(), ids=lambda s: s.name)
def test_every_export_format_and_alias_is_understood(spec) -> None:
    for word in (spec.name, *spec.aliases):
        assert parse_command(f"export {word}") == c.Export(spec.name)
        assert parse_command(f"export {word.upper()}") == c.Export(spec.name)


def test_periods_survive_the_payload() -> None:
    for text in ("plan from=2027Q2", "plan from=Q3", "plan from=next quarter", "plan from=3"):
        command = parse_command(text)
        assert decode(c.to_payload(command)) == command, text


def test_a_payload_naming_nothing_known_is_refused() -> None:
    with pytest.raises(ValueError, match="no known command"):
        decode({"command": "fly", "fields": {}})
    with pytest.raises(ValueError, match="does not fit"):
        decode({"command": "export", "fields": {}})
    assert dataclasses.is_dataclass(decode({"command": "plan", "fields": {}}))
