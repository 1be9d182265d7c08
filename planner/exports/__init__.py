"""Exports for the PMO: a roadmap plus the initiatives' details in, bytes out.

Each format lives in its own module exposing `render(source: ExportSource) -> bytes`;
`export(fmt, source)` dispatches and loads only the module it needs (matplotlib and
openpyxl are heavy). Pure: no database, no Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from planner.errors import ScenarioError
from planner.exports.source import ExportSource


@dataclass(frozen=True)
class Format:
    """One export format: its name, the module that renders it, the file it makes, and
    the other words people use for it (`export excel` means `xlsx`)."""

    name: str
    module: str
    extension: str
    mime: str
    title: str
    aliases: tuple[str, ...] = ()


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "mspdi",
            "planner.exports.mspdi",
            "xml",
            "application/xml",
            "MS Project XML",
            aliases=("msproject", "ms-project", "project", "xml"),
        ),
        Format(
            "xlsx",
            "planner.exports.xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel workbook",
            aliases=("excel",),
        ),
        Format("csv", "planner.exports.csv", "csv", "text/csv", "CSV"),
        Format(
            "ics",
            "planner.exports.ics",
            "ics",
            "text/calendar",
            "iCalendar",
            aliases=("ical", "icalendar"),
        ),
        Format("json", "planner.exports.json", "json", "application/json", "Roadmap JSON"),
        Format(
            "png", "planner.exports.gantt", "png", "image/png", "Gantt chart", aliases=("gantt",)
        ),
    )
}
#: Format names in the order they are offered.
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)

_BY_WORD: dict[str, Format] = {word: f for f in FORMATS.values() for word in (f.name, *f.aliases)}


def export_format(word: str) -> Format | None:
    """The format a name or alias means (`xlsx`, `Excel`, `.ics`, `gantt`), whatever its
    case and with or without a leading dot; None for anything else."""
    return _BY_WORD.get(word.strip().lower().removeprefix("."))


def export(fmt: str, source: ExportSource) -> bytes:
    """The roadmap in format `fmt` (a name or alias, see `export_format`); ScenarioError
    names unknown formats."""
    spec = export_format(fmt)
    if spec is None:
        raise ScenarioError(f"unknown export format '{fmt}' (known: {', '.join(FORMAT_NAMES)})")
    return import_module(spec.module).render(source)


__all__ = ["FORMATS", "FORMAT_NAMES", "ExportSource", "Format", "export", "export_format"]
