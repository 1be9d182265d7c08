"""The planning settings modal (calendar, budget, capacities, security policy).

Reading its submission lives in `bot.blocks.settings_submission`, and mapping catalog
errors onto its fields in `bot.blocks.settings_errors`; both are re-exported here, as
are the shared `SECTIONS` and `POLICY_RULES` of `bot.blocks.settings_fields`.
"""

from __future__ import annotations

import calendar as months
from collections.abc import Collection
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, header
from bot.blocks.inputs import (
    date_input,
    input_block,
    modal,
    multi_select,
    number_input,
    select,
    text_input,
)
from bot.blocks.settings_errors import settings_errors_for
from bot.blocks.settings_fields import (
    OBJECTIVE_LABELS,
    PHASE_LABELS,
    POLICY_RULES,
    SECTIONS,
    STABILITY_LABELS,
    B,
    section_of,
)
from bot.blocks.settings_submission import (
    format_amounts,
    parse_amounts,
    per_phase_block,
    read_settings_submission,
    split_amounts,
)
from bot.blocks.text import INPUT_MAX_LENGTH
from catalog.views import SettingsView
from planner.calendar import phases_of
from planner.money import format_money
from planner.portfolio import MAX_BLEND, MAX_NAME_LENGTH, PHASE_KINDS, Calendar

__all__ = [
    "POLICY_RULES",
    "SECTIONS",
    "parse_amounts",
    "read_settings_submission",
    "settings_errors_for",
    "settings_modal",
]


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
    sections = {section_of(s) for s in sections}  # `blend` is shown with the objective
    unknown = sections - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown settings sections: {', '.join(sorted(unknown))}")
    blocks: list[Block] = []
    if "name" in sections:
        blocks.append(
            input_block(
                "Plan name",
                text_input(initial=settings.name if settings else None, max_length=MAX_NAME_LENGTH),
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
    if "objective" in sections:
        blocks += _objective_blocks(settings)
    if "stability" in sections:
        blocks.append(
            input_block(
                "Stability against the published roadmap",
                select(
                    list(STABILITY_LABELS.items()),
                    initial=settings.stability if settings else "normal",
                ),
                block_id=B["stability"],
                hint="How firmly a plan keeps to the published roadmap (plan stability=… "
                "sets it for one plan): each phase a published initiative moves costs the "
                "weight; dropping one costs the horizon + 1 phases, more than any move.",
            )
        )
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
                [(k, PHASE_LABELS.get(k, k)) for k in PHASE_KINDS],
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
        shown = format_amounts(per_phase)
    else:
        shown = None if per_phase is None else format_money(per_phase)
    # a list longer than one field (Slack's 3,000 characters) continues in the next
    # fields, which the reader joins again: saved as opened, nothing changes
    pieces = split_amounts(shown, limit=INPUT_MAX_LENGTH) if shown else [None]
    blocks = [
        header("Budget"),
        input_block(
            "Budget per phase",
            text_input(initial=pieces[0], placeholder="250k — or one per phase: 200k, 250k, 300k"),
            block_id=per_phase_block(1),
            optional=True,
            hint="One amount for every phase, or one per phase separated by commas; "
            "250k×12 repeats 250k for twelve phases. Empty: unlimited.",
        ),
    ]
    blocks += [
        input_block(
            "Budget per phase (continued)",
            text_input(initial=piece),
            block_id=per_phase_block(number),
            optional=True,
            hint="The list above goes on here.",
        )
        for number, piece in enumerate(pieces[1:], start=2)
    ]
    blocks.append(
        input_block(
            "Total budget",
            text_input(initial=None if total is None else format_money(total), placeholder="1.8M"),
            block_id=B["budget.total"],
            optional=True,
            hint="Across all phases. Empty: no total limit.",
        )
    )
    return blocks


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


def _objective_blocks(settings: SettingsView | None) -> list[Block]:
    objective = settings.objective if settings else "value"
    blend = settings.blend if settings else 1.0
    return [
        header("Objective"),
        input_block(
            "What the plan maximizes",
            select(list(OBJECTIVE_LABELS.items()), initial=objective),
            block_id=B["objective"],
            hint="Every budget, capacity, dependency and policy rule holds whatever is chosen.",
        ),
        input_block(
            "Weight of the strategic score in the blend",
            number_input(initial=blend, maximum=MAX_BLEND, decimal=True),
            block_id=B["blend"],
            optional=True,
            hint=(
                "For the blend: value ÷ the largest value per phase, plus this weight × the "
                f"strategic score ÷ 5. More than 0 and at most {MAX_BLEND:g}; 1 weighs them "
                "alike. Empty: 1."
            ),
        ),
    ]
