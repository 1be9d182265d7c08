"""Short answers: help, errors, explanations and what-if / diff reports."""

from __future__ import annotations

from bot.blocks.elements import Block, context, header, section
from bot.blocks.text import MESSAGE_BLOCKS, escape, money, pack_lines, truncate
from planner.diff import RoadmapDiff
from planner.explain import Explanation
from planner.money import format_change

_DIFF_SECTIONS = 4


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
    """What a what-if (or a re-plan) changes: value, spend, added, dropped and moved.

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
    if diff.added:
        lines.append(f"*Added ({len(diff.added)})*")
        lines += [
            f"• `{a.key}` {escape(truncate(a.title, 60))} — starts {escape(a.start_label)}"
            for a in diff.added
        ]
    if diff.dropped:
        lines.append(f"*Dropped ({len(diff.dropped)})*")
        lines += [
            f"• `{d.key}` {escape(truncate(d.title, 60))} — {escape(truncate(d.reason, 200))}"
            for d in diff.dropped
        ]
    if diff.moved:
        lines.append(f"*Moved ({len(diff.moved)})*")
        lines += [
            f"• `{m.key}` {escape(truncate(m.title, 60))}: {escape(m.from_label)} → "
            f"{escape(m.to_label)} ({_shift(m.shift)})"
            for m in diff.moved
        ]
    if diff.is_empty:
        lines.append("No change: the same initiatives start in the same phases.")
    blocks += [section(c) for c in pack_lines(lines, max_chunks=_DIFF_SECTIONS)]
    changed = [p for p in diff.phases if p.change]
    if changed:
        spend = ", ".join(f"{escape(p.label)} {format_change(p.change)}" for p in changed)
        blocks.append(context(truncate(f"Spend by phase: {spend}", 2900)))
    blocks.append(context(f"{diff.unchanged} initiatives unchanged"))
    return blocks


def _figures(diff: RoadmapDiff) -> list[str]:
    value = f"*Realized value*\n{money(diff.value_before, none='no plan')} → " + money(
        diff.value_after, none="no plan"
    )
    if diff.value_change is not None:
        value += f" ({format_change(diff.value_change)}"
        pct = diff.value_change_percent
        value += f", {'−' if pct < 0 else '+'}{abs(pct):.1f}%)" if pct is not None else ")"
    spend = (
        f"*Total spend*\n{money(diff.spend_before)} → {money(diff.spend_after)} "
        f"({format_change(diff.spend_change)})"
    )
    moves = (
        f"*Initiatives*\n{len(diff.added)} added · {len(diff.dropped)} dropped · "
        f"{len(diff.moved)} moved"
    )
    return [value, spend, moves]


def _shift(shift: int) -> str:
    n = abs(shift)
    return f"{n} phase{'s' if n != 1 else ''} {'later' if shift > 0 else 'earlier'}"
