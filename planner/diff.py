"""What changed between two roadmaps: added, dropped, moved, value and spend, in plain words.

`diff_roadmaps(before, after)` compares two Roadmaps of the same portfolio, e.g. the
published baseline and a re-plan, or a plan and its what-if. Phases are matched by
index; a phase only one of the roadmaps has counts as zero spend in the other.

Dropped initiatives come first, each with the reason the new roadmap gives for leaving
it out, then those moved, then those added: against a published roadmap, what it no
longer keeps matters most. When the new roadmap was planned against `before` as its
published baseline, `stability` is its report of what keeping to it kept and cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.money import format_change, format_money
from planner.roadmap import Roadmap
from planner.stability import Stability

#: Longest reason in `lines()`: a whole reason (`planner.reasons.REASON_LIMIT`).
_MAX_SUMMARY_REASON = 150


@dataclass(frozen=True)
class Added:
    key: str
    title: str
    start_phase: int
    start_label: str


@dataclass(frozen=True)
class Dropped:
    key: str
    title: str
    reason: str  # why the after-roadmap leaves it out


@dataclass(frozen=True)
class Moved:
    key: str
    title: str
    from_phase: int
    to_phase: int
    from_label: str
    to_label: str

    @property
    def shift(self) -> int:
        """Phases moved: positive is later."""
        return self.to_phase - self.from_phase


@dataclass(frozen=True)
class PhaseSpend:
    index: int
    label: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class RoadmapDiff:
    added: tuple[Added, ...]
    dropped: tuple[Dropped, ...]
    moved: tuple[Moved, ...]
    unchanged: int  # scheduled in both, same start phase
    status_before: str
    status_after: str
    value_before: int | None  # realized value; None when a roadmap has no plan
    value_after: int | None
    spend_before: int
    spend_after: int
    phases: tuple[PhaseSpend, ...]  # spend per phase, before and after
    #: The new roadmap's stability report, when it was planned against `before`.
    stability: Stability | None = None
    noun: str = "value"  # what the objective counts ("value", "strategic score", …)
    scale: int = 1  # objective units per unit shown

    @property
    def value_change(self) -> int | None:
        if self.value_before is None or self.value_after is None:
            return None
        return self.value_after - self.value_before

    @property
    def value_change_percent(self) -> float | None:
        change = self.value_change
        if change is None or not self.value_before:
            return None
        return 100.0 * change / self.value_before

    @property
    def spend_change(self) -> int:
        return self.spend_after - self.spend_before

    @property
    def is_empty(self) -> bool:
        """True when the two roadmaps schedule the same starts for the same value and spend."""
        return (
            not (self.added or self.dropped or self.moved)
            and self.status_before == self.status_after
            and self.value_change in (0, None)
            and all(p.change == 0 for p in self.phases)
        )

    def lines(self) -> list[str]:
        """One line per change, in plain words: dropped (with the reason), moved, added,
        then what stability kept and cost, value and spend."""
        out: list[str] = []
        if self.status_after != self.status_before and self.status_after not in (
            "optimal",
            "feasible",
        ):
            out.append(f"The new roadmap is {self.status_after}: no plan was found")
        for d in self.dropped:
            out.append(f"{d.key} is dropped: {_short(d.reason)}")
        for m in self.moved:
            out.append(f"{m.key} moves from {m.from_label} to {m.to_label}")
        for a in self.added:
            out.append(f"{a.key} is added, starting {a.start_label}")
        if self.stability is not None:
            out.append(self.stability.summary())
        change = self.value_change
        if change:
            pct = self.value_change_percent
            rel = "" if pct is None else f" ({_signed_percent(pct)})"
            out.append(f"Realized {self.noun} {self._change(change)}{rel}")
        if self.spend_change:
            out.append(
                f"Total spend {format_change(self.spend_change)} "
                f"({format_money(self.spend_before)} → {format_money(self.spend_after)})"
            )
        changed = [p for p in self.phases if p.change]
        if changed:
            out.append(
                "Spend by phase: "
                + ", ".join(f"{p.label} {format_change(p.change)}" for p in changed)
            )
        if not out:
            out.append("No change")
        return out

    def summary(self) -> str:
        """`lines()` joined by newlines."""
        return "\n".join(self.lines())

    def _change(self, units: int) -> str:
        if self.scale == 1:
            return format_change(units)
        shown = round(abs(units) / self.scale, 4)
        return f"{'+' if units > 0 else '−'}{shown:,}"


def diff_roadmaps(before: Roadmap, after: Roadmap) -> RoadmapDiff:
    """Compare two roadmaps of the same portfolio."""
    old = {s.key: s for s in before.scheduled}
    new = {s.key: s for s in after.scheduled}
    reasons = {u.key: u.reason for u in after.unscheduled}
    labels_before = {p.index: p.label for p in before.phases}
    labels_after = {p.index: p.label for p in after.phases}

    def label(index: int, labels: dict[int, str]) -> str:
        return labels.get(index, f"phase {index}")

    added = tuple(
        Added(s.key, s.title, s.start_phase, label(s.start_phase, labels_after))
        for s in after.scheduled
        if s.key not in old
    )
    dropped = tuple(
        Dropped(s.key, s.title, reasons.get(s.key, "no longer part of the plan"))
        for s in before.scheduled
        if s.key not in new
    )
    moved = tuple(
        Moved(
            s.key,
            s.title,
            s.start_phase,
            new[s.key].start_phase,
            label(s.start_phase, labels_before),
            label(new[s.key].start_phase, labels_after),
        )
        for s in before.scheduled
        if s.key in new and new[s.key].start_phase != s.start_phase
    )
    unchanged = sum(
        1 for s in before.scheduled if s.key in new and new[s.key].start_phase == s.start_phase
    )
    spend_old = {p.index: p.spend for p in before.phases}
    spend_new = {p.index: p.spend for p in after.phases}
    phases = tuple(
        PhaseSpend(
            index=i,
            label=labels_after.get(i) or label(i, labels_before),
            before=spend_old.get(i, 0),
            after=spend_new.get(i, 0),
        )
        for i in sorted(set(spend_old) | set(spend_new))
    )
    return RoadmapDiff(
        added=added,
        dropped=dropped,
        moved=moved,
        unchanged=unchanged,
        status_before=before.status,
        status_after=after.status,
        value_before=before.objective,
        value_after=after.objective,
        spend_before=sum(spend_old.values()),
        spend_after=sum(spend_new.values()),
        phases=phases,
        stability=_stability_against(before, after),
        noun=after.goal.noun,
        scale=after.goal.scale,
    )


def _stability_against(before: Roadmap, after: Roadmap) -> Stability | None:
    """`after.stability` when `after` was planned with `before` as its published baseline."""
    report = after.stability
    if report is None or dict(report.baseline) != before.starts:
        return None
    return report


def _signed_percent(pct: float) -> str:
    text = f"{abs(pct):.1f}%"
    if round(pct, 1) == 0:
        return ("+" if pct > 0 else "−") + "<0.1%"
    return ("+" if pct > 0 else "−") + text


def _short(text: str) -> str:
    if len(text) <= _MAX_SUMMARY_REASON:
        return text
    return text[: _MAX_SUMMARY_REASON - 1].rstrip() + "…"
