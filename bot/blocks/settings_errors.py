"""Catalog validation errors about the planning settings, as messages under the fields
of the settings modal."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from bot.blocks.settings_fields import SECTIONS, B, section_of
from bot.blocks.text import ERROR_TEXT, truncate


def settings_errors_for(
    fields: Mapping[str, str], *, sections: Collection[str] = SECTIONS
) -> dict[str, str]:
    """Catalog `ValidationFailed.fields` (`calendar.phases` → message) as block_id → message.

    Problems that belong to no field shown go under the first field of the modal
    (the number of phases when the calendar is shown: a horizon too short is the usual
    cause).
    """
    shown = [name for name in B if section_of(name) in sections]
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
    section = section_of(name)
    firsts = {
        "calendar": "calendar.phases",
        "budget": "budget.per_phase",
        "capacity": "capacity",
        "policy": "policy.review",
        "objective": "objective",
        "stability": "stability",
    }
    guess = firsts.get(section)
    return guess if guess in shown else None
