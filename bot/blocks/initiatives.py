"""Initiative cards and lists."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import ids
from bot.blocks.elements import (
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    header,
    section,
)
from bot.blocks.text import (
    MESSAGE_BLOCKS,
    escape,
    mention,
    money,
    names_within,
    pack_lines,
    truncate,
)
from catalog.views import InitiativeView
from planner.drivers import SCORE_LEVELS, Driver
from planner.portfolio import InitiativeSpec

STATUS_EMOJI = {
    "proposed": ":inbox_tray:",
    "changes_requested": ":memo:",
    "approved": ":white_check_mark:",
    "scheduled": ":calendar:",
    "in_progress": ":construction:",
    "done": ":checkered_flag:",
    "rejected": ":x:",
    "withdrawn": ":wastebasket:",
}
#: Button label and style of each action `initiative_blocks` can offer.
ACTION_BUTTONS: dict[str, tuple[str, str | None]] = {
    "approve": ("Approve", "primary"),
    "reject": ("Reject", "danger"),
    "request_changes": ("Request changes", None),
    "edit": ("Edit", None),
    "withdraw": ("Withdraw", "danger"),
    "review_passed": ("Review passed", "primary"),
    "review_conditions": ("Passed with conditions", None),
    "review_failed": ("Review failed", "danger"),
}
_ONE_SECTION_EACH = 20  # lists up to this long get a section and a button per initiative


def status_label(status: str) -> str:
    """`:memo: changes requested`."""
    return f"{STATUS_EMOJI.get(status, '')} {status.replace('_', ' ')}".strip()


def phase_name(index: int | None, labels: Sequence[str]) -> str:
    if index is None:
        return "none"
    return labels[index] if 0 <= index < len(labels) else f"phase {index}"


def title_line(spec: InitiativeSpec) -> str:
    """`*SSO* — Single sign-on …` (mrkdwn, escaped)."""
    return f"*{escape(spec.key)}* — {escape(spec.title)}"


def fact_fields(spec: InitiativeSpec) -> list[str]:
    """Up to ten short `*label*\\nvalue` fields on what the initiative costs and needs."""
    hosting = spec.hosting.replace("_", "-")
    data = f"{hosting} · {spec.data}" + (" · personal data" if spec.personal_data else "")
    review = {None: "as the policy says", True: "required", False: "exempt"}[spec.security_review]
    if spec.review:
        review = f"{spec.review.replace('_', ' ')}" + (
            f": {escape(truncate(spec.review_note, 200))}" if spec.review_note else ""
        )
    uses = [f"{escape(name)} {amount}" for name, amount in sorted(spec.uses.items())]
    if spec.cadence == "agile":
        uses.append(f"agile teams {spec.teams}")
    return [
        f"*Status*\n{status_label(spec.status)}",
        f"*Cadence*\n{spec.cadence}, {spec.duration} phase{'s' if spec.duration != 1 else ''}",
        f"*Capex*\n{money(spec.capex)}",
        f"*Opex per live phase*\n{money(spec.opex)}",
        f"*Value per live phase*\n{money(spec.value)}",
        f"*Hosting and data*\n{data}",
        f"*Security review*\n{review}",
        f"*Uses per build phase*\n{', '.join(uses) or 'nothing named'}",
        f"*Category*\n{escape(truncate(spec.category, 100)) or '—'}",
        f"*Owner*\n{escape(truncate(spec.owner or '', 100)) or '—'}",
    ]


def constraint_text(spec: InitiativeSpec, *, phase_labels: Sequence[str] = ()) -> str:
    parts = []
    if spec.mandatory:
        parts.append("*mandatory*")
    if spec.depends_on:
        parts.append("depends on " + names_within(spec.depends_on, limit=600))
    if spec.excludes:
        parts.append("excludes " + names_within(spec.excludes, limit=600))
    if spec.earliest:
        parts.append(f"starts {phase_name(spec.earliest, phase_labels)} or later")
    if spec.deadline is not None:
        parts.append(f"live by {phase_name(spec.deadline, phase_labels)}")
    if spec.pin is not None:
        parts.append(f"pinned to start {phase_name(spec.pin, phase_labels)}")
    return " · ".join(parts) or "no dependencies, exclusions or date limits"


def _buttons(view: InitiativeView, names: Sequence[str]) -> list[dict]:
    value = ids.initiative_value(view.key, view.version)
    out = []
    for name in names:
        if name not in ACTION_BUTTONS:
            known = ", ".join(ACTION_BUTTONS)
            raise ValueError(f"unknown initiative action {name!r} (known: {known})")
        label, style = ACTION_BUTTONS[name]
        confirm = None
        if name == "withdraw":
            confirm = confirm_dialog(
                title=f"Withdraw {view.key}?",
                text="A withdrawn initiative is never planned again.",
                confirm="Withdraw",
            )
        out.append(
            button(
                label,
                action_id=ids.INITIATIVE_ACTIONS[name],
                value=value,
                style=style,
                confirm=confirm,
            )
        )
    return out


def score_text(spec: InitiativeSpec, drivers: Sequence[Driver] = ()) -> str | None:
    """`*Impact*: Customer engagement 5 transformative · Cost efficiency 0 none` (mrkdwn):
    the score on each driver (0 when not given), or on each driver scored when the
    drivers are not known; None when there is nothing to say."""
    named = [(d.name, spec.scores.get(d.key, 0)) for d in drivers]
    known = {d.key for d in drivers}
    named += [(key, score) for key, score in sorted(spec.scores.items()) if key not in known]
    if not named:
        return None
    parts = [
        f"{escape(truncate(name, 60))} {score} {SCORE_LEVELS[score]}"
        if 0 <= score < len(SCORE_LEVELS)
        else f"{escape(truncate(name, 60))} {score}"
        for name, score in named
    ]
    return "*Impact on the business drivers*\n" + " · ".join(parts)


def initiative_blocks(
    view: InitiativeView,
    *,
    actions: Sequence[str] = (),
    phase_labels: Sequence[str] = (),
    drivers: Sequence[Driver] = (),
) -> list[Block]:
    """An initiative's card: every field, and buttons for `actions`.

    `actions` are names of `ACTION_BUTTONS` (e.g. `("approve", "reject")`); each button's
    value is `KEY|version`. `phase_labels` name phase indices (e.g. `2027Q1`); `drivers`
    name the business drivers its impact scores are on.
    """
    spec = view.spec
    summary = escape(spec.summary) if spec.summary.strip() else "_No summary._"
    blocks: list[Block] = [
        header(f"{spec.key} — {spec.title}"),
        section(summary),
        section(fields=fact_fields(spec)),
    ]
    scores = score_text(spec, drivers)
    if scores is not None:
        blocks.append(section(scores))
    blocks += [
        context(constraint_text(spec, phase_labels=phase_labels)),
        context(_bookkeeping(view)),
    ]
    if actions:
        blocks.append(_actions_block(view, actions))
    return blocks


def _actions_block(view: InitiativeView, names: Sequence[str]) -> Block:
    return actions(_buttons(view, names), block_id=f"initiative_{view.key}_{view.version}")


def _bookkeeping(view: InitiativeView) -> str:
    parts = []
    if view.proposer:
        parts.append(f"proposed by {mention(view.proposer)}")
    parts.append(f"version {view.version}")
    when = f"{view.updated_at:%Y-%m-%d %H:%M} UTC"
    by = f" by {mention(view.updated_by)}" if view.updated_by else ""
    parts.append(f"updated {when}{by}")
    return " · ".join(parts)


def list_line(view: InitiativeView) -> str:
    """One initiative on one line: key, title, status, cadence, cost, value."""
    spec = view.spec
    return (
        f"{STATUS_EMOJI.get(spec.status, '')} *{escape(spec.key)}* "
        f"{escape(truncate(spec.title, 80))} — {spec.status.replace('_', ' ')} · "
        f"{spec.cadence} {spec.duration}p · capex {money(spec.capex)} · "
        f"value {money(spec.value)}/phase"
    )


def initiative_list_blocks(
    views: Sequence[InitiativeView], *, status: str | Sequence[str] | None = None
) -> list[Block]:
    """A list of initiatives: a section and a Details button each when short, else lines."""
    wanted = (
        ""
        if not status
        else " — " + (status if isinstance(status, str) else ", ".join(status)).replace("_", " ")
    )
    blocks: list[Block] = [header(f"Initiatives{wanted} ({len(views)})")]
    if not views:
        return [*blocks, section("_No initiatives here yet._ Propose one with `/roadmap propose`.")]
    if len(views) <= _ONE_SECTION_EACH:
        for view in views:
            blocks.append(
                section(
                    list_line(view),
                    accessory=button("Details", action_id=ids.SHOW_INITIATIVE, value=view.key),
                )
            )
        return blocks
    chunks = pack_lines(
        (list_line(v) for v in views),
        max_chunks=MESSAGE_BLOCKS - 2,
        more="more; narrow the list with `/roadmap list STATUS`",
    )
    blocks.extend(section(text) for text in chunks)
    blocks.append(context("`/roadmap show KEY` shows one initiative in full."))
    return blocks
