"""What a plan maximizes: money value, strategic score, or a blend of both.

Every objective is Σ over scheduled initiatives of a per-phase benefit × the phases it
is live for, counting its go-live phase, (P − s − d + 1) (docs/PLANNING_MODEL.md,
Objective). Only the per-phase benefit (`Item.per_phase`) differs:

- `value`: the initiative's money `value` (the default; nothing is scaled);
- `strategic`: its strategic score S = Σ_d w_d × score_d (0..5) with the group's driver
  weights (`planner.drivers`), as a whole number of 1/`SCALE` units;
- `blend`: value / V + W × S / 5, in 1/`SCALE` units, where V is the largest value per
  phase in the portfolio and W the blend weight: both terms are between 0 and 1 per
  phase, and W says how much the strategic one counts.

The solver works on whole numbers; `Goal.display` turns them back into the figures
people read (a strategic objective of 123_450 units is 12.345).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.drivers import MAX_SCORE
from planner.money import format_money
from planner.portfolio.records import OBJECTIVES

#: Units of a strategic or blended benefit per 1.0 of score.
SCALE = 10_000
#: Decimals the figures of a strategic or blended objective are shown with.
DECIMALS = 4

_NOUNS = {"value": "value", "strategic": "strategic score", "blend": "blended score"}


@dataclass(frozen=True)
class Goal:
    """The objective of one plan, with the weights and normalization it used."""

    kind: str = "value"
    blend: float = 1.0
    weights: Mapping[str, float] = field(default_factory=dict)
    value_norm: int = 1  # V: the largest value per phase (blend)
    scale: int = 1  # solver units per displayed unit
    cr: float | None = None  # the group's consistency ratio (None: equal weights)
    source: str = "equal"  # where the weights come from: "judgments" | "equal"
    names: Mapping[str, str] = field(default_factory=dict, compare=False)  # driver names

    def __post_init__(self) -> None:
        if self.kind not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {self.kind!r}")

    @property
    def noun(self) -> str:
        """What the plan maximizes, in a sentence: "value", "strategic score", …"""
        return _NOUNS[self.kind]

    def benefit(self, value: int, strategic: float) -> int | None:
        """The per-phase benefit of an initiative (None for `value`: its value)."""
        if self.kind == "value":
            return None
        if self.kind == "strategic":
            return round(SCALE * strategic)
        return round(SCALE * (value / self.value_norm + self.blend * strategic / MAX_SCORE))

    def display(self, units: int) -> int | float:
        """Solver units as people read them (ints stay ints for `value`)."""
        if self.scale == 1:
            return units
        return round(units / self.scale, DECIMALS)

    def shown(self, units: int) -> str:
        """A figure in words: money for `value` ($1,200,000), else 2 decimals (12.35)."""
        if self.kind == "value":
            return format_money(units)
        return f"{units / self.scale:,.2f}"

    def units(self, shown: int | float) -> int:
        """The reverse of `display`: a shown figure in solver units."""
        return int(shown) if self.scale == 1 else round(shown * self.scale)

    def describe(self) -> str:
        """One line a CIO reads: the objective, the weights and the normalization."""
        if self.kind == "value":
            line = "Planned for value: money per phase from go-live to the end of the horizon"
            return f"{line}; driver weights: {self._weights()}" if self.weights else line
        if self.kind == "strategic":
            return (
                "Planned for strategic score: Σ driver weight × impact score (0–5) per phase "
                f"from go-live; weights: {self._weights()}"
            )
        return (
            f"Planned for a blend: value ÷ {self.value_norm:,} (the largest value per phase) "
            f"+ {self.blend:g} × strategic score ÷ {MAX_SCORE}, per phase from go-live; "
            f"weights: {self._weights()}"
        )

    def _weights(self) -> str:
        if not self.weights:
            return "no drivers"
        parts = ", ".join(
            f"{self.names.get(k, k)} {w:.0%}" for k, w in sorted(self.weights.items(), key=_heavy)
        )
        if self.source == "equal":
            return f"{parts} (equal: nobody has completed their judgments)"
        cr = "" if self.cr is None else f", CR {self.cr:.2f}"
        return f"{parts} (from the leaders' judgments{cr})"

    def to_json(self) -> dict[str, Any]:
        """The roadmap JSON's `goal` (numbers unrounded: read back, they are the same)."""
        return {
            "objective": self.kind,
            "weights": dict(self.weights),
            "blend": self.blend if self.kind == "blend" else None,
            "cr": self.cr,
            "source": self.source,
            "value_norm": self.value_norm if self.kind == "blend" else None,
            "scale": self.scale,
            "names": dict(self.names),
        }


def _heavy(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])


def goal_from_json(data: Mapping[str, Any] | None) -> Goal:
    """Read back what `Goal.to_json` wrote; a document without one planned for value."""
    if not data:
        return Goal()
    kind = data.get("objective", "value")
    return Goal(
        kind=kind,
        blend=float(data["blend"]) if data.get("blend") is not None else 1.0,
        weights=dict(data.get("weights") or {}),
        value_norm=int(data.get("value_norm") or 1),
        scale=int(data.get("scale") or (1 if kind == "value" else SCALE)),
        cr=data.get("cr"),
        source=data.get("source", "equal"),
        names=dict(data.get("names") or {}),
    )


def shown_figures(document: dict[str, Any], goal: Goal) -> dict[str, Any]:
    """A roadmap document (`Roadmap.to_dict`) with its objective, bound and each
    scheduled initiative's value in the units people read (`Goal.display`), its `goal`
    as `Goal.to_json`, and `strategic_score` only where there are drivers."""
    out = dict(document)
    for name in ("objective", "bound"):
        if out.get(name) is not None:
            out[name] = goal.display(out[name])
    scheduled = []
    for entry in out.get("scheduled", ()):
        entry = dict(entry)
        entry["value"] = goal.display(entry["value"])
        if entry.get("strategic_score") is None:
            entry.pop("strategic_score", None)
        scheduled.append(entry)
    out["scheduled"] = scheduled
    out["goal"] = goal.to_json()
    return out


def solver_figures(document: Mapping[str, Any], goal: Goal) -> dict[str, Any]:
    """The reverse of `shown_figures`: the figures back in solver units (exactly: a shown
    figure has at most `DECIMALS` decimals and `SCALE` is 10^DECIMALS)."""
    out = dict(document)
    for name in ("objective", "bound"):
        if out.get(name) is not None:
            out[name] = goal.units(out[name])
    out["scheduled"] = [
        {**entry, "value": goal.units(entry["value"])} for entry in out.get("scheduled", ())
    ]
    return out
