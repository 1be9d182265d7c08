"""Reading a submitted planning settings modal into `catalog.services.update_settings`
changes: every section shown, or only those changed when the current settings are known."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks.inputs import State
from bot.blocks.settings_fields import B
from bot.errors import ModalErrors
from catalog.views import SettingsView
from planner.calendar import RRULE_EXAMPLES, calendar_problem, phases_of, rrule_problem
from planner.errors import ScenarioError
from planner.limits import MAX_CAPACITY, MAX_PHASES, read_whole
from planner.money import format_money, parse_money
from planner.portfolio import MAX_BLEND, OBJECTIVES, PHASE_KINDS, RESOURCE_RE, Calendar

_SPLIT_AMOUNTS = re.compile(r"\s*(?:[;\n]|,\s+)\s*")
#: The sign between an amount and how many phases it repeats for (`250k×12`), as typed:
#: ×, * or x, spaces around it allowed.
_RUN_SIGN = re.compile(r"\s*(?:[×*]|(?<=[0-9kKmMbB])\s*[xX](?=\s*[0-9]))\s*")
#: One amount written with thousands separators (`$1,234,567.5k`), run or not.
_ONE_AMOUNT = re.compile(r"^\$?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\s*[a-zA-Z]?(?:×[0-9]+)?$")
#: Equal amounts in a row written as one run by `format_amounts` (more than this many).
_RUN = 2
#: The most amounts a list may expand to: a typed run cannot allocate without bound.
_MOST_AMOUNTS = 10_000


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
    if state.has(B["objective"]):
        objective = state.choice(B["objective"]) or "value"
        if objective not in OBJECTIVES:
            errors[B["objective"]] = f"Choose one of {', '.join(OBJECTIVES)}."
        changes["objective"] = objective
        blend = read_blend(state.text(B["blend"]))
        if isinstance(blend, str):
            errors[B["blend"]] = blend
        else:
            changes["blend"] = blend
    if state.has(B["stability"]):
        changes["stability"] = state.choice(B["stability"]) or "normal"
    if errors:
        raise ModalErrors(errors)
    return _changed(changes, current) if current is not None else changes


def read_blend(typed: str) -> float | str:
    """The blend weight typed (empty: 1), or the message saying what to type."""
    if not typed:
        return 1.0
    if not re.fullmatch(r"[0-9]{1,6}(?:\.[0-9]{1,6})?|\.[0-9]{1,6}", typed):
        return f"Enter a number more than 0 and at most {MAX_BLEND:g}, e.g. 0.5."
    weight = float(typed)
    if not 0 < weight <= MAX_BLEND:
        return f"Enter a number more than 0 and at most {MAX_BLEND:g}, e.g. 0.5."
    return weight


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
    # ASCII digits only, at most MAX_PHASES: the cap of `plan phases=` and of portfolio
    # files (planner.limits).
    count = read_whole(phases)
    if count is None or not 1 <= count <= MAX_PHASES:
        errors[B["calendar.phases"]] = (
            f"Enter a whole number of phases from 1 to {MAX_PHASES} (the most a plan can have)."
        )
    else:
        out["phases"] = count
    out["fiscal_year_start"] = int(state.choice(B["calendar.fiscal_year_start"]) or 1)
    cal = _calendar(start, out, errors)
    labels = [p.label for p in phases_of(cal)] if cal is not None else []
    tollgates = state.text(B["calendar.tollgates"])
    if "FREQ=" in tollgates.upper():
        problem = rrule_problem(tollgates, cal)
        if problem is None:
            out["tollgates"] = tollgates
        else:
            errors[B["calendar.tollgates"]] = f"{_sentence(problem)} E.g. {RRULE_EXAMPLES}."
    else:
        gates = _phase_list(tollgates, labels, labels_before, B["calendar.tollgates"], errors)
        out["tollgates"] = gates or None
    out["freeze"] = _phase_list(
        state.text(B["calendar.freeze"]), labels, labels_before, B["calendar.freeze"], errors
    )
    return out


def _calendar(start: str | None, out: Mapping[str, Any], errors: dict[str, str]) -> Calendar | None:
    """The new calendar, once its start and phases are read; None (with an error under the
    field) when it cannot be planned: a start outside the years Townhall plans in, or
    phases past the year 9999 (`planner.calendar.calendar_problem`)."""
    if start is None or "phases" not in out or out["phase"] not in PHASE_KINDS:
        return None
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        errors[B["calendar.start"]] = "Choose the day the first phase starts."
        return None
    cal = Calendar(
        start=day,
        phases=out["phases"],
        phase=out["phase"],
        fiscal_year_start=out["fiscal_year_start"],
    )
    problem = calendar_problem(cal)
    if problem is None:
        return cal
    field, _, text = problem.partition(": ")
    errors[B[field] if field in B else B["calendar.phases"]] = _sentence(text)
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


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
    typed = ", ".join(t for t in (state.text(b) for b in per_phase_blocks(state)) if t)
    try:
        amounts = parse_amounts(typed, phases=phases) if typed else []
    except ScenarioError as exc:
        errors[B["budget.per_phase"]] = str(exc)
        amounts = []
    out["per_phase"] = None if not amounts else amounts[0] if len(amounts) == 1 else amounts
    total = state.text(B["budget.total"])
    try:
        out["total"] = parse_money(total) if total else None
    except ScenarioError as exc:
        errors[B["budget.total"]] = str(exc)
    return out


def per_phase_block(number: int) -> str:
    """The input block of the `number`th field of the per-phase budget list (1: the
    first, `B["budget.per_phase"]`; a list longer than one field continues in more)."""
    first = B["budget.per_phase"]
    return first if number == 1 else f"{first}_{number}"


def per_phase_blocks(state: State) -> list[str]:
    """The per-phase budget fields the submitted modal had, in order."""
    out = [per_phase_block(1)]
    while state.has(per_phase_block(len(out) + 1)):
        out.append(per_phase_block(len(out) + 1))
    return out


def format_amounts(amounts: Sequence[int]) -> str:
    """A per-phase budget list as the modal shows it and `parse_amounts` reads it back:
    `200k, 250k, 250k`, with a run of more than `_RUN` equal amounts written once with
    its length, `250k×12, 300k×12` (a 400-phase list fits in a field)."""
    parts: list[str] = []
    i = 0
    while i < len(amounts):
        j = i
        while j < len(amounts) and amounts[j] == amounts[i]:
            j += 1
        shown = format_money(amounts[i])
        parts += [f"{shown}×{j - i}"] if j - i > _RUN else [shown] * (j - i)
        i = j
    return ", ".join(parts)


def split_amounts(text: str, *, limit: int) -> list[str]:
    """`format_amounts` text cut at its commas into pieces of at most `limit` characters
    (one modal field each); the pieces joined with `, ` are the text again."""
    pieces: list[str] = []
    for part in text.split(", "):
        if pieces and len(pieces[-1]) + 2 + len(part) <= limit:
            pieces[-1] += ", " + part
        else:
            pieces.append(part)
    return pieces


def parse_amounts(text: str, *, phases: int | None = None) -> list[int]:
    """`250k` → [250000]; `200k, 250,000; 1.2M` → three amounts; `250k×12, 300k x 12`
    → twelve of each. With `phases`, more than one amount must be one for each phase.
    Raises ScenarioError saying what to type."""
    runs: list[tuple[int, int]] = []
    for piece in _SPLIT_AMOUNTS.split(_RUN_SIGN.sub("×", text.strip())):
        if not piece:
            continue
        try:
            runs.append(_run(piece))
        except ScenarioError:
            parts = [p for p in re.split(r"[,\s]+", piece) if p]
            if len(parts) < 2 or _ONE_AMOUNT.match(piece):
                raise  # `1,000,000,000,001` is one amount (refused as such), not five
            runs.extend(_run(p) for p in parts)
    count = sum(n for _, n in runs)
    if count > 1 and phases is not None and count != phases:
        raise ScenarioError(
            f"Give one amount, or one for each of the {phases} phases (got {count})."
        )
    if count > _MOST_AMOUNTS:
        raise ScenarioError(
            f"{count} amounts is more than a calendar has phases: give at most "
            f"{_MOST_AMOUNTS}, one for each phase."
        )
    return [amount for amount, n in runs for _ in range(n)]


def _run(piece: str) -> tuple[int, int]:
    """`250k` → (250000, 1); `250k×12` → (250000, 12). Raises ScenarioError."""
    amount, sign, times = piece.rpartition("×")
    if not sign:
        return parse_money(piece), 1
    if not re.fullmatch(r"[0-9]+", times.strip()):
        raise ScenarioError(
            f"'{piece}': after × comes a whole number of phases, e.g. 250k×12 for twelve "
            "phases of 250k."
        )
    count = int(times)
    if count < 1:
        raise ScenarioError(f"'{piece}': repeat an amount at least once, e.g. 250k×12.")
    if count > _MOST_AMOUNTS:
        raise ScenarioError(
            f"'{piece}': a calendar has at most {_MOST_AMOUNTS} phases to repeat an amount for."
        )
    return parse_money(amount.strip()), count


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
    numbers = [read_whole(v) for v in values]
    if any(n is None for n in numbers):
        return f"{name}: capacities are whole numbers of 0 or more, e.g. {name}: 4."
    if any(n is not None and n > MAX_CAPACITY for n in numbers):
        return f"{name}: a capacity is at most {MAX_CAPACITY:,}."
    if len(values) > MAX_PHASES:
        return f"{name}: give one number, or one for each phase (at most {MAX_PHASES})."
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
            "per_phase": _per_phase_as_read(per_phase),
            "total": current.budget.total,
        },
        "capacity": {
            k: list(v) if isinstance(v, tuple) else v for k, v in current.capacity.items()
        },
        "policy": {"review": list(current.policy.review), "forbid": list(current.policy.forbid)},
        "objective": current.objective,
        "blend": current.blend,
        "stability": current.stability,
    }


def _per_phase_as_read(per_phase: int | tuple[int, ...] | None) -> int | list[int] | None:
    """The per-phase budget as `_read_budget` reads the modal it filled in (one amount
    for one phase reads back as that amount)."""
    if not isinstance(per_phase, tuple):
        return per_phase
    return per_phase[0] if len(per_phase) == 1 else list(per_phase)


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
