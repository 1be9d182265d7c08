"""CSV export read back with csv.DictReader and compared field by field with the roadmap."""

from __future__ import annotations

import csv
import io

import pytest

from planner.exports import ExportSource, export
from planner.exports.csv import COLUMNS, ENCODING, render
from tests.planner.exports.export_sources import (
    TRICKY_OWNERS,
    TRICKY_TITLES,
    all_sources,
    demo_source,
    tricky_source,
)


def read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    reader = csv.DictReader(io.StringIO(data.decode(ENCODING), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def blank(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_against_roadmap(source: ExportSource, rows: list[dict[str, str]]) -> None:
    roadmap = source.roadmap
    by_key = {r["key"]: r for r in rows}
    assert len(by_key) == len(rows), "one row per initiative"
    expected_keys = [s.key for s in roadmap.scheduled] + [u.key for u in roadmap.unscheduled]
    expected_keys += [s.key for s in source.portfolio.initiatives if s.key not in expected_keys]
    assert [r["key"] for r in rows] == expected_keys
    labels = {p.index: p.label for p in roadmap.phases}
    for s in roadmap.scheduled:
        row = by_key[s.key]
        assert row["plan"] == "scheduled"
        assert row["reason"] == ""
        assert int(row["start_phase"]) == s.start_phase
        assert int(row["go_live_phase"]) == s.end_phase
        assert row["start_label"] == labels[s.start_phase]
        assert row["go_live_label"] == labels[s.end_phase]
        assert row["start_date"] == s.start.isoformat()
        assert row["go_live_date"] == s.end.isoformat()
        assert int(row["realized_value"]) == s.value
        assert row["cadence"] == s.cadence
    for u in roadmap.unscheduled:
        row = by_key[u.key]
        assert row["plan"] == "unscheduled"
        assert row["reason"] == u.reason
        assert row["start_phase"] == row["start_date"] == row["realized_value"] == ""
    for spec in source.portfolio.initiatives:
        row = by_key[spec.key]
        for name in ("duration", "capex", "opex", "value", "teams", "earliest"):
            assert int(row[name]) == getattr(spec, name), (spec.key, name)
        for name in ("cadence", "status", "hosting", "data", "review"):
            assert row[name] == blank(getattr(spec, name)), (spec.key, name)
        for name in ("personal_data", "mandatory", "security_review", "deadline", "pin"):
            assert row[name] == blank(getattr(spec, name)), (spec.key, name)
        assert row["depends_on"] == ";".join(spec.depends_on)
        assert row["excludes"] == ";".join(spec.excludes)
        uses = dict(item.split("=") for item in row["uses"].split(";")) if row["uses"] else {}
        assert {k: int(v) for k, v in uses.items()} == dict(spec.uses)
        if spec.key not in {s.key for s in roadmap.scheduled} | {
            u.key for u in roadmap.unscheduled
        }:
            assert row["plan"] == "not planned"
            assert spec.status.replace("_", " ") in row["reason"]


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_every_initiative_is_a_row_matching_the_roadmap(name: str) -> None:
    source = all_sources()[name]
    check_against_roadmap(source, read(render(source)))


def test_export_dispatches_to_the_csv_module() -> None:
    assert export("CSV", demo_source()) == render(demo_source())


def test_rows_end_in_crlf_and_dates_are_iso() -> None:
    data = render(demo_source())
    text = data.decode(ENCODING)
    assert text.count("\r\n") >= len(demo_source().portfolio.initiatives) + 1
    first = read(data)[0]
    assert first["start_date"] == "2027-01-01"
    assert first["capex"].isdigit(), "money is a plain integer"


def test_names_with_quotes_ampersands_commas_newlines_and_non_ascii_survive() -> None:
    rows = {r["key"]: r for r in read(render(tricky_source()))}
    for key, title in TRICKY_TITLES.items():
        if key == "FORMULA":
            continue
        assert rows[key]["title"] == title.strip()
        assert rows[key]["category"] == "Communauté, «externe» & <co>"
    for key, owner in TRICKY_OWNERS.items():
        if key == "FORMULA":
            continue
        assert rows[key]["owner"] == owner


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    rows = {r["key"]: r for r in read(render(tricky_source()))}
    assert rows["FORMULA"]["title"] == "'" + TRICKY_TITLES["FORMULA"]
    assert rows["FORMULA"]["owner"] == "'-Ops"
    assert rows["FORMULA"]["capex"] == "10", "numbers are never quoted"


def test_every_initiative_field_has_a_column_and_new_ones_come_last() -> None:
    from planner.portfolio import INITIATIVE_FIELDS

    assert set(INITIATIVE_FIELDS) <= set(COLUMNS)
    assert len(COLUMNS) == len(set(COLUMNS))
    # review_note, scores, then strategic_score joined after the first CSV: they come last.
    assert COLUMNS[-4:] == ("summary", "review_note", "scores", "strategic_score")
