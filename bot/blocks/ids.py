"""Every action_id, callback_id and modal block_id, and how button values are packed.

Builders and listeners both import from here, so a renamed id cannot split them.
"""

from __future__ import annotations

from planner.portfolio import INITIATIVE_FIELDS

# --------------------------------------------------------------------------- roadmap actions
PUBLISH_ROADMAP = "roadmap_publish"
EXPLAIN_INITIATIVE = "roadmap_explain"
EXPORT_ROADMAP = "roadmap_export"

# --------------------------------------------------------------------------- initiative actions
APPROVE = "initiative_approve"
REJECT = "initiative_reject"
REQUEST_CHANGES = "initiative_request_changes"
EDIT_INITIATIVE = "initiative_edit"
WITHDRAW = "initiative_withdraw"
SHOW_INITIATIVE = "initiative_show"
REVIEW_PASSED = "review_passed"
REVIEW_CONDITIONS = "review_conditions"
REVIEW_FAILED = "review_failed"

# --------------------------------------------------------------------------- home actions
PROPOSE = "home_propose"
OPEN_SETTINGS = "home_settings"

# --------------------------------------------------------------------------- business drivers
#: Opens the judgment form (all pairs); on the drivers view.
OPEN_WEIGH = "drivers_weigh"
#: Opens the form to add, rename, describe and retire drivers (admins).
MANAGE_DRIVERS = "drivers_manage"
#: Opens the judgment form for one pair: the inconsistency hint's Revise button.
REVISE_JUDGMENT = "drivers_revise"

#: Action ids of the buttons `initiative_blocks` can show, by the name callers use.
INITIATIVE_ACTIONS: dict[str, str] = {
    "approve": APPROVE,
    "reject": REJECT,
    "request_changes": REQUEST_CHANGES,
    "edit": EDIT_INITIATIVE,
    "withdraw": WITHDRAW,
    "review_passed": REVIEW_PASSED,
    "review_conditions": REVIEW_CONDITIONS,
    "review_failed": REVIEW_FAILED,
}

# --------------------------------------------------------------------------- shortcuts
#: The message shortcut "Propose as initiative" (declared in manifest.yaml).
PROPOSE_FROM_MESSAGE = "propose_from_message"

# --------------------------------------------------------------------------- modals
INITIATIVE_MODAL = "initiative_modal"
SETTINGS_MODAL = "settings_modal"
REASON_MODAL = "reason_modal"
WEIGH_MODAL = "weigh_modal"
DRIVERS_MODAL = "drivers_modal"
#: The reason modal asking for a security review's note (conditions, failed).
REVIEW_MODAL = "review_modal"

#: The action_id of the single element inside every modal input block.
INPUT = "value"

#: Fields the initiative form does not ask for: the workflow sets these (decisions,
#: security reviews) and `pin KEY PHASE` the pin.
_NOT_IN_FORM = ("status", "proposer", "review", "review_note", "pin", "scores")

#: Input block of each initiative field the form asks for, by catalog field name
#: (planner.portfolio.INITIATIVE_FIELDS less _NOT_IN_FORM).
INITIATIVE_BLOCKS: dict[str, str] = {
    name: f"initiative_{name}" for name in INITIATIVE_FIELDS if name not in _NOT_IN_FORM
}

#: Input block of each planning setting, by its dotted portfolio name.
SETTINGS_BLOCKS: dict[str, str] = {
    name: "settings_" + name.replace(".", "_")
    for name in (
        "name",
        "calendar.start",
        "calendar.phase",
        "calendar.phases",
        "calendar.fiscal_year_start",
        "calendar.tollgates",
        "calendar.freeze",
        "budget.per_phase",
        "budget.total",
        "capacity",
        "policy.review",
        "policy.forbid",
        "objective",
        "blend",
        "stability",
    )
}

#: Input block of the reason asked for by the reason modal.
REASON_BLOCK = "decision_reason"

_SEP = "|"

#: The initiative form asks one impact score per business driver: block `initiative_score_KEY`.
SCORE_BLOCK_PREFIX = "initiative_score_"
#: The judgment form asks each pair of drivers in block `pair|A|B` (keys hold no `|`).
PAIR_BLOCK_PREFIX = "pair|"
#: The drivers form: block `driver|KEY|FIELD` for an existing driver (name, description,
#: retire), `new|N|FIELD` for the Nth new one (key, name, description).
DRIVER_BLOCK_PREFIX = "driver|"
NEW_DRIVER_BLOCK_PREFIX = "new|"


def score_block(driver: str) -> str:
    """The input block of one driver's impact score in the initiative form."""
    return f"{SCORE_BLOCK_PREFIX}{driver}"


def pair_block(a: str, b: str) -> str:
    """The input block of the judgment of driver `a` against `b`: `pair|engage|secure`."""
    return f"{PAIR_BLOCK_PREFIX}{a}{_SEP}{b}"


def read_pair_block(block_id: str) -> tuple[str, str] | None:
    """`pair|engage|secure` → ("engage", "secure"); None for any other block."""
    if not block_id.startswith(PAIR_BLOCK_PREFIX):
        return None
    a, sep, b = block_id[len(PAIR_BLOCK_PREFIX) :].partition(_SEP)
    return (a, b) if sep and a and b and _SEP not in b else None


def pair_value(a: str, b: str) -> str:
    """The value of a Revise button: the pair it revises, `engage|secure`."""
    return f"{a}{_SEP}{b}"


def read_pair_value(value: str) -> tuple[str, str]:
    """`engage|secure` → ("engage", "secure"); raise ValueError for anything else."""
    a, sep, b = value.partition(_SEP)
    if not sep or not a or not b or _SEP in b:
        raise ValueError(f"not a pair of drivers: {value!r}")
    return a, b


def initiative_value(key: str, version: int) -> str:
    """The value of a button acting on one version of an initiative: `SSO|3`."""
    return f"{key}{_SEP}{version}"


def read_initiative_value(value: str) -> tuple[str, int]:
    """`SSO|3` → ("SSO", 3); raise ValueError for anything else."""
    key, sep, version = value.partition(_SEP)
    if not sep or not key or not version.isdigit():
        raise ValueError(f"not an initiative reference: {value!r}")
    return key, int(version)


def roadmap_value(roadmap_id: int | None, item: str = "") -> str:
    """The value of a roadmap button or option: `12`, `12|SSO`, `|json` (no stored id)."""
    head = "" if roadmap_id is None else str(roadmap_id)
    return f"{head}{_SEP}{item}" if item else head


def read_roadmap_value(value: str) -> tuple[int | None, str]:
    """`12|SSO` → (12, "SSO"); `|json` → (None, "json"); raise ValueError for anything else."""
    head, _, item = value.partition(_SEP)
    if head and not head.isdigit():
        raise ValueError(f"not a roadmap reference: {value!r}")
    return (int(head) if head else None), item
