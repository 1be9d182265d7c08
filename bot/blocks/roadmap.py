"""The roadmap message, and the "planning…" message updated while a solve runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import (
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    divider,
    header,
    option,
    plain,
    section,
    static_select,
)
from bot.blocks.text import (
    MESSAGE_BLOCKS,
    OPTIONS,
    SECTION_TEXT,
    escape,
    figure,
    money,
    names_within,
    pack_lines,
    percent,
    truncate,
)
from catalog.usecases.progress import PlanProgress
from planner.exports import FORMATS
from planner.roadmap import PhaseUse, Roadmap, Scheduled, Unscheduled

#: Formats offered by the Export… menu: (value, label), from the format registry.
EXPORT_FORMATS: tuple[tuple[str, str], ...] = tuple((f.name, f.title) for f in FORMATS.values())

_PLANNED = ("optimal", "feasible")
_LIST_CHARS = 900  # per list of initiatives inside one phase
_MORE = "more, see export"
_UNSCHEDULED_SECTIONS = 3
_REASON_CHARS = 220
_TITLE_CHARS = 60
_ACTIONS_BLOCK = "roadmap_actions_"


def roadmap_blocks(
    roadmap: Roadmap,
    *,
    title: str | None = None,
    published: bool = False,
    roadmap_id: int | None = None,
    formats: Sequence[tuple[str, str]] = EXPORT_FORMATS,
) -> list[Block]:
    """The roadmap message: status, phases, what did not fit and why, value, buttons.

    Never more than 50 blocks nor 3000 characters a text, whatever the roadmap's size;
    what does not fit is summarized as `+N more, see export`.
    """
    head = [header(title or f"Roadmap — {roadmap.name or 'portfolio'}"), *_status(roadmap)]
    head.append(context(_facts(roadmap, published=published, roadmap_id=roadmap_id)))
    if roadmap.status not in _PLANNED:
        return head
    tail = [divider(), *_value(roadmap), *_unscheduled(roadmap)]
    menu = _actions(roadmap, published=published, roadmap_id=roadmap_id, formats=formats)
    if menu is not None:
        tail.append(menu)
    room = MESSAGE_BLOCKS - len(head) - len(tail) - 1
    return [*head, divider(), *_phases(roadmap, room=room), *tail]


def progress_blocks(progress: PlanProgress | None, *, title: str = "Planning…") -> list[Block]:
    """The message shown while a solve runs: the best plan so far, the bound, the gap
    and seconds, in the figures of the objective planned (money, or a score)."""
    blocks = [section(f":hourglass_flowing_sand: *{escape(title)}*")]
    if progress is None:
        blocks.append(context("Looking for a first plan…"))
        return blocks
    blocks.append(
        section(
            f"Best {escape(progress.noun)} so far *{progress.figure(progress.best)}*\n"
            f"`{_bar(progress.share)}` {percent(progress.best, progress.bound) or '100%'} "
            "of the bound"
        )
    )
    blocks.append(
        context(
            f"bound {progress.figure(progress.bound)} · gap {_gap(progress.gap)} · "
            f"{progress.seconds:.1f} s"
        )
    )
    return blocks


# --------------------------------------------------------------------------- status


def status_text(roadmap: Roadmap) -> str:
    """One line on the solver's verdict (mrkdwn, escaped)."""
    goal = roadmap.goal
    noun = "realized value" if goal.kind == "value" else goal.noun
    value = figure(goal, roadmap.objective)
    if roadmap.status == "optimal":
        return f":white_check_mark: *Optimal* — {noun} *{value}*, proven best"
    if roadmap.status == "feasible":
        bound = (
            "no bound proven"
            if roadmap.bound is None
            else f"bound {figure(goal, roadmap.bound)}, gap {_gap(roadmap.gap)}"
        )
        return f":large_yellow_circle: *Feasible* — {noun} *{value}*; {bound}"
    if roadmap.status == "infeasible":
        return ":no_entry: *Infeasible* — no roadmap satisfies every constraint"
    return (
        ":grey_question: *No plan found* within the time limit; "
        "try again with more time or fewer constraints"
    )


def _status(roadmap: Roadmap) -> list[Block]:
    blocks = [section(status_text(roadmap))]
    if roadmap.goal.kind != "value":  # which objective, with the weights it used
        blocks.append(context(escape(roadmap.goal.describe())))
    line = stability_line(roadmap)
    if line:
        blocks.append(context(f":pushpin: {escape(line)}"))
    if roadmap.status == "infeasible" and roadmap.conflicts:
        lines = [f"• {escape(c)}" for c in roadmap.conflicts]
        lines.insert(0, "*These constraints cannot all hold:*")
        blocks.extend(section(text) for text in pack_lines(lines, max_chunks=2))
    return blocks


def _facts(roadmap: Roadmap, *, published: bool, roadmap_id: int | None) -> str:
    parts = []
    if roadmap_id is not None:
        parts.append(f"Roadmap #{roadmap_id}")
    parts.append(":pushpin: published baseline" if published else "draft, not published")
    if roadmap.status in _PLANNED:
        parts.append(f"{len(roadmap.scheduled)} scheduled, {len(roadmap.unscheduled)} not")
    parts.append(f"{escape(roadmap.solver)} in {roadmap.solve_seconds:.2f} s")
    return " · ".join(parts)


def stability_line(roadmap: Roadmap) -> str:
    """What keeping to the published roadmap kept and cost (`Stability.summary`), for a
    plan made against one; "" otherwise."""
    if roadmap.stability is None or roadmap.status not in _PLANNED:
        return ""
    return roadmap.stability.summary()


def _gap(gap: float | None) -> str:
    if gap is None:
        return "unknown"
    if 0 < gap < 0.0001:
        return "<0.01%"
    return f"{gap:.2%}"


def _bar(share: float, *, width: int = 20) -> str:
    filled = max(0, min(width, round(share * width)))
    return "█" * filled + "░" * (width - filled)


# --------------------------------------------------------------------------- phases


def phase_dates(start: dt.date, end: dt.date) -> str:
    """`Jan 1 – Mar 31, 2027`, with both years when they differ."""
    first = f"{start:%b} {start.day}" + ("" if start.year == end.year else f", {start.year}")
    return f"{first} – {end:%b} {end.day}, {end.year}"


def initiative_names(items: Sequence[Scheduled], *, limit: int = _LIST_CHARS) -> str:
    """`KEY` title, … when that fits in `limit`, else keys only, else `+N more`."""
    full = ", ".join(f"`{s.key}` {escape(truncate(s.title, _TITLE_CHARS))}" for s in items)
    if len(full) <= limit:
        return full
    return names_within((f"`{s.key}`" for s in items), limit=limit, more=_MORE)


def use_text(phase: PhaseUse) -> str:
    """Spend against budget and each resource's use against its capacity."""
    spend = f"Spend {money(phase.spend)}"
    if phase.budget is not None:
        spend += f" of {money(phase.budget)} ({percent(phase.spend, phase.budget)})"
    else:
        spend += " (no budget limit)"
    parts = [spend]
    for name in sorted(phase.use):
        cap = phase.capacity.get(name)
        used = phase.use[name]
        if cap is None and not used:
            continue
        figure = f"{used}" if cap is None else f"{used}/{cap}"
        if cap is not None and used >= cap:
            figure = f"*{figure}*"
        parts.append(f"{escape(name.replace('_', ' '))} {figure}")
    return " · ".join(parts)


def phase_text(roadmap: Roadmap, phase: PhaseUse) -> str:
    starts = [s for s in roadmap.scheduled if s.start_phase == phase.index]
    live = [s for s in roadmap.scheduled if s.end_phase == phase.index]
    lines = [f"*{escape(phase.label)}*  ·  {phase_dates(phase.start, phase.end)}"]
    if starts:
        lines.append(f":arrow_forward: Starts: {initiative_names(starts)}")
    if live:
        lines.append(f":rocket: Goes live: {initiative_names(live)}")
    if not starts and not live:
        lines.append("Nothing starts or goes live")
    lines.append(use_text(phase))
    return "\n".join(lines)


def _phases(roadmap: Roadmap, *, room: int) -> list[Block]:
    texts = [phase_text(roadmap, p) for p in roadmap.phases]
    if len(texts) <= room:
        return [section(t) for t in texts]
    return [section(t) for t in pack_lines([t + "\n" for t in texts], max_chunks=max(room, 1))]


# --------------------------------------------------------------------------- the rest


def _value(roadmap: Roadmap) -> list[Block]:
    if not roadmap.scheduled:
        return [section("*Nothing is scheduled.*")]
    goal = roadmap.goal
    ranked = sorted(roadmap.scheduled, key=lambda s: (-s.value, s.key))
    names = names_within(
        (f"`{s.key}` {figure(goal, s.value)}" for s in ranked),
        limit=SECTION_TEXT - 100,
        more=_MORE,
        separator=" · ",
    )
    what = "Value" if goal.kind == "value" else goal.noun.capitalize()
    total = figure(goal, roadmap.objective)
    return [section(f"*{what} contributed* (total {total})\n{names}")]


def _unscheduled(roadmap: Roadmap) -> list[Block]:
    if not roadmap.unscheduled:
        return []
    lines = [f"*Not scheduled ({len(roadmap.unscheduled)})*"]
    lines += [
        f"• `{u.key}` {escape(truncate(u.title, _TITLE_CHARS))} — "
        f"{escape(truncate(u.reason, _REASON_CHARS))}"
        for u in roadmap.unscheduled
    ]
    return [section(t) for t in pack_lines(lines, max_chunks=_UNSCHEDULED_SECTIONS, more=_MORE)]


def _actions(
    roadmap: Roadmap,
    *,
    published: bool,
    roadmap_id: int | None,
    formats: Sequence[tuple[str, str]],
) -> Block | None:
    elements = []
    if roadmap_id is not None and not published:
        elements.append(
            button(
                "Publish",
                action_id=ids.PUBLISH_ROADMAP,
                value=ids.roadmap_value(roadmap_id),
                style="primary",
                confirm=confirm_dialog(
                    title="Publish this roadmap?",
                    text="It becomes the baseline that re-plans and diffs compare against.",
                    confirm="Publish",
                ),
            )
        )
    menu = _explain_menu(roadmap, roadmap_id)
    if menu is not None:
        elements.append(menu)
    if formats:
        elements.append(
            static_select(
                "Export…",
                action_id=ids.EXPORT_ROADMAP,
                options=[
                    option(label, ids.roadmap_value(roadmap_id, fmt)) for fmt, label in formats
                ],
            )
        )
    if not elements:
        return None
    return actions(elements, block_id=actions_block_id(roadmap_id))


# --------------------------------------------------------------------------- Explain…


def actions_block_id(roadmap_id: int | None) -> str:
    """The block of a roadmap message's buttons and menus: it names the roadmap shown,
    which the Explain… menu's options are read from (`explain_roadmap_id`)."""
    return f"{_ACTIONS_BLOCK}{'draft' if roadmap_id is None else roadmap_id}"


def explain_roadmap_id(block_id: str) -> int | None:
    """The roadmap an actions block shows (`actions_block_id`); None for a draft or a
    block id that names none."""
    head, _, number = block_id.partition(_ACTIONS_BLOCK)
    if head or not number.isascii() or not number.isdigit():
        return None
    return int(number)


def _explain_menu(roadmap: Roadmap, roadmap_id: int | None) -> dict[str, Any] | None:
    """Every initiative of the roadmap, to explain. Up to 100 (Slack's most options in a
    static select, option groups included) are listed in the message; with more, the menu
    loads them as it is opened and typed in (an external select, answered by
    `bot/listeners/options.py` from the stored roadmap `roadmap_id`). An unsaved roadmap
    cannot be looked up again: it lists its first 100."""
    choices = _explainable(roadmap)
    if not choices:
        return None
    if len(choices) <= OPTIONS or roadmap_id is None:
        return static_select(
            "Explain…",
            action_id=ids.EXPLAIN_INITIATIVE,
            options=[_explain_option(i, d, roadmap_id) for i, d in choices[:OPTIONS]],
        )
    return {
        "type": "external_select",
        "placeholder": plain(f"Explain… ({len(choices)}, type a key or title)", limit=150),
        "action_id": ids.EXPLAIN_INITIATIVE,
        "min_query_length": 0,
    }


def explain_options(roadmap: Roadmap, *, roadmap_id: int, typed: str) -> dict[str, Any]:
    """The options of the Explain… menu of roadmap `roadmap_id` matching the text typed
    (a key or a piece of a title, any case), as Slack asks for them: the closest first
    (the key itself, a key starting with the text, containing it, then titles), at most
    100, grouped into not scheduled and scheduled; a group that had to be cut says so."""
    wanted = " ".join(typed.split()).casefold()
    ranked = []
    for position, (item, description) in enumerate(_explainable(roadmap)):
        rank = _match(wanted, item.key.casefold(), " ".join(item.title.split()).casefold())
        if rank is not None:
            ranked.append((rank, position, item, description))
    ranked.sort(key=lambda r: (r[0], r[1]))
    groups = []
    for name, scheduled in (("Not scheduled", False), ("Scheduled", True)):
        matching = [r for r in ranked if isinstance(r[2], Scheduled) == scheduled]
        options = [
            _explain_option(item, description, roadmap_id)
            for _, _, item, description in ranked[:OPTIONS]
            if isinstance(item, Scheduled) == scheduled
        ]
        if not options:
            continue
        label = f"{name} ({len(matching)})"
        if len(options) < len(matching):
            label = f"{name}: {len(options)} of {len(matching)} shown, type to narrow"
        best = matching[0][0]
        groups.append((best, {"label": plain(label, limit=75), "options": options}))
    if not groups:
        return {"options": []}
    # the group holding the closest match first (stable: not scheduled, on a tie)
    return {"option_groups": [group for _, group in sorted(groups, key=lambda g: g[0])]}


def _explainable(roadmap: Roadmap) -> list[tuple[Scheduled | Unscheduled, str]]:
    """Every initiative of the roadmap with what the menu says of it: the ones left out
    first (they are the ones asked about), then the scheduled ones."""
    starts = {p.index: p.label for p in roadmap.phases}
    out: list[tuple[Scheduled | Unscheduled, str]] = [
        (u, "not scheduled") for u in roadmap.unscheduled
    ]
    out += [(s, f"starts {starts.get(s.start_phase, s.start_phase)}") for s in roadmap.scheduled]
    return out


def _explain_option(
    item: Scheduled | Unscheduled, description: str, roadmap_id: int | None
) -> dict[str, Any]:
    return option(
        f"{item.key} — {item.title}",
        ids.roadmap_value(roadmap_id, item.key),
        description=description,
    )


def _match(wanted: str, key: str, title: str) -> int | None:
    """How closely a key and title match the text typed: 0 best; None: not at all."""
    if not wanted:
        return 3
    if key == wanted:
        return 0
    if key.startswith(wanted):
        return 1
    if wanted in key:
        return 2
    if wanted in title:
        return 3
    return None
