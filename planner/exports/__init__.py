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
    name: str
    module: str
    extension: str
    mime: str
    title: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("mspdi", "planner.exports.mspdi", "xml", "application/xml", "MS Project XML"),
        Format(
            "xlsx",
            "planner.exports.xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel workbook",
        ),
        Format("csv", "planner.exports.csv", "csv", "text/csv", "CSV"),
        Format("ics", "planner.exports.ics", "ics", "text/calendar", "iCalendar"),
        Format("json", "planner.exports.json", "json", "application/json", "Roadmap JSON"),
        Format("png", "planner.exports.gantt", "png", "image/png", "Gantt chart"),
    )
}


def export(fmt: str, source: ExportSource) -> bytes:
    """The roadmap in format `fmt` (one of FORMATS); ScenarioError names unknown formats."""
    spec = FORMATS.get(fmt.strip().lower())
    if spec is None:
        raise ScenarioError(f"unknown export format '{fmt}' (known: {', '.join(FORMATS)})")
    return import_module(spec.module).render(source)


__all__ = ["FORMATS", "ExportSource", "Format", "export"]
