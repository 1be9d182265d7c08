"""What the planning settings modal asks: its sections in order, the block of each
field, and the choices it offers. The builder (`settings_modal`) and the readers
(`settings_submission`, `settings_errors`) share these."""

from __future__ import annotations

from bot.blocks import ids
from planner.portfolio import DATA_CLASSES, HOSTINGS, OBJECTIVES
from planner.stability import STABILITY_LEVELS

#: Input block of each setting, by its dotted portfolio name (`calendar.phases`).
B = ids.SETTINGS_BLOCKS
#: The settings sections, in the order the modal shows them.
SECTIONS = ("name", "calendar", "budget", "capacity", "policy", "objective", "stability")
#: How the modal names each phase length.
PHASE_LABELS = {"quarter": "Quarters", "month": "Months", "sprint": "Sprints (two weeks)"}
#: How the modal names each objective a plan may maximize (`planner.goal`), in the
#: order of `OBJECTIVES`.
OBJECTIVE_LABELS = {
    name: {
        "value": "Money value (value per live phase)",
        "strategic": "Strategic score (impact on the weighted business drivers)",
        "blend": "Blend: money value plus a weight × strategic score",
    }.get(name, name)
    for name in OBJECTIVES
}
#: How the modal names each stability level (`planner.stability`), in their order.
STABILITY_LABELS = {
    name: {
        "low": "Low: the published roadmap gives way sooner to value (½ × weight)",
        "normal": "Normal: the default weight",
        "high": "High: it holds unless moving gains 4 × as much",
        "off": "Off: plan as if nothing was published",
    }.get(name, name)
    for name in STABILITY_LEVELS
}
_CONDITIONS = ("personal_data", *DATA_CLASSES)
#: Every policy rule: a hosting, a data condition, or both (`saas_personal_data`).
POLICY_RULES = (
    *HOSTINGS,
    *_CONDITIONS,
    *(f"{h}_{c}" for h in HOSTINGS for c in _CONDITIONS),
)


def section_of(name: str) -> str:
    """The section a setting (`calendar.phases`, `blend`) is shown and saved in."""
    head = name.split(".")[0]
    return "objective" if head == "blend" else head
