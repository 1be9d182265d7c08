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

    def describe(self) -> str:
        """One line a CIO reads: the objective, the weights and the normalization."""
        if self.kind == "value":
            line = "Planned for value: money value per phase from go-live to the horizon"
            return f"{line} (driver weights {self._weights()})" if self.weights else line
        strategic = f"strategic score Σ weight × score (0–5) with {self._weights()}"
        if self.kind == "strategic":
            return f"Planned for strategic score: {strategic}, per phase from go-live"
        return (
            f"Planned for a blend: value ÷ {self.value_norm:,} (the largest value per phase) "
            f"+ {self.blend:g} × {strategic} ÷ {MAX_SCORE}, per phase from go-live"
        )

    def _weights(self) -> str:
        if not self.weights:
            return "no drivers"
        parts = ", ".join(
            f"{self.names.get(k, k)} {w:.0%}" for k, w in sorted(self.weights.items(), key=_heavy)
        )
        if self.source == "equal":
            return f"equal weights ({parts}: nobody has completed their judgments)"
        cr = "" if self.cr is None else f", CR {self.cr:.2f}"
        return f"weights {parts} (from the leaders' judgments{cr})"

    def to_json(self) -> dict[str, Any]:
        """The roadmap JSON's `goal`."""
        return {
            "objective": self.kind,
            "weights": {k: round(w, 6) for k, w in self.weights.items()},
            "blend": self.blend if self.kind == "blend" else None,
            "cr": None if self.cr is None else round(self.cr, 6),
            "source": self.source,
            "value_norm": self.value_norm if self.kind == "blend" else None,
            "scale": self.scale,
        }


def _heavy(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])
