"""CSV export: one row per initiative, scheduled or not, with a stable column set.

Encoding: UTF-8 with a byte-order mark, so that Excel opens non-ASCII names correctly
when the file is double-clicked (without a BOM it assumes the local code page);
LibreOffice, Google Sheets and Python (`encoding="utf-8-sig"`) read the BOM as such.
Rows end in CRLF and fields are quoted when needed (RFC 4180), so titles with commas,
quotes and newlines survive. Dates are ISO 8601 (`2027-03-31`), money is a plain
integer of whole currency units, booleans are `true`/`false`, absent values are empty.
Free text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
a tab or a carriage return) is prefixed with `'`.
"""

from __future__ import annotations

import csv as _csv
import io
from collections.abc import Callable
from typing import Any

from planner.exports.rows import InitiativeRow, initiative_rows, keys_text, uses_text
from planner.exports.source import ExportSource
from planner.portfolio import INITIATIVE_FIELDS

ENCODING = "utf-8-sig"

#: What the roadmap decided for an initiative, after its key and title.
_PLAN_COLUMNS = (
    "plan",
    "reason",
    "start_phase",
    "start_label",
    "start_date",
    "go_live_phase",
    "go_live_label",
    "go_live_date",
    "realized_value",
)
#: The catalog fields in the order the first CSV had them; a field `InitiativeSpec` gains
#: later is added after them (in INITIATIVE_FIELDS order), so columns only ever grow at
#: the end.
_FIRST_FIELDS = (
    "cadence",
    "duration",
    "capex",
    "opex",
    "value",
    "category",
    "status",
    "owner",
    "proposer",
    "hosting",
    "data",
    "personal_data",
    "security_review",
    "review",
    "uses",
    "teams",
    "depends_on",
    "excludes",
    "mandatory",
    "earliest",
    "deadline",
    "pin",
    "summary",
)
_SPEC_COLUMNS = (
    *_FIRST_FIELDS,
    *(n for n in INITIATIVE_FIELDS if n not in ("key", "title", *_FIRST_FIELDS)),
)
#: Columns added after the catalog fields.
_LATER_COLUMNS = ("strategic_score",)
COLUMNS: tuple[str, ...] = ("key", "title", *_PLAN_COLUMNS, *_SPEC_COLUMNS, *_LATER_COLUMNS)
"""The CSV columns, in order; new columns are only ever added at the end.

- `key`, `title`: the initiative.
- `plan`: `scheduled`, `unscheduled` (considered, did not fit) or `not planned` (its
  status kept it out of the plan). `reason`: why it is not scheduled (empty when it is).
- `start_phase`, `go_live_phase`: 0-based phase indices; the go-live phase is the last
  build phase. `start_label`, `go_live_label`: their names (`2027Q1`).
- `start_date`: first day of the start phase; `go_live_date`: last day of the go-live
  phase. `realized_value`: what this initiative contributes to the objective planned
  (money for value; a strategic or blended score, up to 4 decimals, otherwise).
- `cadence`, `duration` (phases), `capex`, `opex` (per live phase), `value` (per phase
  from go-live on), `category`, `status` (catalog status), `owner`, `proposer`,
  `hosting`, `data`, `personal_data`, `security_review` (policy override, empty when
  none), `review` (recorded outcome), `uses` (`integration=3;data_engineering=1`),
  `teams`, `depends_on` and `excludes` (keys joined by `;`), `mandatory`, `earliest`,
  `deadline`, `pin`, `summary`, then every other field of
  `planner.portfolio.INITIATIVE_FIELDS` (`review_note`: the security review's note;
  `scores`: the impact 0-5 on each business driver, `engage=5;secure=1`, drivers left
  out score 0): the catalog fields (empty when the portfolio no longer holds the
  initiative).
- `strategic_score`: Σ driver weight × score with the weights the roadmap planned with
  (empty without business drivers).
"""

_TEXT = frozenset({"title", "reason", "category", "owner", "proposer", "summary", "review_note"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(source: ExportSource) -> bytes:
    """The roadmap's initiatives as CSV bytes (UTF-8 with BOM, CRLF line ends)."""
    out = io.StringIO(newline="")
    writer = _csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in initiative_rows(source):
        writer.writerow(csv_row(row))
    return out.getvalue().encode(ENCODING)


def csv_row(row: InitiativeRow) -> list[str]:
    """The cells of one initiative, in COLUMNS order."""
    values = {name: _CELLS[name](row) for name in COLUMNS}
    return [_safe(name, _text(values[name])) for name in COLUMNS]


def _spec(name: str) -> Callable[[InitiativeRow], Any]:
    return lambda row: None if row.spec is None else getattr(row.spec, name)


_CELLS: dict[str, Callable[[InitiativeRow], Any]] = {
    **{name: _spec(name) for name in INITIATIVE_FIELDS},
    "key": lambda r: r.key,
    "title": lambda r: r.title,
    "plan": lambda r: r.plan,
    "reason": lambda r: r.reason,
    "start_phase": lambda r: r.start_phase,
    "start_label": lambda r: r.start_label,
    "start_date": lambda r: r.start_date,
    "go_live_phase": lambda r: r.go_live_phase,
    "go_live_label": lambda r: r.go_live_label,
    "go_live_date": lambda r: r.go_live_date,
    "realized_value": lambda r: r.realized_value,
    "strategic_score": lambda r: r.strategic_score,
    "uses": lambda r: None if r.spec is None else uses_text(dict(r.spec.uses)),
    "depends_on": lambda r: None if r.spec is None else keys_text(r.spec.depends_on),
    "excludes": lambda r: None if r.spec is None else keys_text(r.spec.excludes),
    "scores": lambda r: None if r.spec is None else uses_text(dict(r.spec.scores)),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _safe(name: str, text: str) -> str:
    if name in _TEXT and text.startswith(_FORMULA_START):
        return "'" + text
    return text
