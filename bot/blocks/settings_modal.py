"""The planning settings modal (calendar, budget, capacities, security policy), and the
reading of its submission into `catalog.services.update_settings` changes."""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dateutil.rrule import rrulestr

from bot.blocks import ids
from bot.blocks.elements import Block, header
from bot.blocks.inputs import (
    State,
    date_input,
    input_block,
    modal,
    multi_select,
    number_input,
    select,
    text_input,
)
from bot.blocks.text import ERROR_TEXT, truncate
from bot.errors import ModalErrors
from catalog.views import SettingsView
from planner.calendar import phases_of
from planner.errors import ScenarioError
from planner.money import format_money, parse_money
from planner.portfolio import (
    DATA_CLASSES,
    HOSTINGS,
    PHASE_KINDS,
    RESOURCE_RE,
    Calendar,
)

B = ids.SETTINGS_BLOCKS
#: The settings sections, in the order the modal shows them.
SECTIONS = ("name", "calendar", "budget", "capacity", "policy")
_PHASE_LABELS = {"quarter": "Quarters", "month": "Months", "sprint": "Sprints (two weeks)"}
_CONDITIONS = ("personal_data", *DATA_CLASSES)
#: Every policy rule: a hosting, a data condition, or both (`saas_personal_data`).
POLICY_RULES = (
    *HOSTINGS,
    *_CONDITIONS,
    *(f"{h}_{c}" for h in HOSTINGS for c in _CONDITIONS),
)
_SPLIT_AMOUNTS = re.compile(r"\s*(?:[;\n]|,\s+)\s*")


def settings_modal(
    *,
    settings: SettingsView | None = None,
    private_metadata: str,
    sections: Collection[str] = SECTIONS,
) -> dict[str, Any]:
    """The planning settings modal, filled in from `settings`.

    `sections` are the parts shown, e.g. only those the viewer may change (the calendar,
    budget and capacity are the PMO's, the policy the security officer's).
    """
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown settings sections: {', '.join(sorted(unknown))}")
    blocks: list[Block] = []
    if "name" in sections:
        blocks.append(
            input_block(
                "Plan name",
                text_input(initial=settings.name if settings else None, max_length=120),
                block_id=B["name"],
            )
        )
    if "calendar" in sections:
        blocks += _calendar_blocks(settings.calendar if settings else None)
    if "budget" in sections:
        blocks += _budget_blocks(settings)
    if "capacity" in sections:
        blocks += _capacity_blocks(settings)
    if "policy" in sections:
        blocks += _policy_blocks(settings)
    return modal(
        title="Planning settings",
        callback_id=ids.SETTINGS_MODAL,
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _phase_refs(value: tuple[int, ...] | str | None, cal: Calendar | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    labels = [p.label for p in phases_of(cal)] if cal else []
    return ", ".join(labels[i] if i < len(labels) else str(i) for i in value)


def _calendar_blocks(cal: Calendar | None) -> list[Block]:
    month_choices = [(str(m), months.month_name[m]) for m in range(1, 13)]
    return [
        header("Calendar"),
        input_block(
            "First phase starts on",
            date_input(initial=cal.start if cal else None),
            block_id=B["calendar.start"],
        ),
        input_block(
            "Phase length",
            select(
                [(k, _PHASE_LABELS.get(k, k)) for k in PHASE_KINDS],
                initial=cal.phase if cal else "quarter",
            ),
            block_id=B["calendar.phase"],
        ),
        input_block(
            "Number of phases",
            number_input(initial=cal.phases if cal else 8, minimum=1, maximum=520),
            block_id=B["calendar.phases"],
        ),
        input_block(
            "Fiscal year starts in",
            select(month_choices, initial=str(cal.fiscal_year_start if cal else 1)),
            block_id=B["calendar.fiscal_year_start"],
        ),
        input_block(
            "Tollgates (waterfall starts)",
            text_input(
                initial=_phase_refs(cal.tollgates, cal) if cal else None,
                placeholder="2027Q1, 2027Q3 — or FREQ=MONTHLY;INTERVAL=6",
            ),
            block_id=B["calendar.tollgates"],
            optional=True,
            hint="Phase labels or numbers (0 is the first), or an RRULE. Empty: every phase.",
        ),
        input_block(
            "Freeze (no go-live)",
            text_input(
                initial=_phase_refs(cal.freeze, cal) if cal and cal.freeze else None,
                placeholder="2027Q4",
            ),
            block_id=B["calendar.freeze"],
            optional=True,
            hint="Phase labels or numbers. Empty: no freeze.",
        ),
    ]


def _budget_blocks(settings: SettingsView | None) -> list[Block]:
    per_phase = settings.budget.per_phase if settings else None
    total = settings.budget.total if settings else None
    if isinstance(per_phase, tuple):
        shown = ", ".join(format_money(v) for v in per_phase)
    else:
        shown = None if per_phase is None else format_money(per_phase)
    return [
        header("Budget"),
        input_block(
            "Budget per phase",
            text_input(initial=shown, placeholder="250k — or one per phase: 200k, 250k, 300k"),
            block_id=B["budget.per_phase"],
            optional=True,
            hint="One amount for every phase, or one per phase separated by commas. "
            "Empty: unlimited.",
        ),
        input_block(
            "Total budget",
            text_input(initial=None if total is None else format_money(total), placeholder="1.8M"),
            block_id=B["budget.total"],
            optional=True,
            hint="Across all phases. Empty: no total limit.",
        ),
    ]


def _capacity_blocks(settings: SettingsView | None) -> list[Block]:
    lines = []
    for name, value in (settings.capacity if settings else {}).items():
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        lines.append(f"{name}: {shown}")
    return [
        header("Capacity"),
        input_block(
            "Capacity per phase",
            text_input(
                initial="\n".join(lines) or None,
                multiline=True,
                placeholder="security_reviews: 2\nintegration: 8\nagile_teams: 3",
            ),
            block_id=B["capacity"],
            optional=True,
            hint="One resource per line: a number for every phase, or one per phase "
            "separated by commas. Built-ins: security_reviews, integration, agile_teams, "
            "waterfall_programs. A resource not listed is unlimited.",
        ),
    ]


def _policy_blocks(settings: SettingsView | None) -> list[Block]:
    choices = [(rule, rule.replace("_", " ")) for rule in POLICY_RULES]
    policy = settings.policy if settings else None
    return [
        header("Security policy"),
        input_block(
            "Needs a security review",
            multi_select(choices, initial=policy.review if policy else ()),
            block_id=B["policy.review"],
            optional=True,
        ),
        input_block(
            "Forbidden (never scheduled)",
            multi_select(choices, initial=policy.forbid if policy else ()),
            block_id=B["policy.forbid"],
            optional=True,
            hint="A passed security review counts as an approved exception.",
        ),
    ]


# --------------------------------------------------------------------------- reading


def read_settings_submission(
    state_values: Mapping[str, Mapping[str, Any]], *, current: SettingsView | None = None
) -> dict[str, Any]:
    """The `changes` for `update_settings` from a submitted settings modal.

    Only sections shown in the modal are read. With `current`, sections left as they
    were are omitted (so nobody needs a role for a part they did not touch) and
    resources taken off the capacity list are removed. Raises ModalErrors.
    """
    state = State(state_values)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if state.has(B["name"]):
        name = state.text(B["name"])
        if not name:
            errors[B["name"]] = "Give the plan a name."
        changes["name"] = name
    if state.has(B["calendar.start"]):
        before = [p.label for p in phases_of(current.calendar)] if current else []
        changes["calendar"] = _read_calendar(state, errors, labels_before=before)
    if state.has(B["budget.per_phase"]):
        phases = (changes.get("calendar") or {}).get("phases") or (
            current.calendar.phases if current else None
        )
        changes["budget"] = _read_budget(state, errors, phases=phases)
    if state.has(B["capacity"]):
        changes["capacity"] = _read_capacity(state, errors)
    if state.has(B["policy.review"]):
        changes["policy"] = {
            "review": state.choices(B["policy.review"]),
            "forbid": state.choices(B["policy.forbid"]),
        }
    if errors:
        raise ModalErrors(errors)
    return _changed(changes, current) if current is not None else changes


def _read_calendar(
    state: State, errors: dict[str, str], *, labels_before: Sequence[str]
) -> dict[str, Any]:
    """The calendar section; phase labels are read against the new calendar first, then
    against the one before (the labels the modal was filled in with)."""
    out: dict[str, Any] = {}
    start = state.date(B["calendar.start"])
    if start is None:
        errors[B["calendar.start"]] = "Choose the day the first phase starts."
    out["start"] = start
    out["phase"] = state.choice(B["calendar.phase"]) or "quarter"
    phases = state.text(B["calendar.phases"])
    if not phases.isdigit() or int(phases) < 1:
        errors[B["calendar.phases"]] = "Enter a whole number of phases, 1 or more."
    else:
        out["phases"] = int(phases)
    out["fiscal_year_start"] = int(state.choice(B["calendar.fiscal_year_start"]) or 1)
    labels: list[str] = []
    if start is not None and "phases" in out and out["phase"] in PHASE_KINDS:
        cal = Calendar(
            start=dt.date.fromisoformat(start),
            phases=out["phases"],
            phase=out["phase"],
            fiscal_year_start=out["fiscal_year_start"],
        )
        labels = [p.label for p in phases_of(cal)]
    tollgates = state.text(B["calendar.tollgates"])
    if "FREQ=" in tollgates.upper():
        try:
            rrulestr(tollgates, dtstart=dt.datetime(2000, 1, 1))
            out["tollgates"] = tollgates
        except (ValueError, TypeError) as exc:
            errors[B["calendar.tollgates"]] = f"Cannot read this RRULE: {exc}."
    else:
        gates = _phase_list(tollgates, labels, labels_before, B["calendar.tollgates"], errors)
        out["tollgates"] = gates or None
    out["freeze"] = _phase_list(
        state.text(B["calendar.freeze"]), labels, labels_before, B["calendar.freeze"], errors
    )
    return out


def _phase_list(
    text: str,
    labels: Sequence[str],
    labels_before: Sequence[str],
    block: str,
    errors: dict[str, str],
) -> list[int]:
    """`2027Q1, 2027Q3` or `0, 2` → [0, 2]."""
    index = {label.upper(): i for i, label in enumerate(labels_before)}
    index.update({label.upper(): i for i, label in enumerate(labels)})
    out: set[int] = set()
    for token in re.split(r"[,;\s]+", text.strip()):
        if not token:
            continue
        number = index.get(token.upper())
        if number is None and token.isdigit():
            number = int(token)
        if number is None or (labels and number >= len(labels)):
            errors[block] = f"'{token}' is not a phase of the calendar{_known(labels)}."
            return []
        out.add(number)
    return sorted(out)


def _known(labels: Sequence[str]) -> str:
    if not labels:
        return ""
    if len(labels) == 1:
        return f", which has one phase: {labels[0]} (or 0)"
    return (
        f", which has {len(labels)} phases: {labels[0]} … {labels[-1]} (or 0 … {len(labels) - 1})"
    )


def _read_budget(state: State, errors: dict[str, str], *, phases: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    typed = state.text(B["budget.per_phase"])
    try:
        amounts = parse_amounts(typed) if typed else []
    except ScenarioError as exc:
        errors[B["budget.per_phase"]] = str(exc)
        amounts = []
    if len(amounts) > 1 and phases is not None and len(amounts) != phases:
        errors[B["budget.per_phase"]] = (
            f"Give one amount, or one for each of the {phases} phases (got {len(amounts)})."
        )
    out["per_phase"] = None if not amounts else amounts[0] if len(amounts) == 1 else amounts
    total = state.text(B["budget.total"])
    try:
        out["total"] = parse_money(total) if total else None
    except ScenarioError as exc:
        errors[B["budget.total"]] = str(exc)
    return out


def parse_amounts(text: str) -> list[int]:
    """`250k` → [250000]; `200k, 250,000; 1.2M` → three amounts. Raises ScenarioError."""
    out: list[int] = []
    for piece in _SPLIT_AMOUNTS.split(text.strip()):
        if not piece:
            continue
        try:
            out.append(parse_money(piece))
        except ScenarioError:
            parts = [p for p in re.split(r"[,\s]+", piece) if p]
            if len(parts) < 2:
                raise
            out.extend(parse_money(p) for p in parts)
    return out


def _read_capacity(state: State, errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, line in enumerate(state.text(B["capacity"]).splitlines(), start=1):
        if not line.strip():
            continue
        name, rest = _split_line(line)
        problem = _capacity_problem(name, rest, out)
        if problem:
            errors[B["capacity"]] = f"Line {number}: {problem}"
            break
        values = [int(v) for v in re.split(r"[,\s]+", rest.strip()) if v]
        out[name] = values[0] if len(values) == 1 else values
    return out


def _split_line(line: str) -> tuple[str, str]:
    """`integration: 4, 4, 6` → ("integration", "4, 4, 6"); `:` or `=` may be left out."""
    m = re.match(r"^\s*([^:=\s]+)\s*[:=]?\s*(.*)$", line)
    if m is None:  # pragma: no cover - the pattern matches any non-blank line
        return line, ""
    return m[1].lower(), m[2]


def _capacity_problem(name: str, rest: str, seen: Mapping[str, Any]) -> str | None:
    if not RESOURCE_RE.match(name):
        return f"'{name}' is not a resource name (e.g. integration)."
    if name in seen:
        return f"{name} is listed twice."
    values = [v for v in re.split(r"[,\s]+", rest.strip()) if v]
    if not values:
        return f"say how many {name} each phase has, e.g. {name}: 4."
    if not all(v.isdigit() for v in values):
        return f"{name}: capacities are whole numbers of 0 or more, e.g. {name}: 4."
    return None


def _current_sections(current: SettingsView) -> dict[str, Any]:
    cal = current.calendar
    per_phase = current.budget.per_phase
    return {
        "name": current.name,
        "calendar": {
            "start": cal.start.isoformat(),
            "phase": cal.phase,
            "phases": cal.phases,
            "fiscal_year_start": cal.fiscal_year_start,
            "tollgates": list(cal.tollgates) if isinstance(cal.tollgates, tuple) else cal.tollgates,
            "freeze": list(cal.freeze),
        },
        "budget": {
            "per_phase": list(per_phase) if isinstance(per_phase, tuple) else per_phase,
            "total": current.budget.total,
        },
        "capacity": {
            k: list(v) if isinstance(v, tuple) else v for k, v in current.capacity.items()
        },
        "policy": {"review": list(current.policy.review), "forbid": list(current.policy.forbid)},
    }


def _changed(changes: dict[str, Any], current: SettingsView) -> dict[str, Any]:
    before = _current_sections(current)
    out: dict[str, Any] = {}
    for section, value in changes.items():
        old = before[section]
        if section == "policy":
            same = {k: sorted(v) for k, v in value.items()} == {
                k: sorted(v) for k, v in old.items()
            }
        else:
            same = value == old
        if same:
            continue
        if section == "capacity":
            value = {**dict.fromkeys(old), **value}  # None removes a resource
        out[section] = value
    return out


def settings_errors_for(
    fields: Mapping[str, str], *, sections: Collection[str] = SECTIONS
) -> dict[str, str]:
    """Catalog `ValidationFailed.fields` (`calendar.phases` → message) as block_id → message.

    Problems that belong to no field shown go under the first field of the modal
    (the number of phases when the calendar is shown: a horizon too short is the usual
    cause).
    """
    shown = [name for name in B if name.split(".")[0] in sections]
    if not shown:
        raise ValueError("the modal shows no section")
    fallback = "calendar.phases" if "calendar" in sections else shown[0]
    out: dict[str, list[str]] = {}
    for name, message in fields.items():
        target = _settings_field(name, shown) or fallback
        text = message if name in (target, "__all__") else f"{name}: {message}"
        out.setdefault(B[target], []).append(text)
    return {block: truncate("; ".join(texts), ERROR_TEXT) for block, texts in out.items()}


def _settings_field(name: str, shown: Sequence[str]) -> str | None:
    if name in shown:
        return name
    section = name.split(".")[0]
    firsts = {
        "calendar": "calendar.phases",
        "budget": "budget.per_phase",
        "capacity": "capacity",
        "policy": "policy.review",
    }
    guess = firsts.get(section)
    return guess if guess in shown else None
