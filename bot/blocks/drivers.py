"""Business drivers in messages: the group's weights as a bar picture, each person's
consistency, who has not answered, the hint that names a person's most inconsistent
judgment with a Revise button (it opens the judgment form for that pair), and the
priority list by strategic score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.blocks import ids
from bot.blocks.elements import Block, actions, button, context, header, section
from bot.blocks.text import MESSAGE_BLOCKS, escape, mention, names_within, pack_lines, truncate
from catalog.views import PriorityRow, PriorityView
from planner.drivers import (
    CR_LIMIT,
    INTENSITIES,
    MAX_SCORE,
    Driver,
    DriverWeights,
    PersonWeights,
)

#: Cells of the longest bar; eighths of a cell draw the rest.
BAR_CELLS = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"
#: Characters of a driver's name in the bar picture.
_NAME_WIDTH = 28
#: Lines of the people's consistency list, at most.
_PEOPLE_CHUNKS = 3


def bar(weight: float, largest: float, *, cells: int = BAR_CELLS) -> str:
    """A horizontal bar of `weight` against the `largest` (which fills `cells`)."""
    if largest <= 0 or weight <= 0:
        return ""
    eighths = round(8 * cells * min(weight, largest) / largest)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def weight_picture(drivers: Sequence[Driver], weights: Mapping[str, float]) -> str:
    """The weights as a bar picture in a mrkdwn code block, largest first, one driver a
    line: `Customer engagement   ████████▌  41.2%` (names escaped)."""
    shown = [d for d in drivers if d.key in weights]
    if not shown:
        return "_No weights yet._"
    largest = max(weights[d.key] for d in shown)
    width = min(_NAME_WIDTH, max(len(d.name) for d in shown))
    lines = []
    for d in sorted(shown, key=lambda d: -weights[d.key]):
        name = truncate(d.name, width).ljust(width)
        w = weights[d.key]
        lines.append(f"{escape(name)}  {bar(w, largest).ljust(BAR_CELLS)}  {100 * w:5.1f}%")
    return "```\n" + "\n".join(lines) + "\n```"


def cr_text(cr: float | None) -> str:
    """`CR 0.04` with its verdict (`consistent`, or a warning above the limit)."""
    if cr is None:
        return "no CR yet"
    if cr > CR_LIMIT:
        return f":warning: CR {cr:.2f}, above {CR_LIMIT:.2f}: the answers contradict each other"
    return f"CR {cr:.2f}, consistent"


def _names(drivers: Sequence[Driver]) -> dict[str, str]:
    return {d.key: d.name for d in drivers}


def judgment_words(a: str, b: str, ratio: float) -> str:
    """`*A* is strongly more important than *B* (5)` (mrkdwn; names escaped). A ratio
    off the scale (an implied one) is said in times: `about 2.3 times`."""
    if ratio < 1:
        a, b, ratio = b, a, 1 / ratio
    k = round(ratio)
    if abs(ratio - 1) < 0.05:
        return f"*{escape(a)}* and *{escape(b)}* are about equally important"
    if abs(ratio - k) < 1e-9 and k in INTENSITIES:
        return f"*{escape(a)}* is {INTENSITIES[k]} more important than *{escape(b)}* ({k})"
    return f"*{escape(a)}* is about {ratio:.1f} times as important as *{escape(b)}*"


def inconsistency_blocks(
    person: PersonWeights,
    drivers: Sequence[Driver],
    *,
    yours: bool = True,
    slash: str = "/roadmap",
) -> list[Block]:
    """The hint for a person whose CR is above the limit: which judgment disagrees most
    with their others, and a Revise button opening the form for that pair (and the
    command that does, for the console). Empty when the person is consistent (or
    incomplete)."""
    worst = person.worst
    if worst is None or person.cr is None or person.cr <= CR_LIMIT:
        return []
    names = _names(drivers)
    a, b = names.get(worst.a, worst.a), names.get(worst.b, worst.b)
    whose = "Your" if yours else f"{mention(person.by)}'s"
    said = "you said" if yours else "they said"
    text = (
        f":warning: {whose} answers are inconsistent: CR {person.cr:.2f}, above "
        f"{CR_LIMIT:.2f}. The judgment that disagrees most with the others: {said} "
        f"{judgment_words(a, b, float(worst.given))}, while the other answers imply "
        f"{judgment_words(a, b, worst.implied)}."
    )
    blocks: list[Block] = [section(text)]
    if yours:
        blocks.append(context(f"`{slash} weigh {worst.a} {worst.b}` revises it too."))
        blocks.append(
            actions(
                [
                    button(
                        f"Revise {truncate(a, 25)} vs {truncate(b, 25)}",
                        action_id=ids.REVISE_JUDGMENT,
                        value=ids.pair_value(worst.a, worst.b),
                        style="primary",
                    )
                ],
                block_id=f"revise_{worst.a}_{worst.b}",
            )
        )
    return blocks


def person_line(person: PersonWeights, drivers: Sequence[Driver]) -> str:
    """One person's standing: complete with their CR (and the pair that disagrees most),
    or how many pairs they answered."""
    who = mention(person.by)
    if not person.complete:
        return (
            f"{who}: {person.answered} of {person.needed} pairs answered "
            "(incomplete: left out of the group)"
        )
    line = f"{who}: {cr_text(person.cr)}"
    if person.worst is not None:
        names = _names(drivers)
        a = names.get(person.worst.a, person.worst.a)
        b = names.get(person.worst.b, person.worst.b)
        line += f"; most at odds: {escape(a)} vs {escape(b)}"
    return line


def person_weights_blocks(
    person: PersonWeights, drivers: Sequence[Driver], *, slash: str = "/roadmap"
) -> list[Block]:
    """A person's own weights after they answered: the bar picture and CR when their
    set is complete (with the inconsistency hint), else how far they got."""
    if not person.complete:
        return [
            section(
                f"Saved. You have answered {person.answered} of {person.needed} pairs; your "
                "weights count for the group once every pair is answered."
            )
        ]
    blocks: list[Block] = [
        section("*Your weights*\n" + weight_picture(drivers, person.weights)),
        context(cr_text(person.cr)),
    ]
    return blocks + inconsistency_blocks(person, drivers, slash=slash)


def drivers_blocks(
    weights: DriverWeights,
    *,
    pending: Sequence[str] = (),
    viewer: str | None = None,
    can_weigh: bool = False,
    can_manage: bool = False,
    slash: str = "/roadmap",
) -> list[Block]:
    """`/roadmap drivers`: the group's weights as bars, where they come from (and the
    group's CR), each person's CR or progress, who has not answered, the viewer's own
    inconsistency hint, and buttons to weigh and to manage the drivers."""
    drivers = weights.drivers
    blocks: list[Block] = [header(f"Business drivers ({len(drivers)})")]
    buttons = []
    if can_weigh and len(drivers) >= 2:
        buttons.append(button("Weigh the drivers", action_id=ids.OPEN_WEIGH, style="primary"))
    if can_manage:
        buttons.append(button("Manage drivers", action_id=ids.MANAGE_DRIVERS))
    if not drivers:
        hint = (
            "An admin adds them with the button below."
            if can_manage
            else "An admin adds them (Manage drivers)."
        )
        blocks.append(
            section(
                "_No business drivers yet._ Drivers are the strategic goals initiatives are "
                f"scored against, e.g. customer engagement or security and compliance. {hint}"
            )
        )
        if buttons:
            blocks.append(actions(buttons, block_id="drivers_actions"))
        return blocks
    blocks.append(section(weight_picture(drivers, weights.weights)))
    if weights.source == "judgments":
        count = len(weights.complete_people)
        blocks.append(
            context(
                f"Group weights from the complete answers of {count} "
                f"{'person' if count == 1 else 'people'} (geometric mean); group "
                + cr_text(weights.cr)
            )
        )
    else:
        blocks.append(
            context(
                "Nobody has answered every pair yet, so every driver weighs the same. "
                f"`{slash} weigh` asks you each pair."
            )
        )
    described = [
        f"*{escape(d.name)}* (`{escape(d.key)}`)"
        + (f": {escape(truncate(d.description, 300))}" if d.description.strip() else "")
        for d in drivers
    ]
    blocks += [context(text) for text in pack_lines(described, max_chunks=1, limit=3000)]
    people = list(weights.people.values())
    if people:
        lines = [person_line(p, drivers) for p in people]
        chunks = pack_lines(lines, max_chunks=_PEOPLE_CHUNKS)
        blocks.append(section("*Each person*\n" + chunks[0]))
        blocks += [section(chunk) for chunk in chunks[1:]]
    waiting = [user for user in pending if user not in weights.people]
    if waiting:
        blocks.append(
            context(
                "Not answered yet: "
                + names_within((mention(u) for u in waiting), limit=2800, more="more")
            )
        )
    mine = weights.people.get(viewer) if viewer else None
    if mine is not None:
        blocks += inconsistency_blocks(mine, drivers, slash=slash)
    if buttons:
        blocks.append(actions(buttons, block_id="drivers_actions"))
    return blocks


def weights_line(weights: DriverWeights) -> str:
    """`Weights: Customer engagement 41% · Security 30% …` and where they come from."""
    names = _names(weights.drivers)
    parts = " · ".join(
        f"{escape(truncate(names.get(k, k), 40))} {100 * w:.0f}%"
        for k, w in sorted(weights.weights.items(), key=lambda kw: (-kw[1], kw[0]))
    )
    if weights.source == "judgments":
        count = len(weights.complete_people)
        source = f"from the complete answers of {count} {'person' if count == 1 else 'people'}"
        source += "" if weights.cr is None else f", group CR {weights.cr:.2f}"
    else:
        source = "equal: nobody has answered every pair yet"
    return f"Weights: {parts} ({source})"


def priority_line(rank: int, row: PriorityRow, names: Mapping[str, str]) -> str:
    """`3. *SSO* Single sign-on — *2.45* ████▉ approved` and each driver's part."""
    parts = [
        f"{escape(truncate(names.get(k, k), 40))} {c:.2f}"
        for k, c in sorted(row.contributions.items(), key=lambda kc: (-kc[1], kc[0]))
        if c > 0
    ]
    head = (
        f"{rank}. *{escape(row.key)}* {escape(truncate(row.title, 80))} — *{row.score:.2f}* "
        f"`{bar(row.score, MAX_SCORE, cells=10).ljust(10)}` {row.status.replace('_', ' ')}"
    )
    return head + "\n      " + (" · ".join(parts) if parts else "_scores 0 on every driver_")


def priority_blocks(view: PriorityView, *, slash: str = "/roadmap") -> list[Block]:
    """`/roadmap priorities`: approved and proposed initiatives by strategic score (0–5),
    each with every driver's contribution w_d × score_d, and the weights used."""
    drivers = view.weights.drivers
    blocks: list[Block] = [header(f"Priorities by strategic score ({len(view.rows)})")]
    if not drivers:
        blocks.append(
            section(
                "_No business drivers yet_, so every strategic score is 0. "
                f"`{slash} drivers` shows them; an admin adds them there."
            )
        )
        return blocks
    blocks.append(context(weights_line(view.weights)))
    if not view.rows:
        blocks.append(section("_No approved or proposed initiatives to rank._"))
        return blocks
    names = _names(drivers)
    lines = [priority_line(rank, row, names) for rank, row in enumerate(view.rows, start=1)]
    blocks += [
        section(text)
        for text in pack_lines(lines, max_chunks=MESSAGE_BLOCKS - 3, more="more initiatives")
    ]
    blocks.append(
        context(
            "Strategic score = Σ weight × impact score (0 none … 5 transformative). "
            f"`{slash} plan objective=strategic` plans for it."
        )
    )
    return blocks
