"""Excel export (openpyxl): Roadmap, Phases, Initiatives and Unscheduled sheets.

- Roadmap: one row per scheduled initiative, one column per phase; build phases are
  filled with the cadence's colour, the go-live phase is marked `go-live` in bold and
  later (live) phases `live` in grey. Tollgate and freeze phases have coloured headers
  with a note. Header row and the key/title columns are frozen; auto-filter on.
- Phases: index, label, start and end (dates), tollgate/freeze flags, budget, spend,
  budget use, then use and capacity of each resource; a totals row of `=SUM(…)`
  formulas.
- Initiatives: every catalog field of `InitiativeSpec` and the schedule (start and
  go-live phase, label and date, realized value), one row per initiative of the roadmap
  and portfolio (see `planner.exports.rows`).
- Unscheduled: what is not on the roadmap, with the reason.
- Drivers (when the portfolio has business drivers): each driver's group weight and
  each person's, then each person's consistency ratio and whether their judgments are
  complete, and the objective the roadmap planned for. The Initiatives sheet then ends
  with each initiative's score per driver and its strategic score.

Figures of the objective are those it planned for (`Roadmap.goal`): money for value, a
strategic or blended score (two decimals shown) otherwise.

Dates are date cells (`yyyy-mm-dd`), money numbers with a thousands format, flags
booleans; text that looks like a formula stays text. The same roadmap always gives the
same bytes: document times are fixed (`STAMP`) and so are the zip entries' times.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.calendar import tollgate_phases
from planner.drivers import CR_LIMIT, SCORE_LEVELS, DriverWeights, group_weights
from planner.exports.rows import InitiativeRow, initiative_rows, keys_text, uses_text
from planner.exports.source import ExportSource
from planner.goal import Goal
from planner.portfolio import INITIATIVE_FIELDS, InitiativeSpec

#: Creation and modification time written into every workbook (and its zip entries).
STAMP = dt.datetime(2000, 1, 1)
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0%"
WEIGHT_FORMAT = "0.0%"
SCORE_FORMAT = "#,##0.00"
RATIO_FORMAT = "0.000"
SHEETS = ("Roadmap", "Phases", "Initiatives", "Unscheduled")
#: The sheet added when the portfolio has business drivers.
DRIVERS_SHEET = "Drivers"

CADENCE_FILL = {"waterfall": "9DC3E6", "agile": "A9D18E"}
GO_LIVE_FILL = {"waterfall": "2E75B6", "agile": "548235"}
LIVE_FILL = "EDEDED"
HEADER_FILL = "D9D9D9"
TOLLGATE_FILL = "FFE699"
FREEZE_FILL = "F4B183"
BUILD, GO_LIVE, LIVE = "build", "go-live", "live"

_HEADER_FONT = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

#: Header and kind of the Initiatives sheet column of each INITIATIVE_FIELDS field (in
#: that order).
SPEC_COLUMNS: dict[str, tuple[str, str]] = {
    "key": ("Key", "text"),
    "title": ("Title", "text"),
    "duration": ("Duration (phases)", "int"),
    "value": ("Value per phase", "money"),
    "summary": ("Summary", "text"),
    "category": ("Category", "text"),
    "status": ("Status", "text"),
    "proposer": ("Proposer", "text"),
    "owner": ("Owner", "text"),
    "cadence": ("Cadence", "text"),
    "capex": ("Capex", "money"),
    "opex": ("Opex per live phase", "money"),
    "hosting": ("Hosting", "text"),
    "data": ("Data classification", "text"),
    "personal_data": ("Personal data", "bool"),
    "security_review": ("Security review override", "bool"),
    "review": ("Review outcome", "text"),
    "review_note": ("Review note", "text"),
    "uses": ("Uses per build phase", "text"),
    "teams": ("Agile teams", "int"),
    "depends_on": ("Depends on", "text"),
    "excludes": ("Excludes", "text"),
    "mandatory": ("Mandatory", "bool"),
    "earliest": ("Earliest start phase", "int"),
    "deadline": ("Deadline (go-live phase)", "int"),
    "pin": ("Pinned start phase", "int"),
    "scores": ("Driver scores", "text"),
}
#: Schedule columns after the catalog fields: (header, kind).
SCHEDULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Plan", "text"),
    ("Start phase", "int"),
    ("Start", "text"),
    ("Start date", "date"),
    ("Go-live phase", "int"),
    ("Go-live", "text"),
    ("Go-live date", "date"),
    ("Realized value", "money"),
    ("Reason not scheduled", "text"),
)


def render(source: ExportSource) -> bytes:
    """The roadmap as an .xlsx workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = source.generated_by
    wb.properties.title = f"{source.roadmap.name or source.portfolio.name} roadmap"
    wb.properties.created = STAMP
    rows = initiative_rows(source)
    _roadmap_sheet(wb.create_sheet(SHEETS[0]), source)
    _phases_sheet(wb.create_sheet(SHEETS[1]), source)
    _initiatives_sheet(wb.create_sheet(SHEETS[2]), rows, source.roadmap.goal)
    _unscheduled_sheet(wb.create_sheet(SHEETS[3]), rows)
    if source.portfolio.drivers:
        weights = group_weights(source.portfolio.drivers, source.portfolio.judgments)
        _drivers_sheet(wb.create_sheet(DRIVERS_SHEET), source, weights)
        _driver_columns(wb[SHEETS[2]], rows, source)
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_times(raw.getvalue())


# --------------------------------------------------------------------------- cells


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "text") -> None:
    """Write a typed cell: text stays text, dates and money get number formats."""
    cell = ws.cell(row=row, column=col)
    if value is None or value == "":
        return
    if kind == "text":
        cell.value = _clean(str(value))
        cell.data_type = "s"  # a title starting with "=" is not a formula
    elif kind == "date":
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif kind == "money":
        cell.value = int(value)
        cell.number_format = MONEY_FORMAT
    elif kind in ("score", "weight", "ratio"):
        cell.value = float(value)
        cell.number_format = {"score": SCORE_FORMAT, "weight": WEIGHT_FORMAT}.get(
            kind, RATIO_FORMAT
        )
    elif kind == "bool":
        cell.value = bool(value)
    else:
        cell.value = value


def _header(ws: Worksheet, titles: Sequence[str], *, row: int = 1) -> None:
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font = _HEADER_FONT
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _finish(ws: Worksheet, *, last_row: int, last_col: int, freeze: str) -> None:
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"


# --------------------------------------------------------------------------- sheets


def _roadmap_sheet(ws: Worksheet, source: ExportSource) -> None:
    phases = source.roadmap.phases
    goal = source.roadmap.goal
    fixed = ("Key", "Title", "Cadence", "Owner", "Start", "Go-live", f"Realized {goal.noun}")
    _header(ws, [*fixed, *(p.label for p in phases)])
    gates = (
        tollgate_phases(source.portfolio.calendar)
        if source.portfolio.calendar.tollgates is not None
        else frozenset()
    )
    freeze = set(source.portfolio.calendar.freeze)
    first = len(fixed) + 1
    for offset, phase in enumerate(phases):
        cell = ws.cell(row=1, column=first + offset)
        notes = [f"{phase.start.isoformat()} to {phase.end.isoformat()}"]
        if phase.index in gates:
            cell.fill = PatternFill("solid", fgColor=TOLLGATE_FILL)
            notes.append("Tollgate: waterfall initiatives may start.")
        if phase.index in freeze:
            cell.fill = PatternFill("solid", fgColor=FREEZE_FILL)
            notes.append("Change freeze: nothing goes live.")
        cell.comment = Comment("\n".join(notes), source.generated_by)
    for r, item in enumerate(source.roadmap.scheduled, start=2):
        spec = source.spec(item.key)
        _put(ws, r, 1, item.key)
        _put(ws, r, 2, item.title)
        _put(ws, r, 3, item.cadence)
        _put(ws, r, 4, spec.owner if spec else None)
        _put(ws, r, 5, item.start, "date")
        _put(ws, r, 6, item.end, "date")
        _put(ws, r, 7, goal.display(item.value), _kind(goal.kind))
        for offset, phase in enumerate(phases):
            p = phase.index
            cell = ws.cell(row=r, column=first + offset)
            if item.start_phase <= p < item.end_phase:
                cell.value = BUILD
                cell.fill = PatternFill("solid", fgColor=CADENCE_FILL.get(item.cadence, "BFBFBF"))
            elif p == item.end_phase:
                cell.value = GO_LIVE
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor=GO_LIVE_FILL.get(item.cadence, "7F7F7F"))
            elif p > item.end_phase:
                cell.value = LIVE
                cell.font = Font(color="7F7F7F")
                cell.fill = PatternFill("solid", fgColor=LIVE_FILL)
    _widths(ws, [12, 44, 11, 24, 12, 12, 15, *([9] * len(phases))])
    _finish(
        ws,
        last_row=len(source.roadmap.scheduled) + 1,
        last_col=len(fixed) + len(phases),
        freeze="C2",
    )


def _resources(source: ExportSource) -> list[str]:
    names: set[str] = set()
    for phase in source.roadmap.phases:
        names.update(phase.use)
        names.update(phase.capacity)
    return sorted(names)


def _phases_sheet(ws: Worksheet, source: ExportSource) -> None:
    phases = source.roadmap.phases
    resources = _resources(source)
    fixed = ("Phase", "Label", "Start", "End", "Tollgate", "Freeze", "Budget", "Spend", "Use")
    titles = [*fixed]
    for name in resources:
        titles += [f"{name} use", f"{name} capacity"]
    _header(ws, titles)
    gates = (
        tollgate_phases(source.portfolio.calendar)
        if source.portfolio.calendar.tollgates is not None
        else frozenset()
    )
    freeze = set(source.portfolio.calendar.freeze)
    for r, phase in enumerate(phases, start=2):
        _put(ws, r, 1, phase.index, "int")
        _put(ws, r, 2, phase.label)
        _put(ws, r, 3, phase.start, "date")
        _put(ws, r, 4, phase.end, "date")
        _put(ws, r, 5, phase.index in gates, "bool")
        _put(ws, r, 6, phase.index in freeze, "bool")
        _put(ws, r, 7, phase.budget, "money")
        _put(ws, r, 8, phase.spend, "money")
        use = ws.cell(row=r, column=9, value=f'=IF(ISNUMBER(G{r}),IF(G{r}>0,H{r}/G{r},""),"")')
        use.number_format = PERCENT_FORMAT
        for i, name in enumerate(resources):
            _put(ws, r, len(fixed) + 2 * i + 1, phase.use.get(name, 0), "int")
            _put(ws, r, len(fixed) + 2 * i + 2, phase.capacity.get(name), "int")
    last = len(phases) + 1
    total = last + 1
    ws.cell(row=total, column=2, value="Total").font = _HEADER_FONT
    if phases:
        summed = [8] + [len(fixed) + 2 * i + 1 for i in range(len(resources))]
        if all(p.budget is not None for p in phases):
            summed.append(7)
        for name_index, name in enumerate(resources):
            if all(p.capacity.get(name) is not None for p in phases):
                summed.append(len(fixed) + 2 * name_index + 2)
        for col in sorted(summed):
            letter = get_column_letter(col)
            cell = ws.cell(row=total, column=col, value=f"=SUM({letter}2:{letter}{last})")
            cell.font = _HEADER_FONT
            if col in (7, 8):
                cell.number_format = MONEY_FORMAT
        if 7 in summed:
            cell = ws.cell(row=total, column=9, value=f'=IF(G{total}>0,H{total}/G{total},"")')
            cell.number_format = PERCENT_FORMAT
    if source.portfolio.budget.total is not None:
        ws.cell(row=total + 1, column=2, value="Total budget").font = _HEADER_FONT
        _put(ws, total + 1, 7, source.portfolio.budget.total, "money")
    _widths(ws, [7, 12, 12, 12, 9, 8, 13, 13, 8, *([11] * (2 * len(resources)))])
    _finish(ws, last_row=last, last_col=len(titles), freeze="C2")


def _spec_value(spec: InitiativeSpec, name: str) -> Any:
    value = getattr(spec, name)
    if name in ("uses", "scores"):
        return uses_text(dict(value))
    if name in ("depends_on", "excludes"):
        return keys_text(value)
    return value


def _spec_column(name: str) -> tuple[str, str]:
    """(header, kind) of a field; a field without an entry in SPEC_COLUMNS still gets a
    column, headed by its name."""
    return SPEC_COLUMNS.get(name, (name.replace("_", " ").capitalize(), "text"))


def _kind(objective: str) -> str:
    """The cell kind of a figure of this objective."""
    return "money" if objective == "value" else "score"


def _initiatives_sheet(ws: Worksheet, rows: Sequence[InitiativeRow], goal: Goal) -> None:
    spec_names = INITIATIVE_FIELDS
    schedule_columns = [
        (f"Realized {goal.noun}", _kind(goal.kind)) if title == "Realized value" else (title, kind)
        for title, kind in SCHEDULE_COLUMNS
    ]
    titles = [_spec_column(n)[0] for n in spec_names] + [t for t, _ in schedule_columns]
    _header(ws, titles)
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(spec_names, start=1):
            kind = _spec_column(name)[1]
            if row.spec is not None:
                _put(ws, r, c, _spec_value(row.spec, name), kind)
            elif name in ("key", "title"):
                _put(ws, r, c, getattr(row, name))
        schedule = (
            row.plan,
            row.start_phase,
            row.start_label,
            row.start_date,
            row.go_live_phase,
            row.go_live_label,
            row.go_live_date,
            row.realized_value,
            row.reason,
        )
        for i, ((_, kind), value) in enumerate(zip(schedule_columns, schedule, strict=True)):
            _put(ws, r, len(spec_names) + 1 + i, value, kind)
    widths = {"title": 44, "summary": 60, "review_note": 30, "owner": 24, "proposer": 18}
    _widths(
        ws,
        [widths.get(n, 13) for n in spec_names] + [12, 9, 10, 12, 9, 10, 12, 14, 50],
    )
    _finish(ws, last_row=len(rows) + 1, last_col=len(titles), freeze="C2")


def _driver_columns(ws: Worksheet, rows: Sequence[InitiativeRow], source: ExportSource) -> None:
    """Each driver's score (0-5) and the strategic score, after the Initiatives columns."""
    drivers = source.portfolio.drivers
    first = ws.max_column + 1
    titles = [f"{d.name} score" for d in drivers] + ["Strategic score"]
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for offset, title in enumerate(titles):
        cell = ws.cell(row=1, column=first + offset, value=title)
        cell.font = _HEADER_FONT
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = (
            Comment(f"0-5: {', '.join(SCORE_LEVELS)}", source.generated_by)
            if offset < len(drivers)
            else Comment("Σ driver weight × score (0-5)", source.generated_by)
        )
        ws.column_dimensions[get_column_letter(first + offset)].width = 14
    for r, row in enumerate(rows, start=2):
        if row.spec is None:
            continue
        for offset, driver in enumerate(drivers):
            _put(ws, r, first + offset, row.spec.scores.get(driver.key, 0), "int")
        if row.strategic_score is not None:
            _put(ws, r, first + len(drivers), row.strategic_score, "score")
    ws.auto_filter.ref = f"A1:{get_column_letter(first + len(titles) - 1)}{max(len(rows) + 1, 1)}"


def _drivers_sheet(ws: Worksheet, source: ExportSource, weights: DriverWeights) -> None:
    """Weights of the group and of each person; each person's CR; the objective."""
    people = list(weights.people.values())
    titles = ["Key", "Driver", "Description", "Group weight", *(p.by for p in people)]
    _header(ws, titles)
    for r, driver in enumerate(weights.drivers, start=2):
        _put(ws, r, 1, driver.key)
        _put(ws, r, 2, driver.name)
        _put(ws, r, 3, driver.description)
        _put(ws, r, 4, weights.weights.get(driver.key), "weight")
        for c, person in enumerate(people, start=5):
            _put(ws, r, c, person.weights.get(driver.key), "weight")
    row = len(weights.drivers) + 3
    if weights.source == "judgments":
        group = (
            f"Group weights: principal eigenvector of the geometric mean of "
            f"{len(weights.complete_people)} complete judgment set(s)"
        )
    else:
        group = "Group weights: equal (nobody has completed their judgments yet)"
    ws.cell(row=row, column=1, value=group).font = _HEADER_FONT
    if weights.cr is not None:
        _put(ws, row + 1, 1, "Group consistency ratio")
        _put(ws, row + 1, 4, weights.cr, "ratio")
    row += 3
    _header(ws, ["Person", "Complete", "Answered", "Pairs", "CR", "Consistent", "Worst"], row=row)
    for r, person in enumerate(people, start=row + 1):
        _put(ws, r, 1, person.by)
        _put(ws, r, 2, person.complete, "bool")
        _put(ws, r, 3, person.answered, "int")
        _put(ws, r, 4, person.needed, "int")
        if person.cr is not None:
            _put(ws, r, 5, person.cr, "ratio")
            _put(ws, r, 6, person.consistent, "bool")
        if person.worst is not None:
            w = person.worst
            _put(
                ws,
                r,
                7,
                f"{w.a} vs {w.b}: said {w.given}, own weights imply {w.implied:.2f} "
                f"(CR above {CR_LIMIT:.2f})",
            )
    last = row + len(people) + 2
    ws.cell(row=last, column=1, value="Objective").font = _HEADER_FONT
    _put(ws, last, 2, source.roadmap.goal.describe())
    _widths(ws, [14, 28, 40, 13, *([11] * len(people))])
    ws.freeze_panes = "C2"


def _unscheduled_sheet(ws: Worksheet, rows: Sequence[InitiativeRow]) -> None:
    titles = ("Key", "Title", "Reason", "Plan", "Category", "Owner", "Cadence", "Capex", "Value")
    _header(ws, titles)
    missing = [row for row in rows if row.scheduled is None]
    for r, row in enumerate(missing, start=2):
        spec = row.spec
        _put(ws, r, 1, row.key)
        _put(ws, r, 2, row.title)
        _put(ws, r, 3, row.reason)
        ws.cell(row=r, column=3).alignment = _WRAP
        _put(ws, r, 4, row.plan)
        if spec is not None:
            _put(ws, r, 5, spec.category)
            _put(ws, r, 6, spec.owner)
            _put(ws, r, 7, spec.cadence)
            _put(ws, r, 8, spec.capex, "money")
            _put(ws, r, 9, spec.value, "money")
    _widths(ws, [12, 44, 60, 12, 14, 24, 11, 12, 12])
    _finish(ws, last_row=len(missing) + 1, last_col=len(titles), freeze="C2")


# --------------------------------------------------------------------------- bytes

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_times(data: bytes) -> bytes:
    """The same workbook with the save time replaced by STAMP, so output is reproducible."""
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()
