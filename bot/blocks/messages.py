"""Short answers: help, errors, explanations and what-if / diff reports."""

from __future__ import annotations

from bot.blocks.elements import Block, context, header, section
from bot.blocks.text import MESSAGE_BLOCKS, escape, money, pack_lines, truncate
from planner.diff import RoadmapDiff
from planner.explain import Explanation
from planner.money import format_change
from planner.reasons import REASON_LIMIT

_DIFF_SECTIONS = 4
_TITLE = 60  # characters of a title in a list of changes


def help_blocks(text: str) -> list[Block]:
    """Help text as sections (escaped; `*bold*` and `code` still render)."""
    lines = [escape(line) for line in text.strip("\n").splitlines()] or [" "]
    return [section(chunk) for chunk in pack_lines(lines, max_chunks=MESSAGE_BLOCKS)]


def error_blocks(message: str, *, hint: str | None = None) -> list[Block]:
    """A clear error, and what to do about it when there is a hint."""
    blocks = [section(f":warning: {escape(message)}")]
    if hint:
        blocks.append(context(escape(hint)))
    return blocks


def explanation_blocks(explanation: Explanation) -> list[Block]:
    """Why an initiative is (or is not) scheduled where it is: headline, then details."""
    lines = [f"*{escape(explanation.headline)}*"]
    lines += [f"• {escape(d)}" for d in explanation.details]
    return [section(chunk) for chunk in pack_lines(lines, max_chunks=MESSAGE_BLOCKS)]


def diff_blocks(diff: RoadmapDiff, *, what_if: str = "", title: str | None = None) -> list[Block]:
    """What a what-if (or a re-plan) changes: the figures, then what is dropped (each
    with its whole reason: against a published roadmap it matters most), moved and
    added, then what keeping to the published roadmap kept and cost.

    The header is `title` when given, else "What if …" for a what-if, else "What changed".
    """
    heading = title or (f"What if {what_if}" if what_if else "What changed")
    blocks: list[Block] = [header(heading)]
    blocks.append(section(fields=_figures(diff)))
    lines: list[str] = []
    if diff.status_after != diff.status_before and diff.status_after not in (
        "optimal",
        "feasible",
    ):
        lines.append(f":no_entry: The new roadmap is *{diff.status_after}*: no plan was found.")
    if diff.dropped:
        lines.append(f"*Dropped ({len(diff.dropped)})*")
        lines += [
            f"• `{d.key}` {escape(truncate(d.title, _TITLE))} — "
            f"{escape(truncate(d.reason, REASON_LIMIT))}"
            for d in diff.dropped
        ]
    if diff.moved:
        lines.append(f"*Moved ({len(diff.moved)})*")
        lines += [
            f"• `{m.key}` {escape(truncate(m.title, _TITLE))}: {escape(m.from_label)} → "
            f"{escape(m.to_label)} ({_shift(m.shift)})"
            for m in diff.moved
        ]
    if diff.added:
        lines.append(f"*Added ({len(diff.added)})*")
        lines += [
            f"• `{a.key}` {escape(truncate(a.title, _TITLE))} — starts {escape(a.start_label)}"
            for a in diff.added
        ]
    if diff.is_empty:
        lines.append("No change: the same initiatives start in the same phases.")
    blocks += [section(c) for c in pack_lines(lines, max_chunks=_DIFF_SECTIONS)]
    if diff.stability is not None:
        blocks.append(context(f":pushpin: {escape(diff.stability.summary())}"))
    changed = [p for p in diff.phases if p.change]
    if changed:
        spend = ", ".join(f"{escape(p.label)} {format_change(p.change)}" for p in changed)
        blocks.append(context(truncate(f"Spend by phase: {spend}", 2900)))
    blocks.append(context(f"{diff.unchanged} initiatives unchanged"))
    return blocks


def _figures(diff: RoadmapDiff) -> list[str]:
    noun = f"Realized {diff.noun}"
    before, after = _shown(diff, diff.value_before), _shown(diff, diff.value_after)
    value = f"*{noun}*\n{before} → {after}"
    change = diff.value_change
    if change is not None:
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        shown = format_change(change) if diff.scale == 1 else f"{sign}{_shown(diff, abs(change))}"
        value += f" ({shown}"
        pct = diff.value_change_percent
        value += f", {'−' if pct < 0 else '+'}{abs(pct):.1f}%)" if pct is not None else ")"
    spend = (
        f"*Total spend*\n{money(diff.spend_before)} → {money(diff.spend_after)} "
        f"({format_change(diff.spend_change)})"
    )
    moves = (
        f"*Initiatives*\n{len(diff.dropped)} dropped · {len(diff.moved)} moved · "
        f"{len(diff.added)} added"
    )
    return [value, spend, moves]


def _shown(diff: RoadmapDiff, units: int | None) -> str:
    """A figure of the objective compared: money for value, else the score (`12.35`)."""
    if units is None:
        return "no plan"
    if diff.scale == 1:
        return money(units)
    return f"{units / diff.scale:,.2f}"


def _shift(shift: int) -> str:
    n = abs(shift)
    return f"{n} phase{'s' if n != 1 else ''} {'later' if shift > 0 else 'earlier'}"
