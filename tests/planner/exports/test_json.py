"""JSON export read back with json, validated against the shipped JSON Schema."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from planner.exports import export
from planner.exports.json import SCHEMA_FILE, render, schema_document
from planner.roadmap import STATUSES, roadmap_from_dict
from tests.planner.exports.export_sources import TRICKY_TITLES, all_sources, tricky_source

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = schema_document()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(document)]


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_export_is_the_roadmap_document_and_valid(
    name: str, validator: Draft202012Validator
) -> None:
    source = all_sources()[name]
    data = render(source)
    document = json.loads(data.decode("utf-8"))
    assert errors(validator, document) == []
    assert document == source.roadmap.to_dict()
    assert roadmap_from_dict(document) == source.roadmap
    assert data.endswith(b"}\n") and b'\n  "schema": "townhall.roadmap/1"' in data
    assert export("json", source) == data


def test_non_ascii_is_written_as_utf8_not_escaped() -> None:
    data = render(tricky_source())
    assert "Ünïcödé — 日本語".encode() in data
    assert b"\\u" not in data
    titles = {s["key"]: s["title"] for s in json.loads(data)["scheduled"]}
    assert titles["LINES"] == TRICKY_TITLES["LINES"]


def test_schema_describes_every_field_of_the_document() -> None:
    schema = schema_document()
    document = tricky_source().roadmap.to_dict()
    assert set(schema["required"]) == set(document) == set(schema["properties"])
    defs = schema["$defs"]
    assert set(defs["phase"]["required"]) == set(document["phases"][0])
    assert set(defs["scheduled"]["required"]) == set(document["scheduled"][0])
    assert set(defs["unscheduled"]["required"]) == set(document["unscheduled"][0])
    assert tuple(schema["properties"]["status"]["enum"]) == STATUSES


def _broken(change: str) -> dict[str, Any]:
    doc = copy.deepcopy(tricky_source().roadmap.to_dict())
    if change == "status":
        doc["status"] = "done"
    elif change == "missing":
        del doc["bound"]
    elif change == "date":
        doc["phases"][0]["start"] = "01/01/2027"
    elif change == "impossible-date":
        doc["scheduled"][0]["end"] = "2027-02-30"
    elif change == "money":
        doc["phases"][0]["spend"] = "1,000"
    elif change == "extra":
        doc["scheduled"][0]["owner"] = "someone"
    elif change == "key":
        doc["unscheduled"][0]["key"] = "bad key"
    elif change == "cadence":
        doc["scheduled"][0]["cadence"] = "scrum"
    elif change == "optimal-without-objective":
        doc["objective"] = None
    elif change == "schema":
        doc["schema"] = "townhall.roadmap/2"
    return doc


@pytest.mark.parametrize(
    "change",
    [
        "status",
        "missing",
        "date",
        "impossible-date",
        "money",
        "extra",
        "key",
        "cadence",
        "optimal-without-objective",
        "schema",
    ],
)
def test_schema_rejects_a_broken_document(change: str, validator: Draft202012Validator) -> None:
    assert errors(validator, _broken(change))


def test_schema_ships_with_the_package() -> None:
    assert (ROOT / "planner" / "exports" / SCHEMA_FILE).is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"exports/{SCHEMA_FILE}" in project["tool"]["setuptools"]["package-data"]["planner"]
