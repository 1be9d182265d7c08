"""Excel export read back with openpyxl: typed cells, formulas, grid and every field."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import fields

import pytest
from openpyxl import Workbook, load_workbook

from planner.exports import ExportSource, export
from planner.exports.xlsx import (
    DATE_FORMAT,
    DRIVERS_SHEET,
    MONEY_FORMAT,
    SHEETS,
    SPEC_COLUMNS,
    render,
)
from planner.portfolio import InitiativeSpec
from tests.planner.exports.export_sources import (
    TRICKY_OWNERS,
    TRICKY_TITLES,
    all_sources,
    demo_source,
    tricky_source,
)


def workbook(source: ExportSource) -> Workbook:
    return load_workbook(io.BytesIO(render(source)))


def as_date(value: object) -> dt.date:
    assert isinstance(value, dt.datetime), f"{value!r} is a date cell"
    return value.date()


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_roadmap_grid_matches_the_schedule(name: str) -> None:
    source = all_sources()[name]
    ws = workbook(source)["Roadmap"]
    phases = source.roadmap.phases
    titles = header(ws)
    first = titles.index(phases[0].label) + 1 if phases else None
    assert titles[7:] == [p.label for p in phases]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.max_row == len(source.roadmap.scheduled) + 1
    for r, s in enumerate(source.roadmap.scheduled, start=2):
        assert ws.cell(r, 1).value == s.key
        assert ws.cell(r, 2).value == s.title
        assert as_date(ws.cell(r, 5).value) == s.start
        assert as_date(ws.cell(r, 6).value) == s.end
        assert ws.cell(r, 5).number_format == DATE_FORMAT
        assert ws.cell(r, 7).value == s.value and ws.cell(r, 7).number_format == MONEY_FORMAT
        for p in phases:
            cell = ws.cell(r, first + p.index)
            expected = (
                None
                if p.index < s.start_phase
                else "build"
                if p.index < s.end_phase
                else "go-live"
                if p.index == s.end_phase
                else "live"
            )
            assert cell.value == expected, (s.key, p.label)
        build_fill = ws.cell(r, first + s.start_phase).fill.fgColor.rgb
        other = "A9D18E" if s.cadence == "waterfall" else "9DC3E6"
        assert not build_fill.endswith(other), "build cells are coloured by cadence"
        assert ws.cell(r, first + s.end_phase).font.bold


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_phases_sheet_has_typed_cells_and_sum_totals(name: str) -> None:
    source = all_sources()[name]
    ws = workbook(source)["Phases"]
    titles = header(ws)
    phases = source.roadmap.phases
    for r, p in enumerate(phases, start=2):
        assert ws.cell(r, 1).value == p.index
        assert ws.cell(r, 2).value == p.label
        assert as_date(ws.cell(r, 3).value) == p.start
        assert as_date(ws.cell(r, 4).value) == p.end
        assert ws.cell(r, 7).value == p.budget
        assert ws.cell(r, 8).value == p.spend
        assert ws.cell(r, 8).number_format == MONEY_FORMAT
        for name_, used in p.use.items():
            assert ws.cell(r, titles.index(f"{name_} use") + 1).value == used
            assert ws.cell(r, titles.index(f"{name_} capacity") + 1).value == p.capacity[name_]
    total = len(phases) + 2
    last = len(phases) + 1
    assert ws.cell(total, 2).value == "Total"
    assert ws.cell(total, 8).value == f"=SUM(H2:H{last})"
    if all(p.budget is not None for p in phases):
        assert ws.cell(total, 7).value == f"=SUM(G2:G{last})"
    for name_ in phases[0].use:
        col = titles.index(f"{name_} use") + 1
        letter = ws.cell(1, col).column_letter
        assert ws.cell(total, col).value == f"=SUM({letter}2:{letter}{last})"
    # the totals the formulas will compute
    assert sum(ws.cell(r, 8).value for r in range(2, last + 1)) == sum(p.spend for p in phases)


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_initiatives_sheet_holds_every_catalog_field_and_the_schedule(name: str) -> None:
    source = all_sources()[name]
    ws = workbook(source)["Initiatives"]
    titles = header(ws)
    assert set(SPEC_COLUMNS) == {f.name for f in fields(InitiativeSpec)}
    col = {name_: titles.index(SPEC_COLUMNS[name_][0]) + 1 for name_ in SPEC_COLUMNS}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert len(rows) == ws.max_row - 1 == len(source.portfolio.initiatives)
    for spec in source.portfolio.initiatives:
        r = rows[spec.key]
        for name_ in ("title", "cadence", "status", "hosting", "data", "owner", "category"):
            assert (ws.cell(r, col[name_]).value or "") == (getattr(spec, name_) or ""), name_
        for name_ in ("duration", "capex", "opex", "value", "teams", "earliest", "deadline", "pin"):
            assert ws.cell(r, col[name_]).value == getattr(spec, name_), name_
        for name_ in ("personal_data", "mandatory"):
            assert ws.cell(r, col[name_]).value is getattr(spec, name_), name_
        assert ws.cell(r, col["capex"]).number_format == MONEY_FORMAT
        assert (ws.cell(r, col["depends_on"]).value or "") == ";".join(spec.depends_on)
    for s in source.roadmap.scheduled:
        r = rows[s.key]
        assert ws.cell(r, titles.index("Plan") + 1).value == "scheduled"
        assert ws.cell(r, titles.index("Start phase") + 1).value == s.start_phase
        assert ws.cell(r, titles.index("Go-live phase") + 1).value == s.end_phase
        assert as_date(ws.cell(r, titles.index("Start date") + 1).value) == s.start
        assert as_date(ws.cell(r, titles.index("Go-live date") + 1).value) == s.end
        assert ws.cell(r, titles.index("Realized value") + 1).value == s.value


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_unscheduled_sheet_gives_every_reason(name: str) -> None:
    source = all_sources()[name]
    ws = workbook(source)["Unscheduled"]
    reasons = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(2, ws.max_row + 1)}
    for u in source.roadmap.unscheduled:
        assert reasons[u.key] == u.reason
    scheduled = {s.key for s in source.roadmap.scheduled}
    assert scheduled.isdisjoint(reasons)
    assert len(reasons) == len(source.portfolio.initiatives) - len(scheduled)


def test_sheets_in_order_and_output_is_reproducible() -> None:
    data = render(demo_source())
    assert data == export("xlsx", demo_source())
    # the demo has business drivers: their sheet comes last
    assert load_workbook(io.BytesIO(data)).sheetnames == [*SHEETS, DRIVERS_SHEET]
    assert workbook(tricky_source()).sheetnames == list(SHEETS)


def test_names_with_quotes_ampersands_commas_newlines_and_non_ascii_survive() -> None:
    wb = workbook(tricky_source())
    ws = wb["Initiatives"]
    titles = header(ws)
    owner_col = titles.index("Owner") + 1
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for key, title in TRICKY_TITLES.items():
        assert ws.cell(rows[key], 2).value == title
        assert ws.cell(rows[key], owner_col).value == TRICKY_OWNERS[key]
    formula = ws.cell(rows["FORMULA"], 2)
    assert formula.data_type == "s", "a formula-looking title stays text"
    assert wb["Roadmap"].cell(2, 2).data_type == "s"
