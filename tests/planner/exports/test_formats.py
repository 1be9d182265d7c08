"""The format registry: names, aliases and how a word resolves to a format."""

from __future__ import annotations

import pytest

from planner.errors import ScenarioError
from planner.exports import FORMAT_NAMES, FORMATS, export, export_format


def test_the_names_are_the_registry_in_order() -> None:
    assert FORMAT_NAMES == ("mspdi", "xlsx", "csv", "ics", "json", "png")
    assert tuple(FORMATS) == FORMAT_NAMES


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("mspdi", "mspdi"),
        ("msproject", "mspdi"),
        ("ms-project", "mspdi"),
        ("Project", "mspdi"),
        (".xml", "mspdi"),
        ("XLSX", "xlsx"),
        ("excel", "xlsx"),
        (".csv", "csv"),
        ("ical", "ics"),
        ("iCalendar", "ics"),
        (" json ", "json"),
        ("gantt", "png"),
        (".PNG", "png"),
    ],
)
def test_a_name_or_alias_resolves_whatever_its_case(word: str, name: str) -> None:
    spec = export_format(word)
    assert spec is not None and spec.name == name


@pytest.mark.parametrize("word", ["pdf", "", ".", "..csv", "xls"])
def test_other_words_are_no_format(word: str) -> None:
    assert export_format(word) is None


def test_no_word_means_two_formats() -> None:
    words = [w for f in FORMATS.values() for w in (f.name, *f.aliases)]
    assert len(words) == len(set(words))


def test_export_names_unknown_formats() -> None:
    with pytest.raises(ScenarioError, match="unknown export format 'pdf'"):
        export("pdf", None)  # type: ignore[arg-type]
