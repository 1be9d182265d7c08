"""Messages of the approval workflow: requests to approvers and security officers, the
decided versions of those messages, and the proposer's notice."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.elements import Block, actions, button, context, section
from bot.blocks.initiatives import constraint_text, fact_fields, title_line
from bot.blocks.text import escape, mention, truncate
from catalog.views import InitiativeView

#: What each decision is called in a message, and its emoji. Lifecycle actions, the
#: statuses they lead to, and security review outcomes are all accepted.
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": ("approved", ":white_check_mark:"),
    "approved": ("approved", ":white_check_mark:"),
    "reject": ("rejected", ":x:"),
    "rejected": ("rejected", ":x:"),
    "request_changes": ("sent back for changes", ":memo:"),
    "changes_requested": ("sent back for changes", ":memo:"),
    "withdraw": ("withdrawn", ":wastebasket:"),
    "withdrawn": ("withdrawn", ":wastebasket:"),
    "passed": ("cleared by security review", ":shield:"),
    "conditions": ("cleared by security review with conditions", ":shield:"),
    "failed": ("refused by security review", ":no_entry:"),
}
_SUMMARY_CHARS = 600


def _decision(decision: str) -> tuple[str, str]:
    try:
        return DECISIONS[decision]
    except KeyError:
        known = ", ".join(DECISIONS)
        raise ValueError(f"unknown decision {decision!r} (known: {known})") from None


def _quote(text: str) -> str:
    return "\n".join(f">{escape(line)}" for line in truncate(text, 1500).splitlines())


def _summary(view: InitiativeView) -> list[Block]:
    if not view.spec.summary.strip():
        return []
    return [section(escape(truncate(view.spec.summary, _SUMMARY_CHARS)))]


def _value(view: InitiativeView) -> str:
    return ids.initiative_value(view.key, view.version)


def approval_request_blocks(view: InitiativeView, *, proposer: str | None) -> list[Block]:
    """The DM asking an approver to decide on a proposal, with the three decision buttons.

    Each button's value is `KEY|version`, so a decision on an outdated version is refused.
    """
    return [
        section(f":inbox_tray: {mention(proposer)} proposes {title_line(view.spec)}"),
        *_summary(view),
        section(fields=fact_fields(view.spec)[1:]),
        context(constraint_text(view.spec)),
        actions(
            [
                button("Approve", action_id=ids.APPROVE, value=_value(view), style="primary"),
                button("Reject", action_id=ids.REJECT, value=_value(view), style="danger"),
                button("Request changes", action_id=ids.REQUEST_CHANGES, value=_value(view)),
            ],
            block_id=f"approval_{view.key}_{view.version}",
        ),
    ]


def decision_blocks(
    view: InitiativeView, *, decision: str, by: str, reason: str = ""
) -> list[Block]:
    """What an approval or review request becomes once decided: who decided what, and why.

    It has no buttons left, so nobody decides twice from an old message.
    """
    word, emoji = _decision(decision)
    verdict = f"{emoji} *{word.capitalize()}* by {mention(by)}"
    blocks = [
        section(f"{title_line(view.spec)}\nproposed by {mention(view.proposer)}"),
        section(verdict + (f"\n{_quote(reason)}" if reason.strip() else "")),
        context(f"version {view.version}"),
    ]
    return blocks


def proposer_notice_blocks(
    view: InitiativeView, *, decision: str, by: str, reason: str = ""
) -> list[Block]:
    """The DM telling a proposer what became of their proposal; with changes requested it
    carries an Edit button."""
    word, emoji = _decision(decision)
    blocks = [
        section(f"{emoji} Your proposal {title_line(view.spec)} was *{word}* by {mention(by)}.")
    ]
    if reason.strip():
        blocks.append(section(_quote(reason)))
    if decision in ("request_changes", "changes_requested"):
        blocks.append(context("Edit it and it goes back to the approvers."))
        blocks.append(
            actions(
                [button("Edit proposal", action_id=ids.EDIT_INITIATIVE, value=_value(view))],
                block_id=f"notice_{view.key}_{view.version}",
            )
        )
    elif decision in ("approve", "approved"):
        blocks.append(context("It is part of the next roadmap the optimizer proposes."))
    return blocks


def review_request_blocks(
    view: InitiativeView, *, requested_by: str | None = None, why: str = ""
) -> list[Block]:
    """The message asking a security officer to record a review outcome.

    `why` says what made the review necessary (e.g. the policy rule). Passed with
    conditions and failed need a note, which the listener asks for in the reason modal.
    """
    spec = view.spec
    data = f"{spec.hosting.replace('_', '-')} · {spec.data}"
    if spec.personal_data:
        data += " · personal data"
    text = f":shield: Security review needed for {title_line(spec)}\n{data}"
    if why:
        text += f"\n_{escape(why)}_"
    blocks = [section(text), *_summary(view)]
    if requested_by:
        blocks.append(context(f"requested by {mention(requested_by)} · version {view.version}"))
    blocks.append(
        actions(
            [
                button("Passed", action_id=ids.REVIEW_PASSED, value=_value(view), style="primary"),
                button(
                    "Passed with conditions", action_id=ids.REVIEW_CONDITIONS, value=_value(view)
                ),
                button("Failed", action_id=ids.REVIEW_FAILED, value=_value(view), style="danger"),
            ],
            block_id=f"review_{view.key}_{view.version}",
        )
    )
    return blocks
