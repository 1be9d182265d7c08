"""The App Home tab: what waits for the viewer, the published roadmap, own proposals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, actions, button, context, divider, header, section
from bot.blocks.initiatives import list_line, status_label, title_line
from bot.blocks.roadmap import initiative_names, status_text
from bot.blocks.text import VIEW_BLOCKS, escape, mention, money, pack_lines, percent
from catalog.views import InitiativeView, RoadmapView
from planner.roadmap import PhaseUse, Roadmap

#: At most this many pending items get their own buttons; the rest are listed.
MAX_WITH_BUTTONS = 10
_OWN_SECTIONS = 3


def home_view(
    *,
    user_id: str,
    pending_decisions: Sequence[InitiativeView],
    pending_reviews: Sequence[InitiativeView],
    published: RoadmapView | None,
    own_proposals: Sequence[InitiativeView],
) -> dict[str, Any]:
    """The Home tab `view` payload for `views.publish` (never more than 100 blocks)."""
    blocks: list[Block] = [
        header("Townhall"),
        section(f"Hello {mention(user_id)}. Here is what waits for you and where the plan stands."),
        actions(
            [
                button("Propose an initiative", action_id=ids.PROPOSE, style="primary"),
                button("Planning settings", action_id=ids.OPEN_SETTINGS),
            ],
            block_id="home_actions",
        ),
    ]
    if pending_decisions:
        blocks += _pending(
            "Waiting for your decision",
            pending_decisions,
            kind="decide",
            buttons=(
                ("Approve", ids.APPROVE, "primary"),
                ("Reject", ids.REJECT, "danger"),
                ("Request changes", ids.REQUEST_CHANGES, None),
            ),
            rest="`/roadmap list proposed` shows them all",
        )
    if pending_reviews:
        blocks += _pending(
            "Security reviews waiting for you",
            pending_reviews,
            kind="review",
            buttons=(
                ("Passed", ids.REVIEW_PASSED, "primary"),
                ("Passed with conditions", ids.REVIEW_CONDITIONS, None),
                ("Failed", ids.REVIEW_FAILED, "danger"),
            ),
            rest="`/roadmap show KEY` shows one in full",
        )
    own = _own(own_proposals)
    room = VIEW_BLOCKS - len(blocks) - len(own)
    blocks += _published(published, room=room)
    blocks += own
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}


def _pending(
    title: str,
    views: Sequence[InitiativeView],
    *,
    kind: str,
    buttons: Sequence[tuple[str, str, str | None]],
    rest: str,
) -> list[Block]:
    blocks: list[Block] = [divider(), header(f"{title} ({len(views)})")]
    for view in views[:MAX_WITH_BUTTONS]:
        line = f"{title_line(view.spec)}\n{status_label(view.status)}"
        if view.proposer:
            line += f" · proposed by {mention(view.proposer)}"
        blocks.append(section(line))
        value = ids.initiative_value(view.key, view.version)
        blocks.append(
            actions(
                [button(text, action_id=a, value=value, style=s) for text, a, s in buttons],
                block_id=f"home_{kind}_{view.key}_{view.version}",
            )
        )
    left = len(views) - MAX_WITH_BUTTONS
    if left > 0:
        blocks.append(context(f"+{left} more; {rest}."))
    return blocks


def _published(published: RoadmapView | None, *, room: int) -> list[Block]:
    blocks: list[Block] = [divider(), header("Published roadmap")]
    if published is None:
        blocks.append(
            section("_No roadmap is published yet._ `/roadmap plan` proposes one to publish.")
        )
        return blocks
    roadmap = published.roadmap
    by = f" by {mention(published.published_by)}" if published.published_by else ""
    when = f"{published.published_at:%Y-%m-%d}" if published.published_at else "—"
    blocks.append(section(status_text(roadmap)))
    blocks.append(context(f"Roadmap #{published.id} · published {when}{by}"))
    texts = [_phase_line(roadmap, p) for p in roadmap.phases]
    space = max(room - len(blocks), 1)
    if len(texts) <= space:
        blocks += [section(t) for t in texts]
    else:
        blocks += [section(t) for t in pack_lines(texts, max_chunks=space, more="more phases")]
    return blocks


def _phase_line(roadmap: Roadmap, phase: PhaseUse) -> str:
    live = [s for s in roadmap.scheduled if s.end_phase == phase.index]
    starts = [s for s in roadmap.scheduled if s.start_phase == phase.index]
    line = f"*{escape(phase.label)}*  {_budget_bar(phase)}"
    if starts:
        line += f"\n:arrow_forward: {initiative_names(starts, limit=600)}"
    if live:
        line += f"\n:rocket: {initiative_names(live, limit=600)}"
    return line


def _budget_bar(phase: PhaseUse, *, width: int = 10) -> str:
    if phase.budget is None:
        return f"spend {money(phase.spend)} (no budget limit)"
    share = phase.spend / phase.budget if phase.budget else 1.0
    filled = max(0, min(width, round(share * width)))
    bar = "▓" * filled + "░" * (width - filled)
    return (
        f"`{bar}` {money(phase.spend)} of {money(phase.budget)} "
        f"({percent(phase.spend, phase.budget) or '—'})"
    )


def _own(views: Sequence[InitiativeView]) -> list[Block]:
    blocks: list[Block] = [divider(), header(f"Your proposals ({len(views)})")]
    if not views:
        blocks.append(section("_You have not proposed anything yet._"))
        return blocks
    chunks = pack_lines(
        (list_line(v) for v in views), max_chunks=_OWN_SECTIONS, more="more; `/roadmap list`"
    )
    return blocks + [section(c) for c in chunks]
