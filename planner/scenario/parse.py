"""Reading what-if text into transforms (`parse_whatif`) and writing them back (`describe`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from planner.errors import ScenarioError
from planner.limits import MAX_CAPACITY, MAX_PERCENT, MAX_PHASES, read_whole
from planner.money import MONEY_EXAMPLES, AmountTooLarge, parse_money
from planner.portfolio import KEY_RE
from planner.scenario.draft import Change, PhaseRef, Transform
from planner.scenario.transforms import (
    BudgetChange,
    CapacityChange,
    PhaseCountChange,
    Pin,
    TotalBudgetChange,
    Unpin,
    With,
    Without,
)

_SPLIT_RE = re.compile(r"\s*(?:;|,(?!\d{3})|\s+and\s+|\n)\s*", re.IGNORECASE)
_PHASE_TAIL = r"(?:\s+(?:in|for|at|during)\s+(?P<phase>\S+))?"
_TOTAL_RE = re.compile(r"^(?:total\s*budget|budget\s*total|total)\s*(?P<rest>.*)$", re.I)
_BUDGET_RE = re.compile(rf"^budget\s*(?P<rest>.*?){_PHASE_TAIL}$", re.I)
_CAPACITY_RE = re.compile(
    rf"^(?:capacity|cap)\s+(?P<res>[A-Za-z][\w-]*)\s*(?P<rest>.*?){_PHASE_TAIL}$", re.I
)
_WITHOUT_RE = re.compile(r"^(?:without|drop|exclude)\s+(?P<key>.+)$", re.I)
_WITH_RE = re.compile(r"^(?:with|add|include)\s+(?P<key>.+)$", re.I)
_PIN_RE = re.compile(r"^pin\s+(?P<key>\S+)\s+(?:(?:to|at|in)\s+)?(?P<phase>\S+)$", re.I)
_UNPIN_RE = re.compile(r"^unpin\s+(?P<key>.+)$", re.I)
_PHASES_RE = re.compile(r"^(?:phases|horizon)\s*(?P<rest>.*)$", re.I)
_CHANGE_RE = re.compile(r"^(?P<op>[=+-])\s*(?P<sign>[+-])?\s*(?P<value>.+)$")
_PERCENT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")

WHATIF_HELP = (
    "budget-20%, budget+10%, budget=1.2M, total=1.8M, capacity integration=+2, "
    "without KEY, with KEY, pin KEY PHASE, unpin KEY, phases+2"
)
#: What each budget what-if changes (`help whatif` says it; see `BudgetChange`).
BUDGET_HELP = (
    "`budget-20%` (a percentage) changes every phase's budget and the total budget; "
    "`budget+250k` or `budget=1.2M` (an amount) changes every phase's budget and leaves "
    "the total; `… in 2027Q3` changes that phase's budget only; `total-10%` or "
    "`total=1.8M` changes the total budget alone"
)


def parse_whatif(text: str) -> list[Transform]:
    """Read what-ifs typed by a user, e.g. `budget-20% and without SOC-7`.

    Raises ScenarioError naming the part that cannot be read and what was expected.
    Keys, resources and phases are checked later, by `apply`, against the plan.
    """
    normalized = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-")
    parts = [p.strip() for p in _SPLIT_RE.split(normalized.strip())]
    parts = [p for p in parts if p]
    if not parts:
        raise ScenarioError(f"no what-if given: expected e.g. {WHATIF_HELP}")
    return [_parse_part(part) for part in parts]


def _parse_part(part: str) -> Transform:
    part = re.sub(r"\s+", " ", part)
    if m := _TOTAL_RE.match(part):
        change = _change(part, m["rest"], money=True, expected="total-10% or total=1.8M")
        return TotalBudgetChange(change)
    if m := _BUDGET_RE.match(part):
        change = _change(
            part,
            m["rest"],
            money=True,
            expected="budget-20%, budget+10%, budget=1.2M or budget+250k",
        )
        return BudgetChange(change, _phase_ref(part, m["phase"]))
    if m := _CAPACITY_RE.match(part):
        resource = m["res"].lower().replace("-", "_")
        change = _change(
            part,
            m["rest"],
            money=False,
            expected=f"capacity {resource}=+2, capacity {resource}=-1 or capacity {resource}=5",
            most=MAX_CAPACITY,
        )
        return CapacityChange(resource, change, _phase_ref(part, m["phase"]))
    if m := _UNPIN_RE.match(part):
        return Unpin(_key(part, m["key"]))
    if m := _PIN_RE.match(part):
        phase = _phase_ref(part, m["phase"])
        assert phase is not None
        return Pin(_key(part, m["key"]), phase)
    if re.match(r"^pin\b", part, re.I):
        raise ScenarioError(f"'{part}': expected pin KEY PHASE, e.g. pin SOC-7 2027Q3")
    if m := _WITHOUT_RE.match(part):
        return Without(_key(part, m["key"]))
    if m := _WITH_RE.match(part):
        return With(_key(part, m["key"]))
    if m := _PHASES_RE.match(part):
        change = _change(
            part, m["rest"], money=False, expected="phases+2 or phases=10", most=MAX_PHASES
        )
        if change.op == "scale":
            raise ScenarioError(f"'{part}': expected a number of phases, e.g. phases+2")
        return PhaseCountChange(change)
    raise ScenarioError(f"'{part}' is not a what-if I know: expected one of {WHATIF_HELP}")


def _change(part: str, rest: str, *, money: bool, expected: str, most: int = 0) -> Change:
    """The change a part states: `-20%`, `=1.2M`, `+2`. Amounts of money read with
    `parse_money`; other numbers are ASCII whole numbers of at most `most`."""
    m = _CHANGE_RE.match(rest.strip())
    if m is None:
        raise ScenarioError(f"'{part}': expected {expected}")
    op, sign, value = m["op"], m["sign"], m["value"].strip()
    if op != "=" and sign:
        raise ScenarioError(f"'{part}': expected {expected}")
    relative = op != "=" or sign is not None
    negative = (op if op != "=" else sign) == "-"
    if value.endswith("%"):
        number = value[:-1].strip()
        if not _PERCENT_RE.fullmatch(number):
            raise ScenarioError(
                f"'{part}': '{_clip(value)}' is not a percentage (digits 0–9, e.g. 20%); "
                f"expected {expected}"
            )
        if len(number.partition(".")[0].lstrip("0")) > len(str(MAX_PERCENT)) or (
            Fraction(number) > MAX_PERCENT
        ):
            raise ScenarioError(
                f"'{_clip(part)}': a what-if changes by at most +{MAX_PERCENT}%; "
                f"expected {expected}"
            )
        pct = Fraction(number)
        if not relative:
            return Change("scale", pct / 100)
        if negative and pct > 100:
            raise ScenarioError(f"'{part}': cannot cut by more than 100%")
        return Change("scale", 1 + (-pct if negative else pct) / 100)
    if money:
        try:
            amount = parse_money(value)
        except AmountTooLarge as exc:
            raise ScenarioError(f"'{_clip(part)}': {exc}") from None
        except ScenarioError:
            raise ScenarioError(
                f"'{part}': '{value}' is neither a percentage nor an amount of money "
                f"(e.g. {MONEY_EXAMPLES}); expected {expected}"
            ) from None
    else:
        whole = read_whole(value)
        if whole is None:
            raise ScenarioError(
                f"'{part}': '{_clip(value)}' is not a whole number (digits 0–9); "
                f"expected {expected}"
            )
        if whole > most:
            raise ScenarioError(
                f"'{_clip(part)}': {_clip(value)} is more than Townhall plans with "
                f"(at most {most:,})"
            )
        amount = whole
    if not relative:
        return Change("set", Fraction(amount))
    return Change("add", Fraction(-amount if negative else amount))


def _clip(text: str) -> str:
    """A text quoted back in a message: long ones (thousands of digits) cut short."""
    return text if len(text) <= 40 else text[:39] + "…"


def _key(part: str, raw: str) -> str:
    key = raw.strip().upper()
    if not KEY_RE.match(key):
        raise ScenarioError(
            f"'{part}': '{raw.strip()}' is not an initiative key (letters, digits and dashes, "
            "e.g. SOC-7)"
        )
    return key


def _phase_ref(part: str, raw: str | None) -> PhaseRef | None:
    """A phase named after `in`/`pin KEY`: a phase number (ASCII digits, below
    MAX_PHASES) or a label or date, which `resolve_phase` reads against the plan."""
    if raw is None:
        return None
    raw = raw.strip()
    number = read_whole(raw)
    if number is not None:
        if number >= MAX_PHASES:
            raise ScenarioError(
                f"'{_clip(part)}': there is no phase {_clip(raw)}: a plan has at most "
                f"{MAX_PHASES} phases (0–{MAX_PHASES - 1})"
            )
        return number
    if any(ch.isnumeric() and not ch.isascii() for ch in raw):
        raise ScenarioError(
            f"'{part}': '{raw}' is not a phase: expected a phase number (digits 0–9), a "
            "label like 2027Q3, or a date like 2027-08-15"
        )
    return raw


def describe(transforms: Sequence[Transform]) -> str:
    """The canonical text of a scenario, e.g. `budget −20%, without SOC-7`."""
    return ", ".join(t.describe() for t in transforms)
